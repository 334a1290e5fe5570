"""A moto server for the real AWS CLI, with the types moto does not model stubbed and
moto's own CloudFormation bugs patched -- in this process only (importing this module
applies them).

In-process (tests/test_moto_deploy.py):  srv, url = moto_aws.start(); ...; srv.stop()
As a process:  python -m tests.moto_aws [PORTFILE]  (prints the URL; stopped by SIGTERM to
its PID). moto keeps its state per process, so one server per process (pytest-xdist worker).
"""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
import warnings
from datetime import UTC, datetime
from typing import Any

warnings.filterwarnings("ignore")

from moto.cloudformation import parsing  # noqa: E402
from moto.core.common_models import CloudFormationModel  # noqa: E402

# type -> why stubbed, fake values for the attributes the templates read with Fn::GetAtt
STUBBED: dict[str, tuple[str, dict[str, object]]] = {
    "AWS::ApiGateway::Account": ("not modelled by moto", {}),
    "AWS::ApiGatewayV2::Api": ("not modelled by moto", {"ApiEndpoint": "wss://stub.execute-api"}),
    "AWS::ApiGatewayV2::ApiMapping": ("not modelled by moto", {}),
    "AWS::ApiGatewayV2::Authorizer": ("not modelled by moto", {}),
    "AWS::ApiGatewayV2::Deployment": ("not modelled by moto", {}),
    "AWS::ApiGatewayV2::DomainName": (
        "not modelled by moto",
        {
            "RegionalDomainName": "d-stub.execute-api.ap-northeast-1.amazonaws.com",
            "RegionalHostedZoneId": "Z2YN17T5R711GT",
        },
    ),
    "AWS::ApiGatewayV2::Integration": ("not modelled by moto", {}),
    "AWS::ApiGatewayV2::Route": ("not modelled by moto", {}),
    "AWS::ApiGatewayV2::Stage": ("not modelled by moto", {}),
    "AWS::ApplicationAutoScaling::ScalableTarget": ("not modelled by moto", {}),
    "AWS::ApplicationAutoScaling::ScalingPolicy": ("not modelled by moto", {}),
    "AWS::CertificateManager::Certificate": ("not modelled by moto", {}),
    "AWS::CloudFormation::CustomResource": ("not modelled by moto", {}),
    "AWS::CloudFront::CachePolicy": ("not modelled by moto", {"Id": "stub-cache-policy"}),
    "AWS::CloudFront::Distribution": (
        "not modelled by moto",
        {"DomainName": "dstub.cloudfront.net"},
    ),
    "AWS::CloudFront::OriginAccessControl": ("not modelled by moto", {"Id": "EOACSTUB"}),
    "AWS::CloudWatch::Alarm": ("not modelled by moto", {}),
    "AWS::EC2::SecurityGroupEgress": ("not modelled by moto", {}),
    "AWS::ECS::CapacityProvider": ("not modelled by moto", {}),
    "AWS::ECS::ClusterCapacityProviderAssociations": ("not modelled by moto", {}),
    "AWS::ElastiCache::ReplicationGroup": (
        "not modelled by moto",
        {"PrimaryEndPoint.Address": "stub.cache.amazonaws.com", "PrimaryEndPoint.Port": "6379"},
    ),
    "AWS::ElastiCache::SubnetGroup": ("not modelled by moto", {}),
    "AWS::ElasticLoadBalancingV2::ListenerCertificate": ("not modelled by moto", {}),
    "AWS::S3::BucketPolicy": ("not modelled by moto", {}),
    "AWS::ServiceDiscovery::PrivateDnsNamespace": ("not modelled by moto", {"Id": "ns-stub"}),
    "AWS::ServiceDiscovery::Service": (
        "not modelled by moto",
        {"Arn": "arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-stub"},
    ),
    "AWS::SNS::Subscription": ("not modelled by moto", {}),
    "AWS::SNS::TopicPolicy": ("not modelled by moto", {}),
    "AWS::SQS::QueuePolicy": ("not modelled by moto", {}),
    "AWS::Scheduler::Schedule": ("not modelled by moto", {}),
    "AWS::SecretsManager::Secret": ("not modelled by moto", {}),
    # moto models Custom:: resources by invoking the Lambda in Docker: none here.
    "Custom::PrefixList": (
        "custom resource: moto runs its Lambda in Docker",
        {"PrefixListId": "pl-58a04531"},
    ),
}

