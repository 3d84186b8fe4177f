"""Connection URLs: their shape for every driver form, under mocks, and against a real Postgres
through the db-init path (the URL logs in as the role db-init creates)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from components.connection_urls import (
    RDS_CA_BUNDLE_PATH,
    cache_urls,
    database_url_keys,
    database_urls,
)
from components.db_init import INIT_SQL
from components.secrets import VERIFIER_KEY, scram_sha256_verifier
from plan.harness import Plan, run_program, unwrap_secrets
from tests.conftest import raw_config

HOSTILE = "p@ss:w/rd?#%25x%"
"""A password holding every character that ends a part of a URL, and a percent sign."""


def _parts(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "scheme": parts.scheme,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "host": parts.hostname,
        "port": parts.port,
        "path": unquote(parts.path),
        "query": parse_qs(parts.query),
    }


def test_every_form_round_trips_a_hostile_password() -> None:
    urls = database_urls(
        "pool_app", HOSTILE, host="db.example", port=5432, database="pool", replica_hosts=["r1"]
    )
    assert sorted(urls) == sorted(database_url_keys(1))
    for key, url in urls.items():
        parts = _parts(url)
        assert (parts["user"], parts["password"]) == ("pool_app", HOSTILE), key
        assert parts["port"] == 5432 and parts["path"] == "/pool", key
        assert parts["host"] == ("r1" if key.startswith("reader") else "db.example"), key
        assert "@" not in url.split("@", 1)[0].split("//", 1)[1].replace("%40", ""), key


def test_each_form_says_tls_the_way_its_driver_reads_it() -> None:
    urls = database_urls("u", "p", host="h", port=5432, database="d")
    assert _parts(urls["url"])["scheme"] == "postgresql"
    assert _parts(urls["url"])["query"] == {"sslmode": ["require"]}
    assert _parts(urls["verifyFullUrl"])["query"] == {
        "sslmode": ["verify-full"],
        "sslrootcert": [RDS_CA_BUNDLE_PATH],
    }
    asyncpg = _parts(urls["sqlalchemyAsyncpgUrl"])
    assert (asyncpg["scheme"], asyncpg["query"]) == ("postgresql+asyncpg", {"ssl": ["require"]})


def test_reader_keys_follow_the_replicas() -> None:
    assert database_url_keys(0) == ["url", "verifyFullUrl", "sqlalchemyAsyncpgUrl"]
    assert database_url_keys(2)[3:] == [
        "readerUrl",
        "readerVerifyFullUrl",
        "readerSqlalchemyAsyncpgUrl",
        "reader2Url",
        "reader2VerifyFullUrl",
        "reader2SqlalchemyAsyncpgUrl",
    ]


def test_cache_urls_are_tls_with_the_token_as_password() -> None:
    token = "a!b&c#d$e^f<g>h-i"  # ElastiCache's special characters
    urls = cache_urls(token, host="master.c", reader_host="replica.c", port=6379)
    for key, host in (("url", "master.c"), ("readerUrl", "replica.c")):
        parts = _parts(urls[key])
        assert (parts["scheme"], parts["user"], parts["password"]) == ("rediss", "", token)
        assert (parts["host"], parts["port"]) == (host, 6379)


# ----------------------------------------------------------------------------- under mocks


def _plan_with(secrets: dict[str, Any], **overrides: Any) -> Plan:
    return run_program("staging", overrides={"secrets": secrets, **overrides})


def _staging_secrets() -> dict[str, Any]:
    return json.loads(raw_config("staging")["golive:secrets"])


def _document(plan: Plan, secret: str) -> dict[str, str]:
    (found,) = [
        s
        for s in plan.of_type("aws:secretsmanager/secret:Secret")
        if s.inputs["tags"]["golive:secret"] == secret
    ]
    (version,) = [
        v
        for v in plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
        if v.inputs["secretId"] == found.outputs["id"]
    ]
    return json.loads(unwrap_secrets(version.inputs["secretString"]))


def _container(plan: Plan, family_part: str) -> dict[str, Any]:
    (definition,) = [
        d
        for d in plan.of_type("aws:ecs/taskDefinition:TaskDefinition")
        if d.name == f"auction-staging-{family_part}-taskdef"
    ]
    (container,) = json.loads(unwrap_secrets(definition.inputs["containerDefinitions"]))
    return container


def test_a_service_maps_the_url_key_to_database_url_never_as_plain_env() -> None:
    secrets = _staging_secrets()
    secrets["DATABASE"]["keys"] = {"DATABASE_URL": "url"}
    plan = _plan_with(secrets)
    arn = next(
        s.outputs["arn"]
        for s in plan.of_type("aws:secretsmanager/secret:Secret")
        if s.inputs["tags"]["golive:secret"] == "DATABASE"
    )
    container = _container(plan, "api")
    assert {"name": "DATABASE_URL", "valueFrom": f"{arn}:url::"} in container["secrets"]
    document = _document(plan, "DATABASE")
    assert all(document["url"] not in json.dumps(e) for e in container["environment"])
    assert document["url"] not in json.dumps(unwrap_secrets(plan.outputs))
    database = plan.one("aws:rds/instance:Instance")
    assert _parts(document["url"]) == {
        "scheme": "postgresql",
        "user": "auction_app",
        "password": document["password"],
        "host": database.outputs["address"],
        "port": 5432,
        "path": "/auction",
        "query": {"sslmode": ["require"]},
    }
    # db-init still reads the role and the verifier, which no service maps any more.
    db_init = _container(plan, "db-init")
    assert {s["name"] for s in db_init["secrets"]} >= {"APP_DB_USER", "APP_DB_PASSWORD_VERIFIER"}


def test_the_urls_and_the_verifier_come_from_one_password() -> None:
    secrets = _staging_secrets()
    secrets["DATABASE"].update(special=True, specialCharacters="@:/?#%")
    document = _document(_plan_with(secrets), "DATABASE")
    password = document["password"]
    salt = __import__("base64").b64decode(document[VERIFIER_KEY].split("$")[1].split(":")[1])
    assert document[VERIFIER_KEY] == scram_sha256_verifier(password, salt)
    for key in database_url_keys(0):
        assert _parts(document[key])["password"] == password, key


def test_a_cache_secret_holds_rediss_urls_with_the_cache_token() -> None:
    secrets = _staging_secrets()
    secrets["REDIS"] = {"source": "cache", "keys": {"REDIS_URL": "url"}}
    services = json.loads(raw_config("staging")["golive:services"])
    services["api"].update(cache=True, secrets=[*services["api"]["secrets"], "REDIS"])
    plan = _plan_with(secrets, services=services, cache={"nodeType": "cache.t4g.micro"})
    group = plan.one("aws:elasticache/replicationGroup:ReplicationGroup")
    token = unwrap_secrets(group.inputs["authToken"])
    url = _parts(_document(plan, "REDIS")["url"])
    assert (url["scheme"], url["password"]) == ("rediss", token)
    assert (url["host"], url["port"]) == (group.outputs["primaryEndpointAddress"], 6379)
    names = {s["name"] for s in _container(plan, "api")["secrets"]}
    assert {"REDIS_URL", "REDIS_AUTH_TOKEN"} <= names


def test_a_cache_secret_taken_by_a_service_without_cache_is_refused() -> None:
    from stacks.config import ConfigError, parse
    from tests.stacks.config.stack_files import as_cli, mutated

    secrets = _staging_secrets()
    secrets["REDIS"] = {"source": "cache", "keys": {"REDIS_URL": "url"}}
    services = json.loads(raw_config("staging")["golive:services"])
    services["api"]["secrets"].append("REDIS")
    changes = {
        "golive:secrets": secrets,
        "golive:services": services,
        "golive:cache": {"nodeType": "cache.t4g.micro"},
    }
    with pytest.raises(ConfigError) as raised:
        parse("staging", as_cli(mutated(changes)))
    assert [p.path for p in raised.value.problems] == ["services.api.cache"]


# ----------------------------------------------------------------------------- a real Postgres


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


POSTGRES_BIN = Path("/usr/lib/postgresql")
_SERVER = next(iter(sorted(POSTGRES_BIN.glob("*/bin/postgres"))), None)
needs_postgres = pytest.mark.skipif(
    _SERVER is None or shutil.which("psql") is None or shutil.which("openssl") is None,
    reason="needs PostgreSQL's server binaries, psql and openssl",
)


@pytest.fixture
def postgres() -> Iterator[dict[str, Any]]:
    """A TLS-only PostgreSQL on 127.0.0.1 (SCRAM, a self-signed certificate), stopped after."""
    assert _SERVER is not None
    bindir = _SERVER.parent
    root = Path(tempfile.mkdtemp(prefix="golive-pg-"))
    data, port = root / "data", _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    (root / "pw").write_text("master-secret\n")
    if as_user:
        shutil.chown(root / "pw", "postgres")
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "golive_admin",
         "--auth=scram-sha-256", f"--pwfile={root / 'pw'}"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [*as_user, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(data / "server.key"),
         "-out", str(data / "server.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    (data / "pg_hba.conf").write_text(
        "local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
        "-c ssl=on -c log_statement=ddl"
    )
    subprocess.run(
        [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "30",
         "-l", str(root / "log"), "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        subprocess.run(
            ["psql", f"postgresql://golive_admin:master-secret@127.0.0.1:{port}/postgres"
             "?sslmode=require", "-c", "CREATE DATABASE pool"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield {"port": port, "log": root / "log"}
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def _db_init(port: int, document: dict[str, str]) -> None:
    """What the db-init container runs: INIT_SQL with the master credentials and the app
    role's name and verifier as psql variables (components/db_init.py)."""
    subprocess.run(
        ["psql", "--no-psqlrc", "--quiet", "-v", f"app_user={document['username']}",
         "-v", f"app_verifier={document[VERIFIER_KEY]}"],
        input=INIT_SQL, text=True, check=True, capture_output=True,
        env={**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(port), "PGDATABASE": "pool",
             "PGUSER": "golive_admin", "PGPASSWORD": "master-secret", "PGSSLMODE": "require"},
    )  # fmt: skip


