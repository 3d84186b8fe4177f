"""`golive secrets set` and `golive secrets check`: the values of a stack's external secrets.

The Pulumi program creates each external secret (the `externalSecrets` output maps a name to
its ARN) without a value; the operator fills it here. A value is read from stdin (a hidden
prompt on a terminal) or from `--from-file`, never from the command line (shell history, `ps`)
and is never printed. A secret with `keys` (the `externalSecretKeys` output) must be a JSON
object with exactly those keys, each a string: ECS injects one variable per key, and a missing
or misspelt key only shows when a task fails to start. `check` only reads metadata
(`DescribeSecret`), never a value.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ops.aws import Aws
from ops.errors import OpsError
from ops.outputs import StackOutputs


def read_value(from_file: Path | None, name: str) -> str:
    """The secret value from a file, a hidden prompt on a terminal, or piped stdin."""
    source = str(from_file) if from_file is not None else "standard input"
    try:
        if from_file is not None:
            value = from_file.read_bytes().decode("utf-8")
        elif sys.stdin is not None and sys.stdin.isatty():
            import getpass

            value = getpass.getpass(f"Value for {name} (input hidden): ")
        else:
            value = sys.stdin.read() if sys.stdin is not None else ""
    except OSError as exc:
        raise OpsError(f"cannot read {source}: {exc.strerror}", "check the path") from None
    except UnicodeDecodeError as exc:
        raise OpsError(
            f"{source} is not UTF-8 text (byte {exc.start}): a secret value must be text",
            "pass the text file that holds the value (a binary key: base64-encode it first)",
        ) from None
    # One trailing newline comes from `echo` or an editor, never from the secret itself.
    value = value.removesuffix("\n").removesuffix("\r")
    if not value:
        raise OpsError(
            f"no value given for {name}",
            f"pipe it in (`golive secrets set STACK {name} < file`) or use --from-file FILE",
        )
    return value


def check_keys(outputs: StackOutputs, name: str, value: str) -> None:
    """A keyed secret's value is a JSON object with exactly its declared keys, as strings."""
    keys = outputs.external_secret_keys.get(name)
    if keys is None:
        return
    expected = ", ".join(keys)
    try:
        document = json.loads(value)
    except json.JSONDecodeError as exc:
        document = exc
    if not isinstance(document, dict):
        raise OpsError(
            f"{name} is a JSON secret: its value must be a JSON object with the keys {expected}",
            "write it as {"
            + ", ".join(f'"{key}": "..."' for key in keys)
            + "} and set it again; nothing was stored",
        )
    missing = [key for key in keys if key not in document]
    unknown = sorted(key for key in document if key not in keys)
    not_text = sorted(key for key, item in document.items() if not isinstance(item, str))
    problems = [
        *([f"missing {', '.join(missing)}"] if missing else []),
        *([f"unknown {', '.join(unknown)}"] if unknown else []),
        *([f"not a string: {', '.join(not_text)}"] if not_text else []),
    ]
    if problems:
        raise OpsError(
            f"the value for {name} does not fit its keys ({'; '.join(problems)}); the stack "
            f"declares {expected}",
            "correct the JSON (keys as in the stack file's `keys`, each value a string) and set "
            "it again; nothing was stored",
        )


def secret_arn(outputs: StackOutputs, name: str) -> str:
    if name not in outputs.external_secrets:
        known = ", ".join(sorted(outputs.external_secrets)) or "none"
        raise OpsError(
            f"stack {outputs.stack} has no external secret {name!r} (external secrets: {known})",
            "declare it in the stack file with `source: external` and run `pulumi up` first",
        )
    return outputs.external_secrets[name]


def set_secret(aws: Aws, outputs: StackOutputs, name: str, value: str) -> str:
    """Store a new current version; returns its version id."""
    response = aws.client("secretsmanager").put_secret_value(
        SecretId=secret_arn(outputs, name), SecretString=value
    )
    return str(response["VersionId"])


def has_current_value(aws: Aws, arn: str) -> bool:
    description = aws.client("secretsmanager").describe_secret(SecretId=arn)
    if description.get("DeletedDate"):
        return False
    stages = description.get("VersionIdsToStages") or {}
    return any("AWSCURRENT" in labels for labels in stages.values())


def missing_secrets(aws: Aws, outputs: StackOutputs) -> list[str]:
    """Names of external secrets that have no current value."""
    return [
        name
        for name, arn in sorted(outputs.external_secrets.items())
        if not has_current_value(aws, arn)
    ]


def require_all_set(aws: Aws, outputs: StackOutputs) -> None:
    missing = missing_secrets(aws, outputs)
    if missing:
        raise OpsError(
            f"external secrets without a value in {outputs.stack}: {', '.join(missing)}",
            f"set each with `golive secrets set {outputs.stack} NAME < value-file`, then re-run",
        )
