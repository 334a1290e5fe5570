"""The one place logical IDs are made.

Logical IDs are an API: CloudFormation replaces a resource whose logical ID changes.
Every ID is derived from blueprint names (never from list positions or file order),
so reordering a blueprint changes nothing and renaming an entry is the only thing
that renames its resources. This module imports no troposphere, so validation can
check for names that would collide using the very function that makes the IDs.
"""

from __future__ import annotations

import hashlib
import re


def stem(name: str) -> str:
    """``web-api`` and ``web_api`` -> ``WebApi``: the part of an ID a name contributes."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name) if part)


def slot(*parts: str, modulo: int) -> int:
    """A stable number in ``range(modulo)`` for a set of names (sha256, not ``hash()``,
    which changes between runs)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % modulo


# --- stacks --------------------------------------------------------------------------------
def service_stack(blueprint: str, service: str) -> str:
    """The stack of one service: ``shop`` and ``web_api`` -> ``shop-service-web-api``."""
    return f"{blueprint}-service-{service.replace('_', '-')}"


def zones_stack(blueprint: str) -> str:
    """The stack of the hosted zones a blueprint creates, deployed before its main stack:
    ``shop`` -> ``shop-zones``."""
    return f"{blueprint}-zones"


#: The stack of account-wide settings (API Gateway's CloudWatch Logs role), one per account
#: and region, shared by every blueprint there: its name holds no blueprint's. At 33
#: characters it is longer than any blueprint name (32), has no "-service-" and does not
#: end in "-us-east-1", so no blueprint's own stacks can be called so.
ACCOUNT_STACK = "blueprint-shared-account-settings"


# --- network -------------------------------------------------------------------------------
VPC = "Vpc"
INTERNET_GATEWAY = "InternetGateway"
GATEWAY_ATTACHMENT = "InternetGatewayAttachment"
PUBLIC_ROUTE_TABLE = "PublicRouteTable"
PUBLIC_DEFAULT_ROUTE = "PublicDefaultRoute"
FLOW_LOG = "VpcFlowLog"
#: The bucket of access records. No entry's ID ends in "Archive", so none can collide.
ACCESS_LOG_ARCHIVE = "AccessLogArchive"
ACCESS_LOG_ARCHIVE_POLICY = "AccessLogArchivePolicy"


def subnet(tier: str, index: int) -> str:
    """Subnets are numbered by availability zone (1-based), which is what they are."""
    return f"{stem(tier)}Subnet{index + 1}"


def subnet_route_table_association(tier: str, index: int) -> str:
    return f"{stem(tier)}Subnet{index + 1}RouteTableAssociation"


def private_route_table(index: int) -> str:
    return f"PrivateRouteTable{index + 1}"


def private_default_route(index: int) -> str:
    return f"PrivateDefaultRoute{index + 1}"


def nat_gateway(index: int) -> str:
    return f"NatGateway{index + 1}"


#: No entry's ID ends in "GatewayEndpoint", so none can collide.
_GATEWAY_ENDPOINTS = {"s3": "S3GatewayEndpoint", "dynamodb": "DynamoDbGatewayEndpoint"}


def gateway_endpoint(service: str) -> str:
    """The VPC's gateway endpoint to ``service`` ("s3" or "dynamodb")."""
    return _GATEWAY_ENDPOINTS[service]


def nat_eip(index: int) -> str:
    return f"NatGateway{index + 1}Eip"


# --- DNS -----------------------------------------------------------------------------------
def zone(name: str) -> str:
    return f"{stem(name)}Zone"


def certificate(name: str) -> str:
    return f"{stem(name)}Certificate"


def alias_record(owner: str, domain: str) -> str:
    """A record set is named for the domain it serves: ``bot.example.com`` -> ``BotExampleCom``."""
    return f"{stem(owner)}{stem(domain.replace('.', '-').replace('*', 'wildcard'))}Alias"


# --- load balancers ------------------------------------------------------------------------
def load_balancer(name: str) -> str:
    return f"{stem(name)}LoadBalancer"


def load_balancer_security_group(name: str) -> str:
    return f"{stem(name)}LoadBalancerSecurityGroup"


def listener(lb: str, protocol: str) -> str:
    return f"{stem(lb)}{stem(protocol.lower())}Listener"


def target_group(lb: str, route: str) -> str:
    return f"{stem(lb)}{stem(route)}TargetGroup"