ARN_REF = {  # types whose Ref is an ARN on AWS
    "AWS::CertificateManager::Certificate": "arn:aws:acm:{region}:{account}:certificate/{id}",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{id}",
    "AWS::SNS::Subscription": "arn:aws:sns:{region}:{account}:stub:{id}",
}


def _stub_model(cfn_type: str, attrs: dict[str, object]) -> type[CloudFormationModel]:
    class Stub(CloudFormationModel):
        __module__ = "moto.cloudformation.stubs"  # moto's model registry wants moto.<service>.*

        def __init__(self, name: str, props: dict, account_id: str, region: str) -> None:
            self.name, self.props = name, props
            fmt = ARN_REF.get(cfn_type)
            self._id = (
                fmt.format(region=region, account=account_id, id=uuid.uuid4()) if fmt else name
            )
            if cfn_type == "AWS::CertificateManager::Certificate":
                # A real (moto ACM) certificate: ELBv2 listeners look their certificate up.
                from moto.acm.models import acm_backends

                self._id = acm_backends[account_id][region].request_certificate(
                    props["DomainName"],
                    None,
                    props.get("SubjectAlternativeNames") or [],
                    props.get("Tags") or [],
                )
            self.attrs = dict(attrs)
            if cfn_type == "AWS::CloudFront::Distribution":
                # A real (moto CloudFront) distribution, blank but for one origin: deploy.sh
                # invalidates its cache after uploading a site.
                self._id, self.attrs["DomainName"] = _cloudfront_distribution(account_id)

        @staticmethod
        def cloudformation_type() -> str:
            return cfn_type

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return True

        @classmethod
        def create_from_cloudformation_json(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        ):  # type: ignore[override]
            return cls(
                resource_name, cloudformation_json.get("Properties", {}), account_id, region_name
            )

        @classmethod
        def update_from_cloudformation_json(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        ):  # type: ignore[override]
            original_resource.props = cloudformation_json.get("Properties", {})
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(
            cls, resource_name, cloudformation_json, account_id, region_name
        ):  # type: ignore[override]
            pass

        def delete(self, account_id: str, region_name: str) -> None:
            pass

        def is_created(self) -> bool:
            return True

        @property
        def physical_resource_id(self) -> str:
            return self._id

        def get_cfn_attribute(self, attr: str) -> object:
            return self.attrs.get(attr, f"{self.name}-{attr}")

    Stub.__name__ = Stub.__qualname__ = "Stub_" + cfn_type.replace("::", "_")
    return Stub


def _cloudfront_distribution(account_id: str) -> tuple[str, str]:
    """A new distribution in moto's CloudFront: its ID and domain name."""
    from moto.cloudfront.models import cloudfront_backends

    origin = {
        "Id": "o",
        "DomainName": "stub.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    config = {
        "CallerReference": str(uuid.uuid4()),
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
        "Comment": "",
        "Enabled": True,
    }
    dist, _, _ = cloudfront_backends[account_id]["aws"].create_distribution(config, [])
    return dist.distribution_id, dist.domain_name


STUB_MODELS = {t: _stub_model(t, a) for t, (_, a) in STUBBED.items()}
_orig_class_from_type = parsing.resource_class_from_type


def _class_from_type(resource_type: str):  # type: ignore[no-untyped-def]
    # Stubs first: Custom:: types would otherwise go to moto's Lambda-backed CustomModel.
    return STUB_MODELS.get(resource_type) or _orig_class_from_type(resource_type)


parsing.resource_class_from_type = _class_from_type
for f in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
    f.cache_clear()


# ---- moto bugs, patched here only -------------------------------------------------------
# 1. Ref to AWS::RDS::DBParameterGroup yields the Python object (no physical_resource_id),
#    so DBInstance(DBParameterGroupName=Ref) crashes with AttributeError -> HTTP 500.
from moto.rds import models as rds_models  # noqa: E402

