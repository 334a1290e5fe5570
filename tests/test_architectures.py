"""What each reference architecture's template must contain, checked on the built JSON.

Golden files pin every byte; these tests say in plain terms which properties matter and
why, so a golden update that loses one of them fails here too.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.pipeline import Build, check, lint, render

from .conftest import ROOT

EXAMPLES = ROOT / "examples"


def build(name: str) -> Build:
    result = render(check(EXAMPLES / f"{name}.yaml", f"{name}.yaml"))
    lint(result)
    assert [f for findings in result.lint.values() for f in findings] == []
    return result


def resources(result: Build, stack: str | None = None) -> dict[str, Any]:
    """The resources of one stack, or of every stack of the blueprint's region (the main
    stack and the services' stacks) when ``stack`` is None."""
    region = result.checked.blueprint.region
    chosen = [s for s in result.stacks if s.name == stack or (stack is None and s.region == region)]
    return {k: v for s in chosen for k, v in s.data["Resources"].items()}


def across(result: Build, stack: str, value: Any) -> Any:
    """What a value of ``stack`` stands for where it is made: a parameter that deploy.sh
    fills from another stack's output becomes that output's value there."""
    [chosen] = [s for s in result.stacks if s.name == stack]
    if (
        isinstance(value, dict)
        and set(value) == {"Ref"}
        and value["Ref"] in chosen.parameter_sources
    ):
        source, _region, output = chosen.parameter_sources[value["Ref"]]
        [made] = [s for s in result.stacks if s.name == source]
        return made.data["Outputs"][output]["Value"]
    return value


def stack_of(result: Build, logical_id: str) -> str:
    [name] = [s.name for s in result.stacks if logical_id in s.data["Resources"]]
    return name


def of_type(res: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in res.items() if v["Type"] == kind}


