"""`golive builds`: what CI builds, read from the stack files (never from a CI variable).

For each service whose image the project builds (`services.<n>.build`, or the repository root's
Dockerfile by default; none for a service with `image`), the build context, Dockerfile and
target, every platform it runs on in the stacks named (staging X86_64 Spot and prod ARM64 make
one multi-arch image of both), and each stack's ECR repository; and the static site's build
when a stack has one (`frontend.build`). The stack files are validated by the config model and
the paths checked on disk first, so a mistake stops the build with the key to fix instead of
building nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from components import naming
from ops.errors import ExitCode, OpsError
from plan.harness import StackFileError, load_stack_config
from stacks.config import ConfigError, StackConfig, parse

PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}
"""ECS `runtimePlatform.cpuArchitecture` -> the OCI platform an image must hold for it."""


@dataclass
class ImageBuild:
    service: str
    context: str
    dockerfile: str
    target: str | None
    platforms: list[str]
    """Sorted; one build makes a multi-arch image (an index) holding each."""
    repositories: dict[str, str] = field(default_factory=dict[str, str])
    """Stack -> the ECR repository name that stack runs the image from."""


@dataclass
class SiteBuild:
    command: list[str]
    output: str
    stacks: list[str]
    """The stacks that upload this site with each release."""


@dataclass
class Builds:
    images: list[ImageBuild]
    site: SiteBuild | None
    environments: dict[str, str] = field(default_factory=dict[str, str])
    """Stack -> the GitHub environment its deploy jobs run in (`ci.environment`; empty: none).
    The workflows take it from here, so the job's OIDC subject is the one the deploy role
    trusts."""

    def to_json(self) -> dict[str, object]:
        return {
            "images": [asdict(image) for image in self.images],
            "site": asdict(self.site) if self.site else None,
            "environments": self.environments,
        }


def _usage(what: str, next_step: str) -> OpsError:
    return OpsError(what, next_step, exit_code=ExitCode.USAGE)


def stack_config(stack: str, project_dir: Path) -> StackConfig:
    """The validated stack file; a problem is a usage error naming the key."""
    try:
        raw, secret_keys = load_stack_config(stack, project_dir)
        return parse(stack, raw, secret_keys)
    except (ConfigError, StackFileError) as exc:
        raise _usage(
            str(exc), f"fix Pulumi.{stack}.yaml (`golive plan {stack}` checks it)"
        ) from None


def _require_path(project_dir: Path, path: str, key: str, stack: str, *, directory: bool) -> None:
    found = project_dir / path
    if not (found.is_dir() if directory else found.is_file()):
        kind = "directory" if directory else "file"
        raise _usage(
            f"{key} of Pulumi.{stack}.yaml names {path!r}, but the repository has no such {kind}",
            f"fix {key} (paths are relative to the repository root)",
        )


def _image_builds(configs: dict[str, StackConfig], project_dir: Path) -> list[ImageBuild]:
    found: dict[str, ImageBuild] = {}
    for stack, cfg in configs.items():
        for name, service in cfg.services.items():
            build = service.own_build
            if build is None:
                continue
            key = f"services.{name}.build"
            _require_path(project_dir, build.context, f"{key}.context", stack, directory=True)
            _require_path(
                project_dir, build.dockerfile_path, f"{key}.dockerfile", stack, directory=False
            )
            image = found.setdefault(
                name, ImageBuild(name, build.context, build.dockerfile_path, build.target, [])
            )
            if (image.context, image.dockerfile, image.target) != (
                build.context,
                build.dockerfile_path,
                build.target,
            ):
                raise _usage(
                    f"{key} differs between the stacks ({image.context} {image.dockerfile} "
                    f"{image.target} elsewhere): one image is built and promoted to every stack",
                    f"give services.{name}.build the same value in every stack file",
                )
            platform = PLATFORMS[service.architecture.value]
            image.platforms = sorted({*image.platforms, platform})
            image.repositories[stack] = naming.repository(cfg.app, stack, name)
    return list(found.values())


def _site_build(configs: dict[str, StackConfig], project_dir: Path) -> SiteBuild | None:
    site: SiteBuild | None = None
    for stack, cfg in configs.items():
        build = cfg.frontend.build
        if build is None:
            continue
        if site is None:
            site = SiteBuild(list(build.command), build.output, [])
        elif (site.command, site.output) != (list(build.command), build.output):
            raise _usage(
                "frontend.build differs between the stacks: one site is built and released to "
                "every stack",
                "give frontend.build the same value in every stack file",
            )
        site.stacks.append(stack)
    return site


def builds(stacks: list[str], project_dir: Path) -> Builds:
    """What to build for `stacks` (the ones one build is released to)."""
    if not stacks:
        raise _usage("name at least one stack", "e.g. `golive builds staging prod`")
    configs = {stack: stack_config(stack, project_dir) for stack in dict.fromkeys(stacks)}
    return Builds(
        _image_builds(configs, project_dir),
        _site_build(configs, project_dir),
        {stack: cfg.ci.environment for stack, cfg in configs.items()},
    )