if not hasattr(rds_models.DBParameterGroup, "physical_resource_id"):
    rds_models.DBParameterGroup.physical_resource_id = property(lambda self: self.name)  # type: ignore[attr-defined]

# 1b. RDS DBInstance answers GetAtt Endpoint.* only; MasterUserSecret.SecretArn (the secret RDS
#     manages with ManageMasterUserPassword) is refused as unsupported, which then fails every
#     describe-stacks of the region with HTTP 500. Here: an ARN of the form RDS gives it.
_orig_db_has_attr = rds_models.DBInstance.has_cfn_attr.__func__  # type: ignore[attr-defined]
_orig_db_attr = rds_models.DBInstance.get_cfn_attribute
_SECRET_ARN = "MasterUserSecret.SecretArn"


@classmethod  # type: ignore[misc]
def _db_has_attr(cls, attr):  # type: ignore[no-untyped-def]
    return attr == _SECRET_ARN or _orig_db_has_attr(cls, attr)


def _db_attr(self, attribute_name):  # type: ignore[no-untyped-def]
    if attribute_name == _SECRET_ARN:
        where = f"{self.region}:{self.account_id}"
        return f"arn:aws:secretsmanager:{where}:secret:rds!db-{self.db_instance_identifier}"
    return _orig_db_attr(self, attribute_name)


rds_models.DBInstance.has_cfn_attr = _db_has_attr
rds_models.DBInstance.get_cfn_attribute = _db_attr

# 2. execute_change_set (a) never recomputes the stack's Outputs / template / parameters;
#    (b) has no failure path: a resource that raises gives HTTP 500 and the stack stays
#    REVIEW_IN_PROGRESS / *_IN_PROGRESS forever; (c) records stack events only, none per
#    resource. Here: per-resource events, and a failure becomes *_FAILED events with the
#    reason, then ROLLBACK_COMPLETE (create; created resources deleted) or
#    UPDATE_ROLLBACK_COMPLETE (update; moto cannot undo, the resources stay as they are).
from moto.cloudformation import models as cfn_models  # noqa: E402

FAIL: dict[str, str] = {}  # logical ID -> reason: make that resource fail (tests set this)


def _resource_event(resources_map, logical_id, rtype, status, reason=None, physical=None):  # type: ignore[no-untyped-def]
    backend = cfn_models.cloudformation_backends[resources_map._account_id][
        resources_map._region_name
    ]
    stack = backend.stacks.get(resources_map.stack_id)
    if stack is not None:
        stack.events.append(
            cfn_models.Event(
                stack_id=stack.stack_id,
                stack_name=stack.name,
                logical_resource_id=logical_id,
                physical_resource_id=physical or "",
                resource_type=rtype,
                resource_status=status,
                resource_status_reason=reason,
                resource_properties=None,
            )
        )


def _with_events(original: Any, verb: str) -> Any:
    """moto's create or update of one resource, recording its IN_PROGRESS, FAILED and
    COMPLETE events, and failing it when the test named it in FAIL."""

    def wrapped(logical_id, resource_json, resources_map, account_id, region_name):  # type: ignore[no-untyped-def]
        rtype = resource_json.get("Type", "")
        _resource_event(resources_map, logical_id, rtype, f"{verb}_IN_PROGRESS")
        try:
            if logical_id in FAIL:
                raise RuntimeError(FAIL[logical_id])
            resource = original(logical_id, resource_json, resources_map, account_id, region_name)
        except Exception as e:
            reason = str(e) or type(e).__name__
            _resource_event(resources_map, logical_id, rtype, f"{verb}_FAILED", reason=reason)
            e.failed_logical_id = logical_id  # type: ignore[attr-defined]
            raise
        physical = getattr(resource, "physical_resource_id", None)
        _resource_event(resources_map, logical_id, rtype, f"{verb}_COMPLETE", physical=physical)
        return resource

    return wrapped


parsing.parse_and_create_resource = _with_events(parsing.parse_and_create_resource, "CREATE")
parsing.parse_and_update_resource = _with_events(parsing.parse_and_update_resource, "UPDATE")

_orig_execute = cfn_models.CloudFormationBackend.execute_change_set


