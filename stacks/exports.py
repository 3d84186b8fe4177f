"""The stack exports: the one contract between the Pulumi program and the `golive` CLI.

Declared once, here, as typed models whose field docstrings say what each key holds and who
reads it. The program builds every export with `exported()`, so it can neither invent a key nor
forget one; the operations CLI (`ops/outputs.py`) validates `pulumi stack output --json`
against the same models; docs/stack-exports.md is `markdown()` (`python -m stacks.exports`
prints it, a test keeps the file in step).

The field order is the order the program exports the keys in. A field's default is what the
CLI assumes when a stack's outputs lack the key; the program always exports every key. This
module imports nothing of Pulumi, so the CLI reads the contract without loading the program.
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Export(BaseModel):
    """camelCase keys as exported; unknown keys are ignored so the program may add exports
    without breaking an older CLI."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="ignore",
        use_attribute_docstrings=True,
    )


class DatabaseExport(Export):
    identifier: str
    """DB instance identifier (snapshots, the restore drill and `golive verify` use it)."""
    endpoint: str
    """Host name; the port is separate."""
    port: int
    """Port the database listens on."""
    name: str
    """Database name."""
    master_secret_arn: str | None = None
    """ARN of the RDS-managed master secret, never a value."""


class StaticSiteExport(Export):
    bucket_name: str
    """The site's bucket: `golive release --site DIR` uploads the build here."""
    distribution_id: str
    """The CloudFront distribution `golive release --site` invalidates."""


class ServiceExport(Export):
    service_name: str
    """ECS service name."""
    task_definition_family: str
    """Task definition family."""
    container_name: str
    """The app container's name in the task definition."""
    target_group_arn: str | None = None
    """Null for workers; `golive verify` checks its targets are healthy."""
    log_group_name: str
    """awslogs group of the service."""
    image_parameter: str
    """SSM parameter holding the released image (`/golive/auction/staging/images/api`), written
    by `golive release` and read by the program (see "Released images" below); a service with
    `imageFrom` shares its source's."""
    image_from: str | None = None
    """The service whose image this one runs (`imageFrom`): `golive release` releases both
    together; null: its own image."""
    desired_count: int
    """Desired count the stack declares now: 0 before the first release, else `desiredCount` (or
    `autoscaling.minCount`, autoscaling then owns it)."""
    health_check_path: str | None = None
    """Target group health check path (null for workers)."""
    repository_url: str | None
    """The service's own ECR repository
    (`<account>.dkr.ecr.<region>.amazonaws.com/<app>/<stack>/<n>`) that CI pushes to; null when
    the stack file's `image` names another registry."""
    released: bool
    """A release is recorded under `imageParameter` (false: the service runs 0 tasks, and the
    cost estimate of `golive plan` prices its tasks "once released")."""


class TaskExport(Export):
    task_definition_arn: str
    """Full ARN with revision."""
    task_definition_family: str
    """Family."""
    container_name: str
    """Container to override."""
    service: str | None = None
    """The service whose image it reuses (null for `db-init`)."""
    subnets: list[str]
    """Subnet ids for `awsvpcConfiguration`."""
    security_groups: list[str]
    """Security group ids."""
    assign_public_ip: bool = False
    """True only when the stack has no NAT."""
    log_group_name: str
    """awslogs group (streams `<task>/<container>/<task id>`; `db-init` has its own group)."""


class ScheduleExport(Export):
    schedule_name: str
    """EventBridge Scheduler schedule name."""
    task_definition_arn: str
    """Task definition it runs (full ARN with revision)."""
    service: str
    """The service whose image it reuses."""
    expression: str
    """The stack file's `schedule` (`rate(...)`, `cron(...)` or `at(...)`)."""


class SmokeUrlExport(Export):
    url: str
    """A path of `url` (`/api/v1/health/`) or an `https://` URL."""
    status: int
    """The status it must answer with."""


