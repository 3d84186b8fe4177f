"""Connection URLs for the database and the cache, in the forms their drivers parse.

Frameworks take one URL (`DATABASE_URL`, `REDIS_URL`), and drivers read its TLS settings
differently, so the application role's secret holds one URL per form (JSON keys below) and a
service maps the one its driver wants to any environment variable:

- `url`: `postgresql://USER:PASSWORD@HOST:5432/DB?sslmode=require`, libpq's meaning (encrypted,
  server not verified): Prisma, psycopg and psycopg2 (SQLAlchemy's default `postgresql://`),
  Doctrine (pdo_pgsql), pgx, lib/pq, and asyncpg's own `connect(dsn)`.
- `verifyFullUrl`: `...?sslmode=verify-full&sslrootcert=RDS_CA_BUNDLE_PATH`: the server's
  certificate and host name verified against the RDS CA bundle, which the image must carry at
  that path. node-postgres reads `sslmode=require` as verify-full against Node's own CAs (which
  lack the RDS CA), so it needs this form; libpq, pgx and psycopg verify with it too.
- `sqlalchemyAsyncpgUrl`: `postgresql+asyncpg://...?ssl=require`: SQLAlchemy's asyncpg dialect
  passes query parameters to `asyncpg.connect` as keywords, which knows `ssl`, not `sslmode`.

With read replicas, `reader` + the same forms (`readerUrl`, `readerVerifyFullUrl`,
`readerSqlalchemyAsyncpgUrl`) reach the first replica and `reader2...` the second, and so on.

The cache's secret holds `url` (`rediss://:TOKEN@PRIMARY:6379`, writes) and `readerUrl` (the
reader endpoint): node-redis, ioredis and redis-py's `from_url` take them as they are, TLS
verified against the public CAs ElastiCache's certificates chain to.

User names, passwords and tokens are percent-encoded (RFC 3986): a generated password may hold
`@`, `:`, `/`, `?`, `#` or `%`, each of which would otherwise end the part it is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

RDS_CA_BUNDLE_PATH = "/etc/ssl/certs/rds-ca-bundle.pem"
"""Where `verifyFullUrl` expects the RDS CA bundle in the application image (add it in the
Dockerfile from `aws_facts.rds.RDS_CA_BUNDLE_URL`)."""

_FORMS = ("Url", "VerifyFullUrl", "SqlalchemyAsyncpgUrl")
"""The forms of one database endpoint's URL (the JSON key's suffix)."""
CREDENTIAL_KEYS = ("username", "password")
"""JSON keys of the application role's secret besides its URLs."""
CACHE_KEYS = ("url", "readerUrl")
"""JSON keys of a `cache` secret."""


def _key(prefix: str, form: str) -> str:
    return f"{prefix}{form}" if prefix else form[0].lower() + form[1:]


def reader_prefix(replica: int) -> str:
    """`reader` for the first replica (1-based), `reader2` for the second, ..."""
    return "reader" if replica == 1 else f"reader{replica}"


def database_url_keys(replicas: int) -> list[str]:
    """The URL keys of the application role's secret with `replicas` read replicas."""
    prefixes = ["", *(reader_prefix(n) for n in range(1, replicas + 1))]
    return [_key(prefix, form) for prefix in prefixes for form in _FORMS]


def _userinfo(user: str, password: str) -> str:
    return f"{quote(user, safe='')}:{quote(password, safe='')}"


def _postgres_forms(
    prefix: str, userinfo: str, host: str, port: int, database: str
) -> dict[str, str]:
    where = f"{userinfo}@{host}:{port}/{quote(database, safe='')}"
    return {
        _key(prefix, "Url"): f"postgresql://{where}?sslmode=require",
        _key(prefix, "VerifyFullUrl"): (
            f"postgresql://{where}?sslmode=verify-full&sslrootcert={RDS_CA_BUNDLE_PATH}"
        ),
        _key(prefix, "SqlalchemyAsyncpgUrl"): f"postgresql+asyncpg://{where}?ssl=require",
    }


def database_urls(
    user: str,
    password: str,
    *,
    host: str,
    port: int,
    database: str,
    replica_hosts: Sequence[str] = (),
) -> dict[str, str]:
    """Every URL key of `database_url_keys(len(replica_hosts))` -> its URL."""
    userinfo = _userinfo(user, password)
    urls = _postgres_forms("", userinfo, host, port, database)
    for number, replica in enumerate(replica_hosts, start=1):
        urls.update(_postgres_forms(reader_prefix(number), userinfo, replica, port, database))
    return urls


def cache_urls(token: str, *, host: str, reader_host: str, port: int) -> dict[str, str]:
    """The cache secret's `url` and `readerUrl` (TLS, AUTH token as the password)."""
    secret = quote(token, safe="")
    return {
        "url": f"rediss://:{secret}@{host}:{port}",
        "readerUrl": f"rediss://:{secret}@{reader_host}:{port}",
    }