def _execute_change_set(self, change_set_name, stack_name=None):  # type: ignore[no-untyped-def]
    cs = self.describe_change_set(change_set_name)
    stack = self.stacks[cs.stack_id]
    first, start = len(stack.events), time.time()
    try:
        _orig_execute(self, change_set_name, stack_name)
    except Exception as e:
        failed = getattr(e, "failed_logical_id", None) or "?"
        creating = cs.change_set_type == "CREATE"
        cs.execution_status = "EXECUTE_FAILED"
        if creating:  # else GetTemplateSummary (the CLI's next deploy) chokes on template {}
            stack.template = cs.template
            stack._parse_template()
        verb = "create" if creating else "update"
        stack._add_stack_event(
            "ROLLBACK_IN_PROGRESS" if creating else "UPDATE_ROLLBACK_IN_PROGRESS",
            resource_status_reason=f"The following resource(s) failed to {verb}: [{failed}]. ",
        )
        if creating:
            with contextlib.suppress(Exception):  # a half-created stack deletes what it can
                stack.resource_map.delete()
        stack.status = "ROLLBACK_COMPLETE" if creating else "UPDATE_ROLLBACK_COMPLETE"
        stack._add_stack_event(stack.status)
        _take_time(stack, first, start, f"{cs.change_set_type}_IN_PROGRESS")
        return None  # ExecuteChangeSet itself succeeds; the failure shows in the stack
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.parameters = cs.parameters
    stack.output_map = stack._create_output_map()
    _take_time(stack, first, start, f"{cs.change_set_type}_IN_PROGRESS")


cfn_models.CloudFormationBackend.execute_change_set = _execute_change_set


# 2b. The one place time is simulated. moto carries out a change set inside ExecuteChangeSet:
#     the stack is final before the call returns, so nothing ever waits, no event is seen
#     while a stack deploys, and deploying stacks in parallel gains nothing. With LATENCY
#     seconds (tests set it; MOTO_LATENCY for `python -m tests.moto_aws`), each execution
#     looks from outside as on AWS: the stack shows CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS
#     for that long, and its events appear one by one over that time (timestamps to match),
#     the final status last. EXECUTIONS records each stack's deploy as (stack, start, end):
#     from its change set's creation (CHANGING) to its final status shown.
LATENCY = 0.0
EXECUTIONS: list[tuple[str, float, float]] = []
CHANGING: dict[str, float] = {}


def _take_time(stack: Any, first: int, start: float, showing: str) -> None:
    """Spread the events the execution added (from ``first`` on) over LATENCY seconds from
    ``start``, and show the stack as ``showing`` until the last one."""
    end = start + LATENCY
    EXECUTIONS.append((stack.name, CHANGING.pop(stack.name, start), end))
    added = stack.events[first:]
    for k, event in enumerate(added):
        at = start + LATENCY * k / max(len(added) - 1, 1)
        event.visible_at = at
        event.timestamp = datetime.fromtimestamp(at, UTC).replace(tzinfo=None)
    stack.__dict__["shown"] = (showing, end)


def _get_status(self):  # type: ignore[no-untyped-def]
    showing, until = self.__dict__.get("shown", ("", 0.0))
    return showing if time.time() < until else self.__dict__.get("real_status")


def _set_status(self, value):  # type: ignore[no-untyped-def]
    self.__dict__["real_status"] = value


cfn_models.Stack.status = property(_get_status, _set_status)  # type: ignore[assignment]
_orig_events = cfn_models.CloudFormationBackend.describe_stack_events


def _describe_events(self, stack_name):  # type: ignore[no-untyped-def]
    now = time.time()
    events = _orig_events(self, stack_name)
    return [e for e in events if getattr(e, "visible_at", 0.0) <= now]


cfn_models.CloudFormationBackend.describe_stack_events = _describe_events


def in_progress_peak(stacks: set[str] | None = None) -> int:
    """The most stacks (of ``stacks``, or all) deploying at one moment (EXECUTIONS)."""
    marks = sorted(
        (t, step)
        for name, start, end in EXECUTIONS
        if stacks is None or name in stacks
        for t, step in ((start, 1), (end, -1))
    )
    peak = now = 0
    for _, step in marks:  # an end sorts before a start at the same moment (-1 < 1)
        now += step
        peak = max(peak, now)
    return peak


