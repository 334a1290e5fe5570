"""S3 bucket names, as S3 takes them (a bucket of this blueprint, a bucket a permission
or a function's code names)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from ..codes import Code
from ..errors import shown
from .types import refuse

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html: each
# '.'-separated label starts and ends with a letter or digit; some affixes are reserved.
_S3_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_BUCKET = re.compile(rf"(?=.{{3,63}}$){_S3_LABEL}(?:\.{_S3_LABEL})*")
_RESERVED_PREFIXES, _RESERVED_SUFFIXES = (
    ("xn--", "sthree-", "amzn-s3-demo-"),
    ("-s3alias", "--ol-s3", "--x-s3", ".mrap"),
)


def _bucket_name(value: str) -> str:
    if not _BUCKET.fullmatch(value):
        raise refuse(
            Code.BUCKET_NAME_INVALID,
            f"{shown(value)} is not an S3 bucket name: 3-63 lower-case letters, digits, "
            "'.' and '-'"
            + ("; '-' may not stand next to '.'" if re.search(r"-\.|\.-", value) else ""),
        )
    # "Bucket names must not be formatted as an IP address (for example, 192.168.5.4)"
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value):
        raise refuse(
            Code.BUCKET_NAME_INVALID,
            f"'{value}' is formatted as an IP address, which S3 refuses as a bucket name",
        )
    reserved = [a for a in _RESERVED_PREFIXES if value.startswith(a)]
    reserved += [a for a in _RESERVED_SUFFIXES if value.endswith(a)]
    if reserved:
        raise refuse(
            Code.BUCKET_NAME_INVALID,
            f"{shown(value)} is not an S3 bucket name: S3 reserves '{reserved[0]}' for its own "
            "names",
        )
    return value


BucketName = Annotated[str, AfterValidator(_bucket_name)]
