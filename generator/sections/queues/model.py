"""An SQS queue, and a Lambda function's subscription to one.

The limits are SQS's and Lambda's own; a value past them would be refused at deploy time.
Queue attributes (``MessageRetentionPeriod`` 60 to 1,209,600 seconds, ``VisibilityTimeout``
0 to 43,200, ``DelaySeconds`` 0 to 900, ``maxReceiveCount`` 1 to 1,000):
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
Event source mappings (a batch of 1 to 10,000 messages; a batching window of 0 to 300
seconds): https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
"""

from pydantic import Field

from ...model.base import Strict
from ...model.types import Name

#: An SQS queue name is at most 80 characters, the ``.fifo`` suffix included
#: (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
NAME_LIMIT = 80
FIFO_SUFFIX = ".fifo"
DEAD_LETTER_SUFFIX = "-dlq"

#: A FIFO queue hands Lambda at most 10 messages a batch, and takes no batching window
#: (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html).
FIFO_BATCH_LIMIT = 10
#: Above 10 messages a batch, a standard queue's mapping needs a batching window of at least
#: one second (``BatchSize`` in API_CreateEventSourceMapping).
UNWINDOWED_BATCH_LIMIT = 10

#: What the dead-letter queue keeps, and for how long: SQS's longest retention, so that a
#: failed message outlives the one that failed in any source queue.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


class Queue(Strict):
    """An SQS queue, encrypted at rest (SSE-SQS) and reachable only over TLS, with a
    dead-letter queue of its own that keeps what failed ``max_receive_count`` times for 14
    days."""

    fifo: bool = False
    """First-in-first-out, exactly-once delivery; the queue's name then ends in ``.fifo``
    (and so does its dead-letter queue's)."""

    content_based_deduplication: bool = False
    """FIFO only: a message whose body was sent in the last 5 minutes is dropped, without
    the sender giving a deduplication ID."""

    retention_seconds: int = Field(default=345600, ge=60, le=1209600)
    """How long an unreceived message is kept: 60 seconds to 14 days (1,209,600); SQS's
    default, 4 days."""

    visibility_timeout_seconds: int = Field(default=30, ge=0, le=43200)
    """How long a received message stays hidden from other consumers: 0 to 12 hours
    (43,200). A function consuming the queue needs at least its own timeout; AWS advises
    six times it."""

    delay_seconds: int = Field(default=0, ge=0, le=900)
    """How long a new message stays hidden before its first delivery: 0 to 15 minutes."""

    max_receive_count: int = Field(default=5, ge=1, le=1000)
    """Receives of a message before it moves to the dead-letter queue: 1 to 1,000."""


class QueueSubscription(Strict):
    """The queue a function consumes: Lambda polls it and hands the function batches of
    messages; a function that reports failed items in ``batchItemFailures`` has only those
    received again."""

    name: Name
    """The queue's entry name under ``queues:``."""

    batch_size: int = Field(default=10, ge=1, le=10000)
    """Most messages a batch: 1 to 10 for a FIFO queue, up to 10,000 for a standard queue
    (above 10 with a batching window)."""

    max_batching_window_seconds: int = Field(default=0, ge=0, le=300)
    """Longest wait to fill a batch, 0 to 300 seconds; standard queues only."""


def queue_name(stack: str, entry: str, fifo: bool) -> str:
    """The queue's name: the blueprint's name, '-', the entry's name (and ``.fifo``)."""
    return f"{stack}-{entry}" + (FIFO_SUFFIX if fifo else "")


def dead_letter_name(stack: str, entry: str, fifo: bool) -> str:
    """The name of the entry's dead-letter queue: ``<queue>-dlq`` (and ``.fifo``)."""
    return f"{stack}-{entry}{DEAD_LETTER_SUFFIX}" + (FIFO_SUFFIX if fifo else "")