# 3. EC2 FlowLog to S3 with a key prefix (arn:aws:s3:::bucket/prefix, valid on AWS): moto looks
#    up a bucket named "bucket/prefix", reports it missing, and FlowLog's CFN create crashes.
from moto.ec2.models.flow_logs import FlowLogsBackend  # noqa: E402

_orig_create_flow_logs = FlowLogsBackend.create_flow_logs


def _create_flow_logs(
    self,
    resource_type,
    resource_ids,
    traffic_type,
    permission_arn,  # type: ignore[no-untyped-def]
    destination_type,
    destination,
    *rest,
):
    if destination_type == "s3" and destination and "/" in destination.split(":", 5)[5]:
        logs, failed = _orig_create_flow_logs(
            self,
            resource_type,
            resource_ids,
            traffic_type,
            permission_arn,
            destination_type,
            destination.split("/", 1)[0],
            *rest,
        )
        for log in logs:
            log.log_destination = destination
        return logs, failed
    return _orig_create_flow_logs(
        self,
        resource_type,
        resource_ids,
        traffic_type,
        permission_arn,
        destination_type,
        destination,
        *rest,
    )


FlowLogsBackend.create_flow_logs = _create_flow_logs


# 4. ELBv2 LoadBalancer GetAtt CanonicalHostedZoneID is "not implemented" in moto: it logs and
#    yields None, so an alias record loses its HostedZoneId.
from moto.elbv2.models import FakeLoadBalancer  # noqa: E402

_orig_lb_attr = FakeLoadBalancer.get_cfn_attribute


def _lb_attr(self, attribute_name):  # type: ignore[no-untyped-def]
    if attribute_name == "CanonicalHostedZoneID":
        return "Z14GRHDCWA56QT"  # ALBs in ap-northeast-1; any fixed value does for moto
    return _orig_lb_attr(self, attribute_name)


FakeLoadBalancer.get_cfn_attribute = _lb_attr


# 5. Route53 HostedZone has no get_cfn_attribute at all: GetAtt NameServers (or Id) raises
#    AttributeError, and the stack's Outputs silently come back empty.
from moto.route53.models import FakeZone  # noqa: E402

if not hasattr(FakeZone, "get_cfn_attribute"):

    def _zone_attr(self, attribute_name):  # type: ignore[no-untyped-def]
        if attribute_name == "NameServers":
            return list(self.delegation_set.name_servers)
        if attribute_name == "Id":
            return self.id
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        raise UnformattedGetAttTemplateException()

    FakeZone.get_cfn_attribute = _zone_attr  # type: ignore[attr-defined]


# 6. EFS FileSystem and AccessPoint have no get_cfn_attribute: GetAtt Arn raises AttributeError.
from moto.efs import models as efs_models  # noqa: E402

for _cls, _attrs in (
    (efs_models.FileSystem, {"Arn": "file_system_arn", "FileSystemId": "file_system_id"}),
    (efs_models.AccessPoint, {"Arn": "access_point_arn", "AccessPointId": "access_point_id"}),
):
    if not hasattr(_cls, "get_cfn_attribute"):

        def _efs_attr(self, attribute_name, _attrs=_attrs):  # type: ignore[no-untyped-def]
            return getattr(self, _attrs[attribute_name])

        _cls.get_cfn_attribute = _efs_attr  # type: ignore[attr-defined]


# 7. TemplateURL pointing at the moto server itself (what `aws cloudformation deploy --s3-bucket`
#    sends when AWS_ENDPOINT_URL is set: http://127.0.0.1:PORT/bucket/key) is only understood
#    when the URL contains "localhost"; otherwise "127.0.0.1:PORT" is taken as the bucket name.
from moto.cloudformation import responses as cfn_responses  # noqa: E402
from moto.cloudformation import utils as cfn_utils  # noqa: E402

_orig_from_s3 = cfn_utils.get_stack_from_s3_url


