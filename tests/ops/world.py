"""A deployed golive stack inside moto, with the knobs the ops tests turn.

`build_world()` creates what `pulumi up` would have left behind for a `staging` stack of the
auction app (VPC with DNS hostnames for Fargate `run_task`, cluster, an `api` web service behind
a target group and a `worker`, the `db-init` and `migrate` task definitions, an encrypted RDS
instance, an external secret, an alarm topic, log groups, the state bucket with its release log)
and the stack outputs of docs/stack-exports.md pointing at it.

moto's ECS services do not model deployments (`update_service` keeps the deployment list it
was created with), so `EcsSimulator` patches the backend: after each `update_service` it sets the
deployments, running count and task definition according to the image's *behaviour*:

- `ok` (default): one PRIMARY deployment, COMPLETED, running == desired;
- `unstable`: the new deployment stays IN_PROGRESS next to the old one (never stabilizes);
- `breaker`: the circuit breaker rolled it back: back on the old task definition, one deployment
  with rolloutState FAILED and running == desired (the `services_stable` waiter passes);
- `reject`: `UpdateService` itself fails (InvalidParameterException);
- `http503`: rolls out fine but the public health URL answers 503.

`FakePulumi` stands in for `pulumi up` the way the program would act: it reads the released
images from SSM, registers a new task definition revision when a service's image changed, and
calls `update_service` (desired count 0 before a service's first release).

Every API call the CLI (and the fake Pulumi step) makes through the tool session is recorded
with botocore's `before-parameter-build` event (API
parameters as passed), so tests can assert the invariants of CONTROLS.md #12.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from moto.core.exceptions import JsonRESTError
from moto.ecs import models as ecs_models
from moto.ecs.exceptions import InvalidParameterException
from typer.testing import CliRunner

from ops.aws import Aws, Runtime, WaitPolicy
from ops.cli import app
from ops.outputs import StackOutputs
from ops.permissions import DEPLOY_ROLE_ACTIONS, iam_actions
from ops.pulumi_step import PendingChange, PulumiError
from ops.tasks import register_with_image

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "staging"
APP = "auction"
REPO = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
API_V1 = f"{REPO}/auction-api:v1"
API_V2 = f"{REPO}/auction-api:v2"
WORKER_V1 = f"{REPO}/auction-worker:v1"
WORKER_V2 = f"{REPO}/auction-worker:v2"
API_DIGEST = f"{REPO}/auction-api@sha256:{'a' * 64}"
WORKER_DIGEST = f"{REPO}/auction-worker@sha256:{'b' * 64}"
STATE_BUCKET = f"golive-state-{ACCOUNT}-{REGION}"
CLUSTER = "auction-staging"
HEALTH_URL = "https://staging.auction.example.com/api/health"
PREFIX = f"/golive/{APP}/{STACK}/images/"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


# Every test builds new sessions; sharing one loader keeps the parsed service models (several
# MB of JSON for EC2 and friends) from being read again for each of them.
_LOADER = botocore.loaders.create_loader()


class CachingSession(boto3.Session):
    """A session that hands out one client per service (client creation dominates test time).

    Event hooks must reach clients created earlier too, so `hook()` registers on the session
    and on every client made so far.
    """

    def __init__(self, region: str = REGION) -> None:
        core = botocore.session.Session()
        core.register_component("data_loader", _LOADER)
        super().__init__(botocore_session=core, region_name=region)
        self._cached: dict[str, Any] = {}

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if service_name not in self._cached:
            self._cached[service_name] = super().client(service_name, *args, **kwargs)
        return self._cached[service_name]

    def hook(self, event: str, handler: Callable[..., Any]) -> Callable[[], None]:
        """Register `handler` everywhere; the returned function switches it off."""
        active = {"on": True}

        def switchable(**kwargs: Any) -> Any:
            return handler(**kwargs) if active["on"] else None

        # Clients created later copy the session's handlers; earlier ones need it added.
        for emitter in [self.events, *(client.meta.events for client in self._cached.values())]:
            emitter.register(event, switchable)

        def remove() -> None:
            active["on"] = False

        return remove


# moto answers through a process-wide botocore handler, so one setup session (and its clients)
# serves every test; each test's moto backends are fresh.
_SETUP = CachingSession()


def new_session(region: str = REGION) -> CachingSession:
    return CachingSession(region)


class _Raw:
    """The body of a synthetic HTTP response for botocore's parser."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def http_response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Any:
    return AWSResponse("https://moto.invalid/", status, headers or {}, _Raw(body))


