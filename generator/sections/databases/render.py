"""RDS databases: in the private subnets, encrypted, snapshotted on deletion and replacement;
the master password is managed by RDS in Secrets Manager."""

from __future__ import annotations

from troposphere import AWSObject, GetAtt, Ref, rds

from ... import naming
from ...model.ports import ENGINE_PORTS
from ...render import iam, scanner, security
from ...render.context import Context
from ...render.stateful import SNAPSHOT, private_subnets, protect
from .model import TLS_PARAMETER, Database, parameter_family


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.databases):
        _database(ctx, name, ctx.bp.databases[name])


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
            SubnetIds=private_subnets(ctx),
        ),
        origin,
    )
    db = _instance(name, spec, subnets, group.group)
    if spec.require_tls:
        db.DBParameterGroupName = Ref(_tls_parameters(ctx, name, spec))
    else:
        db.Metadata = {"blueprint": {"require_tls": f"off: databases.{name}.require_tls is false"}}
    _monitoring(ctx, name, spec, db)
    if not spec.multi_az:
        scanner.skip(db, "database-single-az")
    resource = ctx.add(protect(db, SNAPSHOT), origin)
    ctx.publish(
        "databases",
        name,
        {
            "address": GetAtt(resource, "Endpoint.Address"),
            "port": GetAtt(resource, "Endpoint.Port"),
            "secret_arn": GetAtt(resource, "MasterUserSecret.SecretArn"),
        },
    )


def _instance(
    name: str, spec: Database, subnets: rds.DBSubnetGroup, group: AWSObject
) -> rds.DBInstance:
    """The DB instance as the entry describes it, before monitoring is decided."""
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
        VPCSecurityGroups=[GetAtt(group, "GroupId")],
        Port=str(ENGINE_PORTS[spec.engine]),
        MultiAZ=spec.multi_az,
        PubliclyAccessible=False,
        BackupRetentionPeriod=spec.backup_retention_days,
        DeletionProtection=spec.deletion_protection,
        CopyTagsToSnapshot=True,
        AutoMinorVersionUpgrade=True,
        EnableIAMDatabaseAuthentication=spec.engine != "mariadb",
    )
    if spec.max_storage_gb is not None:
        db.MaxAllocatedStorage = spec.max_storage_gb
    if spec.database_name is not None:
        db.DBName = spec.database_name
    return db


def _tls_parameters(ctx: Context, name: str, spec: Database) -> rds.DBParameterGroup:
    """A parameter group of the database's own that refuses connections without TLS. An
    existing instance given the group is modified in place (DBParameterGroupName is not
    create-only), and RDS applies a newly associated group at the instance's next reboot
    (docs/security.md)."""
    family = parameter_family(spec.engine, spec.version)
    assert family is not None  # checks.tls refuses the versions without one
    return ctx.add(
        rds.DBParameterGroup(
            naming.database_parameter_group(name),
            Description=f"Database {name} of {ctx.bp.name}: connections must use TLS",
            Family=family,
            Parameters={TLS_PARAMETER[spec.engine]: "1"},
        ),
        ("databases", name),
    )


def _monitoring(ctx: Context, name: str, spec: Database, db: rds.DBInstance) -> None:
    """Enhanced monitoring with its role when asked for; otherwise the scanner is told why
    it is off."""
    if spec.monitoring_interval_seconds:
        monitoring = iam.role(
            ctx,
            naming.database_monitoring_role(name),
            "monitoring.rds.amazonaws.com",
            [],
            ("databases", name),
            managed=["service-role/AmazonRDSEnhancedMonitoringRole"],
            # RDS sends the DB instance's ARN (https://docs.aws.amazon.com/AmazonRDS/latest/
            # UserGuide/USER_Monitoring.OS.Enabling.html#USER_Monitoring.OS.confused-deputy).
            source_arn=iam.arn("rds", "db:*"),
        )
        db.MonitoringInterval = spec.monitoring_interval_seconds
        db.MonitoringRoleArn = GetAtt(monitoring, "Arn")
    else:
        scanner.skip(db, "database-monitoring-off")