def _from_s3(template_url: str, account_id: str, partition: str) -> str:
    from urllib.parse import urlparse

    host = urlparse(template_url).hostname or ""
    if host in ("127.0.0.1", "::1"):
        template_url = template_url.replace(host, "localhost", 1)
    return _orig_from_s3(template_url, account_id, partition)


cfn_utils.get_stack_from_s3_url = cfn_responses.get_stack_from_s3_url = _from_s3
cfn_models.get_stack_from_s3_url = _from_s3  # nested stacks (AWS::CloudFormation::Stack)


# 8. EC2 SecurityGroupIngress with SourcePrefixListId (CloudFront's managed prefix list):
#    moto's CFN create asserts a CIDR or a source group -> AssertionError -> HTTP 500.
#    Such a rule is recorded as a stub instead (no rule in moto's EC2).
from moto.ec2.models.security_groups import SecurityGroupIngress  # noqa: E402

_orig_ingress_create = SecurityGroupIngress.create_from_cloudformation_json.__func__


@classmethod  # type: ignore[misc]
def _ingress_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
    props = cloudformation_json.get("Properties", {})
    if props.get("SourcePrefixListId") and not (
        props.get("CidrIp")
        or props.get("CidrIpv6")
        or props.get("SourceSecurityGroupId")
        or props.get("SourceSecurityGroupName")
    ):
        stub = _stub_model("AWS::EC2::SecurityGroupIngress", {})
        return stub.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name
        )
    return _orig_ingress_create(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )


SecurityGroupIngress.create_from_cloudformation_json = _ingress_create


# 9. KMS Key Tags: CloudFormation's [{Key, Value}] reach moto's tagger, which wants
#    [{TagKey, TagValue}] -> KeyError 'TagKey' -> HTTP 500.
from moto.kms.models import Key as KmsKey  # noqa: E402

_orig_kms_create = KmsKey.create_from_cloudformation_json.__func__


@classmethod  # type: ignore[misc]
def _kms_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
    props = cloudformation_json.get("Properties", {})
    props["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t
        for t in props.get("Tags", [])
    ]
    return _orig_kms_create(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )


KmsKey.create_from_cloudformation_json = _kms_create


# 10. ECS RunTask of a task definition whose containers set no memory of their own (Fargate:
#     memory at task level only) -> "int += None" TypeError -> HTTP 500.
from moto.ecs.models import EC2ContainerServiceBackend  # noqa: E402

_orig_calc = EC2ContainerServiceBackend._calculate_task_resource_requirements
_MEM_KEYS = ("Memory", "MemoryReservation", "memory", "memoryReservation")


@staticmethod  # as moto's own
def _calc(task_definition):  # type: ignore[no-untyped-def]
    defs = task_definition.container_definitions
    task_definition.container_definitions = [
        d if any(d.get(k) is not None for k in _MEM_KEYS) else {**d, "memory": 0} for d in defs
    ]
    try:
        return _orig_calc(task_definition)
    finally:
        task_definition.container_definitions = defs


EC2ContainerServiceBackend._calculate_task_resource_requirements = _calc


# 11. CreateChangeSet with parameters, same template and same values: moto answers
#     ValidationError "No updates are to be performed." (UpdateStack's answer), so
#     `aws cloudformation deploy --no-fail-on-empty-changeset` fails. CloudFormation creates a
#     FAILED change set ("didn't contain changes"), which moto's backend already does.
_orig_validate_update = cfn_responses.CloudFormationResponse._validate_different_update


def _validate_update(self, incoming_params, stack_body, old_stack):  # type: ignore[no-untyped-def]
    if self._get_action() == "CreateChangeSet":
        return None
    return _orig_validate_update(self, incoming_params, stack_body, old_stack)


cfn_responses.CloudFormationResponse._validate_different_update = _validate_update


# 12. A parameter of type AWS::SSM::Parameter::Value<...> on update with UsePreviousValue (what
#     `aws cloudformation deploy` sends for parameters it is not given): moto passes the
#     *resolved* value (ami-...) and looks it up in SSM again -> None.value -> HTTP 500.
#     CloudFormation keeps the path and resolves it again. Here: an unknown name is taken as
#     already resolved.
_orig_parse_ssm = parsing.ResourceMap.parse_ssm_parameter