def aws_error(code: str, message: str = "") -> tuple[Any, dict[str, Any]]:
    """What a `before-call` hook returns to answer with AWS's error `code` (HTTP 400, parsed as
    botocore parses it; like a Stubber, not retried)."""
    return http_response(400), {
        "Error": {"Code": code, "Message": message or code},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }


def aws_answer(parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """What a `before-call` hook returns to answer with this parsed 200 response."""
    return http_response(200), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}


@dataclass
class ServiceSpec:
    name: str
    family: str
    image: str
    desired: int
    web: bool


@dataclass
class World:
    """The stack in moto, the tool's session, the recorded calls and the fault knobs."""

    root: Path
    setup: CachingSession
    session: CachingSession
    outputs: dict[str, Any]
    behaviour: dict[str, str] = field(default_factory=dict)
    task_exit_codes: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    wire: Counter[str] = field(default_factory=Counter)
    throttles: Counter[str] = field(default_factory=Counter)
    probes: list[str] = field(default_factory=list)
    pulumi: FakePulumi | None = None

    # ------------------------------------------------------------------ access

    @property
    def typed_outputs(self) -> StackOutputs:
        return StackOutputs.model_validate(self.outputs)

    @property
    def outputs_path(self) -> Path:
        path = self.root / f"outputs-{STACK}.json"
        path.write_text(json.dumps(self.outputs))
        return path

    def client(self, service: str) -> Any:
        return self.setup.client(service)

    def backend(self) -> Any:
        return ecs_models.ecs_backends[ACCOUNT][REGION]

    def service_task_definition(self, name: str) -> str:
        service = self.client("ecs").describe_services(
            cluster=CLUSTER, services=[self.outputs["services"][name]["serviceName"]]
        )["services"][0]
        return str(service["taskDefinition"])

    def task_definition_image(self, arn: str) -> str:
        definition = self.client("ecs").describe_task_definition(taskDefinition=arn)
        return str(definition["taskDefinition"]["containerDefinitions"][0]["image"])

    def service_image(self, name: str) -> str:
        return self.task_definition_image(self.service_task_definition(name))

    def released(self, name: str) -> str | None:
        parameter = self.outputs["services"][name]["imageParameter"]
        found = self.client("ssm").get_parameters(Names=[parameter])["Parameters"]
        return str(found[0]["Value"]) if found else None

    def release_log(self) -> dict[str, Any]:
        body = self.client("s3").get_object(
            Bucket=STATE_BUCKET, Key=f"golive/releases/{APP}/{STACK}.json"
        )["Body"]
        return json.loads(body.read())

    def operations(self) -> list[tuple[str, str]]:
        return [(service, operation) for service, operation, _ in self.calls]

    def count(self, service: str, operation: str) -> int:
        return self.operations().count((service, operation))

    # ------------------------------------------------------------------ fault knobs

    def fail_call(
        self, service: str, operation: str, code: str, message: str = ""
    ) -> Callable[[], None]:
        """Answer every `operation` with this AWS error (like a Stubber: not retried).

        Returns a function that removes the fault.
        """

        def handler(**_: Any) -> Any:
            return aws_error(code, message)

        return self._hook(f"before-call.{service}.{operation}", handler)

    def respond(self, service: str, operation: str, parsed: dict[str, Any]) -> Callable[[], None]:
        """Answer every `operation` with this parsed 200 response; returns its remover."""

        def handler(**_: Any) -> Any:
            return aws_answer(parsed)

        return self._hook(f"before-call.{service}.{operation}", handler)

    def _hook(self, event: str, handler: Callable[..., Any]) -> Callable[[], None]:
        return self.session.hook(event, handler)

    def throttle(self, operation: str, times: int) -> None:
        """ECS answers the next `times` `operation` requests with a 400 ThrottlingException.

        Raised inside moto's backend, so the error travels back as a real HTTP response through
        botocore's retry handler. (A `before-send` hook cannot do this under moto: botocore
        calls every before-send handler, so moto would still apply the request.)
        """
        self.throttles[operation] = times

    # ------------------------------------------------------------------ running the CLI

    def runtime(self, **overrides: Any) -> Runtime:
        values: dict[str, Any] = {
            "session_factory": lambda profile, region: self.session,
            "pulumi": self.pulumi,
            "http_probe": self.probe,
            "dns_name_servers": lambda domain: set(),
            "sleep": lambda seconds: None,
            "wait": WaitPolicy(delay=0, max_attempts=6),
        }
        values.update(overrides)
        return Runtime(**values)

    def probe(self, url: str, timeout: float) -> int:
        self.probes.append(url)
        return 503 if self.behaviour.get(self.service_image("api")) == "http503" else 200

    def cli(self, *args: str, input: str | None = None, **overrides: Any) -> Any:
        """Run `golive ARGS` in-process; a Python traceback fails the test."""
        result = CliRunner().invoke(
            app,
            list(args),
            obj=self.runtime(**overrides),
            input=input,
            env={"COLUMNS": "250"},  # rich tables: one line per row, easy to assert on
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"golive crashed:\n{result.output}") from result.exception
        return result

    def stack_args(self, *extra: str) -> list[str]:
        return [STACK, "--outputs", str(self.outputs_path), *extra]

    # ------------------------------------------------------------------ invariants

    def assert_invariants(self) -> None:
        """CONTROLS.md #12: nothing shared or deleted, every call inside the deploy role."""
        operations = self.operations()
        assert ("rds", "ModifyDBSnapshotAttribute") not in operations
        assert not [op for svc, op in operations if svc == "rds" and op.startswith("Delete")]
        needed: set[str] = set()
        for service, operation, params in self.calls:
            needed |= iam_actions(service, operation, params)
        assert needed <= DEPLOY_ROLE_ACTIONS, sorted(needed - DEPLOY_ROLE_ACTIONS)

    def task_definitions(self) -> dict[str, str]:
        return {name: self.service_task_definition(name) for name in self.outputs["services"]}

    def containers(self, arn: str) -> list[dict[str, Any]]:
        definition = self.client("ecs").describe_task_definition(taskDefinition=arn)
        return list(definition["taskDefinition"]["containerDefinitions"])

    def assert_serving(
        self,
        images: dict[str, str],
        *,
        untouched: dict[str, str] | None = None,
        equivalent: dict[str, str] | None = None,
    ) -> None:
        """Each service runs `images[name]`, rolled out and complete.

        `untouched`: still on that very task definition (nothing was deployed).
        `equivalent`: on a task definition with the same containers as that one (a rollback
        through Pulumi registers a new revision identical to the old one).
        """
        for name, image in images.items():
            assert self.service_image(name) == image, name
            service = self.client("ecs").describe_services(
                cluster=CLUSTER, services=[self.outputs["services"][name]["serviceName"]]
            )["services"][0]
            assert service["runningCount"] == service["desiredCount"] > 0, name
            assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"], name
        for name, arn in (untouched or {}).items():
            assert self.service_task_definition(name) == arn, name
        for name, arn in (equivalent or {}).items():
            current = self.service_task_definition(name)
            assert self.containers(current) == self.containers(arn), name


