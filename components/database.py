"""PostgreSQL on RDS, private, encrypted, with RDS-managed master credentials.

Creates: a security group with no rules of its own (consumers add ingress from their own
security group with `allow_from`, never from a CIDR); a DB subnet group on the isolated subnets;
a parameter group for the engine major (`rds.force_ssl=1` and the logging settings); the
CloudWatch log groups of the exported logs (`postgresql`, `upgrade`, and `iam-db-auth-error` with
IAM authentication on) with retention and the stack key, created before the instance so RDS does
not create them unencrypted and kept forever; an IAM role for enhanced monitoring when it is on;
a random suffix for the final snapshot's name;
and the `aws.rds.Instance`: gp3 with storage autoscaling, encrypted with the stack key, master
password managed by RDS in Secrets Manager under the same key (never in config or state), a
custom master user name, automatic minor upgrades, backups, Multi-AZ, deletion protection,
Performance Insights under the stack key, IAM authentication and the rds-ca-rsa2048-g1 CA.

Read replicas (`read_replicas`): AWS refuses a read replica of an instance whose master password
RDS manages (ManageMasterUserPassword; RDS User Guide, "Limitations for Secrets Manager
integration with Amazon RDS"; terraform-aws-modules/terraform-aws-rds#532). So an instance with
replicas gets a golive-owned master secret instead: a generated password (pulumi-random, a
secret in state, never plaintext) stored as JSON `{"username", "password"}` like RDS's own, in
Secrets Manager under the stack key, and handed to RDS as a secret input; it rotates when the
random password is replaced (`pulumi up --replace`) as a release step, and the stack declares the
RDS.25 exception. Each replica (`<instance>-replica<n>`) shares the instance's security group,
subnet and parameter groups, key, monitoring and CA; it has its own exported-log groups and no
backups or final snapshot (RDS allows neither on a replica). Without replicas nothing changes.

Services never connect as the master user: RDS rotates the master secret every 7 days, and ECS
reads secrets only when a task starts. They use the application role of `components.secrets`
(source `database`), which the `db-init` one-off task creates with the master credentials.

Restoring (`restore_from_snapshot`) replaces the instance: the restored one gets its own identifier
(`<identifier>-<8 hex of the snapshot>`), so Pulumi creates it first, moves every consumer to its
new endpoint, and only then deletes the old instance with its final snapshot (or, when the old one
was protected, only forgets it: it keeps running outside the stack). The security group, subnet
group and parameter group keep their names and stay; the exported-log groups follow the instance's
identifier. NOTE: a restore keeps the snapshot's database name, master user and KMS key (the
RestoreDBInstanceFromDBSnapshot API takes none of them for PostgreSQL), and the provider reads them
back: each must equal this stack's, or every later `pulumi up` plans another replacement
(hashicorp/terraform-provider-aws#15390, #17037).

Every child's logical name is `<component name>-db...` with a fixed suffix: a new suffix would
replace the resource. NOTE: Pulumi aliases the children of an aliased component whose names start
with the component's name, so moving a stack to a new prefix takes one
`opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name=OLD_PREFIX)])` on `Database` (and the
`identifier` kept as it was) instead of a new database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components import naming

POSTGRES_PORT = 5432
LOG_EXPORTS = ("postgresql", "upgrade")
"""The logs RDS for PostgreSQL exports in every case (RDS.9/36)."""
IAM_AUTH_LOG_EXPORT = "iam-db-auth-error"
"""Why RDS refused an IAM authentication token: written only to this log, and only with IAM
authentication on (botocore rds `CreateDBInstanceMessage.EnableCloudwatchLogsExports`: RDS for
PostgreSQL exports `postgresql | upgrade | iam-db-auth-error`)."""

CA_CERTIFICATE = "rds-ca-rsa2048-g1"
"""The current default CA (valid to 2061); the old rds-ca-2019 expired in 2024 (CKV_AWS_211)."""


def log_exports(iam_authentication: bool) -> tuple[str, ...]:
    """Every log this database exports to CloudWatch Logs."""
    return (*LOG_EXPORTS, IAM_AUTH_LOG_EXPORT) if iam_authentication else LOG_EXPORTS


@dataclass(frozen=True, kw_only=True)
class PostgresLogging:
    """What PostgreSQL writes to its log (exported to CloudWatch Logs)."""

    min_duration_ms: int = 1000
    """`log_min_duration_statement`: log statements slower than this; -1 turns it off."""
    statement: str = "ddl"
    """`log_statement`: `none`, `ddl` (schema changes: an audit trail), `mod` or `all`."""
    connections: bool = True
    """`log_connections`: who connected, from where (security investigations)."""
    disconnections: bool = True
    """`log_disconnections`: session lengths."""
    lock_waits: bool = True
    """`log_lock_waits`: waits longer than `deadlock_timeout` (1 s)."""
    retention_days: int = 30
    """Days CloudWatch keeps the exported logs."""


@dataclass(frozen=True, kw_only=True)
class DatabaseArgs:
    vpc_id: pulumi.Input[str]
    """The VPC of the security group."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Isolated subnets (no internet route) for the DB subnet group, in at least two AZs."""
    kms_key_arn: pulumi.Input[str]
    """The stack's customer key: storage, snapshots, master secret, Performance Insights, logs.
    Changing it replaces the instance, so it never changes."""
    identifier: str
    """The DB instance identifier (`<app>-<stack>-db`); explicit, so a replacement fails instead
    of silently creating a second database. Changing it replaces the instance. The security,
    subnet and parameter groups are named after it; a restored instance adds a suffix (see
    `restore_from_snapshot`)."""
    account_id: str
    """Account id, for the monitoring role's confused-deputy condition."""
    partition: str = "aws"
    """ARN partition, for the AWS-managed monitoring policy."""
    engine_major: str = "17"
    """PostgreSQL major version; RDS applies minor versions in the maintenance window."""
    instance_class: str = "db.t4g.micro"
    """About $12/month in us-east-1 (x2 with Multi-AZ); prod sets a larger class."""
    db_name: str = "app"
    """The database created with the instance. Changing it replaces the instance."""
    master_username: str = "golive_admin"
    """The master user (not the engine default `postgres`, RDS.25). Changing it replaces the
    instance."""
    allocated_storage: int = 20
    """gp3 GiB at creation ($0.115/GB-month in us-east-1, x2 with Multi-AZ)."""
    max_allocated_storage: int = 100
    """Storage autoscaling ceiling in GiB (at least 10% above `allocated_storage`)."""
    multi_az: bool = True
    """A synchronous standby in another AZ (RDS.5); doubles the instance and storage price."""
    backup_retention_days: int = 14
    """Days of automated backups and point-in-time recovery, 0-35 (RDS.11: at least 7)."""
    backup_window: str = "03:00-03:30"
    """Daily UTC window for automated backups, `hh24:mi-hh24:mi`."""
    maintenance_window: str = "sun:04:00-sun:05:00"
    """Weekly UTC window for maintenance and minor upgrades, `ddd:hh24:mi-ddd:hh24:mi`."""
    deletion_protection: bool = True
    """AWS refuses to delete the instance while on (RDS.8)."""
    final_snapshot: bool = True
    """Take a named final snapshot when the instance is deleted (RDS.8)."""
    performance_insights: bool = True
    """Performance Insights under the stack key (CKV_AWS_353/354); 7 days are free."""
    performance_insights_retention_days: int = 7
    """7 (free), a multiple of 31, or 731."""
    monitoring_interval: int = 60
    """Enhanced monitoring period in seconds (RDS.6); 0 turns it off."""
    iam_authentication: bool = True
    """Allow IAM database authentication (RDS.10); costs nothing, passwords still work."""
    extended_support: bool = False
    """False: when the major leaves standard support RDS upgrades it; True: RDS Extended
    Support keeps it, billed per vCPU-hour."""
    logging: PostgresLogging = field(default_factory=PostgresLogging)
    """PostgreSQL log settings and the exported logs' retention."""
    apply_immediately: bool = False
    """Apply changes now (True) or in the maintenance window (False: protected stacks)."""
    protect: bool = False
    """Refuse to delete or replace the instance, and keep it (and its log groups) in AWS if
    Pulumi deletes it."""
    read_replicas: int = 0
    """Read replicas in the same region, 0-15 (the PostgreSQL limit: botocore rds
    `CreateDBInstanceReadReplica`); any makes the master secret golive-owned (see above)."""
    replica_instance_class: str | None = None
    """The replicas' instance class; None: the instance's."""
    restore_from_snapshot: str | None = None
    """A DB snapshot identifier or ARN to create the instance from (None: an empty database).
    Setting or changing it replaces the instance under `instance_identifier(identifier, it)`;
    the snapshot must hold this engine major, `db_name`, `master_username` and be encrypted with
    `kms_key_arn`. Keep it once restored: removing it replaces the instance with an empty one."""


