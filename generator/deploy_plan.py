"""What deploy.sh needs from a build, gathered for :func:`generator.deploy.script`: each
stack's plan, the jobs it runs after the deploy, the sites it uploads, the zones whose
delegation it checks, and the account it must run under."""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import TYPE_CHECKING

from . import deploy, deploy_account, deploy_after, naming
from .deploy_delegation import Delegation
from .model.blueprint import Blueprint
from .rendered import RenderedStack
from .sections.certificates.model import Certificate
from .sections.distributions.model import BucketOrigin

if TYPE_CHECKING:
    from .pipeline import Checked


def script(checked: Checked, stacks: list[RenderedStack]) -> str:
    """The deploy.sh text of a build whose stacks are ``stacks``."""
    planned = [
        deploy.Planned(
            s.name, s.region, s.file, len(s.text.encode()), s.data, s.parameter_sources, s.shared
        )
        for s in stacks
    ]
    bp, source = checked.blueprint, checked.document.file
    return deploy.script(
        planned,
        source,
        bp.name,
        _job_runs(bp),
        _site_uploads(bp, source),
        deploy_account.Account(checked.environment, checked.account) if checked.account else None,
        checked.environment,
        zones=_delegations(checked, stacks),
    )


def _job_runs(bp: Blueprint) -> list[deploy_after.JobRun]:
    """The jobs deploy.sh runs after the deploy, with the outputs of the main stack that
    the jobs' renderer writes for it (:mod:`generator.sections.jobs.render`)."""
    runs = []
    for name, job in sorted(bp.jobs.items()):
        if job.run != "after_deploy":
            continue
        outputs = ["Cluster", "TaskDefinitionArn", "Capacity", "LogGroup"]
        if job.ec2_capacity is None:
            outputs.append("Network")
        runs.append(
            deploy_after.JobRun(
                job=name,
                family=naming.job_family(bp.name, name),
                stack=bp.name,
                region=bp.region,
                outputs={what: naming.job(name, what) for what in outputs},
                containers=tuple(sorted(c for c, ct in job.containers.items() if ct.essential)),
            )
        )
    return runs


def _site_uploads(bp: Blueprint, source: str) -> list[deploy_after.SiteUpload]:
    """The folders deploy.sh uploads into the buckets distributions serve, with the main
    stack's outputs naming each bucket and every distribution serving it, whose caches
    the upload makes stale (distributions/site.py)."""
    root = str(FsPath(source).parent)
    serving: dict[str, list[str]] = {}
    for name, dist in sorted(bp.distributions.items()):
        if isinstance(dist.origin, BucketOrigin):
            serving.setdefault(dist.origin.bucket, []).append(name)
    return [
        deploy_after.SiteUpload(
            name,
            bp.name,
            bp.region,
            root,
            dist.origin.folder,
            naming.output(name, "site-bucket"),
            tuple(naming.output(d, "distribution-id") for d in serving[dist.origin.bucket]),
        )
        for name, dist in sorted(bp.distributions.items())
        if isinstance(dist.origin, BucketOrigin) and dist.origin.folder is not None
    ]


def _delegations(checked: Checked, stacks: list[RenderedStack]) -> list[Delegation]:
    """The zones in the zones stack, which deploy.sh checks are delegated right after it,
    each with the certificates validated in it (those in us-east-1 validate in existing
    zones only): their zone not delegated stops the deploy (deploy_delegation)."""
    bp, resolved = checked.blueprint, checked.resolved
    home = naming.zones_stack(bp.name)
    made = {
        str(origin[1]): stack.region
        for stack in stacks
        if stack.name == home
        for origin in stack.origins.values()
        if origin[:1] == ("zones",)
    }
    out = []
    for zone in sorted(made):
        certificates = tuple(
            name
            for name, cert in sorted(bp.certificates.items())
            if name not in resolved.us_east_1_certificates
            and isinstance(cert, Certificate)  # one by ARN validates nowhere here
            and zone in {resolved.zone_of[d] for d in (cert.domain, *cert.alternative_names)}
        )
        output = naming.output(zone, "zone", "name-servers")
        out.append(Delegation(zone, bp.zones[zone].domain, home, made[zone], output, certificates))
    return out
