"""Where state lives: S3 buckets, DynamoDB tables, RDS databases, ElastiCache caches and EFS
file systems. Each is encrypted at rest, kept when the stack is deleted or the resource
replaced, and reachable only from the entries its ``allow_from`` names (see reach.py)."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, Tags, dynamodb, efs, elasticache, rds, s3

from ... import naming
from ...model.resolve_compute import ENGINE_PORTS
from ...render import access_logs, buckets, iam, scanner, security
from ...render.context import Context
from .model import Bucket, Cache, Database, FileSystem, Table

#: DeletionPolicy/UpdateReplacePolicy by whether the type can snapshot.
_SNAPSHOT = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}
_RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def render(ctx: Context) -> None:
    bp = ctx.bp
    for name in sorted(bp.buckets):
        _bucket(ctx, name, bp.buckets[name])
    for name in sorted(bp.tables):
        _table(ctx, name, bp.tables[name])
    for name in sorted(bp.databases):
        _database(ctx, name, bp.databases[name])
    for name in sorted(bp.caches):
        _cache(ctx, name, bp.caches[name])
    for name in sorted(bp.file_systems):
        _file_system(ctx, name, bp.file_systems[name])


def _protect(resource: Any, policies: dict[str, str]) -> Any:
    for key, value in policies.items():
        setattr(resource, key, value)
    return resource


def _bucket(ctx: Context, name: str, spec: Bucket) -> None:
    origin = ("buckets", name)
    rules = []
    if spec.versioning and spec.noncurrent_version_expiry_days is not None:
        rules.append(
            s3.LifecycleRule(
                Id="expire-noncurrent-versions",
                Status="Enabled",
                NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                    NoncurrentDays=spec.noncurrent_version_expiry_days
                ),
            )
        )
    bucket = buckets.private_bucket(
        naming.bucket(name), versioning=spec.versioning, bucket_key=True
    )
    if spec.name is not None:
        bucket.BucketName = spec.name
    if spec.access_logs:
        archive = access_logs.for_bucket(ctx, name)
        bucket.LoggingConfiguration = s3.LoggingConfiguration(
            DestinationBucketName=Ref(archive.bucket), LogFilePrefix=f"buckets/{name}/"
        )
        bucket.DependsOn = [archive.policy.title]
    else:
        scanner.skip(bucket, "bucket-logs-off")
    if rules:
        bucket.LifecycleConfiguration = s3.LifecycleConfiguration(Rules=rules)
    resource = ctx.add(_protect(bucket, _RETAIN), origin)
    ctx.add(
        s3.BucketPolicy(
            naming.bucket_policy(name),
            Bucket=Ref(resource),
            PolicyDocument={
                "Version": "2012-10-17",
                "Statement": [buckets.deny_insecure_transport(resource)],
            },
        ),
        origin,
    )
    ctx.buckets[name] = resource
    ctx.attributes[("buckets", name, "name")] = Ref(resource)
    ctx.attributes[("buckets", name, "arn")] = GetAtt(resource, "Arn")


def _table(ctx: Context, name: str, spec: Table) -> None:
    keys = [("HASH", spec.partition_key)]
    if spec.sort_key is not None:
        keys.append(("RANGE", spec.sort_key))
    table = dynamodb.Table(
        naming.table(name),
        AttributeDefinitions=[
            dynamodb.AttributeDefinition(AttributeName=k.name, AttributeType=k.type)
            for _, k in keys
        ],
        KeySchema=[dynamodb.KeySchema(AttributeName=k.name, KeyType=kind) for kind, k in keys],
        BillingMode="PAY_PER_REQUEST" if spec.billing == "on_demand" else "PROVISIONED",
        SSESpecification=dynamodb.SSESpecification(SSEEnabled=True),
        PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=spec.point_in_time_recovery
        ),
        DeletionProtectionEnabled=True,
    )
    if spec.billing == "provisioned":
        table.ProvisionedThroughput = dynamodb.ProvisionedThroughput(
            ReadCapacityUnits=spec.read_capacity, WriteCapacityUnits=spec.write_capacity
        )
    if spec.ttl_attribute is not None:
        table.TimeToLiveSpecification = dynamodb.TimeToLiveSpecification(
            AttributeName=spec.ttl_attribute, Enabled=True
        )
    scanner.skip(table, "table-key")
    resource = ctx.add(_protect(table, _RETAIN), ("tables", name))
    ctx.tables[name] = resource
    ctx.attributes[("tables", name, "name")] = Ref(resource)
    ctx.attributes[("tables", name, "arn")] = GetAtt(resource, "Arn")


def _private_subnets(ctx: Context) -> list[Ref]:
    return [Ref(s) for s in ctx.subnets["private"]]


def _database(ctx: Context, name: str, spec: Database) -> None:
    origin = ("databases", name)
    group = security.entry_group(
        ctx,
        origin,
        naming.database_security_group(name),
        f"Database {name} of {ctx.bp.name}",
        egress_anywhere=False,
    )
    subnets = ctx.add(
        rds.DBSubnetGroup(
            naming.database_subnet_group(name),
            DBSubnetGroupDescription=f"Private subnets of database {name}",
            SubnetIds=_private_subnets(ctx),
        ),
        origin,
    )
    db = rds.DBInstance(
        naming.database(name),
        Engine=spec.engine,
        EngineVersion=spec.version,
        DBInstanceClass=spec.instance_class,
        AllocatedStorage=str(spec.storage_gb),
        StorageType="gp3",
        StorageEncrypted=True,
        MasterUsername=spec.username,
        ManageMasterUserPassword=True,
        DBSubnetGroupName=Ref(subnets),
        VPCSecurityGroups=[GetAtt(group.group, "GroupId")],
        Port=str(ENGINE_PORTS[spec.engine]),
        MultiAZ=spec.multi_az,
        PubliclyAccessible=False,
        BackupRetentionPeriod=spec.backup_retention_days,
        DeletionProtection=spec.deletion_protection,
        CopyTagsToSnapshot=True,
        AutoMinorVersionUpgrade=True,
        EnableIAMDatabaseAuthentication=spec.engine != "mariadb",
    )
    if spec.monitoring_interval_seconds:
        monitoring = iam.role(
            ctx,
            naming.database_monitoring_role(name),
            "monitoring.rds.amazonaws.com",
            [],
            origin,
            managed=["service-role/AmazonRDSEnhancedMonitoringRole"],
        )
        db.MonitoringInterval = spec.monitoring_interval_seconds
        db.MonitoringRoleArn = GetAtt(monitoring, "Arn")
    else:
        scanner.skip(db, "database-monitoring-off")
    if not spec.multi_az:
        scanner.skip(db, "database-single-az")
    if spec.max_storage_gb is not None:
        db.MaxAllocatedStorage = spec.max_storage_gb
    if spec.database_name is not None:
        db.DBName = spec.database_name
    resource = ctx.add(_protect(db, _SNAPSHOT), origin)
    ctx.attributes[("databases", name, "address")] = GetAtt(resource, "Endpoint.Address")
    ctx.attributes[("databases", name, "port")] = GetAtt(resource, "Endpoint.Port")
    ctx.attributes[("databases", name, "secret_arn")] = GetAtt(
        resource, "MasterUserSecret.SecretArn"
    )


def _cache(ctx: Context, name: str, spec: Cache) -> None:
    origin = ("caches", name)
    group = security.entry_group(
        ctx,
        origin,
        naming.cache_security_group(name),
        f"Cache {name} of {ctx.bp.name}",
        egress_anywhere=False,
    )
    subnets = ctx.add(
        elasticache.SubnetGroup(
            naming.cache_subnet_group(name),
            Description=f"Private subnets of cache {name}",
            SubnetIds=_private_subnets(ctx),
        ),
        origin,
    )
    replicated = spec.replicas > 0
    group_resource = ctx.add(
        _protect(
            elasticache.ReplicationGroup(
                naming.cache(name),
                ReplicationGroupDescription=f"{ctx.bp.name} {name}",
                Engine=spec.engine,
                EngineVersion=spec.version,
                CacheNodeType=spec.node_type,
                NumCacheClusters=1 + spec.replicas,
                AutomaticFailoverEnabled=replicated,
                MultiAZEnabled=replicated,
                TransitEncryptionEnabled=True,
                AtRestEncryptionEnabled=True,
                CacheSubnetGroupName=Ref(subnets),
                SecurityGroupIds=[GetAtt(group.group, "GroupId")],
                Port=ENGINE_PORTS[spec.engine],
                SnapshotRetentionLimit=spec.snapshot_retention_days,
                AutoMinorVersionUpgrade=True,
            ),
            _SNAPSHOT if spec.snapshot_retention_days else _RETAIN,
        ),
        origin,
    )
    scanner.skip(group_resource, "cache-auth")
    address = GetAtt(group_resource, "PrimaryEndPoint.Address")
    ctx.attributes[("caches", name, "address")] = address
    ctx.attributes[("caches", name, "port")] = GetAtt(group_resource, "PrimaryEndPoint.Port")


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
        _protect(
            efs.FileSystem(
                naming.file_system(name),
                Encrypted=True,
                PerformanceMode="generalPurpose",
                ThroughputMode="elastic",
                BackupPolicy=efs.BackupPolicy(Status="ENABLED" if spec.backups else "DISABLED"),
                FileSystemPolicy=_tls_only_policy(),
                FileSystemTags=Tags(Name=f"{ctx.bp.name}-{name}"),
            ),
            _RETAIN,
        ),
        origin,
    )
    tier = _mount_tier(ctx, name)
    ctx.mount_targets[name] = []
    for i, subnet in enumerate(ctx.subnets[tier]):
        target = ctx.add(
            efs.MountTarget(
                naming.mount_target(name, i),
                FileSystemId=Ref(fs),
                SubnetId=Ref(subnet),
                SecurityGroups=[GetAtt(group.group, "GroupId")],
            ),
            origin,
        )
        ctx.mount_targets[name].append(target)
    for ap_name in sorted(spec.access_points):
        ap = spec.access_points[ap_name]
        ctx.access_points[(name, ap_name)] = ctx.add(
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
    ctx.file_systems[name] = fs
    ctx.attributes[("file_systems", name, "id")] = Ref(fs)


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


def _tls_only_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