def replica_identifier(instance: str, number: int) -> str:
    """The identifier of read replica `number` (1-based) of the instance `instance`: restoring
    the instance renames it, so its replicas are recreated under new names too."""
    return f"{instance}-replica{number}"


def instance_identifier(identifier: str, restore_from_snapshot: str | None) -> str:
    """The instance's identifier: `identifier`, or `identifier-<8 hex>` when restored.

    The suffix is derived from the snapshot, so each restore gets an identifier the running
    instance does not have: RDS refuses two instances with one identifier, and Pulumi's default
    create-before-delete replacement can then restore the new instance while the old one still
    serves. The same snapshot always gives the same identifier (a plan is reproducible).
    """
    if restore_from_snapshot is None:
        return identifier
    digest = hashlib.sha256(restore_from_snapshot.encode()).hexdigest()[:8]
    return f"{identifier}-{digest}"


class Database(pulumi.ComponentResource):
    """A private PostgreSQL instance on the isolated subnets.

    Example::

        db = Database("auction-prod", DatabaseArgs(vpc_id=network.vpc_id,
                      subnet_ids=network.isolated_subnet_ids, kms_key_arn=key.arn,
                      identifier="auction-prod-db", account_id=account, multi_az=True,
                      instance_class="db.t4g.medium", protect=True))
        allow_from("auction-prod-api-db", security_group_id=db.security_group_id,
                   source_security_group_id=api_sg.id, port=db.port,
                   description="api to PostgreSQL", parent=api)

    Cost: db.t4g.micro ~$12/month single-AZ, ~$24 Multi-AZ; db.t4g.medium ~$47/$94; gp3
    $0.115/GB-month (x2 Multi-AZ); backups up to the storage size are free; enhanced monitoring
    and exported logs cost CloudWatch Logs ingestion (a few dollars a month).
    """

    security_group_id: pulumi.Output[str]
    """The database's security group: consumers add ingress to it with `allow_from`."""
    port: int
    address: pulumi.Output[str]
    """Host name of the instance (`<identifier>.<hash>.<region>.rds.amazonaws.com`)."""
    endpoint: pulumi.Output[str]
    """`address:port`."""
    db_name: str
    identifier: pulumi.Output[str]
    """The DB instance identifier (for snapshots, replicas, the operations CLI)."""
    known_identifier: str
    """The same identifier, known before the instance exists: for what only names the instance
    (alarm dimensions, the dashboard), which then need not wait 5-20 minutes for RDS."""
    arn: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    """ARN of the master secret (JSON `username`/`password`), for `db-init` only: RDS's own, or
    golive's when the instance has read replicas."""
    master_username: str
    replica_identifiers: list[pulumi.Output[str]]
    """Each read replica's identifier, in order (alarms, dashboards)."""
    replica_addresses: list[pulumi.Output[str]]
    """Each read replica's host name, in order (the `reader...` URLs)."""

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:Database", name, None, opts)
        self._name = name
        self._args = args
        self._instance_identifier = instance_identifier(args.identifier, args.restore_from_snapshot)
        child = pulumi.ResourceOptions(parent=self)

        security_group = self._create_security_group(child)
        subnet_group = aws.rds.SubnetGroup(
            naming.database_subnet_group(name),
            subnet_ids=list(args.subnet_ids),
            description=f"{args.identifier}: isolated subnets, no internet route",
            tags={"Name": f"{args.identifier}-subnets"},
            opts=child,
        )
        parameter_group = self._create_parameter_group(child)
        log_groups = self._create_log_groups(child)
        monitoring_role_arn = (
            self._create_monitoring_role(child) if args.monitoring_interval > 0 else None
        )
        final_snapshot_identifier = (
            self._final_snapshot_identifier(child) if args.final_snapshot else None
        )
        owned_secret = self._create_master_secret() if args.read_replicas else None
        self.instance = self._create_instance(
            security_group=security_group,
            subnet_group=subnet_group,
            parameter_group=parameter_group,
            log_groups=log_groups,
            monitoring_role_arn=monitoring_role_arn,
            final_snapshot_identifier=final_snapshot_identifier,
            master_password=owned_secret[1] if owned_secret else None,
        )
        replicas = [
            self._create_replica(
                number,
                security_group=security_group,
                subnet_group=subnet_group,
                parameter_group=parameter_group,
                monitoring_role_arn=monitoring_role_arn,
            )
            for number in range(1, args.read_replicas + 1)
        ]

        self.security_group_id = security_group.id
        self.port = POSTGRES_PORT
        self.address = self.instance.address
        self.endpoint = self.instance.endpoint
        self.db_name = args.db_name
        self.identifier = self.instance.identifier
        self.known_identifier = self._instance_identifier
        self.arn = self.instance.arn
        self.master_secret_arn = (
            owned_secret[0].arn
            if owned_secret
            else self.instance.master_user_secrets.apply(_first_secret_arn)
        )
        self.master_username = args.master_username
        self.replica_identifiers = [replica.identifier for replica in replicas]
        self.replica_addresses = [replica.address for replica in replicas]
        self.register_outputs(
            {
                "securityGroupId": self.security_group_id,
                "port": self.port,
                "address": self.address,
                "endpoint": self.endpoint,
                "dbName": self.db_name,
                "identifier": self.identifier,
                "arn": self.arn,
                "masterSecretArn": self.master_secret_arn,
                "masterUsername": self.master_username,
                "replicaAddresses": self.replica_addresses,
            }
        )

    def _create_security_group(self, child: pulumi.ResourceOptions) -> aws.ec2.SecurityGroup:
        # No inline rules: ingress comes only from `allow_from`, one rule per consumer group.
        # NOTE: the provider removes AWS's default allow-all egress; RDS needs none. EC2 takes
        # only a-zA-Z0-9 and ` ._-:/()#,@[]+=&;{}!$*` in a description: no apostrophe.
        return aws.ec2.SecurityGroup(
            naming.database_security_group(self._name),
            vpc_id=self._args.vpc_id,
            description=f"{self._args.identifier}: PostgreSQL from the app security groups only",
            tags={"Name": f"{self._args.identifier}-sg"},
            opts=child,
        )

    def _create_parameter_group(self, child: pulumi.ResourceOptions) -> aws.rds.ParameterGroup:
        logging = self._args.logging
        parameters = {
            # Refuse unencrypted connections (CKV2_AWS_69); the default since PostgreSQL 15,
            # explicit here so an older major or a changed default cannot turn it off.
            "rds.force_ssl": "1",
            "log_min_duration_statement": str(logging.min_duration_ms),
            "log_statement": logging.statement,
            **_log_connections(self._args.engine_major, logging.connections),
            "log_disconnections": _flag(logging.disconnections),
            "log_lock_waits": _flag(logging.lock_waits),
        }
        # NOTE: every parameter here is dynamic, so "immediate" applies without a reboot.
        # The family is part of the group: a new major creates a new (auto-named) group first,
        # and the instance moves to it in the same upgrade.
        return aws.rds.ParameterGroup(
            naming.database_parameter_group(self._name),
            family=f"postgres{self._args.engine_major}",
            description=f"{self._args.identifier}: TLS only, logging",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name=k, value=v, apply_method="immediate")
                for k, v in parameters.items()
            ],
            tags={"Name": f"{self._args.identifier}-postgres{self._args.engine_major}"},
            opts=child,
        )

    def _create_master_secret(
        self,
    ) -> tuple[aws.secretsmanager.Secret, pulumi.Output[str]]:
        """The golive-owned master secret of an instance with read replicas: the secret, and
        the password as a secret Output for RDS."""
        args = self._args
        password = random.RandomPassword(
            f"{self._name}-db-master-password",
            # RDS for PostgreSQL: 8-128 printable ASCII characters without / " @ (botocore rds
            # CreateDBInstance MasterUserPassword): letters and digits only.
            length=40,
            special=False,
            min_lower=1,
            min_upper=1,
            min_numeric=1,
            opts=pulumi.ResourceOptions(parent=self),
        )
        secret = aws.secretsmanager.Secret(
            f"{self._name}-db-master-secret",
            # A unique suffix: a deleted secret's name stays reserved for its recovery window.
            name_prefix=f"{args.identifier}-master-",
            description=(
                f"{args.identifier}: master credentials (golive-owned: RDS cannot manage the "
                "password of an instance with read replicas)"
            ),
            kms_key_id=args.kms_key_arn,
            tags={
                "golive:secret": "database-master",
                "golive:source": "generated",
                "golive:rotation": "manual",
            },
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.secretsmanager.SecretVersion(
            f"{self._name}-db-master-secret-version",
            secret_id=secret.id,
            # The shape of RDS's own master secret, so `db-init` reads either the same way.
            secret_string=pulumi.Output.secret(
                pulumi.Output.json_dumps(
                    {"username": args.master_username, "password": password.result}
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return secret, pulumi.Output.secret(password.result)

    def _create_log_groups(self, child: pulumi.ResourceOptions) -> list[aws.cloudwatch.LogGroup]:
        # NOTE: RDS creates `/aws/rds/instance/<id>/<log>` on first export, with no expiry and
        # no customer key, unless the group exists first (CKV_AWS_66/158).
        # Retained like a protected instance: when a restore replaces it, the old instance keeps
        # running outside the stack, and deleting its groups would let RDS recreate them bare.
        return self._log_groups("db", self._instance_identifier, child)

    def _log_groups(
        self, logical: str, identifier: str, child: pulumi.ResourceOptions
    ) -> list[aws.cloudwatch.LogGroup]:
        keep = pulumi.ResourceOptions(retain_on_delete=self._args.protect)
        return [
            aws.cloudwatch.LogGroup(
                f"{self._name}-{logical}-log-{log}",
                name=naming.database_log_group(identifier, log),
                retention_in_days=self._args.logging.retention_days,
                kms_key_id=self._args.kms_key_arn,
                opts=pulumi.ResourceOptions.merge(child, keep),
            )
            for log in log_exports(self._args.iam_authentication)
        ]

    def _create_monitoring_role(self, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Confused-deputy guard: only RDS acting for this account may assume it.
                    "Condition": {"StringEquals": {"aws:SourceAccount": self._args.account_id}},
                }
            ],
        }
        role = aws.iam.Role(
            naming.database_monitoring_role(self._name),
            assume_role_policy=json.dumps(trust),
            description=f"Lets RDS enhanced monitoring of {self._args.identifier} write OS metrics",
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{self._name}-db-monitoring",
            role=role.name,
            policy_arn=(
                f"arn:{self._args.partition}:iam::aws:policy/service-role/"
                "AmazonRDSEnhancedMonitoringRole"
            ),
            opts=child,
        )
        return role.arn

    def _final_snapshot_identifier(self, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        # A suffix drawn once per stack: a second teardown (after a rebuild) must not collide
        # with the first teardown's snapshot, which AWS keeps until someone deletes it. Drawn
        # again for each restore, so restoring A, then B, then A again cannot name the second
        # A instance's final snapshot like the first one's.
        restore = self._args.restore_from_snapshot
        suffix = random.RandomId(
            f"{self._name}-db-final-snapshot",
            byte_length=4,
            keepers={"restoreFromSnapshot": restore} if restore is not None else None,
            opts=child,
        )
        return pulumi.Output.concat(self._instance_identifier, "-final-", suffix.hex)

    def _create_instance(
        self,
        *,
        security_group: aws.ec2.SecurityGroup,
        subnet_group: aws.rds.SubnetGroup,
        parameter_group: aws.rds.ParameterGroup,
        log_groups: list[aws.cloudwatch.LogGroup],
        monitoring_role_arn: pulumi.Output[str] | None,
        final_snapshot_identifier: pulumi.Output[str] | None,
        master_password: pulumi.Output[str] | None,
    ) -> aws.rds.Instance:
        args = self._args
        return aws.rds.Instance(
            f"{self._name}-db",
            identifier=self._instance_identifier,
            # NOTE: RDS restores the snapshot, then the provider applies engine_version, storage,
            # backups, monitoring, Performance Insights and the managed master password in one
            # ModifyDBInstance (hashicorp/terraform-provider-aws#33699): a major-only "17" moves
            # an older 17.x to the default minor; an allocated_storage below the snapshot's, or
            # another major, fails the restore (the old instance keeps serving).
            snapshot_identifier=args.restore_from_snapshot,
            engine="postgres",
            # Major only: RDS picks and upgrades the minor (RDS.13; `_shared_inputs`); a pinned
            # minor would fight AWS's automatic upgrades on every `pulumi up`.
            engine_version=args.engine_major,
            # A new major in the stack file is a deliberate upgrade; without this RDS refuses it.
            allow_major_version_upgrade=True,
            engine_lifecycle_support=(
                "open-source-rds-extended-support"
                if args.extended_support
                else "open-source-rds-extended-support-disabled"
            ),
            instance_class=args.instance_class,
            db_name=args.db_name,
            username=args.master_username,
            # RDS keeps the master password in Secrets Manager under the stack key and rotates
            # it: no password in config or state, ever (RDS.25). With read replicas AWS refuses
            # that, and the golive-owned secret's password (a secret input) takes its place.
            manage_master_user_password=True if master_password is None else None,
            master_user_secret_kms_key_id=args.kms_key_arn if master_password is None else None,
            password=master_password,
            backup_retention_period=args.backup_retention_days,
            backup_window=args.backup_window,
            # Retained automated backups allow a point-in-time restore after a teardown until
            # they expire on their own.
            delete_automated_backups=False,
            skip_final_snapshot=final_snapshot_identifier is None,
            final_snapshot_identifier=final_snapshot_identifier,
            enabled_cloudwatch_logs_exports=list(log_exports(args.iam_authentication)),
            tags={"Name": self._instance_identifier},
            **self._shared_inputs(
                security_group=security_group,
                subnet_group=subnet_group,
                parameter_group=parameter_group,
                monitoring_role_arn=monitoring_role_arn,
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                # The log groups first, so RDS exports into them (see _create_log_groups).
                depends_on=list(log_groups),
                # Create the replacement first (a restore changes the identifier, so both fit):
                # consumers move to the restored instance before the old one is deleted.
                delete_before_replace=False,
                # Protected stacks: a delete or replace fails, and a deleted resource is only
                # forgotten by Pulumi, never dropped in AWS (the data outlives the state).
                protect=args.protect,
                retain_on_delete=args.protect,
            ),
        )

    def _shared_inputs(
        self,
        *,
        security_group: aws.ec2.SecurityGroup,
        subnet_group: aws.rds.SubnetGroup,
        parameter_group: aws.rds.ParameterGroup,
        monitoring_role_arn: pulumi.Output[str] | None,
    ) -> dict[str, Any]:
        """What the instance and each of its read replicas take alike: placement, storage,
        encryption, parameters, monitoring and maintenance."""
        args = self._args
        performance_insights = args.performance_insights
        return {
            "auto_minor_version_upgrade": True,
            "port": POSTGRES_PORT,
            "iam_database_authentication_enabled": args.iam_authentication,
            "storage_type": "gp3",
            # A replica ignores these at creation (it copies the source's storage); kept equal
            # so the cost estimate and autoscaling see what it holds.
            "allocated_storage": args.allocated_storage,
            "max_allocated_storage": args.max_allocated_storage,
            "storage_encrypted": True,
            "kms_key_id": args.kms_key_arn,
            "db_subnet_group_name": subnet_group.name,
            "vpc_security_group_ids": [security_group.id],
            "publicly_accessible": False,
            # The stack's availability choice holds for every copy that serves reads (RDS.5).
            "multi_az": args.multi_az,
            "parameter_group_name": parameter_group.name,
            "ca_cert_identifier": CA_CERTIFICATE,
            "maintenance_window": args.maintenance_window,
            "copy_tags_to_snapshot": True,
            "deletion_protection": args.deletion_protection,
            "performance_insights_enabled": performance_insights,
            "performance_insights_kms_key_id": args.kms_key_arn if performance_insights else None,
            "performance_insights_retention_period": (
                args.performance_insights_retention_days if performance_insights else None
            ),
            "monitoring_interval": args.monitoring_interval,
            "monitoring_role_arn": monitoring_role_arn,
            "apply_immediately": args.apply_immediately,
        }

    def _create_replica(
        self,
        number: int,
        *,
        security_group: aws.ec2.SecurityGroup,
        subnet_group: aws.rds.SubnetGroup,
        parameter_group: aws.rds.ParameterGroup,
        monitoring_role_arn: pulumi.Output[str] | None,
    ) -> aws.rds.Instance:
        """Read replica `number`: the instance's settings where a replica takes them."""
        args = self._args
        identifier = replica_identifier(self._instance_identifier, number)
        child = pulumi.ResourceOptions(parent=self)
        log_groups = self._log_groups(f"db-replica{number}", identifier, child)
        return aws.rds.Instance(
            f"{self._name}-db-replica{number}",
            identifier=identifier,
            # The ARN, not the identifier: with a subnet group named in the same region, the
            # provider wants the source's ARN (pulumi-aws rds.Instance, replicate_source_db).
            replicate_source_db=self.instance.arn,
            # Engine, version, database, master user and password come from the source; a
            # major upgrade of the instance upgrades its replicas with it.
            instance_class=args.replica_instance_class or args.instance_class,
            # RDS creates replicas with backups off, and takes no final snapshot of a replica
            # (botocore rds DeleteDBInstance: "Can't be specified when deleting a read replica").
            backup_retention_period=0,
            skip_final_snapshot=True,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            tags={"Name": identifier},
            **self._shared_inputs(
                security_group=security_group,
                subnet_group=subnet_group,
                parameter_group=parameter_group,
                monitoring_role_arn=monitoring_role_arn,
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(log_groups),
                # A replica holds no data of its own: a replacement deletes it first.
                delete_before_replace=True,
                protect=args.protect,
                retain_on_delete=args.protect,
            ),
        )


def allow_from(
    name: str,
    *,
    security_group_id: pulumi.Input[str],
    source_security_group_id: pulumi.Input[str],
    port: int,
    description: str,
    parent: pulumi.Resource,
) -> aws.vpc.SecurityGroupIngressRule:
    """Admit TCP `port` on `security_group_id` from members of `source_security_group_id`.

    The consumer (a service, a one-off task, `db-init`) calls this with its own security group
    and passes itself as `parent`, so the rule lives and dies with the consumer and the
    database's group only ever admits groups handed to it, never a CIDR (EC2.19). The cache's
    security group uses the same function.
    """
    if not 1 <= port <= 65535:
        raise ValueError(f"allow_from({name!r}): port {port} is not 1-65535")
    if not description.strip():
        raise ValueError(f"allow_from({name!r}): give the rule a description (EC2.53)")
    return aws.vpc.SecurityGroupIngressRule(
        name,
        security_group_id=security_group_id,
        referenced_security_group_id=source_security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=description,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _flag(on: bool) -> str:
    return "1" if on else "0"


def _log_connections(major: str, on: bool) -> dict[str, str]:
    # NOTE: PostgreSQL 18 made log_connections a list of stages; the three below are what
    # "on" logged before. Its default (empty) is "off", and a parameter group cannot hold an
    # empty value, so "off" leaves the parameter out.
    if int(major) < 18:
        return {"log_connections": _flag(on)}
    return {"log_connections": "receipt,authentication,authorization"} if on else {}


def _first_secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret] | None) -> str:
    # RDS returns the managed secret once the instance exists; one per instance.
    arn = secrets[0].secret_arn if secrets else None
    if not arn:
        raise ValueError("RDS returned no master user secret although it manages the password")
    return arn
