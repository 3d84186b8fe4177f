"""The built-in `db-init` task: creates or updates the application's database role.

Creates: a task definition on the official Postgres client image (`postgres:<major>-alpine` from
ECR Public, the database's major version) whose command, run with the RDS-managed master
credentials, creates the application role if it does not exist and sets its password and grants
from the generated application secret: idempotent, so every release runs it (a rotated
application password takes effect before the new tasks start). Its own log group, roles and
security group: it is the only task that sees the master credentials, and its execution role may
read exactly the master secret and the application secret. Its security group reaches the
database (which admits it through `allow_from`) and HTTPS (image pull, Secrets Manager, logs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from components import naming
from components.container import (
    ContainerSpec,
    ExecutionAccess,
    TaskSize,
    create_task_roles,
)
from components.database import allow_from
from components.secrets import DatabaseCredentials, SecretRef
from components.task import OneOffTask, OneOffTaskArgs

TASK_NAME = "db-init"
CONTAINER_NAME = "db-init"
POSTGRES_CLIENT_IMAGE = "public.ecr.aws/docker/library/postgres:{major}-alpine"
"""Docker's official Postgres image, mirrored on ECR Public (no Docker Hub rate limits)."""

# NOTE: psql interpolates :'var' as a quoted literal, and format(%I/%L) quotes identifiers and
# literals server-side, so neither the role name nor the verifier can inject SQL. \gexec runs
# each generated statement. ALTER ROLE is DDL, which `log_statement: ddl` writes to the log (and
# RDS does not let the master user turn that off for its session), so db-init sends only the
# password's SCRAM-SHA-256 verifier, computed by the secrets component: the plaintext password
# never reaches the server or its logs.
INIT_SQL = r"""
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'app_user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',
              :'app_user', :'app_verifier') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I',
              current_database(), :'app_user') \gexec
SELECT format('GRANT USAGE, CREATE ON SCHEMA public TO %I', :'app_user') \gexec
SELECT format('GRANT ALL ON ALL TABLES IN SCHEMA public TO %I', :'app_user') \gexec
SELECT format('GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO %I', :'app_user') \gexec
SELECT format('role %s ready in database %s', :'app_user', current_database());
""".strip()

INIT_SCRIPT = (
    'psql --no-psqlrc --quiet -v app_user="$APP_DB_USER" '
    '-v app_verifier="$APP_DB_PASSWORD_VERIFIER" '
    "<<'SQL'\n" + INIT_SQL + "\nSQL\n"
)
"""The container's `sh -c` script: psql reads the SQL from a quoted here-document, so the shell
expands nothing in it; the credentials reach psql only as variables from the environment."""


@dataclass(frozen=True, kw_only=True)
class DbInitArgs:
    postgres_major: str
    """The database's major version: the client image matches it."""
    db_host: pulumi.Input[str]
    """The database's address."""
    db_port: int
    """The database's port."""
    db_name: str
    """The application's database."""
    db_security_group_id: pulumi.Input[str]
    """The database's security group (admits `db-init` through `allow_from`)."""
    master_secret_arn: pulumi.Input[str]
    """The RDS-managed master secret (`{"username", "password"}`, rotated by RDS)."""
    master_secret_kms_key_arn: pulumi.Input[str]
    """The key the master secret is encrypted with (the stack key)."""
    app_credentials: DatabaseCredentials
    """The application role's secret (data tier)."""
    vpc_id: pulumi.Input[str]
    """The VPC of its security group."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The network's app subnets."""
    assign_public_ip: bool
    """Only with `nat: none`."""
    account_id: str
    region: str
    log_group_name: str
    """E.g. `/golive/auction/prod/db-init`."""
    log_retention_days: int
    kms_key_arn: pulumi.Input[str]
    """The stack key, for the log group."""


