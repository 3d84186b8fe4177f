"""A small evaluator of IAM's policy logic, to ask the plan's documents "is this call allowed?".

Why not a library: AWS's own simulator (`iam:SimulateCustomPolicy`) is an API call, unreachable
offline; the PyPI packages that analyse policies (cloudsplaining, parliament) judge a document's
shape, not one request against an identity policy, a permissions boundary and conditions together.
This implements the documented evaluation logic for one account (IAM User Guide, "Policy
evaluation logic"): an explicit Deny anywhere wins; otherwise the identity policies must Allow,
and so must the permissions boundary when the role has one. Conditions: the String*, Arn*, Bool
and Null operators, `...IfExists`, and the `ForAnyValue:`/`ForAllValues:` set prefixes, with
IAM's rule for a key missing from the request (negated operators and `IfExists` hold, the others
do not; `ForAllValues` holds, `ForAnyValue` does not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Document = Mapping[str, Any]
Context = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class Call:
    """One authorization: an action on one resource, with the request's condition keys."""

    action: str
    resource: str
    context: Context = field(default_factory=dict)


def _pattern(glob: str, *, ignore_case: bool) -> re.Pattern[str]:
    text = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{text}$", re.IGNORECASE if ignore_case else 0)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(globs: Any, value: str, *, ignore_case: bool) -> bool:
    return any(_pattern(g, ignore_case=ignore_case).match(value) for g in _listed(globs))


def _one(base: str, request: str, wanted: list[str]) -> bool:
    """Whether one request value satisfies a (non-negated form of the) operator."""
    if base in ("StringEquals", "ArnEquals"):
        return request in wanted
    if base in ("StringEqualsIgnoreCase",):
        return request.lower() in {w.lower() for w in wanted}
    if base in ("StringLike", "ArnLike"):
        return _matches(wanted, request, ignore_case=False)
    if base == "Bool":
        return request.lower() in {w.lower() for w in wanted}
    raise NotImplementedError(base)


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition_holds(operator: str, key: str, wanted: Any, context: Context) -> bool:
    present = key in context
    wanted_values = [str(w) for w in _listed(wanted)]
    if operator == "Null":
        return (not present) == (wanted_values[0].lower() == "true")
    prefix, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    negated = base in _NEGATED
    positive = _NEGATED.get(base, base)
    if not present:
        if prefix == "ForAllValues":
            return True
        if prefix == "ForAnyValue":
            return False
        return if_exists or negated
    values = [str(v) for v in _listed(context[key])]
    results = [_one(positive, v, wanted_values) != negated for v in values]
    if prefix == "ForAllValues":
        return all(results)
    return any(results)


def _statement_applies(statement: Mapping[str, Any], call: Call) -> bool:
    if "Action" in statement:
        if not _matches(statement["Action"], call.action, ignore_case=True):
            return False
    elif _matches(statement["NotAction"], call.action, ignore_case=True):
        return False
    if "Resource" in statement:
        if not _matches(statement["Resource"], call.resource, ignore_case=False):
            return False
    elif _matches(statement["NotResource"], call.resource, ignore_case=False):
        return False
    for operator, clause in statement.get("Condition", {}).items():
        for key, wanted in clause.items():
            if not _condition_holds(operator, key, wanted, call.context):
                return False
    return True


def _effects(documents: Iterable[Document], call: Call) -> set[str]:
    return {
        statement["Effect"]
        for document in documents
        for statement in _listed(document["Statement"])
        if _statement_applies(statement, call)
    }


def allowed(call: Call, identity: Sequence[Document], boundary: Document | None = None) -> bool:
    """IAM's answer for a principal with these identity policies (and boundary)."""
    everything = [*identity, *([boundary] if boundary is not None else [])]
    if "Deny" in _effects(everything, call):
        return False
    if "Allow" not in _effects(identity, call):
        return False
    return boundary is None or "Allow" in _effects([boundary], call)


def trusted(trust: Document, claims: Context) -> bool:
    """Whether a web-identity token with these claims may assume a role with this trust."""
    call = Call("sts:AssumeRoleWithWebIdentity", "*", claims)
    relevant = [{**s, "Resource": "*"} for s in _listed(trust["Statement"]) if "Principal" in s]
    return allowed(call, [{"Statement": relevant}])
