"""The stack checks, each on small rendered stacks: exact messages, codes and places."""

from __future__ import annotations

from typing import Any

from generator import split, stack_checks
from generator.errors import Issue
from generator.rendered import Rendered, RenderedStack, Template


def _stack(name: str, data: dict[str, Any], origins: dict[str, Any]) -> RenderedStack:
    resources = len(data.get("Resources", {}))
    return RenderedStack(name, "eu-west-1", f"{name}.json", data, resources, origins)


def _rules(count: int, group: Any) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "LbGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"SecurityGroupIngress": [{"CidrIpv6": "::/0"}] * 3},
        }
    }
    for i in range(count):
        resources[f"Rule{i:02d}"] = {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {"GroupId": group},
        }
    return {"Resources": resources}


def _rendered(data: dict[str, Any], pins: dict[str, str] | None = None) -> Rendered:
    origins = {k: ("services", k) for k in data.get("Resources", {})}
    stack = _stack("shop", data, origins)
    made = frozenset(data.get("Resources", {}))
    return Rendered([Template(data, origins)], [stack], pins or {}, made)


def test_the_rule_past_a_groups_quota_is_reported_at_its_entry() -> None:
    for group in ({"Fn::GetAtt": ["LbGroup", "GroupId"]}, {"Ref": "LbGroup"}):
        assert stack_checks.group_rules(_rendered(_rules(57, group))) == []
        assert stack_checks.group_rules(_rendered(_rules(58, group))) == [
            Issue(
                ("services", "Rule57"),
                "security group LbGroup would have more than 60 inbound rules, AWS's quota "
                "for one group; spread the entries that reach it (for a load balancer: its "
                "routes) over more of them",
                code="security-group-rules-too-many",
                at_key=True,
            )
        ]
    elsewhere = _rules(70, {"Fn::ImportValue": "OtherGroup"})
    assert stack_checks.group_rules(_rendered(elsewhere)) == []


def test_a_rule_naming_cloudfronts_prefix_list_counts_as_its_weight() -> None:
    group = {"Fn::GetAtt": ["LbGroup", "GroupId"]}
    cloudfront = {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {"GroupId": group, "SourcePrefixListId": {"Ref": "CloudFrontList"}},
    }
    # 3 rules inside the group, 2 of their own and CloudFront's 55: exactly the quota
    fits = _rules(2, group)
    fits["Resources"]["RuleCloudFront"] = cloudfront
    assert stack_checks.group_rules(_rendered(fits)) == []
    over = _rules(3, group)
    over["Resources"]["RuleCloudFront"] = cloudfront
    assert stack_checks.group_rules(_rendered(over)) == [
        Issue(
            ("services", "RuleCloudFront"),
            "security group LbGroup would have more than 60 inbound rules, AWS's quota for "
            "one group; spread the entries that reach it (for a load balancer: its routes) "
            "over more of them (a rule that admits CloudFront's prefix list counts as 55)",
            code="security-group-rules-too-many",
            at_key=True,
        )
    ]


def test_a_stack_over_its_limits_is_reported_at_the_first_resource_past_them() -> None:
    names = [f"Log{i:03d}" for i in range(split.MAX_RESOURCES + 2)]
    data = {"Resources": {n: {"Type": "AWS::Logs::LogGroup"} for n in names}}
    assert stack_checks.limits(_rendered(data)) == [
        Issue(
            ("services", "Log450"),
            "stack shop would hold 452 resources; blueprint keeps a stack at 450 or fewer "
            "(CloudFormation's quota is 500). Each service has a stack of its own; the main "
            "stack holds every other entry: move some of them to a blueprint of their own",
            code="stack-limit",
            at_key=True,
        )
    ]
    big = {"Resources": {"Doc": {"Type": "T", "Properties": {"Text": "x" * split.MAX_BYTES}}}}
    [issue] = stack_checks.limits(_rendered(big))
    size = len(_stack("shop", big, {}).text.encode())
    assert issue == Issue(
        (),
        f"stack shop's template would be {size:,} bytes; blueprint keeps a template at "
        "900,000 or fewer (CloudFormation's quota is 1 MB)",
        code="stack-limit",
    )
    assert stack_checks.limits(_rendered(_rules(3, {"Ref": "LbGroup"}))) == []


