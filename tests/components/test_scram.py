"""db-init sends Postgres a SCRAM-SHA-256 verifier, never the plaintext password."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from components.secrets import VERIFIER_KEY, scram_sha256_verifier
from plan.harness import Plan, unwrap_secrets


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_verifier_matches_rfc_7677s_worked_example() -> None:
    """RFC 7677 section 3: user 'user', password 'pencil'. A server holding our StoredKey and
    ServerKey must accept the client's proof and send the server signature of the example."""
    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    verifier = scram_sha256_verifier("pencil", salt, 4096)
    method, rest = verifier.split("$", 1)
    params, keys = rest.split("$")
    iterations, salt_b64 = params.split(":")
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    assert (method, iterations, salt_b64) == ("SCRAM-SHA-256", "4096", "W22ZaJ0SNY7soEsUEjb6gQ==")

    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    auth_message = (
        "n=user,r=rOprNGfwEbeRWgbNEkqO,"
        f"r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
        f"c=biws,r={nonce}"
    ).encode()
    server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
    assert _b64(server_signature) == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    proof = base64.b64decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    client_signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    client_key = bytes(a ^ b for a, b in zip(proof, client_signature, strict=True))
    assert hashlib.sha256(client_key).digest() == stored_key


def test_database_secret_holds_the_verifier_of_its_own_password(stack_plan: Plan) -> None:
    strings = [
        unwrap_secrets(v.inputs["secretString"])
        for v in stack_plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    ]
    (credentials,) = [json.loads(s) for s in strings if VERIFIER_KEY in s]
    verifier = credentials[VERIFIER_KEY]
    salt = base64.b64decode(verifier.split("$")[1].split(":")[1])
    assert verifier == scram_sha256_verifier(credentials["password"], salt)
    assert credentials["password"] not in verifier
