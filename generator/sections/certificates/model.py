"""An ACM certificate."""

from typing import Annotated, Any

from pydantic import AfterValidator, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from ...codes import Code
from ...errors import shown
from ...model.aws_ids import CertificateArn
from ...model.base import Strict
from ...model.types import CertificateDomain, Name

#: ACM's limits: the first name becomes the certificate's subject, at most 64 characters;
#: 10 names per certificate is the default quota, which can be raised
#: (https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html).
SUBJECT_LIMIT = 64
NAMES_QUOTA = 10


def _subject(value: str) -> str:
    if len(value) > SUBJECT_LIMIT:
        raise PydanticCustomError(
            Code.DOMAIN_INVALID,
            "{value} is {n} characters; a certificate's main name takes at most {limit}: "
            "make a shorter name the 'domain' and list this one in 'alternative_names'",
            {"value": shown(value), "n": len(value), "limit": SUBJECT_LIMIT},
        )
    return value


class Certificate(Strict):
    """An ACM certificate validated through DNS records in one of the blueprint's zones."""

    domain: Annotated[CertificateDomain, AfterValidator(_subject)]
    """The certificate's main name; ``*.example.com`` for a wildcard."""

    alternative_names: list[CertificateDomain] = Field(default=[])
    """Further names the certificate covers."""

    zone: Name | None = None
    """The zone that validates it; default: the zone whose domain contains ``domain``."""


class ExistingCertificate(Strict):
    """A certificate issued outside the blueprint, by its ARN: nothing is made or validated.
    Blueprint cannot read which names it covers, so it checks none of them."""

    existing_arn: CertificateArn
    """The certificate's ARN: in the stack's region for load balancers and WebSocket APIs,
    in us-east-1 for CloudFront distributions."""


def _kind(value: Any) -> str:
    return (
        "ExistingCertificate"
        if isinstance(value, dict) and "existing_arn" in value
        else "Certificate"
    )


AnyCertificate = Annotated[
    Annotated[Certificate, Tag("Certificate")]
    | Annotated[ExistingCertificate, Tag("ExistingCertificate")],
    Discriminator(_kind),
]
"""A certificate blueprint makes, or an existing one by ``existing_arn``."""
