"""Lambda functions, each with its own log group and a role holding what it may do."""

from __future__ import annotations

from troposphere import awslambda

from ... import naming
from ...model.permissions import Permission, QueuePermission
from ...render import grants
from ...render.context import Context
from ...render.lambdas import Spec, lambda_function
from .model import Function, ImageCode, InlineCode, S3Code


def _code(ctx: Context, fn: Function) -> awslambda.Code:
    if isinstance(fn.code, S3Code):
        return awslambda.Code(S3Bucket=fn.code.s3_bucket, S3Key=fn.code.s3_key)
    if isinstance(fn.code, ImageCode):
        return awslambda.Code(ImageUri=fn.code.image)
    assert isinstance(fn.code, InlineCode)
    return awslambda.Code(ZipFile=ctx.includes[fn.code.inline_file])


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.functions):
        fn = ctx.bp.functions[name]
        env = ctx.environment(fn.environment)
        permissions: list[Permission] = list(fn.permissions)
        if fn.queue is not None:  # the subscription (queues/render.py) polls as this role
            permissions.append(QueuePermission(queue=fn.queue.name, access="consume"))
        spec = Spec(
            name=name,
            code=_code(ctx, fn),
            image=isinstance(fn.code, ImageCode),
            runtime=fn.runtime,
            handler=fn.handler,
            memory_mb=fn.memory_mb,
            timeout_seconds=fn.timeout_seconds,
            architecture=fn.architecture,
            environment=env,
            statements=grants.all_statements(ctx, permissions),
            log_retention_days=fn.log_retention_days,
            reserved_concurrency=fn.reserved_concurrency,
        )
        resource = lambda_function(
            ctx,
            naming.function(name),
            naming.function_role(name),
            naming.function_log_group(name),
            spec,
            ("functions", name),
        )
        ctx.functions[name] = resource
