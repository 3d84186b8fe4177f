# pyright: basic
# (Strict checking stops here: the answers are built from the Pulumi SDK's untyped mock inputs.)
"""What every tier's answers are made of: the resource being answered and the tables of answers.

Each tier module (`network`, `account`, `storage`, `data`, `compute`, `edge`, `monitoring`)
fills one `Answers` table; `plan.mocks.AwsMocks` serves the union. Every computed value is
derived from a digest of the resource's type and logical name, so two runs of the same stack
agree and `--against` compares like with like.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plan.mocks import AwsMocks

ACCOUNT_ID = "123456789012"


def digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def stable_uuid(*parts: str) -> str:
    return str(uuid.UUID(digest(*parts)[:32]))


class MockLookupError(Exception):
    """A data source found nothing, as AWS would answer."""

    def __init__(self, message: str, property: str = "") -> None:
        super().__init__(message)
        self.property = property


@dataclass
class Ctx:
    """The resource a builder answers for: its type, logical name and inputs."""

    mocks: AwsMocks
    typ: str
    logical: str
    inputs: dict[str, Any]

    @property
    def region(self) -> str:
        region = self.inputs.get("region")
        return region if isinstance(region, str) and region else self.mocks.region

    @property
    def account(self) -> str:
        return self.mocks.account

    def hex(self, n: int) -> str:
        return digest(self.typ, self.logical)[:n]

    def physical_name(self, key: str = "name", *, lowercase_autoname: bool = False) -> str:
        """The name AWS will see: the explicit name, a prefix plus the provider's 26-character
        unique suffix, or Pulumi's auto-name `<logical>-<7 hex>` (lowercased where the provider
        lowercases it: S3 buckets). Never shortened: the input rules judge the name as it is."""
        explicit = self.inputs.get(key)
        if isinstance(explicit, str) and explicit:
            return explicit
        prefix = self.inputs.get(f"{key}Prefix")
        if isinstance(prefix, str) and prefix:
            return prefix + digest(self.typ, self.logical)[:26]
        name = f"{self.logical}-{self.hex(7)}"
        return name.lower() if lowercase_autoname else name

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"


Builder = Callable[[Ctx], tuple[str, dict[str, Any]]]
"""A resource type's answer: its provider id and the outputs AWS computes."""
Invoke = Callable[["AwsMocks", dict[str, Any]], dict[str, Any]]
"""A data source's answer to the invoke's arguments."""


@dataclass
class Answers:
    """One tier's answers: builders by resource type, handlers by invoke token."""

    builders: dict[str, Builder] = field(default_factory=dict[str, Builder])
    invokes: dict[str, Invoke] = field(default_factory=dict[str, Invoke])

    def builder(self, *types: str) -> Callable[[Builder], Builder]:
        def register(fn: Builder) -> Builder:
            for t in types:
                self.builders[t] = fn
            return fn

        return register

    def invoke(self, token: str) -> Callable[[Invoke], Invoke]:
        def register(fn: Invoke) -> Invoke:
            self.invokes[token] = fn
            return fn

        return register
