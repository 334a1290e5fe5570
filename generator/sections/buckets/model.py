"""An S3 bucket."""

from pydantic import Field

from ...model.base import Strict
from ...model.bucket_names import BucketName


class Bucket(Strict):
    """A private S3 bucket: public access blocked, encrypted, TLS only, retained on
    deletion."""

    name: BucketName | None = None
    """A fixed bucket name; default: one CloudFormation makes unique."""

    versioning: bool = True
    """Keep earlier versions of objects."""

    noncurrent_version_expiry_days: int | None = Field(default=90, ge=1, le=3650)
    """Delete earlier versions after this many days (none: keep them)."""

    access_logs: bool = True
    """Record every request to the bucket in the stack's access-log bucket."""