def listener_rule(lb: str, route: str) -> str:
    return f"{stem(lb)}{stem(route)}Rule"


def listener_certificate(lb: str) -> str:
    """The certificate added to an existing listener (``load_balancers.NAME.existing``)."""
    return f"{stem(lb)}ListenerCertificate"


# --- security group rules ------------------------------------------------------------------
def existing_group(group_id: str) -> str:
    """A security group outside the blueprint, as its rules name it: ``sg-0a1b2c3d`` ->
    ``Sg0a1b2c3d``. From the group itself, not from the entries that name it: entries on
    one existing listener share its group's rules, and a rule named after whichever entry
    held it would be created anew under the next one when that entry is removed (before
    the old one is deleted, which EC2 refuses as a duplicate: ``InvalidPermission.Duplicate``,
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).

    No entry's group can have this stem, even an entry named like the group ID: the stem
    of a group the blueprint makes ends in its kind (``...LoadBalancer``, ``...Service``,
    ``...Instances``, ``...Job``: its ID less ``SecurityGroup``), and this one in the ID's
    lowercase hex, so ``<target>From<source>Port<N>`` names one pair of groups only."""
    return stem(group_id)


def cidr(block: str) -> str:
    """``0.0.0.0/0`` -> ``Anywhere``; ``10.0.0.0/8`` -> ``Cidr10x0x0x0Slash8``."""
    if block == "0.0.0.0/0":
        return "Anywhere"
    return "Cidr" + block.replace(".", "x").replace("/", "Slash")


def _ports(low: int, high: int) -> str:
    return f"Port{low}" if low == high else f"Ports{low}To{high}"


def ingress(target: str, source: str, low: int, high: int | None = None) -> str:
    return f"{target}From{source}{_ports(low, high or low)}"


def egress(source: str, target: str, low: int, high: int | None = None) -> str:
    return f"{source}To{target}{_ports(low, high or low)}"


# --- compute -------------------------------------------------------------------------------
CLUSTER = "Cluster"


def service(name: str) -> str:
    return f"{stem(name)}Service"


def task_definition(name: str) -> str:
    return f"{stem(name)}TaskDefinition"


def task_role(name: str) -> str:
    return f"{stem(name)}TaskRole"


def execution_role(name: str) -> str:
    return f"{stem(name)}ExecutionRole"


def log_group(name: str) -> str:
    return f"{stem(name)}LogGroup"


def service_security_group(name: str) -> str:
    return f"{stem(name)}ServiceSecurityGroup"


#: The private DNS namespace of the services reached by name (one per blueprint).
SERVICE_NAMESPACE = "ServiceNamespace"


def discovery_service(name: str) -> str:
    """The Cloud Map service that holds the A records of a service's tasks."""
    return f"{stem(name)}DiscoveryService"


def job(name: str, what: str) -> str:
    """What a job makes: ``JobTaskDefinition``, ``JobSchedule``, ``JobFailureTopic`` ... of
    job ``name`` (``NightlyReportJobSchedule``); outputs are named the same way."""
    return f"{stem(name)}Job{what}"


def job_family(blueprint: str, name: str) -> str:
    """A job's task definition family (not a logical ID, a name ECS knows it by; its runs'
    group is ``family:`` this): ``shop`` and ``migrate`` -> ``shop-job-migrate``."""
    return f"{blueprint}-job-{name}"


def job_subscription(name: str, address: str) -> str:
    """An email subscription to a job's failure topic, named by its address (not by its
    place in the list): ``NightlyJobNotify1A2B3C4D``."""
    digest = hashlib.sha256(address.lower().encode()).hexdigest()[:8].upper()
    return f"{stem(name)}JobNotify{digest}"


#: The key that encrypts the jobs' failure topics (EventBridge publishes to a topic only
#: under a key whose policy lets it; an AWS managed key's policy cannot).
JOBS_TOPIC_KEY = "JobsTopicKey"


def scalable_target(name: str) -> str:
    """The Application Auto Scaling target of a service's task count."""
    return f"{stem(name)}ScalableTarget"


def scaling_policy(name: str, metric: str, lb: str = "", route: str = "") -> str:
    """One target-tracking policy of a service: per metric, and per load balancer route
    for a metric of a target group (``requests_per_target``)."""
    return f"{stem(name)}{stem(lb)}{stem(route)}{stem(metric)}ScalingPolicy"