class DbInit(pulumi.ComponentResource):
    """The `db-init` one-off task (run by `golive release` before migrations).

    Example::

        DbInit("auction-prod-db-init", DbInitArgs(postgres_major="17", db_host=db.address,
               db_port=db.port, db_name=db.db_name, db_security_group_id=db.security_group_id,
               master_secret_arn=db.master_secret_arn, master_secret_kms_key_arn=key.arn,
               app_credentials=secrets.database_credentials, vpc_id=network.vpc_id,
               subnet_ids=network.app_subnet_ids, assign_public_ip=False, account_id=account,
               region="us-east-1", log_group_name="/golive/auction/prod/db-init",
               log_retention_days=365, kms_key_arn=key.arn))

    Cost: a few seconds of a 0.25 vCPU Fargate task per release (under a cent).
    """

    task: OneOffTask
    security_group_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: DbInitArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:DbInit", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child,
        )
        container = self._container(args)
        roles = create_task_roles(
            name,
            parent=self,
            account_id=args.account_id,
            region=args.region,
            access=ExecutionAccess(
                log_group_arn=log_group.arn,
                secret_arns=container.secret_arns,
                kms_key_arns=container.kms_key_arns,
            ),
            description="the db-init task",
        )
        group = self._create_security_group(name, args, child)
        self.security_group_id = group.id
        self.task = OneOffTask(
            name,
            OneOffTaskArgs(
                task_name=TASK_NAME,
                container=container,
                image=POSTGRES_CLIENT_IMAGE.format(major=args.postgres_major),
                roles=roles,
                log_group_name=log_group.name,
                region=args.region,
                size=TaskSize(cpu=256, memory=512),
                subnet_ids=args.subnet_ids,
                security_group_ids=[group.id],
                assign_public_ip=args.assign_public_ip,
            ),
            opts=child,
        )
        self.register_outputs(
            {
                "taskDefinitionArn": self.task.task_definition_arn,
                "securityGroupId": self.security_group_id,
            }
        )

    @staticmethod
    def _container(args: DbInitArgs) -> ContainerSpec:
        master_arn = pulumi.Output.from_input(args.master_secret_arn)
        app = args.app_credentials

        def master(env: str, key: str) -> SecretRef:
            return SecretRef(
                env_name=env,
                value_from=master_arn.apply(lambda arn: f"{arn}:{key}::"),
                secret_arn=master_arn,
                kms_key_arn=args.master_secret_kms_key_arn,
                json_key=key,
            )

        def renamed(env: str, ref: SecretRef) -> SecretRef:
            return replace(ref, env_name=env)

        return ContainerSpec(
            name=CONTAINER_NAME,
            command=["sh", "-c", INIT_SCRIPT],
            environment={
                "PGHOST": args.db_host,
                "PGPORT": str(args.db_port),
                "PGDATABASE": args.db_name,
                # The database forces TLS (rds.force_ssl); the Alpine image does not carry the
                # RDS CA bundle, so the connection is encrypted without verifying the CA.
                "PGSSLMODE": "require",
                "PGCONNECT_TIMEOUT": "15",
            },
            secrets=[
                master("PGUSER", "username"),
                master("PGPASSWORD", "password"),
                renamed("APP_DB_USER", app.username),
                renamed("APP_DB_PASSWORD_VERIFIER", app.password_verifier),
            ],
            stop_timeout=30,
        )

    def _create_security_group(
        self, name: str, args: DbInitArgs, child: pulumi.ResourceOptions
    ) -> aws.ec2.SecurityGroup:
        group = aws.ec2.SecurityGroup(
            naming.tasks_security_group(name),
            vpc_id=args.vpc_id,
            description="db-init task: the database and HTTPS only",
            tags={"Name": name},
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-https",
            security_group_id=group.id,
            description="db-init to ECR Public, Secrets Manager and CloudWatch Logs (HTTPS)",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-to-database",
            security_group_id=group.id,
            description="db-init to the database",
            ip_protocol="tcp",
            from_port=args.db_port,
            to_port=args.db_port,
            referenced_security_group_id=args.db_security_group_id,
            opts=child,
        )
        allow_from(
            f"{name}-database-access",
            security_group_id=args.db_security_group_id,
            source_security_group_id=group.id,
            port=args.db_port,
            description="db-init (master credentials) to PostgreSQL",
            parent=self,
        )
        return group
