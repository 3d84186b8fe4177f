# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""Compute answers (components/cluster.py, service.py, task.py, schedule.py,
load_balancer.py): ECS, ECR, the load balancer, autoscaling and schedules; the released images
(SSM parameters) and the ELB log-delivery account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_facts.regions import ALB_ZONE_IDS, ELB_SERVICE_ACCOUNTS
from plan.mocks.context import Answers, Ctx, stable_uuid

if TYPE_CHECKING:
    from plan.mocks import AwsMocks

answers = Answers()


@answers.builder("aws:ecs/cluster:Cluster")
def _ecs_cluster(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    arn = c.arn("ecs", f"cluster/{name}")
    return arn, {"arn": arn, "name": name}


@answers.builder("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
def _ecs_capacity_providers(c: Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("clusterName", c.logical)), {}


@answers.builder("aws:ecs/taskDefinition:TaskDefinition")
def _ecs_task_definition(c: Ctx) -> tuple[str, dict[str, Any]]:
    family = str(c.inputs.get("family", c.logical))
    base = c.arn("ecs", f"task-definition/{family}")
    return family, {"arn": f"{base}:1", "arnWithoutRevision": base, "revision": 1}


@answers.builder("aws:ecs/service:Service")
def _ecs_service(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    cluster = str(c.inputs.get("cluster", "")).rsplit("/", 1)[-1]
    arn = c.arn("ecs", f"service/{cluster}/{name}")
    return arn, {"arn": arn, "name": name, "iamRole": "aws-service-role"}


@answers.builder("aws:ecr/repository:Repository")
def _ecr_repository(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    return name, {
        "name": name,
        "arn": c.arn("ecr", f"repository/{name}"),
        "registryId": c.account,
        "repositoryUrl": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{name}",
    }


@answers.builder("aws:ecr/lifecyclePolicy:LifecyclePolicy")
def _ecr_lifecycle_policy(c: Ctx) -> tuple[str, dict[str, Any]]:
    return str(c.inputs.get("repository", c.logical)), {"registryId": c.account}


@answers.builder("aws:ecr/repositoryPolicy:RepositoryPolicy")
def _ecr_repository_policy(c: Ctx) -> tuple[str, dict[str, Any]]:
    # terraform-provider-aws ecr repository_policy: the id is the repository's name.
    return str(c.inputs.get("repository", c.logical)), {"registryId": c.account}


@answers.builder("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    suffix = f"app/{name}/{c.hex(16)}"
    arn = c.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    scheme = "internal-" if c.inputs.get("internal") else ""
    number = int(c.hex(8), 16) % 10**10
    return arn, {
        "arn": arn,
        "arnSuffix": suffix,
        "name": name,
        "dnsName": f"{scheme}{name}-{number}.{c.region}.elb.amazonaws.com",
        "zoneId": ALB_ZONE_IDS.get(c.region, "Z35SXDOTRQ7X7K"),
        "vpcId": "",
    }


def _lb_suffix(arn: Any) -> str:
    """`app/<name>/<id>` of a load balancer or listener ARN."""
    text = str(arn)
    marker = next((m for m in ("loadbalancer/", "listener/") if m in text), None)
    if marker is None:
        return "app/unknown/0000000000000000"
    return "/".join(text.split(marker, 1)[1].split("/")[:3])


@answers.builder("aws:lb/listener:Listener")
def _lb_listener(c: Ctx) -> tuple[str, dict[str, Any]]:
    arn = c.arn(
        "elasticloadbalancing",
        f"listener/{_lb_suffix(c.inputs.get('loadBalancerArn'))}/{c.hex(16)}",
    )
    return arn, {"arn": arn}


@answers.builder("aws:lb/listenerRule:ListenerRule")
def _lb_listener_rule(c: Ctx) -> tuple[str, dict[str, Any]]:
    listener = str(c.inputs.get("listenerArn", ""))
    path = listener.split("listener/", 1)[-1]
    arn = c.arn("elasticloadbalancing", f"listener-rule/{path}/{c.hex(16)}")
    return arn, {"arn": arn}


@answers.builder("aws:lb/targetGroup:TargetGroup")
def _lb_target_group(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    suffix = f"targetgroup/{name}/{c.hex(16)}"
    arn = c.arn("elasticloadbalancing", suffix)
    return arn, {
        "arn": arn,
        "arnSuffix": suffix,
        "name": name,
        "loadBalancerArns": [],
        "loadBalancingAlgorithmType": "round_robin",
    }


@answers.builder("aws:appautoscaling/target:Target")
def _autoscaling_target(c: Ctx) -> tuple[str, dict[str, Any]]:
    resource = str(c.inputs.get("resourceId", c.logical))
    return resource, {
        "arn": c.arn("application-autoscaling", f"scalable-target/{c.hex(32)}"),
        "roleArn": (
            f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.application-autoscaling."
            "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
        ),
    }


@answers.builder("aws:appautoscaling/policy:Policy")
def _autoscaling_policy(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    resource = str(c.inputs.get("resourceId", ""))
    arn = c.arn(
        "autoscaling",
        f"scalingPolicy:{stable_uuid(c.typ, c.logical)}:resource/{resource}:policyName/{name}",
    )
    return name, {"arn": arn, "name": name, "alarmArns": []}


@answers.builder("aws:scheduler/schedule:Schedule")
def _schedule(c: Ctx) -> tuple[str, dict[str, Any]]:
    name = c.physical_name()
    group = str(c.inputs.get("groupName") or "default")
    return f"{group}/{name}", {
        "arn": c.arn("scheduler", f"schedule/{group}/{name}"),
        "name": name,
        "groupName": group,
    }


@answers.invoke("aws:ssm/getParametersByPath:getParametersByPath")
def _get_parameters_by_path(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    path = str(args.get("path", "/"))
    prefix = path.rstrip("/") + "/"
    found = {k: v for k, v in sorted(m.lookups.released_images.items()) if k.startswith(prefix)}
    return {
        "id": path,
        "path": path,
        "names": list(found),
        "values": list(found.values()),
        "types": ["String"] * len(found),
        "arns": [f"arn:aws:ssm:{m.region}:{m.account}:parameter{k}" for k in found],
        "withDecryption": bool(args.get("withDecryption", True)),
        "recursive": bool(args.get("recursive", False)),
    }


@answers.invoke("aws:elb/getServiceAccount:getServiceAccount")
def _get_elb_account(m: AwsMocks, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or m.region
    account = ELB_SERVICE_ACCOUNTS.get(region, "127311923021")
    return {"arn": f"arn:aws:iam::{account}:root", "id": account, "region": region}