class EcsSimulator:
    """Gives moto's ECS services deployments that follow each image's behaviour."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.counter = 0

    def image_of(self, backend: Any, task_definition: str) -> str:
        definition = backend.describe_task_definition(task_definition)
        return str(definition.container_definitions[0]["image"])

    def deployment(
        self, service: Any, task_definition: str, state: str, running: int, status: str = "PRIMARY"
    ) -> dict[str, Any]:
        self.counter += 1
        now = datetime.now(UTC)
        return {
            "id": f"ecs-svc/{self.counter:012d}",
            "status": status,
            "taskDefinition": task_definition,
            "desiredCount": service.desired_count,
            "pendingCount": 0,
            "runningCount": running,
            "failedTasks": 0,
            "rolloutState": state,
            "rolloutStateReason": f"ECS deployment {state.lower()}.",
            "launchType": "FARGATE",
            "createdAt": now,
            "updatedAt": now,
        }

    def settle(self, backend: Any, service: Any, previous: str | None) -> None:
        new = service.task_definition
        mode = self.world.behaviour.get(self.image_of(backend, new), "ok")
        desired = service.desired_count
        service.pending_count = 0
        if mode == "unstable" and previous and previous != new:
            service.running_count = desired
            service.deployments = [
                self.deployment(service, new, "IN_PROGRESS", 0),
                self.deployment(service, previous, "COMPLETED", desired, "ACTIVE"),
            ]
        elif mode == "breaker" and previous and previous != new:
            service.task_definition = previous
            service.running_count = desired
            service.deployments = [self.deployment(service, previous, "FAILED", desired)]
        else:
            service.running_count = desired
            service.deployments = [self.deployment(service, new, "COMPLETED", desired)]

    def install(self, monkeypatch: Any) -> None:
        backend_class = ecs_models.EC2ContainerServiceBackend
        original_update = backend_class.update_service
        original_run = backend_class.run_task
        simulator = self

        original_describe = backend_class.describe_services

        def throttled(operation: str) -> None:
            simulator.world.wire[operation] += 1
            if simulator.world.throttles[operation] > 0:
                simulator.world.throttles[operation] -= 1
                raise JsonRESTError("ThrottlingException", "Rate exceeded")

        def describe_services(backend: Any, *args: Any, **kwargs: Any) -> Any:
            throttled("DescribeServices")
            return original_describe(backend, *args, **kwargs)

        def update_service(backend: Any, properties: dict[str, Any]) -> Any:
            throttled("UpdateService")
            name = properties["service"].split("/")[-1]
            service = backend._get_service(properties.get("cluster", "default"), name)
            previous = service.task_definition
            new = properties.get("task_definition")
            if new and simulator.world.behaviour.get(simulator.image_of(backend, new)) == "reject":
                raise InvalidParameterException(f"service {name}: the new deployment was rejected")
            result = original_update(backend, properties)
            simulator.settle(backend, service, previous)
            return result

        def run_task(backend: Any, *args: Any, **kwargs: Any) -> Any:
            tasks = original_run(backend, *args, **kwargs)
            for task in tasks:
                family = task.task_definition_arn.rsplit("/", 1)[-1].split(":")[0]
                code = simulator.world.task_exit_codes.get(family)
                if code is not None:
                    task.containers[0].exitCode = code
                    task.stopped_reason = "Essential container in task exited"
            return tasks

        monkeypatch.setattr(backend_class, "update_service", update_service)
        monkeypatch.setattr(backend_class, "run_task", run_task)
        monkeypatch.setattr(backend_class, "describe_services", describe_services)


class FakePulumi:
    """Acts on moto's ECS the way `pulumi up` of the golive program would."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pending: list[PendingChange] = []
        self.up_calls = 0
        self.previews = 0
        self.fail_up: Callable[[int], str | None] = lambda call: None
        self.applied: dict[str, str] = {}

    def preview(self, stack: str) -> list[PendingChange]:
        self.previews += 1
        return list(self.pending)

    def up(self, stack: str, *, timeout: float) -> None:
        self.up_calls += 1
        injected = self.fail_up(self.up_calls)
        if injected:
            raise PulumiError(injected)
        # Pulumi runs in its own process with its own clients; same account, same throttling.
        aws = Aws(self.world.session, Runtime())
        outputs = self.world.typed_outputs
        found = aws.client("ssm").get_parameters_by_path(
            Path=outputs.image_parameter_prefix.rstrip("/")
        )["Parameters"]
        released = {item["Name"]: item["Value"] for item in found}
        ecs = aws.client("ecs")
        for spec in outputs.services.values():
            image = released.get(spec.image_parameter)
            try:
                service = ecs.describe_services(
                    cluster=outputs.cluster_name, services=[spec.service_name]
                )["services"][0]
                # Pulumi compares with its state (what it last applied), not with what ECS
                # runs now: after a circuit-breaker rollback it still updates the service.
                applied = self.applied.setdefault(spec.service_name, service["taskDefinition"])
                definition = applied
                if image is not None:
                    definition = register_with_image(aws, applied, spec.container_name, image)
                desired = spec.desired_count if image is not None else 0
                if definition != applied or desired != service["desiredCount"]:
                    ecs.update_service(
                        cluster=outputs.cluster_name,
                        service=spec.service_name,
                        taskDefinition=definition,
                        desiredCount=desired,
                    )
                    self.applied[spec.service_name] = definition
            except ClientError as exc:
                raise PulumiError(f"aws:ecs/service:Service {spec.service_name}: {exc}") from None