def test_a_pin_must_name_a_resource_and_an_id_that_is_free() -> None:
    data = {"Resources": {"WebService": {"Type": "T"}, "OldDb": {"Type": "T"}, "Db": {"Type": "T"}}}
    pins = {"WebServce": "Web", "Db": "OldDb", "NewDb": "OldDb", "Web": "WebService"}
    assert stack_checks.pins(_rendered(data, pins)) == [
        Issue(
            ("logical_ids", "Db"),
            "'OldDb' is already the ID of another resource; pin to an ID no resource uses",
            code="logical-id-taken",
        ),
        Issue(
            ("logical_ids", "NewDb"),
            "no resource has the logical ID 'NewDb'; 'OldDb' is one: a pin is "
            "{NewId: OldId}, here {OldDb: NewDb}",
            code="logical-id-unknown",
            at_key=True,
        ),
        Issue(
            ("logical_ids", "Web"),
            "no resource has the logical ID 'Web'; 'WebService' is one: a pin is "
            "{NewId: OldId}, here {WebService: Web}",
            code="logical-id-unknown",
            at_key=True,
        ),
        Issue(
            ("logical_ids", "WebServce"),
            "no resource has the logical ID 'WebServce'; did you mean 'WebService'?",
            code="logical-id-unknown",
            at_key=True,
        ),
    ]


def test_two_pins_onto_one_id_and_pins_onto_a_freed_id_are_refused() -> None:
    names = ("Api", "Web", "Db", "Cache")
    data = {"Resources": {n: {"Type": "T"} for n in names}}
    twice = {"Api": "Old", "Web": "Old"}
    assert stack_checks.pins(_rendered(data, twice)) == [
        Issue(
            ("logical_ids", "Web"),
            "'Old' is kept by logical_ids.Api too; one ID names one resource: remove one "
            "of the pins",
            code="logical-id-pinned-twice",
        )
    ]
    chain = {"Db": "Cache", "Cache": "OldCache", "Api": "Web", "Web": "Api"}
    freed = (
        "a pin cannot take an ID another pin frees (chains and swaps are refused): pin to "
        "an ID no resource and no other pin uses"
    )
    assert stack_checks.pins(_rendered(data, chain)) == [
        Issue(
            ("logical_ids", "Api"),
            f"'Web' is itself pinned away, by logical_ids.Web; {freed}",
            code="logical-id-pin-chain",
        ),
        Issue(
            ("logical_ids", "Db"),
            f"'Cache' is itself pinned away, by logical_ids.Cache; {freed}",
            code="logical-id-pin-chain",
        ),
        Issue(
            ("logical_ids", "Web"),
            f"'Api' is itself pinned away, by logical_ids.Api; {freed}",
            code="logical-id-pin-chain",
        ),
    ]
    assert stack_checks.pins(_rendered(data, {"Api": "OldApi", "Web": "Web"})) == []


def test_every_check_reports_and_none_hides_another() -> None:
    names = [check.__name__ for check in stack_checks.CHECKS]
    assert names == ["group_rules", "limits", "pins"]
    pin = {"Nothing": "Old"}
    crowded, fine = _rules(58, {"Ref": "LbGroup"}), _rules(1, {"Ref": "LbGroup"})
    assert [i.code for i in stack_checks.check_stacks(_rendered(crowded, pin))] == [
        "security-group-rules-too-many",
        "logical-id-unknown",
    ]
    assert [i.code for i in stack_checks.check_stacks(_rendered(fine, pin))] == [
        "logical-id-unknown"
    ]
    assert stack_checks.check_stacks(_rendered(fine)) == []