class ReleaseExport(Export):
    smoke_urls: list[SmokeUrlExport] = []
    """Asked after every deploy of `golive release` and `golive rollback`; a wrong status rolls
    the release back (`release.smoke.urls`)."""
    smoke_task: str | None = None
    """One-off task run with the new image after the deploy; a non-zero exit rolls back."""
    smoke_timeout_seconds: int = 60
    """How long each smoke URL may take to answer its status."""
    bake_seconds: int | None = None
    """How long the alarms are watched after a deploy (the default of `--watch`; null:
    golive's two minutes)."""


class StackExports(Export):
    """`pulumi stack output --json -s STACK` (or the file given with `--outputs FILE`) holds these
    keys. The program (`__main__.py`) exports exactly these names; the operations CLI reads only
    these. Values shown are examples."""

    app: str
    """App name from the stack file (`auction`)."""
    stack: str
    """Stack name (`staging`); the CLI refuses the outputs of another stack."""
    region: str
    """AWS region (`us-east-1`); the CLI's AWS clients use it unless `--region` is given."""
    vpc_id: str
    """The stack's VPC."""
    availability_zones: list[str]
    """The AZs the subnets are in, one subnet of each tier per AZ (the cost estimate of
    `golive plan` counts them)."""
    public_subnet_ids: list[str]
    """Public subnets, one per AZ (the tasks' subnets when `network.nat` is `none`)."""
    private_subnet_ids: list[str]
    """Private subnets, one per AZ (the tasks' subnets behind NAT)."""
    isolated_subnet_ids: list[str]
    """Isolated subnets, one per AZ, with no internet route (database and cache)."""
    kms_key_arn: str
    """The stack's customer KMS key; a snapshot to restore must be encrypted with it
    (docs/runbook.md)."""
    ci_deploy_role_arn: str | None
    """The role CI deploys this stack with, from runs of `main` only (repository variables
    `STAGING_DEPLOY_ROLE_ARN`, `PROD_DEPLOY_ROLE_ARN`); null without `golive:ci`."""
    ci_preview_role_arn: str | None
    """The read-only role previews use: runs of `main` outside any environment (the preview
    before a release's approval) and, where `golive:ci` sets `pullRequestPreviews`, pull requests
    (repository variables `STAGING_PREVIEW_ROLE_ARN`, `PROD_PREVIEW_ROLE_ARN`); null without
    `golive:ci`."""
    alarm_topic_arn: str | None = None
    """The stack's SNS alarm topic (`golive verify` and `golive status` list its firing
    alarms)."""
    database: DatabaseExport | None = None
    """The stack's Postgres instance; null without `golive:database`."""
    external_secrets: dict[str, str] = {}
    """Secret ARN by NAME: the secrets the operator fills with `golive secrets set` (`source:
    external`; a secret with `keys` takes a JSON object)."""
    external_secret_keys: dict[str, list[str]] = {}
    """The JSON keys each keyed external secret holds (`golive secrets set` refuses a value
    without exactly these keys)."""
    backup_before_release: bool = False
    """Take an RDS snapshot before migrations (true when `protect` is on)."""
    url: str | None = None
    """Public URL: `https://<domain.name>`, or `https://dxxxx.cloudfront.net` without a domain
    (null only for a stack with neither a frontend nor a web service)."""
    health_url: str | None = None
    """Public URL (through CloudFront) of the health check of the first web service in the stack
    file, on its first host name when it is routed by host; null without web services.
    `golive verify` expects 200 from it."""
    static_site: StaticSiteExport | None = None
    """The static site; null when `frontend.enabled` is false."""
    cluster_name: str
    """ECS cluster name (`<app>-<stack>`; always present, also without services)."""
    services: dict[str, ServiceExport]
    """One entry per service of the stack file (web services and workers)."""
    tasks: dict[str, TaskExport] = {}
    """One-off tasks (`migrate`, `seed`, `create-admin`, and the built-in `db-init`) that
    `golive run-task` and `golive release` run."""
    release_tasks: list[str] = []
    """The tasks `golive release` runs before every deploy, in this order, after `db-init`
    (the stack file's `tasks.<name>.runOnRelease`); the others run only with `golive
    run-task`."""
    schedules: dict[str, ScheduleExport]
    """Scheduled tasks (EventBridge Scheduler)."""
    alb_arn: str | None = None
    """The shared ALB (internal; null for a stack without web services)."""
    image_parameter_prefix: str
    """`/golive/<app>/<stack>/images/`."""
    release: ReleaseExport = ReleaseExport()
    """What every release checks after deploying (`golive:release`)."""


