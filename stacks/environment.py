"""One composition for every stack: look up the account once, then wire the components.

Staging and prod run this same function; they differ only in the `StackConfig` their stack
files produce. Data-source lookups (AZs, caller identity, released images, hosted zone) happen
here, once, and reach components as plain arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_facts.regions import GLOBAL_SERVICES_REGION
from components import naming
from components.cache import Cache
from components.cdn import Cdn
from components.ci_access import CiAccess, CiAccessArgs, CiBoundary, GithubRepository
from components.ci_policies import (
    GITHUB_OIDC_HOST,
    MANAGED_POLICY_MAX,
    StackScope,
    boundary_document,
    policy_size,
)
from components.database import Database
from components.dns import Certificates, DnsRecords
from components.keys import StackKey, StackKeyArgs
from components.monitoring import (
    MONITORING_TYPE,
    Monitoring,
    MonitoringArgs,
    SlackChannel,
    Thresholds,
)
from components.network import FlowLogSettings, Network, NetworkArgs
from components.secrets import AppSecrets
from stacks import data_tier, edge
from stacks.compute import (
    Compute,
    ComputeFacts,
    DataTier,
    build_compute,
    compute_exports,
    look_up_compute,
)
from stacks.config import ConfigError, Problem, StackConfig
from stacks.exports import ReleaseExport, SmokeUrlExport, StackExports, exported


@dataclass(frozen=True)
class AccountFacts:
    """What the stack needs to know about the account and region, looked up once."""

    account_id: str
    partition: str
    availability_zones: list[str]
    edge: edge.EdgeFacts
    """Hosted zone, CloudFront managed policies, log-delivery ids (stacks/edge.py)."""
    compute: ComputeFacts
    """Released images and ELB log delivery (stacks/compute.py)."""
    github_oidc_provider_arn: str | None = None
    """The account's GitHub OIDC provider (looked up only when `ci.enabled`)."""


def look_up(cfg: StackConfig) -> AccountFacts:
    """Data-source lookups, with config problems they reveal reported like any other."""
    identity = aws.get_caller_identity()
    partition = aws.get_partition()
    # NOTE: an account's opted-in Local and Wavelength Zones come back too, with names that
    # sort before the AZs (`us-east-1-bos-1a`); only AZs proper are "opt-in-not-required"
    # (botocore ec2 DescribeAvailabilityZones, filter `opt-in-status`).
    zones = aws.get_availability_zones(
        state="available",
        filters=[
            aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
        ],
    )
    available = sorted(zones.names)
    if len(available) < cfg.network.az_count:
        raise ConfigError(
            [
                Problem(
                    "network.azCount",
                    f"{cfg.network.az_count} AZs asked for, but {cfg.region} offers "
                    f"{len(available)} to this account ({', '.join(available)}): "
                    f"use at most {len(available)}",
                )
            ],
            cfg.stack,
        )
    return AccountFacts(
        account_id=identity.account_id,
        partition=partition.partition,
        availability_zones=available[: cfg.network.az_count],
        github_oidc_provider_arn=_github_oidc_provider(cfg),
        edge=edge.look_up_edge(cfg),
        compute=look_up_compute(cfg),
    )


def _github_oidc_provider(cfg: StackConfig) -> str | None:
    if not cfg.ci.enabled:
        return None
    try:
        return aws.iam.get_open_id_connect_provider(url=f"https://{GITHUB_OIDC_HOST}").arn
    except Exception as exc:  # the engine raises a plain Exception for a failed lookup
        raise ConfigError(
            [
                Problem(
                    "ci.enabled",
                    "the account has no GitHub OIDC provider: run `golive bootstrap "
                    f"--github-oidc` once for this account ({exc})",
                )
            ],
            cfg.stack,
        ) from None


