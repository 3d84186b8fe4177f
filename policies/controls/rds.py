"""RDS controls: the PostgreSQL instance's network exposure, encryption, availability, backups,
monitoring, TLS and credentials."""

from __future__ import annotations

from collections.abc import Sequence

from policies import aws
from policies.aws import of_type, referenced, refers_to
from policies.checks import is_set, negate, not_aws_managed_key, not_equal, number_at_least, require
from policies.model import Controls, Options, Props, Resource, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, any3, as_list, get, is_true, truthy, unwrap

controls = Controls("RDS")


def _is_replica(props: Props) -> bool:
    return unwrap(get(props, "replicateSourceDb")) is not None


@controls.stack_rule(
    id="RDS.2",
    title="Database not public",
    severity=Severity.CRITICAL,
    source="FSBP, AG, CKV_AWS_17, PCP",
    covers=("CKV_AWS_17",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=False,
    description="publiclyAccessible is false; the subnet group holds no public subnet.",
    why=(
        "A database reachable from the internet is exposed to password guessing and engine "
        "exploits; golive's sits in isolated subnets, reachable only from the tasks."
    ),
)
def rds_private(resources: Sequence[Resource]) -> list[Violation]:
    """RDS.2: not publicly accessible, and its subnet group holds no public subnet."""
    found: list[Violation] = []
    public, uncertain = aws.public_subnets(resources)
    groups = of_type(resources, aws.RDS_SUBNET_GROUP)
    for db in of_type(resources, aws.RDS_INSTANCE):
        accessible = truthy(db.get("publiclyAccessible"))
        for v in require(negate(accessible), "publiclyAccessible is true", waivable=False):
            found.append(Violation(f"{db.name}: {v.message}", v.outcome, db.urn, False))
        matched, unsure = referenced(db.get("dbSubnetGroupName"), groups, "name")
        if not matched:
            make = unknown if unsure or unwrap(db.get("dbSubnetGroupName")) is UNKNOWN else fail
            found.append(
                make(
                    f"{db.name}: not in a subnet group of this stack (the default "
                    "subnet group uses the default VPC's public subnets)",
                    urn=db.urn,
                    waivable=False,
                )
            )
            continue
        for group in matched:
            subnets = as_list(group.get("subnetIds"))
            if subnets is UNKNOWN:
                found.append(unknown(f"{group.name}: subnetIds not known yet", urn=db.urn))
                continue
            for subnet in subnets:
                is_public = any3(refers_to(subnet, s) for s in public)
                if is_public is False and uncertain:
                    is_public = UNKNOWN
                for v in require(
                    negate(is_public), f"{group.name}: subnet {subnet} is public", waivable=False
                ):
                    found.append(Violation(f"{db.name}: {v.message}", v.outcome, db.urn, False))
    return found


@controls.resource_rule(
    id="RDS.3",
    title="Encrypted at rest with a CMK",
    severity=Severity.MEDIUM,
    source="FSBP, AG, CKV_AWS_16",
    covers=("CKV_AWS_16",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=False,
    description="storageEncrypted is true and kmsKeyId is a customer key.",
    why=(
        "Data, snapshots and replicas are encrypted with the stack's own key, whose policy decides "
        "who may decrypt them; both settings replace the instance if changed later."
    ),
)
def rds_encrypted(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.3: storage encrypted with a customer KMS key (both force replacement if changed)."""
    return require(is_true(get(props, "storageEncrypted")), "storageEncrypted is not true") + (
        require(not_aws_managed_key(get(props, "kmsKeyId")), "kmsKeyId is not a customer KMS key")
    )


@controls.resource_rule(
    id="RDS.5",
    title="Multi-AZ",
    severity=Severity.MEDIUM,
    source="FSBP, AG, CKV_AWS_157",
    covers=("CKV_AWS_157",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=True,
    description="multiAz is true.",
    why=(
        "A standby in another AZ takes over within a couple of minutes when the primary or its AZ "
        "fails."
    ),
)
def rds_multi_az(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.5: a standby in a second AZ."""
    return require(is_true(get(props, "multiAz")), "multiAz is not true")


@controls.resource_rule(
    id="RDS.6",
    title="Enhanced monitoring",
    severity=Severity.LOW,
    source="FSBP, CKV_AWS_118",
    covers=("CKV_AWS_118",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=True,
    description="monitoringInterval > 0 with a monitoring role.",
    why=(
        "Operating-system metrics (memory, swap, processes) that CloudWatch's standard metrics do "
        "not show, for diagnosing a struggling database."
    ),
)
def rds_enhanced_monitoring(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.6: enhanced monitoring (OS metrics) every <=60 s, with its role."""
    return require(
        number_at_least(get(props, "monitoringInterval"), 1), "monitoringInterval is 0"
    ) + require(is_set(get(props, "monitoringRoleArn")), "monitoringRoleArn is not set")


@controls.resource_rule(
    id="RDS.8",
    title="Deletion protection",
    severity=Severity.LOW,
    source="FSBP, CKV_AWS_293",
    covers=("CKV_AWS_293",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=True,
    exception_never_covers=(
        "the final snapshot: `skipFinalSnapshot` stays false, with a `finalSnapshotIdentifier`"
    ),
    description=(
        "deletionProtection is true; a final snapshot is always taken (of the instance: RDS takes "
        "none of a read replica, whose data is the instance's)."
    ),
    why=(
        "Deleting the database takes a deliberate change first; the final snapshot keeps the data "
        "restorable after any deletion."
    ),
)
def rds_deletion_protection(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.8: deletion protection on; a final snapshot is taken in every stack (not waivable)."""
    found = require(is_true(get(props, "deletionProtection")), "deletionProtection is not true")
    if _is_replica(props):
        # botocore rds DeleteDBInstance FinalDBSnapshotIdentifier: "Can't be specified when
        # deleting a read replica."
        return found
    skip = truthy(get(props, "skipFinalSnapshot"))
    found += require(negate(skip), "skipFinalSnapshot is true", waivable=False)
    found += require(
        is_set(get(props, "finalSnapshotIdentifier")),
        "finalSnapshotIdentifier is not set",
        waivable=False,
    )
    return found


@controls.resource_rule(
    id="RDS.9",
    title="Logs to CloudWatch",
    severity=Severity.MEDIUM,
    source="FSBP RDS.9/36, CKV_AWS_129",
    covers=("RDS.36", "CKV_AWS_129"),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=False,
    description="enabledCloudwatchLogsExports includes postgresql.",
    why=(
        "Slow queries, connections and errors land in CloudWatch Logs, searchable and kept after "
        "the instance is gone."
    ),
)
def rds_log_exports(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.9/36: the PostgreSQL log is exported to CloudWatch Logs."""
    exports = as_list(get(props, "enabledCloudwatchLogsExports"))
    if exports is UNKNOWN:
        return [unknown("cannot check yet: enabledCloudwatchLogsExports not known")]
    engine = unwrap(get(props, "engine"))
    if isinstance(engine, str) and "postgres" in engine:
        return (
            []
            if "postgresql" in exports
            else [fail("enabledCloudwatchLogsExports lacks 'postgresql'")]
        )
    return [] if exports else [fail("enabledCloudwatchLogsExports is empty")]


@controls.resource_rule(
    id="RDS.10",
    title="IAM authentication",
    severity=Severity.MEDIUM,
    source="FSBP, CKV_AWS_161",
    covers=("CKV_AWS_161",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=True,
    description="iamDatabaseAuthenticationEnabled is true.",
    why=("People and tools can connect with short-lived IAM tokens instead of shared passwords."),
)
def rds_iam_auth(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.10: IAM database authentication is on."""
    return require(
        is_true(get(props, "iamDatabaseAuthenticationEnabled")),
        "iamDatabaseAuthenticationEnabled is not true",
    )


@controls.resource_rule(
    id="RDS.11",
    title="Backups >= 7 days",
    severity=Severity.MEDIUM,
    source="FSBP, AG, CKV_AWS_133, PCP",
    covers=("CKV_AWS_133",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=False,
    description="backupRetentionPeriod is set and >= 7.",
    why=(
        "Point-in-time recovery over at least a week: time to notice a bad migration or deletion "
        "and restore to before it."
    ),
)
def rds_backups(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.11: automated backups kept >=7 days, set explicitly (the API default is 1)."""
    if _is_replica(props):
        return []
    return require(
        number_at_least(get(props, "backupRetentionPeriod"), 7),
        "backupRetentionPeriod is below 7 days (or unset: AWS keeps 1)",
    )


@controls.resource_rule(
    id="RDS.13",
    title="Auto minor version upgrade",
    severity=Severity.HIGH,
    source="FSBP, CKV_AWS_226",
    covers=("CKV_AWS_226",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=False,
    description="autoMinorVersionUpgrade is not false.",
    why=(
        "Minor versions carry security and bug fixes; RDS applies them in the maintenance window."
    ),
)
def rds_minor_upgrades(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.13: automatic minor version upgrades are not turned off."""
    return require(
        not_equal(get(props, "autoMinorVersionUpgrade"), False), "autoMinorVersionUpgrade is false"
    )


@controls.resource_rule(
    id="RDS.17",
    title="Copy tags to snapshots",
    severity=Severity.LOW,
    source="FSBP, CKV2_AWS_60",
    covers=("CKV2_AWS_60",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=False,
    description="copyTagsToSnapshot is true.",
    why=("Snapshots keep the instance's tags, so cost allocation and ownership survive a restore."),
)
def rds_copy_tags(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.17: snapshots carry the instance's tags (cost and ownership survive a restore)."""
    return require(is_true(get(props, "copyTagsToSnapshot")), "copyTagsToSnapshot is not true")


MODERN_RDS_CAS = frozenset({"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"})


@controls.stack_rule(
    id="CKV2_AWS_69",
    title="TLS in transit; current CA",
    severity=Severity.MEDIUM,
    source="CKV2_AWS_69, CKV_AWS_211",
    covers=("CKV_AWS_211",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=False,
    description="Its parameter group sets rds.force_ssl=1; the CA is an rds-ca-*-g1.",
    why=(
        "The server refuses unencrypted connections, and presents a certificate from a certificate "
        "authority AWS still renews."
    ),
)
def rds_tls(resources: Sequence[Resource]) -> list[Violation]:
    """CKV2_AWS_69/CKV_AWS_211: a parameter group with rds.force_ssl=1, and a current CA."""
    found: list[Violation] = []
    groups = of_type(resources, aws.RDS_PARAMETER_GROUP)
    for db in of_type(resources, aws.RDS_INSTANCE):
        ca = unwrap(db.get("caCertIdentifier"))
        if ca is UNKNOWN:
            found.append(unknown(f"{db.name}: caCertIdentifier not known yet", urn=db.urn))
        elif ca is not None and ca not in MODERN_RDS_CAS:
            found.append(
                fail(f"{db.name}: caCertIdentifier {ca!r} is not a current CA", urn=db.urn)
            )
        matched, uncertain = referenced(db.get("parameterGroupName"), groups, "name")
        if not matched:
            make = unknown if uncertain or unwrap(db.get("parameterGroupName")) is UNKNOWN else fail
            found.append(
                make(f"{db.name}: no parameter group of this stack (rds.force_ssl)", urn=db.urn)
            )
            continue
        for group in matched:
            parameters = as_list(group.get("parameters"))
            if parameters is UNKNOWN:
                found.append(unknown(f"{group.name}: parameters not known yet", urn=db.urn))
                continue
            forced = any(
                unwrap(get(p, "name")) == "rds.force_ssl" and str(unwrap(get(p, "value"))) == "1"
                for p in parameters
            )
            if not forced:
                found.append(fail(f"{group.name}: rds.force_ssl is not 1", urn=db.urn))
    return found


@controls.resource_rule(
    id="CKV_AWS_353",
    title="Performance Insights with a CMK",
    severity=Severity.LOW,
    source="CKV_AWS_353/354, PCP",
    covers=("CKV_AWS_354",),
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=True,
    description="performanceInsightsEnabled with a customer KMS key.",
    why=(
        "Query-level load data to find slow statements, encrypted with the stack's key since it "
        "holds query text."
    ),
)
def rds_performance_insights(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """CKV_AWS_353/354: Performance Insights on, encrypted with a customer key."""
    return require(
        is_true(get(props, "performanceInsightsEnabled")), "performanceInsightsEnabled is not true"
    ) + require(
        not_aws_managed_key(get(props, "performanceInsightsKmsKeyId")),
        "performanceInsightsKmsKeyId is not a customer key",
    )


DEFAULT_MASTER_USERNAMES = frozenset({"postgres", "admin"})


@controls.resource_rule(
    id="RDS.25",
    title="Custom admin, managed password",
    severity=Severity.MEDIUM,
    source="FSBP",
    applies_to=(aws.RDS_INSTANCE,),
    exception_allowed=True,
    exception_never_covers="the admin name: `username` is never the engine default",
    description=(
        "username is not the default; RDS manages the password (no password input). Only a "
        "stack with read replicas may declare the exception (AWS refuses a replica of an "
        "instance whose password RDS manages): its master password is then golive's, a secret "
        "in state under the stack key; the admin name stays required."
    ),
    why=(
        "Default admin names are the first an attacker tries; a password RDS manages never appears "
        "in the Pulumi state."
    ),
)
def rds_master_credentials(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """RDS.25: a custom admin name; RDS manages the password, so no plaintext one in state."""
    if _is_replica(props):
        return []
    username = unwrap(get(props, "username"))
    found: list[Violation] = []
    if username is UNKNOWN:
        found.append(unknown("cannot check yet: username not known", waivable=False))
    elif username in DEFAULT_MASTER_USERNAMES:
        found.append(fail(f"username is the engine default {username!r}", waivable=False))
    if get(props, "password") is not None:
        found.append(fail("a master password is an input: it is stored in Pulumi state"))
    found += require(
        is_true(get(props, "manageMasterUserPassword")), "manageMasterUserPassword is not true"
    )
    found += require(
        not_aws_managed_key(get(props, "masterUserSecretKmsKeyId")),
        "masterUserSecretKmsKeyId is not a customer key",
    )
    return found
