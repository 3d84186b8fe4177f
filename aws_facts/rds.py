"""RDS for PostgreSQL: the versions, instance classes and settings AWS accepts, and its names."""

POSTGRES_MAJORS = ("14", "15", "16", "17", "18")
"""RDS for PostgreSQL majors in standard support in 2026 (13 left it on 2026-02-28; an older
major runs only under paid RDS Extended Support)."""

_RDS_BURSTABLE = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
_RDS_GRAVITON = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_RDS_24XL = (*_RDS_GRAVITON, "24xlarge")
RDS_INSTANCE_FAMILIES: dict[str, tuple[str, ...]] = {
    "db.t3": _RDS_BURSTABLE, "db.t4g": _RDS_BURSTABLE,
    "db.m5": _RDS_24XL, "db.m6g": _RDS_GRAVITON, "db.m6gd": _RDS_GRAVITON,
    "db.m6i": (*_RDS_24XL, "32xlarge"), "db.m7g": _RDS_GRAVITON, "db.m7i": (*_RDS_24XL, "48xlarge"),
    "db.m8g": (*_RDS_24XL, "48xlarge"),
    "db.r5": _RDS_24XL, "db.r6g": _RDS_GRAVITON, "db.r6gd": _RDS_GRAVITON,
    "db.r6i": (*_RDS_24XL, "32xlarge"), "db.r7g": _RDS_GRAVITON, "db.r7i": (*_RDS_24XL, "48xlarge"),
    "db.r8g": (*_RDS_24XL, "48xlarge"),
}  # fmt: skip
"""RDS for PostgreSQL instance classes (2026, us-east-1); AWS answers for a region at create."""
RDS_INSTANCE_CLASSES = frozenset(
    f"{family}.{size}" for family, sizes in RDS_INSTANCE_FAMILIES.items() for size in sizes
)

_BURSTABLE_MEMORY_GIB = {
    "micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32,
}  # fmt: skip
_VCPUS = {
    "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48,
    "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192,
}  # fmt: skip
_GIB_PER_VCPU = {"m": 4, "r": 8}
"""General-purpose (m) classes have 4 GiB per vCPU, memory-optimized (r) classes 8."""


def _memory_gib(instance_class: str) -> int:
    family, size = instance_class.rsplit(".", 1)
    kind = family.removeprefix("db.")[0]
    if kind == "t":
        return _BURSTABLE_MEMORY_GIB[size]
    return _VCPUS[size] * _GIB_PER_VCPU[kind]


RDS_INSTANCE_MEMORY_GIB: dict[str, int] = {c: _memory_gib(c) for c in sorted(RDS_INSTANCE_CLASSES)}
"""Memory of each instance class in GiB (Amazon RDS User Guide, "Hardware specifications for DB
instance classes": db.t4g.micro 1, db.t4g.small 2, db.m7g.large 8, db.r7g.large 16, ...)."""

MAX_CONNECTIONS_BYTES = 9_531_392
MAX_CONNECTIONS_CAP = 5000
"""RDS for PostgreSQL's default `max_connections` is LEAST({DBInstanceClassMemory/9531392}, 5000)
(Amazon RDS User Guide, "Maximum number of database connections")."""
DB_INSTANCE_CLASS_MEMORY_SHARE = 0.75
"""The least share of a class's memory that `DBInstanceClassMemory` is, as far as golive knows.
AWS says only that it is "somewhat lower" than the class's memory: RDS keeps some for the OS and
its own processes, a larger share on small classes (a db.t4g.micro reports a max_connections
of about 85 where its 1 GiB would give 112). An estimate, not an AWS figure."""


def default_max_connections(instance_class: str) -> int:
    """The default `max_connections` the class's memory gives (an upper bound: see
    `DB_INSTANCE_CLASS_MEMORY_SHARE`)."""
    memory = RDS_INSTANCE_MEMORY_GIB[instance_class] * 1024**3
    return min(memory // MAX_CONNECTIONS_BYTES, MAX_CONNECTIONS_CAP)


RDS_MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
"""Enhanced monitoring intervals in seconds (0: off)."""
PERFORMANCE_INSIGHTS_RETENTION_DAYS = (7, *range(31, 731, 31), 731)
"""7 (free), any multiple of 31 up to 713, or 731 (two years)."""
STORAGE_AUTOSCALING_HEADROOM = 1.10
"""RDS: the autoscaling ceiling must be at least 10% above the allocated storage."""
STORAGE_AUTOSCALING_ADVISED = 1.26
"""RDS: 26% above avoids the 'storage reached the maximum threshold' events."""
WINDOW_MIN_MINUTES = 30
"""RDS backup and maintenance windows last at least 30 minutes."""

MAX_READ_REPLICAS = 15
"""Read replicas one RDS for PostgreSQL instance may have (botocore rds
`CreateDBInstanceReadReplica` SourceDBInstanceIdentifier: "up to 15 read replicas")."""
RDS_CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
"""The certificate bundle of every RDS CA in every commercial region (RDS User Guide, "Using
SSL/TLS to encrypt a connection to a DB instance or cluster": certificate bundles)."""

RDS_IDENTIFIER_MAX = 63
"""DB instance identifiers: 1-63 letters, digits and single hyphens, starting with a letter."""
DB_SNAPSHOT_ID_MAX = 255
"""RDS DB snapshot identifiers: 1-255 letters, digits and hyphens (`rds:` counts, when there)."""
AUTOMATED_SNAPSHOT_PREFIX = "rds:"
"""How RDS names its automated snapshots (`rds:<instance>-<yyyy-mm-dd-hh-mm>`)."""

PG_RESERVED_DATABASES = frozenset({"postgres", "template0", "template1", "rdsadmin"})
"""Databases PostgreSQL or RDS create themselves."""
PG_RESERVED_ROLES = frozenset(
    {"postgres", "admin", "root", "rdsadmin", "rdsrepladmin", "public", "user", "none", "all"}
)
"""Built-in or reserved role names, and the engine defaults control RDS.25 rejects."""