@dataclass
class Environment:
    """The components of one stack and the exports the operations CLI relies on."""

    cfg: StackConfig
    facts: AccountFacts
    key: StackKey
    network: Network
    global_key: StackKey | None = None
    """The stack's key in us-east-1 (CloudFront's WAF logs and alarm topic) when it lives
    elsewhere; in us-east-1 `key` serves both."""
    ci: CiAccess | None = None
    monitoring: Monitoring | None = None
    database: Database | None = None
    secrets: AppSecrets | None = None
    cache: Cache | None = None
    certificates: Certificates | None = None
    cdn: Cdn | None = None
    dns: DnsRecords | None = None
    compute: Compute | None = None

    def exports(self) -> dict[str, object]:
        """The stack outputs, as `stacks.exports.StackExports` declares them. Never credentials."""
        return exported(
            StackExports,
            app=self.cfg.app,
            stack=self.cfg.stack,
            region=self.cfg.region,
            vpc_id=self.network.vpc_id,
            availability_zones=self.network.availability_zones,
            public_subnet_ids=self.network.public_subnet_ids,
            private_subnet_ids=self.network.private_subnet_ids,
            isolated_subnet_ids=self.network.isolated_subnet_ids,
            kms_key_arn=self.key.arn,
            ci_deploy_role_arn=self.ci.deploy_role_arn if self.ci else None,
            ci_preview_role_arn=self.ci.preview_role_arn if self.ci else None,
            alarm_topic_arn=self.monitoring.topic_arn if self.monitoring else None,
            **data_tier.data_exports(self.cfg, self.database, self.secrets),
            **edge.edge_exports(self.cfg, self.cdn),
            **(compute_exports(self.cfg, self.compute) if self.compute else {}),
            release=release_export(self.cfg),
        )


def release_export(cfg: StackConfig) -> dict[str, object]:
    """`golive:release` as the CLI reads it: smoke tests and the bake time, in seconds."""
    smoke = cfg.release.smoke
    bake = cfg.release.bake_minutes
    return exported(
        ReleaseExport,
        smoke_urls=[exported(SmokeUrlExport, url=u.url, status=u.status) for u in smoke.urls],
        smoke_task=smoke.task,
        smoke_timeout_seconds=smoke.timeout_seconds,
        bake_seconds=None if bake is None else bake * 60,
    )


def build(cfg: StackConfig) -> Environment:
    facts = look_up(cfg)
    key = StackKey(
        cfg.prefix,
        StackKeyArgs(
            account_id=facts.account_id,
            region=cfg.region,
            alias=naming.key_alias(cfg.prefix),
            protect=cfg.protect,
        ),
    )
    boundary = _bound_every_role(cfg, facts)
    flow_logs = cfg.network.flow_logs
    network = Network(
        cfg.prefix,
        NetworkArgs(
            availability_zones=facts.availability_zones,
            cidr=str(cfg.network.cidr),
            subnet_cidrs=cfg.network.subnet_cidrs(),
            region=cfg.region,
            account_id=facts.account_id,
            nat=cfg.network.nat,
            interface_endpoints=[e.value for e in cfg.network.interface_endpoints],
            flow_logs=FlowLogSettings(
                enabled=flow_logs.enabled,
                destination=flow_logs.destination.value,
                traffic_type=flow_logs.traffic_type.value,
                retention_days=flow_logs.retention_days,
            ),
            log_kms_key_arn=key.arn,
        ),
    )
    pulumi.log.debug(f"golive: {cfg.prefix} in {facts.availability_zones}")
    ci = _ci_access(cfg, facts, boundary, network)
    environment = Environment(
        cfg=cfg,
        facts=facts,
        key=key,
        network=network,
        global_key=_global_key(cfg, facts),
        ci=ci,
    )
    # Data tier: nothing waits on the database (its 5-20 minutes bound a cold deploy alone).
    environment.database = data_tier.build_database(
        cfg, account_id=facts.account_id, partition=facts.partition, key=key, network=network
    )
    environment.cache = data_tier.build_cache(cfg, key=key, network=network)
    environment.secrets = data_tier.build_secrets(
        cfg, key=key, database=environment.database, cache=environment.cache
    )
    # Edge: certificates before the ALB (its HTTPS listener uses the validated ARN), the
    # distribution after it, the alias records after the distribution.
    edge_facts = facts.edge
    environment.certificates = edge.build_certificates(cfg, edge_facts)
    environment.compute = build_compute(
        cfg,
        facts.compute,
        account_id=facts.account_id,
        key=key,
        network=network,
        data=DataTier(
            database=environment.database,
            secrets=environment.secrets,
            cache=environment.cache,
        ),
        certificate_arn=(
            environment.certificates.alb_certificate_arn if environment.certificates else None
        ),
    )
    lb = environment.compute.load_balancer
    alb = edge.alb_endpoint(lb) if lb is not None else None
    environment.cdn = edge.build_cdn(
        cfg,
        edge_facts,
        account_id=facts.account_id,
        vpc_id=network.vpc_id,
        certificates=environment.certificates,
        alb=alb,
        us_east_1_key_arn=(environment.global_key or key).arn,
    )
    environment.dns = edge.build_dns_records(cfg, edge_facts, environment.cdn, alb)
    # Composed last: it only reads the other components' outputs.
    environment.monitoring = _monitoring(environment)
    return environment


