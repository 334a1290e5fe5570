"""Queues' rules: names within SQS's length, FIFO-only settings on FIFO queues, and the
functions that consume a queue within what Lambda's event source mappings accept."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.checker import Checker, rule
from .model import (
    FIFO_BATCH_LIMIT,
    NAME_LIMIT,
    UNWINDOWED_BATCH_LIMIT,
    QueueSubscription,
    dead_letter_name,
)


@rule(Code.QUEUE_NAME_TOO_LONG, Code.QUEUE_FIFO_ONLY)
def queues(c: Checker) -> None:
    for name, queue in c.bp.queues.items():
        base: Path = ("queues", name)
        # The dead-letter queue's is the longest name the entry makes (render.py).
        longest = dead_letter_name(c.bp.name, name, queue.fifo)
        if len(longest) > NAME_LIMIT:
            parts = "the entry's, '-dlq' and '.fifo'" if queue.fifo else "the entry's and '-dlq'"
            c.error(
                base,
                f"the dead-letter queue's name '{longest}' (the blueprint's name, '-', {parts}) "
                f"is {len(longest)} characters; SQS takes at most {NAME_LIMIT}: shorten either",
                Code.QUEUE_NAME_TOO_LONG,
                at_key=True,
            )
        if queue.content_based_deduplication and not queue.fifo:
            c.error(
                (*base, "content_based_deduplication"),
                "content-based deduplication is for FIFO queues only: add 'fifo: true' or "
                "remove it",
                Code.QUEUE_FIFO_ONLY,
            )


def _subscription(c: Checker, path: Path, sub: QueueSubscription, timeout: int) -> None:
    """One function's subscription to a queue that exists. Lambda's rules:
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html and, for the
    visibility timeout ("Lambda validates this requirement when you create or update an
    event source mapping"),
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"""
    queue = c.bp.queues[sub.name]
    where = f"queues.{sub.name}"
    if queue.fifo and sub.batch_size > FIFO_BATCH_LIMIT:
        c.error(
            (*path, "batch_size"),
            f"{sub.batch_size} messages a batch; Lambda takes at most {FIFO_BATCH_LIMIT} from "
            f"a FIFO queue ({where} is FIFO)",
            Code.QUEUE_BATCH_SIZE,
        )
    windowed = sub.max_batching_window_seconds > 0
    if queue.fifo and windowed:
        c.error(
            (*path, "max_batching_window_seconds"),
            f"Lambda takes no batching window from a FIFO queue ({where} is FIFO): remove it",
            Code.QUEUE_BATCHING_WINDOW,
        )
    if not queue.fifo and not windowed and sub.batch_size > UNWINDOWED_BATCH_LIMIT:
        c.error(
            (*path, "batch_size"),
            f"a batch of more than {UNWINDOWED_BATCH_LIMIT} messages needs a batching window: "
            "set max_batching_window_seconds (1 to 300)",
            Code.QUEUE_BATCHING_WINDOW,
        )
    if queue.visibility_timeout_seconds < timeout:
        c.error(
            (*path, "name"),
            f"{where}.visibility_timeout_seconds ({queue.visibility_timeout_seconds}) is below "
            f"the function's timeout_seconds ({timeout}): Lambda refuses the subscription; "
            f"raise the queue's visibility timeout (AWS advises six times the function's "
            f"timeout, {6 * timeout})",
            Code.QUEUE_VISIBILITY_TIMEOUT,
        )


@rule(
    Code.QUEUE_UNKNOWN,
    Code.QUEUE_BATCH_SIZE,
    Code.QUEUE_BATCHING_WINDOW,
    Code.QUEUE_VISIBILITY_TIMEOUT,
)
def subscriptions(c: Checker) -> None:
    for name, fn in c.bp.functions.items():
        if fn.queue is None:
            continue
        path: Path = ("functions", name, "queue")
        if c.ref((*path, "name"), "queue", fn.queue.name, c.bp.queues, Code.QUEUE_UNKNOWN):
            _subscription(c, path, fn.queue, fn.timeout_seconds)


RULES = (queues, subscriptions)