def _container(name: str, image: str, prefix: str, group: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "memory": 512,
        "essential": True,
        "readonlyRootFilesystem": True,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": group,
                "awslogs-region": REGION,
                "awslogs-stream-prefix": prefix,
            },
        },
    }


def push_images(setup: CachingSession, references: list[str]) -> None:
    """Put these images (`REPO/NAME:TAG` or `REPO/NAME@sha256:...`) into moto's ECR."""
    ecr = setup.client("ecr")
    for reference in references:
        name, _, version = reference.removeprefix(f"{REPO}/").replace("@", ":", 1).partition(":")
        with contextlib.suppress(ecr.exceptions.RepositoryAlreadyExistsException):
            ecr.create_repository(repositoryName=name)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST, "name": reference})
        if version.startswith("sha256:"):
            ecr.put_image(
                repositoryName=name,
                imageManifest=manifest,
                imageDigest=version,
                imageTag=f"build-{version[7:15]}",
            )
        else:
            ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag=version)


MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def build_world(
    root: Path, monkeypatch: Any, *, released: bool = True, setup: CachingSession | None = None
) -> World:
    """The staging stack after `pulumi up`; `released=False`: before its first release.

    `setup`: the session that builds it (default: the shared one, for moto's in-process mock).
    """
    setup = setup or _SETUP
    session = new_session()
    ec2 = setup.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # NOTE: moto's Fargate run_task needs DNS hostnames on the VPC (else AttributeError).
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{REGION}{az}")["Subnet"][
            "SubnetId"
        ]
        for cidr, az in (("10.0.1.0/24", "a"), ("10.0.2.0/24", "b"))
    ]
    task_sg = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)[
        "GroupId"
    ]
    db_sg = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    network = {"subnets": subnets, "securityGroups": [task_sg], "assignPublicIp": "DISABLED"}

    logs = setup.client("logs")
    ecs = setup.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    roles = {
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/auction-staging-exec",
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/auction-staging-task",
    }

    def task_definition(family: str, container: dict[str, Any]) -> str:
        return str(
            ecs.register_task_definition(
                family=family,
                networkMode="awsvpc",
                requiresCompatibilities=["FARGATE"],
                cpu="256",
                memory="512",
                containerDefinitions=[container],
                **roles,
            )["taskDefinition"]["taskDefinitionArn"]
        )

    elbv2 = setup.client("elbv2")
    target_group = elbv2.create_target_group(
        Name="auction-staging-api",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc,
        TargetType="ip",
        HealthCheckPath="/api/health",
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=target_group, Targets=[{"Id": "10.0.1.10", "Port": 8080}])

    ssm = setup.client("ssm")
    specs = [
        ServiceSpec("api", "auction-staging-api", API_V1, 2, True),
        ServiceSpec("worker", "auction-staging-worker", WORKER_V1, 1, False),
    ]
    services: dict[str, Any] = {}
    for spec in specs:
        group = f"/golive/{APP}/{STACK}/{spec.name}"
        logs.create_log_group(logGroupName=group)
        # Before the first release the program runs the stack file's image at 0 tasks.
        arn = task_definition(spec.family, _container("app", spec.image, spec.name, group))
        ecs.create_service(
            cluster=CLUSTER,
            serviceName=spec.family,
            taskDefinition=arn,
            desiredCount=spec.desired if released else 0,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": network},
        )
        parameter = f"{PREFIX}{spec.name}"
        if released:
            ssm.put_parameter(Name=parameter, Value=spec.image, Type="String")
        services[spec.name] = {
            "serviceName": spec.family,
            "taskDefinitionFamily": spec.family,
            "containerName": "app",
            "targetGroupArn": target_group if spec.web else None,
            "logGroupName": group,
            "imageParameter": parameter,
            "desiredCount": spec.desired,
            "healthCheckPath": "/api/health" if spec.web else None,
            "repositoryUrl": None,  # the images come from repositories the stack does not own
            "released": released,
        }

    tasks: dict[str, Any] = {}
    for name, image, service in (
        ("db-init", "public.ecr.aws/docker/library/postgres:16", None),
        ("migrate", API_V1, "api"),
    ):
        group = f"/golive/{APP}/{STACK}/task-{name}"
        logs.create_log_group(logGroupName=group)
        family = f"auction-staging-{name}"
        tasks[name] = {
            "taskDefinitionArn": task_definition(family, _container("app", image, name, group)),
            "taskDefinitionFamily": family,
            "containerName": "app",
            "service": service,
            "subnets": subnets,
            "securityGroups": [task_sg],
            "assignPublicIp": False,
            "logGroupName": group,
        }

    rds = setup.client("rds")
    instance = rds.create_db_instance(
        DBInstanceIdentifier="auction-staging",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="golive_admin",
        MasterUserPassword="unused-in-moto",
        StorageEncrypted=True,
        KmsKeyId=KMS_KEY,
        VpcSecurityGroupIds=[db_sg],
        DBName="auction",
    )["DBInstance"]

    secrets = setup.client("secretsmanager")
    smtp = secrets.create_secret(Name="auction/staging/SMTP_PASSWORD")["ARN"]
    if released:
        secrets.put_secret_value(SecretId=smtp, SecretString="hunter2")

    topic = setup.client("sns").create_topic(Name="auction-staging-alarms")["TopicArn"]
    setup.client("cloudwatch").put_metric_alarm(
        AlarmName="auction-staging-api-5xx",
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic],
    )

    # What the tests release: tags v1-v3 and one digest per service.
    tags = [f"{REPO}/auction-{name}:v{n}" for name in ("api", "worker") for n in (1, 2, 3)]
    push_images(setup, [*tags, API_DIGEST, WORKER_DIGEST])

    s3 = setup.client("s3")
    s3.create_bucket(Bucket=STATE_BUCKET)
    s3.put_bucket_versioning(Bucket=STATE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    if released:
        started = datetime(2026, 1, 5, 12, tzinfo=UTC).isoformat()
        log = {
            "app": APP,
            "stack": STACK,
            "releases": [
                {
                    "id": "r0001-00000001",
                    "images": {"api": API_V1, "worker": WORKER_V1},
                    "previous": {"api": None, "worker": None},
                    "status": "succeeded",
                    "steps_done": ["db-init", "migrate", "record", "verify"],
                    "started_at": started,
                    "finished_at": started,
                }
            ],
        }
        s3.put_object(
            Bucket=STATE_BUCKET, Key=f"golive/releases/{APP}/{STACK}.json", Body=json.dumps(log)
        )

    outputs = {
        "app": APP,
        "stack": STACK,
        "region": REGION,
        "vpcId": vpc,
        "availabilityZones": [f"{REGION}a", f"{REGION}b"],
        "publicSubnetIds": ["subnet-public-a", "subnet-public-b"],
        "privateSubnetIds": subnets,
        "isolatedSubnetIds": ["subnet-isolated-a", "subnet-isolated-b"],
        "kmsKeyArn": KMS_KEY,
        "ciDeployRoleArn": None,
        "ciPreviewRoleArn": None,
        "clusterName": CLUSTER,
        "services": services,
        "tasks": tasks,
        "releaseTasks": ["migrate"],
        "schedules": {},
        "database": {
            "identifier": "auction-staging",
            "endpoint": instance["Endpoint"]["Address"],
            "port": 5432,
            "name": "auction",
            "masterSecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-1",
        },
        "externalSecrets": {"SMTP_PASSWORD": smtp},
        "url": "https://staging.auction.example.com",
        "healthUrl": HEALTH_URL,
        "albArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/auction/1",
        "staticSite": None,
        "alarmTopicArn": topic,
        "imageParameterPrefix": PREFIX,
        "backupBeforeRelease": True,
    }
    world = World(root=root, setup=setup, session=session, outputs=outputs)
    simulator = EcsSimulator(world)
    simulator.install(monkeypatch)
    backend = world.backend()
    for spec in specs:  # services start settled (moto leaves them IN_PROGRESS)
        service = backend.services[f"{CLUSTER}:{spec.family}"]
        simulator.settle(backend, service, None)
    world.pulumi = FakePulumi(world)

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        world.calls.append((model.service_model.service_name, model.name, params))

    session.events.register("before-parameter-build", record)
    return world