def _whoami(url: str) -> str:
    done = subprocess.run(
        ["psql", url, "-tAc", "SELECT current_user || ' ' || (SELECT ssl FROM pg_stat_ssl "
         "WHERE pid = pg_backend_pid())"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


@needs_postgres
def test_the_url_logs_in_as_the_role_db_init_creates_and_recreates(
    postgres: dict[str, Any],
) -> None:
    port = postgres["port"]
    salt = b"0123456789abcdef"
    document = {
        "username": "pool_app",
        "password": HOSTILE,
        VERIFIER_KEY: scram_sha256_verifier(HOSTILE, salt),
        **database_urls("pool_app", HOSTILE, host="127.0.0.1", port=port, database="pool"),
    }
    _db_init(port, document)
    assert _whoami(document["url"]) == "pool_app true"
    # The role is dropped and db-init runs again (as every release does): the URL still works.
    subprocess.run(
        ["psql", f"postgresql://golive_admin:master-secret@127.0.0.1:{port}/pool?sslmode=require",
         "-c", "DROP OWNED BY pool_app; DROP ROLE pool_app"],
        check=True, capture_output=True,
    )  # fmt: skip
    _db_init(port, document)
    assert _whoami(document["url"]) == "pool_app true"
    # The plaintext password never reached the server's statement log.
    assert HOSTILE not in postgres["log"].read_text()


@needs_postgres
def test_a_rotated_password_logs_in_only_through_the_new_url(postgres: dict[str, Any]) -> None:
    port = postgres["port"]

    def document(password: str) -> dict[str, str]:
        return {
            "username": "pool_app",
            VERIFIER_KEY: scram_sha256_verifier(password, os.urandom(16)),
            **database_urls("pool_app", password, host="127.0.0.1", port=port, database="pool"),
        }

    old, new = document("first:pass@1"), document("second/pass#2")
    _db_init(port, old)
    _db_init(port, new)
    assert _whoami(new["url"]) == "pool_app true"
    refused = subprocess.run(
        ["psql", old["url"], "-c", "SELECT 1"], check=False, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "password authentication failed" in refused.stderr