def _global_key(cfg: StackConfig, facts: AccountFacts) -> StackKey | None:
    """The stack's customer key in us-east-1, for a distribution of a stack elsewhere: keys
    are regional, and CloudFront's WAF logs and metrics (so its alarm's topic) live there."""
    if not cfg.has_distribution or cfg.region == GLOBAL_SERVICES_REGION:
        return None
    name = f"{cfg.prefix}-global"
    return StackKey(
        name,
        StackKeyArgs(
            account_id=facts.account_id,
            region=cfg.region,
            alias=naming.global_key_alias(cfg.prefix),
            protect=cfg.protect,
            key_region=GLOBAL_SERVICES_REGION,
        ),
        # It was the monitoring component's child before the WAF's logs shared it: the alias
        # keeps the key (a retained key would otherwise be orphaned and a new one made).
        opts=pulumi.ResourceOptions(
            aliases=[pulumi.Alias(parent=pulumi.create_urn(cfg.prefix, MONITORING_TYPE))]
        ),
    )


def _scope(cfg: StackConfig, facts: AccountFacts) -> StackScope:
    statements = [s for service in cfg.services.values() for s in service.task_role_statements]
    return StackScope(
        account_id=facts.account_id,
        region=cfg.region,
        app=cfg.app,
        stack=cfg.stack,
        project=pulumi.get_project(),
        state_bucket=cfg.ci.state_bucket,
        secrets_key_alias=cfg.ci.secrets_key_alias,
        image_parameter_prefix=cfg.image_parameter_prefix,
        hosted_zone_id=facts.edge.zone_id,
        record_names=tuple(cfg.certificate_names),
        workload_actions=tuple(a for s in statements for a in s.actions),
        workload_resources=tuple(r for s in statements for r in s.resources),
        images_from_account=cfg.ci.images_from_account,
        slack_alarms=cfg.alarms.slack is not None,
    )