def props(res: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return dict(res[logical_id]["Properties"])


@pytest.fixture(scope="module")
def chatbot() -> Build:
    return build("chatbot-fargate-spot")


def test_a_chatbot(chatbot: Build) -> None:
    res = resources(chatbot)
    https = props(res, "WebHttpsListener")
    assert (https["Port"], https["Protocol"]) == (443, "HTTPS")
    assert https["Certificates"] == [{"CertificateArn": {"Ref": "BotCertificate"}}]
    http = props(res, "WebHttpListener")
    assert http["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    cert = props(res, "BotCertificate")
    assert cert["ValidationMethod"] == "DNS"
    assert cert["DomainValidationOptions"][0]["HostedZoneId"] == {"Ref": "MainZone"}
    alias = props(res, "WebBotExampleComAlias")
    assert alias["Type"] == "A"
    assert alias["AliasTarget"]["DNSName"] == {"Fn::GetAtt": ["WebLoadBalancer", "DNSName"]}
    assert props(res, "WebBotTargetGroup")["TargetType"] == "ip"
    service = props(res, "BotService")
    assert service["CapacityProviderStrategy"] == [
        {"Base": 0, "CapacityProvider": "FARGATE_SPOT", "Weight": 1}
    ]
    task = props(res, "BotTaskDefinition")
    assert (task["Cpu"], task["Memory"]) == ("256", "2048")
    [container] = task["ContainerDefinitions"]
    assert [s["Name"] for s in container["Secrets"]] == ["ACCESS_TOKEN", "CHANNEL_SECRET"]
    policy = props(res, "BotExecutionRole")["Policies"][0]["PolicyDocument"]["Statement"]
    [ssm] = [s for s in policy if s["Action"] == ["ssm:GetParameters"]]
    assert [r["Fn::Sub"] for r in ssm["Resource"]] == [
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ACCESS_TOKEN",
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/CHANNEL_SECRET",
    ]
    schedules = of_type(res, "AWS::Scheduler::Schedule")
    assert len(schedules) == 2
    counts = set()
    for schedule in schedules.values():
        p = schedule["Properties"]
        assert p["ScheduleExpressionTimezone"] == "Asia/Tokyo"
        assert p["Target"]["Arn"]["Fn::Sub"].endswith(":aws-sdk:ecs:updateService")
        counts.add(json.loads(p["Target"]["Input"]["Fn::Sub"][0])["DesiredCount"])
    assert counts == {0, 1}
    assert of_type(res, "AWS::Lambda::Function") == {}


def test_b_rails() -> None:
    res = resources(build("rails-ec2-rds"))
    web = [props(res, f"Web{i}Instance") for i in (1, 2)]
    for instance in web:
        assert instance["MetadataOptions"]["HttpTokens"] == "required"
        assert instance["NetworkInterfaces"][0]["SubnetId"]["Ref"].startswith("PrivateSubnet")
        assert instance["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    bastion = props(res, "Bastion1Instance")
    assert bastion["NetworkInterfaces"][0]["SubnetId"]["Ref"].startswith("PublicSubnet")
    assert len(of_type(res, "AWS::EC2::NatGateway")) == 1
    db = props(res, "MainDatabase")
    assert (db["Engine"], db["ManageMasterUserPassword"], db["StorageEncrypted"]) == (
        "mysql",
        True,
        True,
    )
    assert "MasterUserPassword" not in db
    assert res["MainDatabase"]["DeletionPolicy"] == "Snapshot"
    ingress = [
        v["Properties"]
        for v in of_type(res, "AWS::EC2::SecurityGroupIngress").values()
        if v["Properties"]["GroupId"] == {"Fn::GetAtt": ["MainDatabaseSecurityGroup", "GroupId"]}
    ]
    assert ingress == [
        {
            "Description": "web to main",
            "FromPort": 3306,
            "GroupId": {"Fn::GetAtt": ["MainDatabaseSecurityGroup", "GroupId"]},
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::GetAtt": ["WebInstancesSecurityGroup", "GroupId"]},
            "ToPort": 3306,
        }
    ]
    bucket = props(res, "ImagesBucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    group = props(res, "WebWebTargetGroup")
    assert (group["TargetType"], group["Port"]) == ("instance", 3000)
    assert len(group["Targets"]) == 2


def test_c_spring() -> None:
    spring = build("spring-ecs-ec2-redis")
    res = resources(spring)
    provider = props(res, "HostsCapacityProvider")
    assert provider["AutoScalingGroupProvider"]["AutoScalingGroupArn"] == {
        "Ref": "HostsAutoScalingGroup"
    }
    for name in ("App1", "App2"):
        task = props(res, f"{name}TaskDefinition")
        assert task["NetworkMode"] == "bridge"
        assert task["ContainerDefinitions"][0]["PortMappings"][0]["HostPort"] == 0
        env = task["ContainerDefinitions"][0]["Environment"]
        assert [e["Name"] for e in env] == ["REDISCLUSTERENDPOINT"]
        # the cache lives in the main stack, the task in the service's: the value crosses
        # as the main stack's output, passed to the service stack's parameter
        stack = f"spring-session-service-{name.lower()}"
        assert across(spring, stack, env[0]["Value"]) == {
            "Fn::GetAtt": ["SessionsCache", "PrimaryEndPoint.Address"]
        }
    dynamic = [
        (k, v["Properties"])
        for k, v in of_type(res, "AWS::EC2::SecurityGroupIngress").items()
        if v["Properties"]["FromPort"] == 32768
    ]
    assert len(dynamic) == 1
    [(rule_id, rule)] = dynamic
    assert rule["ToPort"] == 61000
    assert across(spring, stack_of(spring, rule_id), rule["SourceSecurityGroupId"]) == {
        "Fn::GetAtt": ["WebLoadBalancerSecurityGroup", "GroupId"]
    }
    rules = of_type(res, "AWS::ElasticLoadBalancingV2::ListenerRule")
    paths = sorted(
        r["Properties"]["Conditions"][0]["PathPatternConfig"]["Values"][0] for r in rules.values()
    )
    assert paths == ["/app1/*", "/app2/*"]
    cache = props(res, "SessionsCache")
    assert cache["TransitEncryptionEnabled"] and cache["AtRestEncryptionEnabled"]


def test_d_websocket() -> None:
    res = resources(build("websocket-lambda-dynamodb"))
    api = props(res, "ChatApi")
    assert (api["ProtocolType"], api["RouteSelectionExpression"]) == (
        "WEBSOCKET",
        "$request.body.action",
    )
    routes = of_type(res, "AWS::ApiGatewayV2::Route")
    assert {r["Properties"]["RouteKey"] for r in routes.values()} == {
        "$connect",
        "$disconnect",
        "$default",
        "sendmessage",
    }
    integrations = of_type(res, "AWS::ApiGatewayV2::Integration")
    assert {i["Properties"]["IntegrationType"] for i in integrations.values()} == {"AWS_PROXY"}
    stage = props(res, "ChatApiStage")["DefaultRouteSettings"]
    assert (stage["ThrottlingBurstLimit"], stage["ThrottlingRateLimit"]) == (5000, 10000)
    assert "AccessLogSettings" in props(res, "ChatApiStage")
    domain = props(res, "ChatApiDomain")["DomainNameConfigurations"][0]
    assert (domain["SecurityPolicy"], domain["EndpointType"]) == ("TLS_1_2", "REGIONAL")
    assert of_type(res, "AWS::ApiGatewayV2::ApiMapping")
    permissions = of_type(res, "AWS::Lambda::Permission")
    by_route = {k: v for k, v in permissions.items() if k != "ChatApiAuthorizerPermission"}
    assert len(by_route) == 4
    for p in by_route.values():
        assert p["Properties"]["SourceArn"]["Fn::Sub"][1] == {"Api": {"Ref": "ChatApi"}}
    _websocket_authorizer(res, routes)
    table = res["ConnectionsTable"]
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }
    assert table["DeletionPolicy"] == "RetainExceptOnCreate"
    assert table["UpdateReplacePolicy"] == "Retain"


def _websocket_authorizer(res: dict[str, Any], routes: dict[str, Any]) -> None:
    """A new connection passes a Lambda REQUEST authorizer that reads ?token=, on $connect
    alone, and only that authorizer of that API may call its function."""
    authorizer = props(res, "ChatApiAuthorizer")
    assert (authorizer["AuthorizerType"], authorizer["IdentitySource"]) == (
        "REQUEST",
        ["route.request.querystring.token"],
    )
    assert authorizer["ApiId"] == {"Ref": "ChatApi"}
    assert authorizer["AuthorizerUri"]["Fn::Sub"][1] == {
        "Function": {"Fn::GetAtt": ["AuthorizeFunction", "Arn"]}
    }
    guarded = {
        r["Properties"]["RouteKey"]: (
            r["Properties"]["AuthorizationType"],
            r["Properties"].get("AuthorizerId"),
        )
        for r in routes.values()
    }
    assert guarded == {
        "$connect": ("CUSTOM", {"Ref": "ChatApiAuthorizer"}),
        "$disconnect": ("NONE", None),
        "$default": ("NONE", None),
        "sendmessage": ("NONE", None),
    }
    permission = props(res, "ChatApiAuthorizerPermission")
    assert (permission["FunctionName"], permission["Principal"]) == (
        {"Ref": "AuthorizeFunction"},
        "apigateway.amazonaws.com",
    )
    text, variables = permission["SourceArn"]["Fn::Sub"]
    assert text == (
        "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
        "${Api}/authorizers/${Authorizer}"
    )
    assert variables == {"Api": {"Ref": "ChatApi"}, "Authorizer": {"Ref": "ChatApiAuthorizer"}}


def test_a_changed_authorizer_is_deployed_again(tmp_path: Path) -> None:
    """The stage serves a deployment's snapshot: changing the authorizer makes a new
    deployment (a new logical ID), and an API without one keeps the ID it had before
    authorizers existed (the digest of its routes alone)."""
    shutil.copytree(EXAMPLES / "files", tmp_path / "files")
    data = yaml.safe_load((EXAMPLES / "websocket-lambda-dynamodb.yaml").read_text())

    def deployment(authorizer: dict[str, Any] | None) -> str:
        api = data["websocket_apis"]["chat"]
        api.pop("authorizer", None)
        if authorizer is not None:
            api["authorizer"] = authorizer
        path = tmp_path / "blueprint.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        res = render(check(path, "blueprint.yaml")).stacks[-1].data["Resources"]
        [name] = of_type(res, "AWS::ApiGatewayV2::Deployment")
        return str(name)

    token = deployment({"function": "authorize", "identity": ["querystring.token"]})
    header = deployment({"function": "authorize", "identity": ["header.Authorization"]})
    none = deployment(None)
    routes = sorted(data["websocket_apis"]["chat"]["routes"].items())
    digest = hashlib.sha256(repr(routes).encode()).hexdigest()[:8].upper()
    assert none == f"ChatApiDeployment{digest}"
    assert len({token, header, none}) == 3


def test_e_ghost() -> None:
    result = build("ghost-fargate-efs-cloudfront")
    assert [(s.name, s.region) for s in result.stacks] == [
        ("ghost-blog-us-east-1", "us-east-1"),
        ("ghost-blog", "ap-northeast-1"),
        ("ghost-blog-service-ghost", "ap-northeast-1"),
    ]
    east = resources(result, "ghost-blog-us-east-1")
    assert list(of_type(east, "AWS::CertificateManager::Certificate")) == ["BlogCertificate"]
    script = result.deploy_script
    assert script.index("--stack-name ghost-blog-us-east-1") < script.index(
        "--stack-name ghost-blog \\"
    )
    assert 'BlogCertificateArn="$blog_certificate_arn"' in script
    res = resources(result)
    assert of_type(res, "AWS::CertificateManager::Certificate") == {}
    assert len(of_type(res, "AWS::EFS::FileSystem")) == 1
    assert len(of_type(res, "AWS::EFS::MountTarget")) == 2
    task = props(res, "GhostTaskDefinition")
    assert sorted(c["Name"] for c in task["ContainerDefinitions"]) == ["ghost", "nginx"]
    assert all(c["MountPoints"] for c in task["ContainerDefinitions"])
    rule = props(res, "GhostTaskStateRule")
    assert rule["EventPattern"]["detail-type"] == ["ECS Task State Change"]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["GhostDnsUpdaterFunction", "Arn"]}
    updater = props(res, "GhostDnsUpdaterFunction")
    assert "def handler(" in updater["Code"]["ZipFile"]
    [policy] = of_type(res, "AWS::CloudFront::CachePolicy").values()
    assert policy["Properties"]["CachePolicyConfig"]["MinTTL"] > 0
    [dist] = of_type(res, "AWS::CloudFront::Distribution").values()
    config = dist["Properties"]["DistributionConfig"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == {"Ref": "BlogCertificateArn"}
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"


def test_f_web_worker_jobs() -> None:
    """Issue 16's example: the web service, a worker scaled on its queue from 0, a nightly
    job and a migration run after each deploy, every one of them built and linted clean;
    and issue 17's private pricing service that the web service and the job call by name."""
    result = build("web-worker-jobs-rds")
    res = resources(result)
    # the nightly job: Scheduler runs the task itself, retries a failed launch, and keeps a
    # launch still failing in a dead-letter queue
    [schedule] = of_type(res, "AWS::Scheduler::Schedule").values()
    target = schedule["Properties"]["Target"]
    assert target["EcsParameters"]["TaskDefinitionArn"] == {"Ref": "NightlyReportJobTaskDefinition"}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    assert target["DeadLetterConfig"]["Arn"] == {
        "Fn::GetAtt": ["NightlyReportJobDeadLetterQueue", "Arn"]
    }
    # the queue moves a message received 5 times to its dead-letter queue
    redrive = props(res, "OrdersQueue")["RedrivePolicy"]
    assert redrive == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["OrdersQueueDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    # the worker scales on its backlog from 0, the web service on CPU; neither has a count
    worker, web = props(res, "WorkerScalableTarget"), props(res, "WebScalableTarget")
    assert (worker["MinCapacity"], worker["MaxCapacity"]) == (0, 10)
    assert (web["MinCapacity"], web["MaxCapacity"]) == (2, 8)
    policies = {
        k: v["Properties"]
        for k, v in of_type(res, "AWS::ApplicationAutoScaling::ScalingPolicy").items()
    }
    cpu = policies["WebCpuScalingPolicy"]["TargetTrackingScalingPolicyConfiguration"]
    assert cpu["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ECSServiceAverageCPUUtilization"
    )
    backlog = policies["WorkerMessagesPerTaskScalingPolicy"]
    assert backlog["ScalingTargetId"] == {"Ref": "WorkerScalableTarget"}
    metrics = backlog["TargetTrackingScalingPolicyConfiguration"]["CustomizedMetricSpecification"]
    names = [
        m["MetricStat"]["Metric"]["MetricName"] for m in metrics["Metrics"] if "MetricStat" in m
    ]
    assert names == ["ApproximateNumberOfMessagesVisible", "RunningTaskCount"]
    assert policies["WorkerFromZeroScalingPolicy"]["PolicyType"] == "StepScaling"
    services = of_type(res, "AWS::ECS::Service")
    assert sorted(services) == ["PricingService", "WebService", "WorkerService"]
    scaled = [services["WebService"], services["WorkerService"]]
    assert all("DesiredCount" not in v["Properties"] for v in scaled)
    # the private pricing service: one task, no load balancer, found by name
    pricing = services["PricingService"]["Properties"]
    assert pricing["DesiredCount"] == 1 and "LoadBalancers" not in pricing
    assert pricing["ServiceRegistries"] == [
        {"RegistryArn": {"Fn::GetAtt": ["PricingDiscoveryService", "Arn"]}}
    ]
    into_pricing = sorted(
        v["Properties"]["Description"]
        for v in of_type(res, "AWS::EC2::SecurityGroupIngress").values()
        if v["Properties"]["Description"].endswith(" to pricing")
    )
    assert into_pricing == ["nightly-report to pricing", "web to pricing"]
    # the database admits the web service, the worker and the migration, and nothing else
    # (the services' rules are in their own stacks, on the group the main stack passes)
    into_database = sorted(
        (v["Properties"]["Description"], v["Properties"]["FromPort"])
        for v in of_type(res, "AWS::EC2::SecurityGroupIngress").values()
        if v["Properties"]["Description"].endswith(" to main")
    )
    assert into_database == [
        ("migrate to main", 5432),
        ("web to main", 5432),
        ("worker to main", 5432),
    ]
    _database_secrets(result)
    # deploy.sh runs the migration once every stack is deployed
    script = result.deploy_script
    last_deploy = script.rindex("aws cloudformation deploy")
    run = script.index("aws ecs run-task")
    assert last_deploy < run
    assert 'output "$job_outputs" shop MigrateJobTaskDefinitionArn' in script[last_deploy:run]


def test_g_static_site() -> None:
    """Issue 17's static site: a private bucket that CloudFront alone reads, through an
    Origin Access Control, for this distribution alone; deploy.sh uploads the folder and
    invalidates the cache once every stack is deployed. (Linted by its golden test.)"""
    result = render(check(EXAMPLES / "static-site.yaml", "static-site.yaml"))
    res = resources(result)
    [control] = of_type(res, "AWS::CloudFront::OriginAccessControl")
    config = props(res, "WwwDistribution")["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [control, "Id"]}
    assert origin["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert config["DefaultRootObject"] == "index.html"
    assert [e["ErrorCode"] for e in config["CustomErrorResponses"]] == [403, 404]
    statements = props(res, "SiteBucketPolicy")["PolicyDocument"]["Statement"]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"][1] == {
        "Id": {"Ref": "WwwDistribution"}
    }
    script = result.deploy_script
    last_deploy = script.rindex("aws cloudformation deploy")
    sync = script.index("aws s3 sync")
    assert last_deploy < sync < script.index("aws cloudfront create-invalidation")
    # the folder is checked before the first stack deploys, and again before the upload
    check_line = "site_folder . files/static-site 'files/static-site (distribution www)'"
    first_deploy = script.index("aws cloudformation deploy")
    assert script.index(check_line) < first_deploy
    assert last_deploy < script.rindex(check_line) < sync


def _database_secrets(result: Build) -> None:
    """The web service (in its own stack) and the migration (in the main one) read the
    master user's name and password from the secret RDS manages, by JSON key, and their
    execution roles may read that one secret and nothing else."""
    secret = {"Fn::GetAtt": ["MainDatabase", "MasterUserSecret.SecretArn"]}
    for stack, prefix in (("shop-service-web", "Web"), ("shop", "MigrateJob")):
        res = resources(result, stack)
        [container] = props(res, f"{prefix}TaskDefinition")["ContainerDefinitions"]
        by_name = {s["Name"]: s["ValueFrom"]["Fn::Sub"] for s in container["Secrets"]}
        assert sorted(by_name) == ["DB_PASSWORD", "DB_USERNAME"]
        for name, key in (("DB_PASSWORD", "password"), ("DB_USERNAME", "username")):
            text, variables = by_name[name]
            assert text == f"${{Arn}}:{key}::"
            assert across(result, stack, variables["Arn"]) == secret
        [policy] = props(res, f"{prefix}ExecutionRole")["Policies"]
        statements = policy["PolicyDocument"]["Statement"]
        reads = [s for s in statements if any(a.startswith("secretsmanager:") for a in s["Action"])]
        assert [r["Action"] for r in reads] == [["secretsmanager:GetSecretValue"]]
        assert [across(result, stack, r) for r in reads[0]["Resource"]] == [secret]
        # the secret is under Secrets Manager's AWS managed key: no kms:Decrypt is needed
        assert not [a for s in statements for a in s["Action"] if a.startswith("kms:")]


def test_every_example_is_tested() -> None:
    names = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert names == [
        "chatbot-fargate-spot",
        "environments",  # tests/test_environments.py
        "existing-infrastructure",  # tests/test_existing.py
        "ghost-fargate-efs-cloudfront",
        "rails-ec2-rds",
        "spring-ecs-ec2-redis",
        "static-site",
        "web-worker-jobs-rds",
        "websocket-lambda-dynamodb",
    ]
