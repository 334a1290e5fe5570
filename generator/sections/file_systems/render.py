"""EFS file systems: encrypted, TLS-only, kept on stack deletion and replacement, with mount
targets in the subnets of the services that mount them and access points per service."""

from __future__ import annotations

from troposphere import GetAtt, Ref, Tags, efs

from ... import naming
from ...render import security
from ...render.context import Context, FileSystemHandle
from ...render.stateful import RETAIN, protect, tls_only_policy
from .model import FileSystem


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.file_systems):
        _file_system(ctx, name, ctx.bp.file_systems[name])


def _file_system(ctx: Context, name: str, spec: FileSystem) -> None:
    origin = ("file_systems", name)
    group = security.entry_group(
        ctx,
        origin,
        naming.file_system_security_group(name),
        f"File system {name} of {ctx.bp.name}",
        egress_anywhere=False,
    )
    fs = ctx.add(
        protect(
            efs.FileSystem(
                naming.file_system(name),
                Encrypted=True,
                PerformanceMode="generalPurpose",
                ThroughputMode="elastic",
                BackupPolicy=efs.BackupPolicy(Status="ENABLED" if spec.backups else "DISABLED"),
                FileSystemPolicy=tls_only_policy(),
                FileSystemTags=Tags(Name=f"{ctx.bp.name}-{name}"),
            ),
            RETAIN,
        ),
        origin,
    )
    tier = _mount_tier(ctx, name)
    handle = ctx.file_systems[name] = FileSystemHandle(fs)
    for i, subnet in enumerate(ctx.network.subnet_ids[tier]):
        target = ctx.add(
            efs.MountTarget(
                naming.mount_target(name, i),
                FileSystemId=Ref(fs),
                SubnetId=subnet,
                SecurityGroups=[GetAtt(group.group, "GroupId")],
            ),
            origin,
        )
        handle.mount_targets.append(target)
    for ap_name in sorted(spec.access_points):
        ap = spec.access_points[ap_name]
        handle.access_points[ap_name] = ctx.add(
            efs.AccessPoint(
                naming.access_point(name, ap_name),
                FileSystemId=Ref(fs),
                PosixUser=efs.PosixUser(Uid=str(ap.uid), Gid=str(ap.gid)),
                RootDirectory=efs.RootDirectory(
                    Path=ap.path,
                    CreationInfo=efs.CreationInfo(
                        OwnerUid=str(ap.uid), OwnerGid=str(ap.gid), Permissions=ap.permissions
                    ),
                ),
            ),
            (*origin, "access_points", ap_name),
        )
    ctx.publish("file_systems", name, {"id": Ref(fs)})


def _mount_tier(ctx: Context, name: str) -> str:
    """Mount targets go in the subnets of the services that mount the file system (private
    when none do, or when they disagree)."""
    tiers = {
        svc.subnets
        for svc in ctx.bp.services.values()
        for c in svc.containers.values()
        for m in c.mounts
        if m.file_system == name
    }
    return tiers.pop() if len(tiers) == 1 else "private"