def _bound_every_role(cfg: StackConfig, facts: AccountFacts) -> CiBoundary | None:
    """With CI, every IAM role of the stack carries the CI boundary (the boundary refuses a role
    created without it), set here in one place rather than in every component that makes one."""
    if facts.github_oidc_provider_arn is None:
        return None
    scope = _scope(cfg, facts)
    size = policy_size(boundary_document(scope))
    if size > MANAGED_POLICY_MAX:
        raise ConfigError(
            [
                Problem(
                    "services.<name>.taskRoleStatements",
                    f"the stack's roles' boundary would hold {size} characters, IAM allows "
                    f"{MANAGED_POLICY_MAX} (it lists the S3 and SSM resources and the actions "
                    "the tasks are granted): use fewer, broader ARNs (e.g. a bucket's `/*`)",
                )
            ],
            cfg.stack,
        )
    boundary = CiBoundary(cfg.prefix, scope)

    def bounded(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        props = args.props
        if args.type_ == "aws:iam/role:Role":
            props = {**props, "permissions_boundary": boundary.arn}
        return pulumi.ResourceTransformationResult(props, args.opts)

    pulumi.runtime.register_stack_transformation(bounded)
    return boundary


def _ci_access(
    cfg: StackConfig, facts: AccountFacts, boundary: CiBoundary | None, network: Network
) -> CiAccess | None:
    if facts.github_oidc_provider_arn is None or boundary is None:
        return None
    owner, name = cfg.ci.repository.split("/")
    assert cfg.ci.owner_id is not None and cfg.ci.repository_id is not None  # config problems
    return CiAccess(
        cfg.prefix,
        CiAccessArgs(
            oidc_provider_arn=facts.github_oidc_provider_arn,
            repository=GithubRepository(
                owner=owner,
                name=name,
                owner_id=cfg.ci.owner_id,
                repository_id=cfg.ci.repository_id,
            ),
            environment=cfg.ci.environment,
            scope=_scope(cfg, facts),
            boundary_arn=boundary.arn,
            vpc_arn=network.vpc_id.apply(
                lambda vpc: f"arn:aws:ec2:{cfg.region}:{facts.account_id}:vpc/{vpc}"
            ),
            pull_request_previews=cfg.ci.pull_request_previews,
        ),
    )


def _monitoring(env: Environment) -> Monitoring:
    """Alarms, dashboard and budget over the other components' outputs (plain arguments)."""
    cfg = env.cfg
    alarms = cfg.alarms
    cache_nodes = cfg.cache.nodes if cfg.cache is not None else 0
    return Monitoring(
        cfg.prefix,
        MonitoringArgs(
            account_id=env.facts.account_id,
            region=cfg.region,
            partition=env.facts.partition,
            alarm_prefix=cfg.prefix,
            kms_key_arn=env.key.arn,
            global_kms_key_arn=env.global_key.arn if env.global_key else None,
            emails=alarms.emails,
            webhook_url=alarms.webhook_url,
            slack=(
                SlackChannel(alarms.slack.workspace_id, alarms.slack.channel_id)
                if alarms.slack
                else None
            ),
            notifications_enabled=alarms.enabled,
            thresholds=Thresholds(**alarms.thresholds.model_dump()),
            # Named, not waited for: alarms on an instance being created are fine in CloudWatch.
            db_instance_identifier=env.database.known_identifier if env.database else None,
            db_instance_class=cfg.database.instance_class if cfg.database else None,
            db_replica_identifiers=env.database.replica_identifiers if env.database else (),
            db_replica_instance_class=(
                cfg.database.read_replicas.instance_class
                if cfg.database and cfg.database.read_replicas
                else None
            ),
            cache_replication_group_id=env.cache.replication_group_id if env.cache else None,
            cache_member_cluster_ids=(
                [_member_cluster(env.cache, n) for n in range(cache_nodes)] if env.cache else []
            ),
            cloudfront_distribution_id=env.cdn.distribution_id if env.cdn else None,
            **_compute_monitoring(env.compute),
            budget_monthly_usd=cfg.budget.monthly_usd if cfg.budget else None,
            cost_tag_key="golive:stack",
            cost_tag_value=cfg.default_tags["golive:stack"],
        ),
    )


def _compute_monitoring(compute: Compute | None) -> dict[str, Any]:
    """The compute outputs monitoring alarms on (rollback alarms need the target groups)."""
    if compute is None:
        return {}
    lb = compute.load_balancer
    return {
        "load_balancer_arn_suffix": lb.arn_suffix if lb else None,
        "target_groups": {n: tg.arn_suffix for n, tg in lb.target_groups.items()} if lb else {},
        "cluster_name": compute.cluster.name,
        "cluster_arn": compute.cluster.arn,
        "services": {n: s.service_name for n, s in compute.services.items()},
    }


def _member_cluster(cache: Cache, index: int) -> pulumi.Output[str]:
    # The node count is known from the stack file; the ids (`<group>-001`...) only once the
    # group exists. AWS returns them as an unordered set: sort for a stable node number.
    return cache.member_clusters.apply(lambda ids: sorted(ids)[index])