def scaling_alarm(name: str, what: str) -> str:
    """A CloudWatch alarm of our own that invokes one of a service's step-scaling policies."""
    return f"{stem(name)}{stem(what)}ScalingAlarm"


# --- data ----------------------------------------------------------------------------------
def bucket(name: str) -> str:
    return f"{stem(name)}Bucket"


def bucket_policy(name: str) -> str:
    return f"{stem(name)}BucketPolicy"


def table(name: str) -> str:
    return f"{stem(name)}Table"


def queue(name: str) -> str:
    return f"{stem(name)}Queue"


def queue_dead_letters(name: str) -> str:
    """Ends in ``Queue``, unlike a function's ``...FunctionDeadLetterQueue``."""
    return f"{stem(name)}QueueDeadLetterQueue"


def queue_policy(name: str) -> str:
    return f"{stem(name)}QueuePolicy"


def queue_subscription(function_name: str) -> str:
    """The event source mapping through which a function consumes its queue."""
    return f"{stem(function_name)}QueueSubscription"


def database(name: str) -> str:
    return f"{stem(name)}Database"


def database_monitoring_role(name: str) -> str:
    return f"{stem(name)}DatabaseMonitoringRole"


def database_subnet_group(name: str) -> str:
    return f"{stem(name)}DatabaseSubnetGroup"


def database_security_group(name: str) -> str:
    return f"{stem(name)}DatabaseSecurityGroup"


def database_parameter_group(name: str) -> str:
    return f"{stem(name)}DatabaseParameterGroup"


def cache(name: str) -> str:
    return f"{stem(name)}Cache"


def cache_subnet_group(name: str) -> str:
    return f"{stem(name)}CacheSubnetGroup"


def cache_security_group(name: str) -> str:
    return f"{stem(name)}CacheSecurityGroup"


def file_system(name: str) -> str:
    return f"{stem(name)}FileSystem"


def file_system_security_group(name: str) -> str:
    return f"{stem(name)}FileSystemSecurityGroup"


def mount_target(name: str, index: int) -> str:
    """Numbered by availability zone, like the subnets they stand in."""
    return f"{stem(name)}FileSystemMountTarget{index + 1}"


def access_point(file_system_name: str, name: str) -> str:
    return f"{stem(file_system_name)}{stem(name)}AccessPoint"


# --- instances and EC2 capacity --------------------------------------------------------------
def ami_parameter(architecture: str, ecs: bool) -> str:
    return ("EcsAmi" if ecs else "Al2023Ami") + stem(architecture.replace("_", "-"))


def instance(group: str, index: int) -> str:
    """Instances of a group are numbered; lowering ``count`` removes the highest."""
    return f"{stem(group)}{index + 1}Instance"


def instance_security_group(group: str) -> str:
    return f"{stem(group)}InstancesSecurityGroup"


def instance_role(group: str) -> str:
    return f"{stem(group)}InstanceRole"


def instance_profile(group: str) -> str:
    return f"{stem(group)}InstanceProfile"


def launch_template(group: str) -> str:
    return f"{stem(group)}LaunchTemplate"


def auto_scaling_group(name: str) -> str:
    return f"{stem(name)}AutoScalingGroup"


def capacity_provider(name: str) -> str:
    return f"{stem(name)}CapacityProvider"


def capacity_security_group(name: str) -> str:
    return f"{stem(name)}CapacitySecurityGroup"


CAPACITY_ASSOCIATIONS = "ClusterCapacityProviders"


# --- functions, events, APIs, CDN ------------------------------------------------------------
def function(name: str) -> str:
    return f"{stem(name)}Function"


def function_role(name: str) -> str:
    return f"{stem(name)}FunctionRole"


def function_log_group(name: str) -> str:
    return f"{stem(name)}FunctionLogGroup"


def dead_letter_queue(function_id: str) -> str:
    """Named after the function's own logical ID (user functions and ours alike)."""
    return f"{function_id}DeadLetterQueue"


def dns_updater(service_name: str) -> str:
    """The function blueprint provides to keep a service's public DNS record current."""
    return f"{stem(service_name)}DnsUpdaterFunction"


def dns_updater_role(service_name: str) -> str:
    return f"{stem(service_name)}DnsUpdaterRole"


def dns_updater_log_group(service_name: str) -> str:
    return f"{stem(service_name)}DnsUpdaterLogGroup"