def _parse_ssm(self, value, value_type):  # type: ignore[no-untyped-def]
    from moto.ssm.models import ssm_backends

    if ssm_backends[self._account_id][self._region_name].get_parameter(value) is None:
        return value.split(",") if value_type.find("List") > 0 and isinstance(value, str) else value
    return _orig_parse_ssm(self, value, value_type)


parsing.ResourceMap.parse_ssm_parameter = _parse_ssm


# 13. The "nothing changed" test of CreateChangeSet compares the given parameters with the
#     ones given last time, so a redeploy that passes UsePreviousValue (or the defaults
#     explicitly) is a change. Compare effective values instead.
def _has_parameters(self, other):  # type: ignore[no-untyped-def]
    resolved = self.stack_parameters
    return set(self.parameters) <= set(other) and all(
        v == self.parameters.get(k) or v == resolved.get(k) for k, v in other.items()
    )


cfn_models.Stack.has_parameters = _has_parameters


# 14. CreateChangeSet (UPDATE) on a stack in ROLLBACK_COMPLETE: CloudFormation refuses
#     ("... is in ROLLBACK_COMPLETE state and can not be updated."); moto only checks this
#     for UpdateStack.
_orig_create_cs = cfn_responses.CloudFormationResponse.create_change_set


def _create_cs(self):  # type: ignore[no-untyped-def]
    if self._get_param("ChangeSetType", "CREATE") == "UPDATE":
        self._validate_status(self.cloudformation_backend.get_stack(self._get_param("StackName")))
    return _orig_create_cs(self)


cfn_responses.CloudFormationResponse.create_change_set = _create_cs


# 15. ECS Service has neither delete() nor delete_from_cloudformation_json: deleting its stack
#     (or removing it from a template) leaves the service ACTIVE in moto's ECS.
from moto.ecs.models import Service as EcsService  # noqa: E402
from moto.ecs.models import ecs_backends  # noqa: E402

if not hasattr(EcsService, "delete"):

    def _service_delete(self, account_id, region_name):  # type: ignore[no-untyped-def]
        ecs_backends[account_id][region_name].delete_service(
            self.cluster_name, self.name, force=True
        )

    EcsService.delete = _service_delete  # type: ignore[attr-defined]


# 16. CreateChangeSet of type CREATE for a name whose stack is REVIEW_IN_PROGRESS (an earlier
#     change set never executed; `aws cloudformation deploy` then asks for CREATE again):
#     moto makes a second stack with the same name, describe-stacks returns the old one, and
#     the CLI's waiter waits on it forever. CloudFormation reuses the REVIEW_IN_PROGRESS
#     stack. Here the stale one is dropped (the stack ID therefore changes).
_orig_backend_create_cs = cfn_models.CloudFormationBackend.create_change_set


def _backend_create_cs(
    self,
    stack_name,
    change_set_name,
    template,
    parameters,
    description,  # type: ignore[no-untyped-def]
    change_set_type,
    *args,
    **kwargs,
):
    CHANGING[stack_name] = time.time()  # the deploy of this stack begins (see 2b)
    if change_set_type == "CREATE":
        for sid, st in list(self.stacks.items()):
            if st.name == stack_name and st.status == "REVIEW_IN_PROGRESS":
                del self.stacks[sid]
    return _orig_backend_create_cs(
        self,
        stack_name,
        change_set_name,
        template,
        parameters,
        description,
        change_set_type,
        *args,
        **kwargs,
    )


cfn_models.CloudFormationBackend.create_change_set = _backend_create_cs


# 17. Change sets carry only Action / LogicalResourceId / ResourceType: no Replacement, Scope,
#     Details or PhysicalResourceId. Here Replacement is computed for Modify from the provider
#     schemas cfn-lint ships (createOnlyProperties): a changed create-only property -> "True",
#     a create-only property that refers to a parameter whose value changed -> "Conditional";
#     Details name each changed property (deploy.sh --review prints them), as CloudFormation's
#     do for a direct modification.
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # noqa: E402

_orig_diff = cfn_models.ChangeSet.diff


def _refs(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" and isinstance(v, str):
                yield v
            yield from _refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)


