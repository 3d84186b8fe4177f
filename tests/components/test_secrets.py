"""Application secrets: exact inputs over both stack files, JSON secrets, the component alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from components.secrets import AppSecrets, AppSecretsArgs, SecretSource, SecretSpec
from plan.harness import SECRET_STANDIN, Plan, RecordedResource, SecretValue, run_program
from tests.components.data_stackfiles import stackfile_plan
from tests.conftest import cached_plan, raw_config, stack_values

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PASSWORD = "random:index/randomPassword:RandomPassword"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


DEFAULT_DESCRIPTIONS = {
    "generated": lambda name: f"{name} (generated)",
    "external": lambda name: f"{name}: set with `golive secrets set`; never written by Pulumi",
    "database": lambda name: f"{name}: the application's database role (created by db-init)",
}
"""What a secret without a description in the stack file is described as."""


def secrets_config(plan: Plan) -> dict[str, Any]:
    return stack_values(plan.stack, plan.config)["secrets"]


def secret_named(plan: Plan, name: str) -> RecordedResource:
    (secret,) = [s for s in plan.of_type(SECRET) if s.inputs["tags"]["golive:secret"] == name]
    return secret


def version_of(plan: Plan, secret: RecordedResource) -> RecordedResource | None:
    found = [v for v in plan.of_type(VERSION) if v.inputs["secretId"] == secret.outputs["id"]]
    assert len(found) <= 1
    return found[0] if found else None


def secret_values(plan: Plan) -> list[str]:
    """Every secret value the program stored (secret versions and the cache's AUTH token)."""
    values = [v.inputs["secretString"].value for v in plan.of_type(VERSION)]
    values += [
        g.inputs["authToken"].value
        for g in plan.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    ]
    return values


def plain_strings(value: Any) -> Iterator[str]:
    """Strings not wrapped as secrets, anywhere in a recorded value."""
    if isinstance(value, SecretValue):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():  # pyright: ignore[reportUnknownVariableType]
            yield from plain_strings(item)
    elif isinstance(value, list):
        for item in value:  # pyright: ignore[reportUnknownVariableType]
            yield from plain_strings(item)


@pytest.fixture(scope="module")
def trading() -> Plan:
    return stackfile_plan("trading")


@pytest.fixture(scope="module")
def pool() -> Plan:
    return stackfile_plan("pool")


# ----------------------------------------------------------------------------- both stack files


def test_one_secret_per_stack_file_entry_under_the_stack_key(stack_plan: Plan) -> None:
    config = secrets_config(stack_plan)
    protect = json.loads(raw_config(stack_plan.stack)["golive:protect"])
    secrets = [s for s in stack_plan.of_type(SECRET) if "golive:secret" in s.inputs["tags"]]
    assert len(secrets) == len(config) == 3
    for name, entry in config.items():
        secret = secret_named(stack_plan, name)
        assert secret.inputs == {
            "namePrefix": f"auction/{stack_plan.stack}/{name}-",
            "description": entry["description"] or DEFAULT_DESCRIPTIONS[entry["source"]](name),
            "kmsKeyId": stack_plan.outputs["kmsKeyArn"],
            "recoveryWindowInDays": entry["recoveryWindowDays"],
            "tags": {
                "golive:secret": name,
                "golive:source": entry["source"],
                "golive:rotation": "manual",
            },
        }
        assert secret.protect is protect


def test_recovery_windows_follow_the_stack_files(stack_plan: Plan) -> None:
    windows = {s.inputs["recoveryWindowInDays"] for s in stack_plan.of_type(SECRET)}
    assert windows == {e["recoveryWindowDays"] for e in secrets_config(stack_plan).values()}


def test_generated_jwt_secret_is_a_random_password_stored_as_a_secret_version(
    stack_plan: Plan,
) -> None:
    secret = secret_named(stack_plan, "JWT_SECRET")
    (password,) = [p for p in stack_plan.of_type(PASSWORD) if p.name.endswith("JWT_SECRET-value")]
    assert password.inputs == {
        "length": 64,
        "special": False,
        "minLower": 1,
        "minUpper": 1,
        "minNumeric": 1,
    }
    version = version_of(stack_plan, secret)
    assert version is not None
    value = version.inputs["secretString"]
    assert isinstance(value, SecretValue)
    assert len(value.value) == 64


def test_external_smtp_secret_has_no_value_and_is_exported(stack_plan: Plan) -> None:
    secret = secret_named(stack_plan, "SMTP")
    assert version_of(stack_plan, secret) is None
    assert stack_plan.outputs["externalSecrets"] == {"SMTP": secret.outputs["arn"]}
    assert stack_plan.outputs["externalSecretKeys"] == {"SMTP": ["password", "username"]}


def test_database_secret_holds_the_application_role_not_the_master(stack_plan: Plan) -> None:
    secret = secret_named(stack_plan, "DATABASE")
    version = version_of(stack_plan, secret)
    assert version is not None
    document = json.loads(version.inputs["secretString"].value)
    assert set(document) == {
        "username",
        "password",
        "passwordVerifier",
        "url",
        "verifyFullUrl",
        "sqlalchemyAsyncpgUrl",
    }
    assert document["passwordVerifier"].startswith("SCRAM-SHA-256$4096:")
    assert document["username"] == "auction_app"
    master = stack_plan.one("aws:rds/instance:Instance").inputs["username"]
    assert document["username"] != master
    assert len(document["password"]) == 32


def test_every_variable_gets_its_value_from(stack_plan: Plan) -> None:
    (component,) = stack_plan.of_type("golive:aws:AppSecrets")
    arns = {
        name: secret_named(stack_plan, name).outputs["arn"] for name in secrets_config(stack_plan)
    }
    assert component.outputs["valueFrom"] == {
        "JWT_SECRET": arns["JWT_SECRET"],
        "SMTP_USER": f"{arns['SMTP']}:username::",
        "SMTP_PASSWORD": f"{arns['SMTP']}:password::",
        "DB_USER": f"{arns['DATABASE']}:username::",
        "DB_PASSWORD": f"{arns['DATABASE']}:password::",
    }
    assert set(component.outputs["rotationExceptions"]) == set(arns)


def test_no_plaintext_secret_in_any_input_or_output(stack_plan: Plan) -> None:
    values = secret_values(stack_plan)
    assert len(values) == 2  # JWT_SECRET and DATABASE; SMTP has no value from the program
    for resource in stack_plan.resources:
        for text in [*plain_strings(resource.inputs), *plain_strings(resource.outputs)]:
            leaked = [v for v in values if v in text]
            assert not leaked, f"{resource.name} holds a secret value in plain text"
    exported = list(plain_strings(stack_plan.outputs))
    assert not [t for t in exported for v in values if v in t]
    assert not [t for t in exported if isinstance(t, SecretValue)]


def test_nothing_secret_is_exported(stack_plan: Plan) -> None:
    def secrets_in(value: Any) -> int:
        if isinstance(value, SecretValue):
            return 1
        if isinstance(value, dict):
            return sum(secrets_in(v) for v in value.values())  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        if isinstance(value, list):
            return sum(secrets_in(v) for v in value)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        return 0

    assert secrets_in(stack_plan.outputs) == 0


# ----------------------------------------------------------------------------- other stack files


def test_a_json_secret_with_many_keys_feeds_one_variable_per_key(trading: Plan) -> None:
    exchange = secret_named(trading, "EXCHANGE")
    (component,) = trading.of_type("golive:aws:AppSecrets")
    value_from = component.outputs["valueFrom"]
    arn = exchange.outputs["arn"]
    assert {k: v for k, v in value_from.items() if k.startswith("EXCHANGE_")} == {
        "EXCHANGE_API_KEY": f"{arn}:apiKey::",
        "EXCHANGE_API_SECRET": f"{arn}:apiSecret::",
        "EXCHANGE_PASSPHRASE": f"{arn}:passphrase::",
        "EXCHANGE_ACCOUNT_ID": f"{arn}:accountId::",
        "EXCHANGE_WS_TOKEN": f"{arn}:wsToken::",
        "EXCHANGE_WEBHOOK_SECRET": f"{arn}:webhook.secret::",
    }
    assert version_of(trading, exchange) is None
    assert trading.outputs["externalSecrets"] == {"EXCHANGE": arn}
    assert trading.outputs["externalSecretKeys"] == {
        "EXCHANGE": sorted(
            ["apiKey", "apiSecret", "passphrase", "accountId", "wsToken", "webhook.secret"]
        )
    }


def test_a_generated_json_secret_draws_one_password_per_key(trading: Plan) -> None:
    secret = secret_named(trading, "APP_KEYS")
    passwords = [p for p in trading.of_type(PASSWORD) if "-secret-APP_KEYS-" in p.name]
    assert sorted(p.name.rsplit("-", 1)[1] for p in passwords) == ["csrf", "encryption", "session"]
    for password in passwords:
        assert password.inputs["length"] == 48
        assert (password.inputs["special"], password.inputs["overrideSpecial"]) == (True, "-_.~")
    version = version_of(trading, secret)
    assert version is not None
    document = json.loads(version.inputs["secretString"].value)
    assert sorted(document) == ["csrf", "encryption", "session"]
    assert all(len(v) == 48 for v in document.values())


def test_a_config_secret_stores_the_stack_config_value(pool: Plan) -> None:
    secret = secret_named(pool, "NEXTAUTH_SECRET")
    version = version_of(pool, secret)
    assert version is not None
    assert version.inputs["secretString"] == SecretValue(SECRET_STANDIN)
    assert secret.inputs["tags"]["golive:source"] == "config"
    for resource in pool.resources:
        assert SECRET_STANDIN not in "".join(plain_strings(resource.inputs)), resource.name


def test_custom_database_variable_names_and_a_zero_recovery_window(pool: Plan) -> None:
    (component,) = pool.of_type("golive:aws:AppSecrets")
    arn = secret_named(pool, "DB").outputs["arn"]
    assert component.outputs["valueFrom"]["DATABASE_USER"] == f"{arn}:username::"
    assert component.outputs["valueFrom"]["DATABASE_PASSWORD"] == f"{arn}:password::"
    assert secret_named(pool, "SENTRY_DSN").inputs["recoveryWindowInDays"] == 0


def test_every_secret_in_every_stack_uses_the_stack_key(trading: Plan, pool: Plan) -> None:
    for plan in (cached_plan("staging"), cached_plan("prod"), trading, pool):
        assert plan.of_type(SECRET)
        key = plan.outputs["kmsKeyArn"]
        for secret in plan.of_type(SECRET):
            assert secret.inputs["kmsKeyId"] == key, secret.name


# ----------------------------------------------------------------------------- the component alone


def _secrets_program() -> None:
    secrets = AppSecrets(
        "unit",
        AppSecretsArgs(
            kms_key_arn=KEY_ARN,
            name_prefix="unit/test/",
            secrets={
                "TOKEN": SecretSpec(source=SecretSource.GENERATED, length=20),
                "MAIL": SecretSpec(
                    source=SecretSource.EXTERNAL,
                    env_keys={"MAIL_USER": "user", "MAIL_PASSWORD": "pass"},
                ),
                "DB": SecretSpec(
                    source=SecretSource.DATABASE,
                    username="unit_app",
                    env_keys={"PGUSER": "username", "PGPASSWORD": "password"},
                ),
            },
            protect=True,
        ),
    )
    credentials = secrets.database_credentials
    assert credentials is not None
    pulumi.export(
        "refs",
        {
            ref.env_name: {
                "valueFrom": ref.value_from,
                "secretArn": ref.secret_arn,
                "kms": ref.kms_key_arn,
                "jsonKey": ref.json_key,
            }
            for ref in secrets.references_for(["TOKEN", "MAIL", "PGPASSWORD"])
        },
    )
    pulumi.export(
        "credentials",
        {
            "role": credentials.role_name,
            "user": credentials.username.value_from,
            "verifier": credentials.password_verifier.value_from,
            "secretArn": credentials.secret_arn,
        },
    )
    pulumi.export("kms", secrets.kms_key_arns)


def test_component_references_secret_and_variable_names() -> None:
    plan = run_program("staging", program=_secrets_program)
    arns = {s.inputs["tags"]["golive:secret"]: s.outputs["arn"] for s in plan.of_type(SECRET)}
    assert plan.outputs["refs"] == {
        "TOKEN": {
            "valueFrom": arns["TOKEN"],
            "secretArn": arns["TOKEN"],
            "kms": KEY_ARN,
            "jsonKey": None,
        },
        "MAIL_USER": {
            "valueFrom": f"{arns['MAIL']}:user::",
            "secretArn": arns["MAIL"],
            "kms": KEY_ARN,
            "jsonKey": "user",
        },
        "MAIL_PASSWORD": {
            "valueFrom": f"{arns['MAIL']}:pass::",
            "secretArn": arns["MAIL"],
            "kms": KEY_ARN,
            "jsonKey": "pass",
        },
        "PGPASSWORD": {
            "valueFrom": f"{arns['DB']}:password::",
            "secretArn": arns["DB"],
            "kms": KEY_ARN,
            "jsonKey": "password",
        },
    }
    assert plan.outputs["credentials"] == {
        "role": "unit_app",
        # db-init reads the role and the verifier by JSON key, whatever the services map.
        "user": f"{arns['DB']}:username::",
        "verifier": f"{arns['DB']}:passwordVerifier::",
        "secretArn": arns["DB"],
    }
    assert plan.outputs["kms"] == [KEY_ARN]
    assert all(s.protect for s in plan.of_type(SECRET))
    assert not any(v.protect for v in plan.of_type(VERSION))
    assert len(plan.of_type(VERSION)) == 2


def test_unknown_variable_names_fail_with_the_known_ones() -> None:
    def program() -> None:
        secrets = AppSecrets(
            "unit",
            AppSecretsArgs(
                kms_key_arn=KEY_ARN,
                name_prefix="unit/",
                secrets={"TOKEN": SecretSpec(source=SecretSource.GENERATED)},
            ),
        )
        secrets.reference("TOKN")

    with pytest.raises(KeyError, match=r"'TOKN'.*known: TOKEN"):
        run_program("staging", program=program)
