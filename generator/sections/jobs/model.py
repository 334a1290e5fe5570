"""Jobs: ECS tasks that run to completion, on a schedule or once after each deploy."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ...codes import Code
from ...errors import shown
from ...model.containers import TaskSpec
from ...model.types import compiled, refuse
from ..schedules.model import ScheduleExpression, Timezone

# What SNS takes as an email endpoint, loosely: one @, no spaces, a dot in the domain.
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"


def _email(value: str) -> str:
    if not compiled(_EMAIL).fullmatch(value) or len(value) > 254:
        raise refuse(Code.EMAIL_INVALID, f"{shown(value)} is not an email address")
    return value


EmailAddress = Annotated[str, AfterValidator(_email)]
"""An email address, e.g. ``ops@example.com``."""


class Job(TaskSpec):
    """A container task that runs to completion: on a ``schedule`` (EventBridge Scheduler
    runs the task directly, ``ecs:runTask``, retrying a launch that fails and keeping what
    still failed in a dead-letter queue), or once after each deploy (``run:
    after_deploy``: deploy.sh runs it, waits for it and stops with its exit code). A run
    that ends with a non-zero exit code is published to the job's SNS topic."""

    schedule: ScheduleExpression | None = None
    """When the job runs: ``cron(0 3 * * ? *)``, ``rate(6 hours)`` or
    ``at(2026-12-31T23:00:00)``; read in ``timezone``."""

    timezone: Timezone = "UTC"
    """The IANA time zone the schedule is read in, e.g. ``Asia/Tokyo``."""

    run: Literal["after_deploy"] | None = None
    """``after_deploy``: deploy.sh runs the job once after every stack is deployed (a
    database migration) and stops the deploy with the job's exit code if it fails."""

    enabled: bool = True
    """Disable the schedule without deleting it."""

    retries: int = Field(default=3, ge=0, le=185)
    """How many times Scheduler retries a launch that fails (no capacity, throttling);
    a launch still failing then goes to the job's dead-letter queue. A run that starts and
    exits non-zero is not retried: it is reported."""

    retry_window_minutes: int = Field(default=60, ge=1, le=1440)
    """How long after its time a launch may still be retried."""

    timeout_minutes: int | None = Field(default=None, ge=1, le=525000)
    """Stop a run still going after this many minutes, however it was started; it then
    counts as failed. Default: no timeout."""

    notify: list[EmailAddress] = Field(default=[], max_length=20)
    """Email addresses subscribed to the job's failure topic (each confirms by mail). The
    topic's ARN is a stack output for any other subscriber."""

    estimated_minutes: float | None = Field(default=None, gt=0, le=10080)
    """How long one run takes, for ``blueprint cost`` (runs per month come from the
    schedule); without it the estimate prices a minute of the job's task size."""
