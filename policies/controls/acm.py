"""ACM controls: the certificates' keys, validation and replacement."""

from __future__ import annotations

from policies import aws
from policies.checks import equals, require
from policies.model import Controls, Options, Props, Severity, Violation, fail, unknown
from policies.values import UNKNOWN, get, unwrap

controls = Controls("ACM")


STRONG_KEY_ALGORITHMS = frozenset(
    {"RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}
)


@controls.resource_rule(
    id="ACM.2",
    title="Strong, auto-renewing certificate",
    severity=Severity.HIGH,
    source="FSBP, CKV_AWS_233",
    covers=("CKV_AWS_233",),
    applies_to=(aws.CERTIFICATE,),
    exception_allowed=False,
    description="RSA >= 2048 or ECDSA, DNS validation, no delete-before-replace.",
    why=(
        "Strong keys, and DNS validation so the certificate renews without anyone acting; creating "
        "the replacement first keeps the listener serving."
    ),
)
def certificate_strength(resource_type: str, props: Props, options: Options) -> list[Violation]:
    """ACM.2: RSA >=2048 or ECDSA keys; DNS-validated (auto-renewing); create-before-destroy."""
    algorithm = unwrap(get(props, "keyAlgorithm"))
    found: list[Violation] = []
    if algorithm is UNKNOWN:
        found.append(unknown("cannot check yet: keyAlgorithm not known"))
    elif algorithm is not None and algorithm not in STRONG_KEY_ALGORITHMS:
        found.append(fail(f"keyAlgorithm {algorithm!r} is weaker than RSA 2048"))
    if get(props, "privateKey") is None:
        found += require(
            equals(get(props, "validationMethod"), "DNS"),
            "validationMethod is not DNS (renewal needs a human)",
        )
    if options.get("deleteBeforeReplace") is True:
        found.append(fail("deleteBeforeReplace: the listener would lose its certificate"))
    return found