def exported(model: type[Export], **values: object) -> dict[str, object]:
    """`values` (by field name, plain or Pulumi outputs) under their exported keys, in the
    declared order. Every export is built here, so a key the declaration lacks, or a declared key
    the program forgets, fails `golive plan` and the tests instead of reaching the CLI."""
    fields = model.model_fields
    unknown = sorted(values.keys() - fields.keys())
    missing = sorted(fields.keys() - values.keys())
    if unknown or missing:
        raise TypeError(
            f"{model.__name__}: not declared in stacks/exports.py: {unknown}; missing: {missing}"
        )
    return {info.alias or name: values[name] for name, info in fields.items()}


# ----------------------------------------------------------------------------- the document

TITLE = "# Stack exports: the contract between the Pulumi program and the `golive` operations CLI"

RELEASED_IMAGES = """\
## Released images (one source of truth)

`golive release` writes each service's image (full reference, `REPO@sha256:...` or `REPO:TAG`)
to the String SSM parameter `/golive/<app>/<stack>/images/<service>`, owned by the operations
CLI (never by the Pulumi program). The program reads the whole prefix with
`aws.ssm.get_parameters_by_path`; a service with no parameter has not been released yet and runs
0 tasks (autoscaling minimum 0), and `golive plan` lists it among its warnings. With the
parameter present the service, its one-off tasks and its schedules run that image at the stack
file's counts. The stack file's `image` (or, for an image the project builds,
`<repositoryUrl>:unreleased`) is only the task definition's image before the first release.
Rollback writes the previous image to the parameter and runs `pulumi up` again.

Images the project builds live in each stack's own ECR repository
(`services.<n>.repositoryUrl`): immutable tags, scan on push, the stack's KMS key, and a
lifecycle policy that keeps the last `keepImages` images. CI builds each image once, for every
platform the stacks run (`golive builds`: staging x86 Spot and prod ARM64 make one multi-arch
image), tagged with the commit and pushed to staging's repository. Promotion copies that very
image, digest unchanged, into prod's own repository before prod's release (`golive images
staging VERSION --into prod`): prod's images and rollback targets never depend on staging's
repository, which keeps only its last images and is deleted with staging. With one AWS account
per stack, staging's file lists prod's account in `ci.imageReaders` and prod's names staging's
in `ci.imagesFromAccount`.
"""


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        (kind,) = (_type_name(a) for a in get_args(annotation) if a is not type(None))
        return f"{kind} or null"
    if origin is list:
        return f"list[{_type_name(get_args(annotation)[0])}]"
    if origin is dict:
        return f"map name -> {_type_name(get_args(annotation)[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    name: str = getattr(annotation, "__name__", None) or str(annotation)  # pyright: ignore[reportUnknownArgumentType]
    return name


def _model(annotation: Any) -> type[Export] | None:
    """The model a field holds (directly, in a map or nullable), if any."""
    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, Export):
            return arg
    return None


def rows(model: type[Export] = StackExports, prefix: str = "") -> list[tuple[str, str, str]]:
    """(key, type, meaning) per export and per nested field, in the declared order."""
    out: list[tuple[str, str, str]] = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        description = " ".join((info.description or "").split())
        out.append((key, _type_name(info.annotation), description))
        nested = _model(info.annotation)
        if nested is not None:
            joiner = ".<n>." if get_origin(info.annotation) is dict else "."
            out += rows(nested, f"{key}{joiner}")
    return out


def markdown() -> str:
    """docs/stack-exports.md."""
    intro = " ".join((StackExports.__doc__ or "").split())
    table = ["| key | type | meaning |", "|---|---|---|"]
    table += [f"| `{key}` | {kind} | {meaning} |" for key, kind, meaning in rows()]
    return "\n\n".join([TITLE, intro, "\n".join(table), RELEASED_IMAGES])


if __name__ == "__main__":
    print(markdown(), end="")