def dns_record(service_name: str) -> str:
    """The custom resource that stands for a service's public DNS record: deleting the
    stack deletes the record."""
    return f"{stem(service_name)}DnsRecord"


def task_state_rule(service_name: str) -> str:
    return f"{stem(service_name)}TaskStateRule"


def task_state_permission(service_name: str) -> str:
    return f"{stem(service_name)}TaskStateInvokePermission"


#: The account-wide API Gateway setting that names the role allowed to write its logs.
API_ACCOUNT = "ApiGatewayAccount"
API_LOGGING_ROLE = "ApiGatewayLoggingRole"


def _key(route_key: str) -> str:
    """A route key as an ID part: ``$connect`` -> ``Connect``, ``send.msg`` -> ``SendMsg``."""
    return stem(re.sub(r"[^A-Za-z0-9]+", "-", route_key).strip("-"))


def api(name: str) -> str:
    return f"{stem(name)}Api"


def api_route(api_name: str, key: str) -> str:
    return f"{stem(api_name)}{_key(key)}Route"


def api_integration(api_name: str, key: str) -> str:
    return f"{stem(api_name)}{_key(key)}Integration"


def api_permission(api_name: str, key: str) -> str:
    """The permission that lets one route invoke its function."""
    return f"{stem(api_name)}{_key(key)}InvokePermission"


def api_authorizer(name: str) -> str:
    """The Lambda authorizer of an API's $connect route."""
    return f"{stem(name)}ApiAuthorizer"


def api_authorizer_permission(name: str) -> str:
    """The permission that lets the API call its authorizer function (not ending in
    ``InvokePermission``, which a route's permission ends with)."""
    return f"{stem(name)}ApiAuthorizerPermission"


def api_stage(name: str) -> str:
    return f"{stem(name)}ApiStage"


def api_deployment(name: str, routes_digest: str) -> str:
    """A deployment is immutable: a new set of routes needs a new one, so its ID carries a
    digest of the routes (CloudFormation then creates the new one and deletes the old)."""
    return f"{stem(name)}ApiDeployment{routes_digest}"


def api_access_log_group(name: str) -> str:
    return f"{stem(name)}ApiAccessLogGroup"


def api_domain(name: str) -> str:
    return f"{stem(name)}ApiDomain"


def api_mapping(name: str) -> str:
    return f"{stem(name)}ApiMapping"


def distribution(name: str) -> str:
    return f"{stem(name)}Distribution"


def cache_policy(name: str) -> str:
    return f"{stem(name)}DistributionCachePolicy"


def origin_access_control(name: str) -> str:
    """The Origin Access Control a distribution signs its bucket origin's requests with."""
    return f"{stem(name)}DistributionOriginAccessControl"


def origin_secret(name: str) -> str:
    """The secret a distribution sends its origin in a header."""
    return f"{stem(name)}DistributionOriginSecret"


#: The lookup of CloudFront's origin-facing prefix list, one per stack, and its function.
PREFIX_LIST = "CloudFrontPrefixList"
PREFIX_LIST_FUNCTION = "CloudFrontPrefixListFunction"
PREFIX_LIST_ROLE = "CloudFrontPrefixListRole"
PREFIX_LIST_LOG_GROUP = "CloudFrontPrefixListLogGroup"
#: What rules admitting CloudFront are named from: ``GhostServiceFromCloudFrontPort80``.
CLOUDFRONT_SOURCE = "CloudFront"


def certificate_parameter(name: str) -> str:
    """The main stack's parameter that receives a us-east-1 certificate's ARN."""
    return f"{stem(name)}CertificateArn"


# --- schedules -----------------------------------------------------------------------------
def schedule(name: str) -> str:
    return f"{stem(name)}Schedule"


def scheduler_role(service_name: str) -> str:
    """One role per service that schedules act on, allowed to update that service only."""
    return f"{stem(service_name)}SchedulerRole"


# --- outputs -------------------------------------------------------------------------------
def output(*parts: str) -> str:
    return "".join(stem(p) for p in parts)


def reference_output(section: str, name: str, attribute: str) -> str:
    """The output of what ``{ref: SECTION.NAME.ATTRIBUTE}`` names: the three in PascalCase
    (``databases.main.address`` -> ``DatabasesMainAddress``). Also the name of its
    variable in an Fn::Sub of user data."""
    return output(section, name, attribute)
