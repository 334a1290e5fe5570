"""Lambda functions."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from ...codes import Code as ProblemCode
from ...model.base import Strict
from ...model.bucket_names import BucketName
from ...model.permissions import EnvValue, Permission, by_key
from ...model.types import EnvName, Image, LogRetentionDays, compiled, refuse
from ..queues.model import QueueSubscription

Runtime = Literal[
    "python3.13",
    "python3.12",
    "python3.11",
    "nodejs22.x",
    "nodejs20.x",
    "java21",
    "java17",
    "ruby3.3",
    "dotnet8",
    "provided.al2023",
]


#: Lambda's limits on a function's name and on its environment variables, all names and
#: values together (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
NAME_LIMIT = 64
ENVIRONMENT_LIMIT = 4096

#: CloudFormation places inline code in index.py / index.js; larger code goes through S3.
INLINE_LIMIT = 4096

#: The keys Lambda sets itself, which a function's configuration cannot set ("Reserved
#: environment variables"):
#: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
#: (cfn-lint ships the same list; a test compares them).
LAMBDA_RESERVED = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

#: "Key Pattern: [a-zA-Z]([a-zA-Z0-9_])+":
#: https://docs.aws.amazon.com/lambda/latest/dg/API_Environment.html
_LAMBDA_ENV = r"[a-zA-Z][a-zA-Z0-9_]+"


def _lambda_env_name(value: str) -> str:
    if value in LAMBDA_RESERVED:
        raise refuse(
            ProblemCode.ENV_NAME_RESERVED,
            f"'{value}' is set by Lambda itself and cannot be set in a function's environment; "
            "use another name",
        )
    if not compiled(_LAMBDA_ENV).fullmatch(value):
        raise refuse(
            ProblemCode.ENV_NAME_INVALID,
            f"'{value}' is not a Lambda environment variable name: a letter, then at least "
            "one letter, digit or '_'",
        )
    return value


LambdaEnvName = Annotated[EnvName, AfterValidator(_lambda_env_name)]


def _environment_fits(environment: dict[str, EnvValue]) -> dict[str, EnvValue]:
    # A reference's value is only known at deploy time; its name still counts.
    size = sum(
        len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
        for key, value in environment.items()
    )
    if size > ENVIRONMENT_LIMIT:
        raise PydanticCustomError(
            ProblemCode.ENVIRONMENT_TOO_LARGE,
            "the variables' names and values take {size} bytes; Lambda takes at most "
            "{limit} in all (keep large values in S3 or SSM and read them at start-up)",
            {"size": f"{size:,}", "limit": f"{ENVIRONMENT_LIMIT:,}"},
        )
    return environment


class S3Code(Strict):
    """A deployment package already uploaded to S3."""

    s3_bucket: BucketName
    """The bucket holding the package."""

    s3_key: str = Field(min_length=1, max_length=1024)
    """The package's key."""


class ImageCode(Strict):
    """A container image in ECR."""

    image: Image
    """The image URI."""


class InlineCode(Strict):
    """A single source file read at build time and placed in the template (4 KB at most;
    the handler's module is then ``index``)."""

    inline_file: str = Field(min_length=1)
    """The file, relative to the blueprint."""


Code = Annotated[
    Annotated[S3Code, Tag("S3Code")]
    | Annotated[ImageCode, Tag("ImageCode")]
    | Annotated[InlineCode, Tag("InlineCode")],
    Discriminator(
        by_key(s3_bucket="S3Code", image="ImageCode", inline_file="InlineCode"),
        custom_error_type=ProblemCode.CODE_SHAPE.value,
        custom_error_message="code is a mapping with 's3_bucket' and 's3_key', 'image', or "
        "'inline_file'",
    ),
]


class Function(Strict):
    """A Lambda function with its own log group and a role holding its named
    permissions."""

    code: Code
    """Where the code comes from."""

    runtime: Runtime | None = None
    """The runtime (not used with an image)."""

    handler: str | None = Field(default=None, min_length=1, max_length=128)
    """The entry point, e.g. ``app.handler`` (not used with an image)."""

    memory_mb: int = Field(default=256, ge=128, le=10240)
    """Memory, which also sets the CPU share."""

    timeout_seconds: int = Field(default=10, ge=1, le=900)
    """Longest run."""

    architecture: Literal["x86_64", "arm64"] = "arm64"
    """Instruction set."""

    environment: Annotated[dict[LambdaEnvName, EnvValue], AfterValidator(_environment_fits)] = (
        Field(default={})
    )
    """Environment variables, plain or ``{ref: SECTION.NAME.ATTRIBUTE}``."""

    permissions: list[Permission] = Field(default=[])
    """What the function may do, by name."""

    log_retention_days: LogRetentionDays = 30
    """How long its logs are kept."""

    queue: QueueSubscription | None = None
    """A queue under ``queues:`` the function consumes, in batches; its role may then
    receive and delete that queue's messages."""

    reserved_concurrency: int | None = Field(default=None, ge=1, le=10000)
    """Concurrent executions reserved for this function (and its ceiling); default: none
    reserved, since reserving takes from the account's shared pool."""
