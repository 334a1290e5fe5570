"""SQS queues, each with its dead-letter queue and a TLS-only queue policy; and the event
source mappings through which functions consume them.

Queues are deleted with the stack (no Retain): their names are fixed, so a retained queue
would stand in the way of the stack created again, and what they hold is in transit, kept
for 14 days at most. ``blueprint diff`` still flags a queue's replacement or removal as a
data-loss risk: the messages in it are lost.
"""

from __future__ import annotations

from typing import Any

from troposphere import AWSObject, GetAtt, Output, Ref, awslambda, sqs

from ... import naming
from ...render import scanner
from ...render.context import Context
from ...render.stateful import protect
from .model import DEAD_LETTER_RETENTION_SECONDS, Queue, dead_letter_name, queue_name

#: Said outright, as for functions' dead-letter queues: see the module's docstring.
_DELETE = {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.queues):
        _queue(ctx, name, ctx.bp.queues[name])


def _deny_insecure_transport(queues: list[AWSObject]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "sqs:*",
                "Resource": [GetAtt(q, "Arn") for q in queues],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def _queue(ctx: Context, name: str, spec: Queue) -> None:
    origin = ("queues", name)
    fifo: dict[str, Any] = {"FifoQueue": True} if spec.fifo else {}
    dead = sqs.Queue(
        naming.queue_dead_letters(name),
        QueueName=dead_letter_name(ctx.bp.name, name, spec.fifo),
        MessageRetentionPeriod=DEAD_LETTER_RETENTION_SECONDS,
        SqsManagedSseEnabled=True,
        **fifo,
    )
    scanner.skip(dead, "queue-sse-sqs")
    dead = ctx.add(protect(dead, _DELETE), origin)
    queue = sqs.Queue(
        naming.queue(name),
        QueueName=queue_name(ctx.bp.name, name, spec.fifo),
        MessageRetentionPeriod=spec.retention_seconds,
        VisibilityTimeout=spec.visibility_timeout_seconds,
        DelaySeconds=spec.delay_seconds,
        SqsManagedSseEnabled=True,
        RedrivePolicy=sqs.RedrivePolicy(
            deadLetterTargetArn=GetAtt(dead, "Arn"), maxReceiveCount=spec.max_receive_count
        ),
        **fifo,
    )
    if spec.content_based_deduplication:
        queue.ContentBasedDeduplication = True
    scanner.skip(queue, "queue-sse-sqs")
    queue = ctx.add(protect(queue, _DELETE), origin)
    ctx.add(
        sqs.QueuePolicy(
            naming.queue_policy(name),
            Queues=[Ref(queue), Ref(dead)],
            PolicyDocument=_deny_insecure_transport([queue, dead]),
        ),
        origin,
    )
    for parts, resource, what in (
        ((name, "queue", "url"), queue, f"URL of queue {name}"),
        ((name, "dead-letter-queue", "url"), dead, f"URL of the dead-letter queue of {name}"),
    ):
        ctx.output(Output(naming.output(*parts), Description=what, Value=Ref(resource)), origin)
    ctx.queues[name] = queue
    ctx.publish(
        "queues",
        name,
        {"url": Ref(queue), "arn": GetAtt(queue, "Arn"), "name": GetAtt(queue, "QueueName")},
    )


def render_subscriptions(ctx: Context) -> None:
    """Each function's subscription to its queue: Lambda polls the queue and calls the
    function with a batch, and receives again only the items the function reports failed
    (``ReportBatchItemFailures``). The function's role may consume the queue
    (functions/render.py), and the mapping waits for the function, hence for its role."""
    for name in sorted(ctx.bp.functions):
        sub = ctx.bp.functions[name].queue
        if sub is None:
            continue
        mapping = awslambda.EventSourceMapping(
            naming.queue_subscription(name),
            EventSourceArn=GetAtt(ctx.queues[sub.name], "Arn"),
            FunctionName=Ref(ctx.functions[name]),
            BatchSize=sub.batch_size,
            FunctionResponseTypes=["ReportBatchItemFailures"],
            Enabled=True,
        )
        if sub.max_batching_window_seconds:
            mapping.MaximumBatchingWindowInSeconds = sub.max_batching_window_seconds
        ctx.add(mapping, ("functions", name, "queue"))
