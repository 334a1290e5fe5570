"""One Lambda function with its role, log group and dead-letter queue, whether the user's
(functions section) or blueprint's own (the services' DNS updater)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import GetAtt, Ref, awslambda, sqs

from .. import naming
from ..errors import Path
from . import iam, logs, scanner
from .context import Context


@dataclass(frozen=True)
class Spec:
    """What :func:`lambda_function` needs, whether the function is the user's or ours."""

    name: str
    code: awslambda.Code
    image: bool
    runtime: str | None
    handler: str | None
    memory_mb: int
    timeout_seconds: int
    architecture: str
    environment: dict[str, Any]
    statements: list[dict[str, Any]]
    log_retention_days: int
    reserved_concurrency: int | None = None
    #: the scanner skip written when no concurrency is reserved
    concurrency_skip: str = "function-concurrency"


def lambda_function(
    ctx: Context, logical_id: str, role_id: str, log_id: str, spec: Spec, origin: Path
) -> awslambda.Function:
    function_name = f"{ctx.bp.name}-{spec.name}"
    log_group = logs.log_group(ctx, log_id, spec.log_retention_days, origin)
    # Asynchronous invocations (EventBridge rules, retries) that fail for good land here
    # rather than vanish; an idle queue costs nothing.
    queue = sqs.Queue(
        naming.dead_letter_queue(logical_id),
        MessageRetentionPeriod=14 * 24 * 3600,
        SqsManagedSseEnabled=True,
        # Failed events are for debugging the function; they go with it, by choice.
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
    )
    scanner.skip(queue, "queue-sse-sqs")
    dead_letters = ctx.add(queue, origin)
    statements = [
        iam.statement(["logs:CreateLogStream", "logs:PutLogEvents"], [GetAtt(log_group, "Arn")]),
        iam.statement(["sqs:SendMessage"], [GetAtt(dead_letters, "Arn")]),
        *spec.statements,
    ]
    role = iam.role(ctx, role_id, "lambda.amazonaws.com", statements, origin)
    fn = awslambda.Function(
        logical_id,
        FunctionName=function_name,
        Role=GetAtt(role, "Arn"),
        Code=spec.code,
        MemorySize=spec.memory_mb,
        Timeout=spec.timeout_seconds,
        Architectures=[spec.architecture],
        LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(log_group)),
        DeadLetterConfig=awslambda.DeadLetterConfig(TargetArn=GetAtt(dead_letters, "Arn")),
    )
    if spec.reserved_concurrency is not None:
        fn.ReservedConcurrentExecutions = spec.reserved_concurrency
    else:
        scanner.skip(fn, spec.concurrency_skip)
    scanner.skip(fn, "function-vpc")
    if spec.image:
        fn.PackageType = "Image"
    else:
        fn.Runtime = spec.runtime
        fn.Handler = spec.handler
    if spec.environment:
        fn.Environment = awslambda.Environment(Variables=dict(sorted(spec.environment.items())))
        scanner.skip(fn, "function-environment")
    return ctx.add(fn, origin)
