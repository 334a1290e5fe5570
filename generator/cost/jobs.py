"""Jobs, priced by their runs: the runs a month their schedule makes (only the blueprint
says when it fires) x the minutes a run takes (``estimated_minutes``, which only the user
knows) x the task's size (from the templates). A job whose runs a month or duration is
not known (one run after each deploy, a schedule by day of month, no estimate) is priced
per run, or per task-minute, out of the total: never guessed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts import Service, Share
from ..schedule_expressions import At, Rate, parse, weekly_minutes
from .compute import fargate
from .lines import HOURS_PER_MONTH, Lines, num, unit_price
from .running import WEEKS_PER_MONTH, Running

if TYPE_CHECKING:
    from ..facts import Facts, JobTask
    from ..model.blueprint import Blueprint
    from ..sections.jobs.model import Job
    from .prices import Prices

_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def runs_per_month(job: Job) -> tuple[float | None, str]:
    """How many times a month the job runs, and how that was worked out; None when the
    blueprint cannot tell."""
    if job.schedule is None:
        return None, "runs once after each deploy"
    if not job.enabled:
        return 0.0, "schedule disabled"
    parsed = parse(job.schedule)
    if isinstance(parsed, Rate):
        minutes = parsed.value * _UNIT_MINUTES[parsed.unit.rstrip("s")]
        runs = HOURS_PER_MONTH * 60 / minutes
        return runs, f"{job.schedule}: {num(runs)} runs/month"
    if isinstance(parsed, At):
        return 1.0, f"{job.schedule}: one run, once"
    fires = weekly_minutes(job.schedule)
    if fires is None:
        return None, f"{job.schedule} does not repeat weekly"
    runs = len(fires) * WEEKS_PER_MONTH
    return runs, f"{job.schedule}: {num(runs)} runs/month"


def jobs(bp: Blueprint, facts: Facts, p: Prices, out: Lines) -> None:
    discount = float(p.table["fargate_spot_discount"])
    keys = tuple(r.logical_id for r in facts.of("AWS::KMS::Key") if r.entry[0] == "jobs")
    if keys:
        # A customer managed key is billed by the month, the same in every region
        # (https://aws.amazon.com/kms/pricing/); EventBridge needs one to publish to an
        # encrypted topic.
        out.fixed(
            "jobs",
            "failure topics' KMS key",
            len(keys),
            "key-month",
            p.world("kms_key_month"),
            "encrypts the topics failed runs are published to",
            resources=keys,
        )
    for task in sorted(facts.jobs, key=lambda t: t.entry):
        name = task.entry[1]
        job = bp.jobs[name]
        runs, how = runs_per_month(job)
        minutes = job.estimated_minutes
        if job.ec2_capacity is not None:
            out.fixed(
                "jobs",
                f"{name}: tasks on ECS hosts {job.ec2_capacity}",
                0.0 if runs is None or minutes is None else runs * minutes / 60,
                "task-hour",
                0.0,
                f"priced with {job.ec2_capacity} under instances; {how}",
                resources=(task.logical_id,),
            )
        elif runs is not None and minutes is not None:
            hours = runs * minutes / 60
            note = f"{how} x {num(minutes)} min"
            fargate(_as_service(task, job), Running({1: hours}, note), discount, p, out, "jobs")
        else:
            _per_run(task, job, how, discount, p, out)


def _as_service(task: JobTask, job: Job) -> Service:
    """The job's task as one task of a service, for the Fargate lines."""
    shares = tuple(Share(s.provider, s.base, s.weight) for s in job.capacity)
    return Service(
        task.logical_id, task.entry, task.cpu, task.memory, task.architecture, 1, shares, False
    )


def _per_run(task: JobTask, job: Job, how: str, discount: float, p: Prices, out: Lines) -> None:
    """A run's price (or a task-minute's, without an estimate), out of the total."""
    name = task.entry[1]
    provider = job.capacity[0].provider
    vcpu_price = p.at("fargate", task.architecture, "vcpu_hour")
    gb_price = p.at("fargate", task.architecture, "gb_hour")
    price = None
    if vcpu_price is not None and gb_price is not None:
        hourly = task.cpu / 1024 * vcpu_price + task.memory / 1024 * gb_price
        price = hourly * (1 - discount if provider == "FARGATE_SPOT" else 1.0)
    minutes = job.estimated_minutes
    if minutes is None:
        unit, note = "task-minute", f"{how}; give 'estimated_minutes' to price a run"
        per = None if price is None else unit_price(price / 60)
    else:
        unit, note = "run", f"{how}; one run of {num(minutes)} min"
        per = None if price is None else unit_price(price * minutes / 60)
    out.usage("jobs", f"{name}: {provider.replace('_', ' ').title()} task", unit, per, note)
