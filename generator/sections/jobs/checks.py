"""Jobs' rules: the rules of every ECS task (:mod:`generator.model.task_checks`), one way
to start each job, and a command for a job that borrows a service's image."""

from __future__ import annotations

from ... import naming
from ...codes import Code
from ...errors import Path
from ...model import task_checks
from ...model.checker import Checker, rule


@rule(*task_checks.FARGATE_CODES)
def fargate_tasks(c: Checker) -> None:
    """A Fargate task has a size Fargate offers and a way to reach the internet."""
    for name, job in c.bp.jobs.items():
        task_checks.fargate(c, ("jobs", name), job)


@rule(*task_checks.CAPACITY_CODES)
def capacity(c: Checker) -> None:
    for name, job in c.bp.jobs.items():
        task_checks.capacity(c, ("jobs", name), job, "job")


@rule(*task_checks.CONTAINER_CODES)
def containers(c: Checker) -> None:
    for name, job in c.bp.jobs.items():
        task_checks.containers(c, ("jobs", name), job)


@rule(*task_checks.TASK_DEFINITION_CODES)
def task_definitions(c: Checker) -> None:
    for name, job in c.bp.jobs.items():
        task_checks.task_definition(c, ("jobs", name), job)


@rule(Code.JOB_TRIGGER)
def triggers(c: Checker) -> None:
    """Exactly one thing starts a job: its schedule, or deploy.sh after each deploy."""
    for name, job in c.bp.jobs.items():
        path: Path = ("jobs", name)
        if job.schedule is not None and job.run is not None:
            c.error(
                (*path, "run"),
                "a job runs on its 'schedule' or after each deploy, not both; make two jobs, "
                "or drop one",
                Code.JOB_TRIGGER,
            )
        elif job.schedule is None and job.run is None:
            c.error(
                path,
                "a job runs on a 'schedule' or after each deploy ('run: after_deploy'); give "
                "one of them",
                Code.JOB_TRIGGER,
                at_key=True,
            )


@rule(Code.JOB_COMMAND_MISSING)
def commands(c: Checker) -> None:
    """An image's own command is all blueprint can trust without reading the image, and
    it cannot: a registry is not read during validation. What it can see is a job that
    borrows a service's image (the usual migration job) without a command; that image's
    command is the service's server, which runs until stopped, so the job would never
    complete. A job on an image of its own runs that image's command."""
    served = {
        container.image: service
        for service, svc in sorted(c.bp.services.items(), reverse=True)
        for container in svc.containers.values()
    }
    for name, job in c.bp.jobs.items():
        for cname, container in job.containers.items():
            service = served.get(container.image)
            if container.command is None and container.essential and service is not None:
                c.error(
                    ("jobs", name, "containers", cname),
                    f"this is the image of service '{service}', whose default command is its "
                    "server, which never completes; give the job's 'command', e.g. "
                    "[bin/rails, db:migrate]",
                    Code.JOB_COMMAND_MISSING,
                    at_key=True,
                )


@rule(Code.JOB_SIDECAR)
def sidecars(c: Checker) -> None:
    """A job's failed run is told from its containers' exit codes, and ECS stops a
    sidecar (``essential: false``) when the job's container ends, usually with 137 or 143:
    every run would read as failed. EventBridge cannot tie an exit code to a container's
    name within one event (each field of an array element matches on its own)."""
    for name, job in c.bp.jobs.items():
        for cname, container in sorted(job.containers.items()):
            if not container.essential:
                c.error(
                    ("jobs", name, "containers", cname, "essential"),
                    "a job's containers are all essential: ECS stops a sidecar when the "
                    "job ends, and its exit code would report every run as failed; run "
                    "what it does in the job's own container, or make it essential",
                    Code.JOB_SIDECAR,
                )


@rule(Code.NAME_COLLISION)
def families(c: Checker) -> None:
    """A job's task family is ``<blueprint>-job-<job>``, a service's ``<blueprint>-
    <service>``: a service named ``job-<job>`` would share it, and the job's failure
    rule, which matches runs by family, would report that service's tasks."""
    for name in c.bp.jobs:
        if f"job-{name}" in c.bp.services:
            c.error(
                ("jobs", name),
                f"the job's task family '{naming.job_family(c.bp.name, name)}' is the one "
                f"service 'job-{name}' uses; rename one",
                Code.NAME_COLLISION,
                at_key=True,
            )


RULES = (
    sidecars,
    fargate_tasks,
    capacity,
    containers,
    task_definitions,
    triggers,
    commands,
    families,
)
