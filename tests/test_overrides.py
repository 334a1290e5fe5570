"""``overrides:``: values written into the rendered stacks by logical ID, before the stack
checks and lint, so that what they write is checked, linted and diffed like the rest. The
refusals each have an error case in ``errors/overrides_*.yaml``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import diff, override_risks, overrides
from generator.cli import main
from generator.codes import Code
from generator.errors import BlueprintError
from generator.exits import EXIT_INVALID
from generator.pipeline import Build, check, lint, render

BUCKET = """\
name: shop
region: ap-northeast-1
tags: {project: shop, owner: web-team}
buckets:
  images: {}
"""

SERVICE = """\
name: shop
region: ap-northeast-1
databases:
  main:
    engine: postgres
    version: "16.15"
    allow_from: [web]
services:
  web:
    containers:
      app:
        image: nginx:1.27
        port: 80
"""


def built(tmp_path: Path, text: str, name: str = "bp.yaml") -> Build:
    path = tmp_path / name
    path.write_text(text)
    return render(check(path, name))


def resource(build: Build, logical_id: str) -> tuple[str, dict[str, Any]]:
    """The stack that holds ``logical_id``, and the resource."""
    found = [
        (s.name, s.data["Resources"][logical_id])
        for s in build.stacks
        if logical_id in s.data["Resources"]
    ]
    assert len(found) == 1, found
    return found[0]


def test_an_override_adds_replaces_and_removes_properties(tmp_path: Path) -> None:
    plain = resource(built(tmp_path, BUCKET, "plain.yaml"), "ImagesBucket")[1]
    assert plain["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "LifecycleConfiguration" in plain["Properties"]
    assert "ObjectLockEnabled" not in plain["Properties"]
    build = built(
        tmp_path,
        BUCKET
        + "overrides:\n"
        + "  ImagesBucket:\n"
        + "    Properties.ObjectLockEnabled: true\n"
        + "    Properties.VersioningConfiguration.Status: Suspended\n"
        + "    Properties.LifecycleConfiguration: null\n"
        + "    Properties.BucketEncryption.ServerSideEncryptionConfiguration.0.BucketKeyEnabled:"
        + " false\n",
    )
    stack, body = resource(build, "ImagesBucket")
    props = body["Properties"]
    assert props["ObjectLockEnabled"] is True
    assert props["VersioningConfiguration"] == {"Status": "Suspended"}
    assert "LifecycleConfiguration" not in props
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["BucketKeyEnabled"] is False
    assert set(rule) == set(
        plain["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    )
    # the text written and linted is the overridden one
    text = next(s.text for s in build.stacks if s.name == stack)
    assert '"ObjectLockEnabled": true' in text
    assert build.override_notes == [
        f"bp.yaml:{line}:5: override applied: shop/ImagesBucket {path}"
        for line, path in (
            (8, "Properties.ObjectLockEnabled"),
            (9, "Properties.VersioningConfiguration.Status"),
            (10, "Properties.LifecycleConfiguration"),
            (
                11,
                "Properties.BucketEncryption.ServerSideEncryptionConfiguration.0.BucketKeyEnabled",
            ),
        )
    ]


def test_a_mapping_at_tags_changes_only_the_tags_it_names(tmp_path: Path) -> None:
    build = built(
        tmp_path,
        BUCKET + "overrides:\n  ImagesBucket:\n"
        "    Properties.Tags: {owner: data-team, backup: daily, project: null}\n",
    )
    assert resource(build, "ImagesBucket")[1]["Properties"]["Tags"] == [
        {"Key": "owner", "Value": "data-team"},
        {"Key": "backup", "Value": "daily"},
    ]
    # only that resource: its policy's neighbour keeps the blueprint's tags
    plain = resource(built(tmp_path, BUCKET, "plain.yaml"), "ImagesBucket")[1]
    assert plain["Properties"]["Tags"] == [
        {"Key": "owner", "Value": "web-team"},
        {"Key": "project", "Value": "shop"},
    ]


def test_a_list_replaces_tags_whole() -> None:
    body: dict[str, Any] = {"Properties": {"Tags": [{"Key": "a", "Value": "1"}]}}
    assert (
        overrides._write(body, ("Properties", "Tags"), [{"Key": "b", "Value": "2"}], True) is None
    )
    assert body["Properties"]["Tags"] == [{"Key": "b", "Value": "2"}]


def test_tags_as_a_mapping_merge_where_the_type_takes_a_mapping() -> None:
    assert overrides._tags_are_list("ap-northeast-1", {"Type": "AWS::S3::Bucket"})
    parameter = {"Type": "AWS::SSM::Parameter", "Properties": {"Tags": {"a": "1", "b": "2"}}}
    assert not overrides._tags_are_list("ap-northeast-1", parameter)
    assert overrides._write(parameter, ("Properties", "Tags"), {"a": None, "c": "3"}, False) is None
    assert parameter["Properties"]["Tags"] == {"b": "2", "c": "3"}


def test_an_override_finds_its_resource_in_a_service_stack(tmp_path: Path) -> None:
    alarms = "{AlarmNames: [web-errors], Enable: true, Rollback: true}"
    build = built(
        tmp_path,
        SERVICE
        + f"overrides:\n  WebService:\n    Properties.DeploymentConfiguration.Alarms: {alarms}\n",
    )
    stack, body = resource(build, "WebService")
    assert stack == "shop-service-web"
    deployment = body["Properties"]["DeploymentConfiguration"]
    assert deployment["Alarms"] == {"AlarmNames": ["web-errors"], "Enable": True, "Rollback": True}
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert build.override_notes == [
        "bp.yaml:16:5: override applied: shop-service-web/WebService "
        "Properties.DeploymentConfiguration.Alarms"
    ]


def test_the_stack_checks_see_what_an_override_wrote(tmp_path: Path) -> None:
    """Sixty rules written inline into the database's group, with the rule blueprint adds
    for the web service, are past AWS's quota: the check that counts them reads the
    overridden template."""
    rules = ", ".join(
        f"{{IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.0.{i}.0/24}}"
        for i in range(60)
    )
    text = SERVICE + "overrides:\n  MainDatabaseSecurityGroup:\n"
    text += f"    Properties.SecurityGroupIngress: [{rules}]\n"
    (tmp_path / "bp.yaml").write_text(text)
    with pytest.raises(BlueprintError) as caught:
        render(check(tmp_path / "bp.yaml", "bp.yaml"))
    assert [p.code for p in caught.value.problems] == [Code.SECURITY_GROUP_RULES_TOO_MANY]
    assert "MainDatabaseSecurityGroup would have more than 60 inbound rules" in str(caught.value)


def test_a_lint_finding_inside_an_override_is_located_at_its_key(tmp_path: Path) -> None:
    build = built(
        tmp_path,
        BUCKET
        + "overrides:\n  ImagesBucket:\n    Properties.VersioningConfiguration.Status: Sometimes\n",
    )
    lint(build)
    assert [(p.line, p.column, p.path, p.code) for p in build.lint_problems] == [
        (8, 5, "overrides.ImagesBucket.Properties.VersioningConfiguration.Status", Code.CFN_LINT)
    ]
    assert "Resources/ImagesBucket/Properties/VersioningConfiguration/Status" in (
        build.lint_problems[0].message
    )


def test_diff_shows_what_an_override_changes(tmp_path: Path) -> None:
    old = {s.name: s.data for s in built(tmp_path, BUCKET, "plain.yaml").stacks}
    build = built(
        tmp_path, BUCKET + "overrides:\n  ImagesBucket:\n    Properties.ObjectLockEnabled: true\n"
    )
    report = diff.compare(
        old, {s.name: s.data for s in build.stacks}, {"shop": "ap-northeast-1"}, "ap-northeast-1"
    )
    changed = [(r.logical_id, r.paths) for s in report.stacks for r in s.resources]
    assert changed == [("ImagesBucket", ("Properties.ObjectLockEnabled",))]


def test_an_override_names_the_pinned_logical_id(tmp_path: Path) -> None:
    pinned = BUCKET + "logical_ids: {ImagesBucket: PhotosBucket}\n"
    build = built(
        tmp_path, pinned + "overrides:\n  PhotosBucket:\n    Properties.ObjectLockEnabled: true\n"
    )
    assert resource(build, "PhotosBucket")[1]["Properties"]["ObjectLockEnabled"] is True
    (tmp_path / "old.yaml").write_text(
        pinned + "overrides:\n  ImagesBucket:\n    Properties.ObjectLockEnabled: true\n"
    )
    with pytest.raises(BlueprintError) as caught:
        render(check(tmp_path / "old.yaml", "old.yaml"))
    assert [p.code for p in caught.value.problems] == [Code.OVERRIDE_ID_UNKNOWN]


def test_deletion_policies_that_keep_more_are_written(tmp_path: Path) -> None:
    build = built(
        tmp_path,
        BUCKET + "overrides:\n"
        "  ImagesBucket: {DeletionPolicy: Retain}\n"
        "  ImagesBucketPolicy: {DeletionPolicy: Delete, UpdateReplacePolicy: Retain}\n",
    )
    assert resource(build, "ImagesBucket")[1]["DeletionPolicy"] == "Retain"
    policy = resource(build, "ImagesBucketPolicy")[1]
    assert (policy["DeletionPolicy"], policy["UpdateReplacePolicy"]) == ("Delete", "Retain")


def test_an_unknown_logical_id_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(BUCKET + "overrides:\n  ImageBucket:\n    Properties.ObjectLockEnabled: true\n")
    assert main(["validate", str(path)]) == EXIT_INVALID
    assert capsys.readouterr().err == (
        f"{path}:7:3: overrides.ImageBucket: no resource of this build has the logical ID "
        "'ImageBucket'; did you mean 'ImagesBucket' or 'ImagesBucketPolicy'?\n"
    )


def test_a_resource_of_the_shared_account_stack_is_not_overridden(tmp_path: Path) -> None:
    examples = Path(__file__).parent.parent / "examples"
    shutil.copytree(examples / "files", tmp_path / "files")
    text = (examples / "websocket-lambda-dynamodb.yaml").read_text()
    text += "\noverrides:\n  ApiGatewayLoggingRole:\n    Properties.Path: /x/\n"
    (tmp_path / "bp.yaml").write_text(text)
    with pytest.raises(BlueprintError) as caught:
        render(check(tmp_path / "bp.yaml", "bp.yaml"))
    [problem] = caught.value.problems
    assert (problem.code, problem.path) == (
        Code.OVERRIDE_ID_UNKNOWN,
        "overrides.ApiGatewayLoggingRole",
    )
    assert problem.message == (
        "'ApiGatewayLoggingRole' is in the stack blueprint-shared-account-settings, which every "
        "blueprint in the account and region shares: an override there would change it for all "
        "of them"
    )


def test_an_index_into_a_list_that_is_not_there_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(
        BUCKET + "overrides:\n  ImagesBucket:\n"
        "    Properties.CorsConfiguration.CorsRules.0.AllowedMethods: [GET]\n"
    )
    with pytest.raises(BlueprintError) as refused:
        render(check(path, "bp.yaml"))
    assert [(p.line, p.code, p.message) for p in refused.value.problems] == [
        (
            8,
            Code.OVERRIDE_PATH_INVALID,
            "there is no list at Properties.CorsConfiguration.CorsRules to index: write the "
            "whole list at Properties.CorsConfiguration.CorsRules",
        )
    ]


def test_a_finding_on_a_mapping_an_override_made_is_located_at_the_override(
    tmp_path: Path,
) -> None:
    build = built(
        tmp_path,
        BUCKET + "overrides:\n  ImagesBucket:\n"
        "    Properties.ReplicationConfiguration.Role: arn:aws:iam::123456789012:role/copy\n",
    )
    lint(build)
    where = "overrides.ImagesBucket.Properties.ReplicationConfiguration.Role"
    found = [(p.line, p.path, p.code) for p in build.lint_problems]
    # 'Rules' is missing from the mapping the override made: the override's finding
    assert (8, where, Code.CFN_LINT) in found
    assert all(path == where for _, path, _ in found), found


OPENING = """\
overrides:
  WebServiceSecurityGroup:
    Properties.SecurityGroupIngress:
      - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
      - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.0.0.0/8}
  MainDatabaseFromWebServicePort5432:
    Properties.SourceSecurityGroupId: null
    Properties.CidrIpv6: ::/0
  WebTaskRole:
    Properties.Policies:
      - PolicyName: extra
        PolicyDocument:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Action: "s3:*", Resource: "*"}
            - {Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::shop-images/*"}
    Properties.ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  WebServiceDescription:
    Properties.Description: web
"""


def test_what_an_override_opens_is_a_warning_at_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An inbound rule from the whole internet, a grant of every action or resource and a
    managed policy, each added by an override: a warning at the override that wrote it;
    what the override leaves as blueprint made it (the 10.0.0.0/8 rule, a scoped
    statement) is not reported. `--strict` fails the build on them."""
    text = SERVICE + OPENING.replace(
        "  WebServiceDescription:\n    Properties.Description: web\n", ""
    )
    build = built(tmp_path, text)
    assert [p.text() for p in build.warnings] == [
        "bp.yaml:16:5: overrides.WebServiceSecurityGroup.Properties.SecurityGroupIngress: "
        "warning: this override admits the whole internet (0.0.0.0/0) to port 22 (TCP); "
        "blueprint opens a port to the internet only where a section says so: check that this "
        "is meant",
        "bp.yaml:21:5: overrides.MainDatabaseFromWebServicePort5432.Properties.CidrIpv6: "
        "warning: this override admits the whole internet (::/0) to port 5432 (TCP); blueprint "
        "opens a port to the internet only where a section says so: check that this is meant",
        "bp.yaml:23:5: overrides.WebTaskRole.Properties.Policies: warning: this override allows "
        "every action of s3 and every resource ('Resource: *'); blueprint scopes every grant to "
        "named actions, resources and principals: check that this is meant",
        "bp.yaml:30:5: overrides.WebTaskRole.Properties.ManagedPolicyArns: warning: this "
        "override attaches the managed policy arn:aws:iam::aws:policy/AdministratorAccess; "
        "blueprint does not scope a managed policy's grants: check that this is meant",
    ]
    assert all(p.code == Code.OVERRIDE_OPENS for p in build.warnings)
    path = tmp_path / "bp.yaml"
    assert main(["build", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "admits the whole internet (0.0.0.0/0) to port 22" in capsys.readouterr().err
    assert main(["build", str(path), "--out", str(tmp_path / "strict"), "--strict"]) == EXIT_INVALID
    assert not (tmp_path / "strict").exists()


def test_an_override_that_opens_nothing_warns_of_nothing(tmp_path: Path) -> None:
    text = (
        SERVICE + "overrides:\n  WebServiceSecurityGroup:\n    Properties.GroupDescription: web\n"
    )
    assert built(tmp_path, text).warnings == []


def _group(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": list(rules)}}


def _role(*statements: Any) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    policy = {"PolicyName": "p", "PolicyDocument": document}
    return {"Type": "AWS::IAM::Role", "Properties": {"Policies": [policy]}}


HTTPS = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
SCOPED = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
AT = ("Properties", "Policies", 0, "PolicyDocument", "Statement", 0)


def test_what_is_open_is_compared_not_how_it_is_written() -> None:
    """A rule or a statement an override relabels or narrows opens nothing new: the same
    openings before and after."""
    relabelled = _group({**HTTPS, "Description": "HTTPS from clients"})
    assert set(override_risks.openings(relabelled)) == set(override_risks.openings(_group(HTTPS)))
    wide = {"Effect": "Allow", "Action": ["ssm:A", "ssm:B"], "Resource": "*"}
    narrowed = {**wide, "Action": ["ssm:A"]}
    assert set(override_risks.openings(_role(narrowed))) == {("grant", AT, "resource")}
    assert set(override_risks.openings(_role(wide))) == {("grant", AT, "resource")}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            _group(
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/1"},
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "128.0.0.0/1"},
            ),
            "admits the whole internet (0.0.0.0/1, 128.0.0.0/1) to port 22 (TCP)",
        ),
        (
            _group({"IpProtocol": "-1", "CidrIpv6": "0::/0"}),
            "admits the whole internet (::/0) to every port",
        ),
        (
            _role(),
            None,
        ),
        (
            {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "Policies": [
                        {
                            "PolicyName": "p",
                            "PolicyDocument": '{"Statement": [{"Effect": "Allow", '
                            '"Action": "*", "Resource": "arn:aws:s3:::b"}]}',
                        }
                    ]
                },
            },
            "allows every action",
        ),
        (_role({**SCOPED, "NotAction": "iam:*"}), "every action but those named ('NotAction')"),
        (_role({**SCOPED, "NotResource": "x"}), "every resource but those named ('NotResource')"),
        (
            _role({**SCOPED, "Principal": {"AWS": "*"}, "Condition": {}}),
            "everyone ('Principal: *', no condition)",
        ),
        (
            {"Type": "AWS::Lambda::Permission", "Properties": {"Principal": "*"}},
            "lets anyone invoke the function ('Principal: *' with no SourceArn, SourceAccount or "
            "PrincipalOrgID)",
        ),
    ],
)
def test_each_way_of_opening_is_found(body: dict[str, Any], expected: str | None) -> None:
    found = [what for _, what, _ in override_risks.openings(body).values()]
    assert found == ([] if expected is None else [found[0]])
    if expected is not None:
        assert expected in found[0]


def test_scoped_grants_and_rules_open_nothing() -> None:
    assert (
        override_risks.openings(_role(SCOPED, {**SCOPED, "Principal": "*", "Condition": {"a": 1}}))
        == {}
    )
    permission = {"Principal": "*", "SourceArn": "arn:aws:execute-api:eu-west-1:1:a/*"}
    assert (
        override_risks.openings({"Type": "AWS::Lambda::Permission", "Properties": permission}) == {}
    )
    assert override_risks.openings(_group({**HTTPS, "CidrIp": "10.0.0.0/8"})) == {}


def test_a_warning_is_at_the_override_that_wrote_into_what_opens(tmp_path: Path) -> None:
    text = SERVICE + (
        "overrides:\n"
        "  WebTaskRole:\n"
        "    Properties.MaxSessionDuration: 7200\n"
        "    Properties.Policies:\n"
        "      - PolicyName: extra\n"
        "        PolicyDocument:\n"
        "          Version: '2012-10-17'\n"
        "          Statement:\n"
        "            - {Effect: Allow, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*'}\n"
        "    Properties.Policies.0.PolicyDocument.Statement.0.Resource: '*'\n"
    )
    [warning] = built(tmp_path, text).warnings
    assert (
        warning.path
        == "overrides.WebTaskRole.Properties.Policies.0.PolicyDocument.Statement.0.Resource"
    )