def _diff(self):  # type: ignore[no-untyped-def]
    changes = _orig_diff(self)
    old_res = self.stack.resource_map._resource_json_map
    new_res = self.template_dict.get("Resources", {})
    old_params = self.stack.stack_parameters
    changed_params = {
        k for k, v in (self.parameters or {}).items() if str(old_params.get(k)) != str(v)
    }
    for change in changes:
        parsed = self.stack.resource_map._parsed_resources.get(change.logical_resource_id)
        change.physical_resource_id = getattr(parsed, "physical_resource_id", None)
        change.replacement = None
        if change.action != "Modify":
            continue
        try:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
                self.stack.region_name, change.resource_type
            ).schema
            create_only = {p.split("/")[2] for p in schema.get("createOnlyProperties", [])}
        except Exception:
            create_only = set()
        old_p = old_res.get(change.logical_resource_id, {}).get("Properties", {})
        new_p = new_res.get(change.logical_resource_id, {}).get("Properties", {})
        changed = {k for k in set(old_p) | set(new_p) if old_p.get(k) != new_p.get(k)}
        via_params = {k for k in set(new_p) if set(_refs(new_p[k])) & changed_params}
        change.scope = ["Properties"]
        change.details = [
            {
                "Target": {
                    "Attribute": "Properties",
                    "Name": name,
                    "RequiresRecreation": "Always" if name in create_only else "Never",
                },
                "Evaluation": "Static",
                "ChangeSource": "DirectModification",
            }
            for name in sorted(changed)
        ]
        if changed & create_only:
            change.replacement = "True"
        elif via_params & create_only:
            change.replacement = "Conditional"
        else:
            change.replacement = "False"
    return changes


cfn_models.ChangeSet.diff = _diff


# 18. ListChangeSets answers every change set of the region, whatever its StackName (AWS
#     lists that stack's only): deploy.sh --review, deleting its stack's older review change
#     sets, would delete the other stacks' ones.
def _list_change_sets(self):  # type: ignore[no-untyped-def]
    stack = self._get_param("StackName")
    found = self.cloudformation_backend.list_change_sets()
    if stack:
        found = [cs for cs in found if stack in (cs.stack_name, cs.stack_id)]
    return cfn_responses.ActionResult({"Summaries": found})


cfn_responses.CloudFormationResponse.list_change_sets = _list_change_sets


def precreate_zone(zone_id: str, name: str, account_id: str = "123456789012") -> None:
    """A public hosted zone with a chosen ID (a blueprint's zones.X.existing_id)."""
    from moto.route53.models import route53_backends

    backend = route53_backends[account_id]["aws"]
    zone = backend.create_hosted_zone(name, private_zone=False)
    backend.zones.pop(zone.resource_id)
    zone.resource_id = zone_id
    backend.zones[zone_id] = zone


def stop_tasks_at_once() -> None:
    """ECS tasks move RUNNING -> ... -> STOPPED one step per describe by default: make a
    job's task stop at once, so `aws ecs wait tasks-stopped` returns on its first poll."""
    from moto.moto_api import state_manager

    state_manager.set_transition("ecs::task", {"progression": "immediate"})


# ---- starting and stopping ----------------------------------------------------------------
def start(host: str = "127.0.0.1", port: int = 0):  # type: ignore[no-untyped-def]
    from moto.server import ThreadedMotoServer

    srv = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    srv.start()  # returns once the socket is bound
    h, p = srv.get_host_and_port()
    return srv, f"http://{h}:{p}"


if __name__ == "__main__":
    import os
    import signal
    import threading

    for pair in filter(None, os.environ.get("MOTO_EXISTING_ZONES", "").split(",")):
        zid, _, zname = pair.partition("=")
        precreate_zone(zid, zname)
    LATENCY = float(os.environ.get("MOTO_LATENCY", "0"))
    for pair in filter(None, os.environ.get("MOTO_FAIL_RESOURCES", "").split(",")):
        lid, _, reason = pair.partition("=")
        FAIL[lid] = reason or "failed on purpose"
    srv, url = start()
    stop_tasks_at_once()
    print(url, flush=True)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as fh:
            fh.write(url + "\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    srv.stop()
