"""cfripper, a second scanner nobody here wrote, over every template the tests build.

All 43 of its rules run on every template test_scanner.py gives checkov (every example,
every golden case, templates_out/). Every finding is either

- suppressed for the one resource it names, because that resource is what the blueprint
  asked for: a suppression is a predicate over that resource in its template plus one
  reason, and ``docs/security.md`` lists exactly the suppressions in effect; or
- a known finding that an item of issue 15 removes (``KNOWN``): named by template, rule
  and resource, so the list fails the suite as soon as a fix lands and the entry is not
  removed, and any new finding fails it too.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .test_scanner import DOC, ROOT, TEMPLATES

#: pycfmodel resolves ${AWS::AccountId} to this account; naming it as cfripper's own
#: account makes a same-account principal what it is, not a cross-account one.
ACCOUNT = "123456789012"

Template = dict[str, Any]


@dataclass(frozen=True)
class Finding:
    template: str  # relative to the repository root
    rule: str
    resource: str


def _world(props: dict[str, Any]) -> bool:
    return props.get("CidrIp") == "0.0.0.0/0" or props.get("CidrIpv6") == "::/0"


def _public_load_balancers(template: Template) -> dict[str, dict[str, Any]]:
    return {
        k: r["Properties"]
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"
        and r["Properties"].get("Scheme", "internet-facing") == "internet-facing"
    }


def _listener_port_of_public_load_balancer(template: Template, logical_id: str) -> bool:
    """An ingress from the whole internet to the security group of an internet-facing
    load balancer, on exactly the port of one of that load balancer's listeners."""
    resource = template["Resources"][logical_id]
    props = resource["Properties"]
    if resource["Type"] != "AWS::EC2::SecurityGroupIngress" or not _world(props):
        return False
    for name, lb in _public_load_balancers(template).items():
        if props["GroupId"] not in lb.get("SecurityGroups", []):
            continue
        ports = {
            r["Properties"]["Port"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"
            and r["Properties"]["LoadBalancerArn"] == {"Ref": name}
        }
        if props["FromPort"] == props["ToPort"] and props["FromPort"] in ports:
            return True
    return False


def _internet_facing_load_balancer(template: Template, logical_id: str) -> bool:
    return logical_id in _public_load_balancers(template)


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    applies: Callable[[Template, str], bool]


def _session_manager_role(template: Template, logical_id: str) -> bool:
    """A role assumed by EC2 whose only statements on ``"*"`` are for actions that have no
    resource type (Session Manager's channels among them) or are held to one cluster by a
    condition: every other statement names its resources."""
    from generator.render.iam import UNSCOPABLE_ACTIONS

    resource = template["Resources"][logical_id]
    if resource["Type"] != "AWS::IAM::Role":
        return False
    props = resource["Properties"]
    trusted = [s["Principal"] for s in props["AssumeRolePolicyDocument"]["Statement"]]
    if trusted != [{"Service": "ec2.amazonaws.com"}] or props.get("ManagedPolicyArns"):
        return False
    statements = [s for p in props.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    # "*" held to one cluster by a condition is as narrow as an ARN
    wide = [set(s["Action"]) for s in statements if "*" in s["Resource"] and "Condition" not in s]
    return "ssmmessages:OpenDataChannel" in set().union(*wide) and all(
        actions <= UNSCOPABLE_ACTIONS for actions in wide
    )


def _key_policy(template: Template, logical_id: str) -> bool:
    """A KMS key whose policy grants only to this account's root (AWS's default key
    policy, which lets IAM policies decide) and to service principals: in a key policy
    ``"*"`` is the key itself, the only resource such a policy can govern."""
    resource = template["Resources"][logical_id]
    if resource["Type"] != "AWS::KMS::Key":
        return False
    root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    return all(
        s["Resource"] == "*" and (s["Principal"] == {"AWS": root} or "Service" in s["Principal"])
        for s in resource["Properties"]["KeyPolicy"]["Statement"]
    )


#: key -> the one reason a finding of that rule on such a resource is not a problem.
SUPPRESSIONS: dict[str, Suppression] = {
    "load-balancer-listener": Suppression(
        "EC2SecurityGroupIngressOpenToWorldRule",
        "An internet-facing load balancer admits everyone on its listener ports (443, and "
        "80 which redirects to HTTPS unless http: forward); allowed_cidrs narrows it",
        _listener_port_of_public_load_balancer,
    ),
    "internet-facing-load-balancer": Suppression(
        "PublicELBCheckerRule",
        "The blueprint asks for an internet-facing load balancer (scheme: internet-facing, "
        "the default): it is the entry point of the services behind it",
        _internet_facing_load_balancer,
    ),
    "session-manager-channels": Suppression(
        "WildcardResourceRule",
        "Session Manager's channel actions (ssmmessages) have no resource type, so AWS's "
        "minimal Session Manager policy grants them on *; the role's other statements name "
        "their resources",
        _session_manager_role,
    ),
    "key-policy-this-key": Suppression(
        "GenericResourceWildcardPolicyRule",
        "In a KMS key policy Resource * means the key itself; the policy grants this "
        "account (AWS's default, so that IAM policies decide) and the service that must use "
        "the key (EventBridge publishing to an encrypted topic), nobody else",
        _key_policy,
    ),
}

#: Findings on today's main that an item of issue 15 removes, with that item. Whoever
#: lands the item deletes its entries here (the suite fails until they do).
KNOWN: dict[Finding, str] = {}


def _parse(template: Template) -> Any:
    import pycfmodel

    data = json.loads(json.dumps(template))
    for resource in data["Resources"].values():
        # pycfmodel 2.1.3's listener model predates listener tags (no rule reads tags)
        if resource["Type"] == "AWS::ElasticLoadBalancingV2::Listener":
            resource["Properties"].pop("Tags", None)
    return pycfmodel.parse(data).resolve()


def scan(templates: dict[str, Template]) -> tuple[list[Finding], list[str]]:
    """Every cfripper failure (any rule mode) on each template, and every exception."""
    from cfripper.config.config import Config
    from cfripper.config.pluggy.utils import get_all_rules
    from cfripper.rule_processor import RuleProcessor

    for name in ("pycfmodel", "cfripper"):
        logging.getLogger(name).setLevel(logging.ERROR)
    rules = get_all_rules()
    assert len(rules) == 43, sorted(rules)
    findings: list[Finding] = []
    errors: list[str] = []
    for name, template in templates.items():
        config = Config(rules=list(rules), aws_account_id=ACCOUNT)
        processor = RuleProcessor(*[rules[r](config) for r in config.rules])
        result = processor.process_cf_template(_parse(template), config)
        errors += [f"{name}: {e!r}" for e in result.exceptions]
        for failure in result.failures:
            # a finding about the whole template names no resource: it is kept, as ""
            ids = sorted(failure.resource_ids or []) or [""]
            findings += [Finding(name, failure.rule, r) for r in ids]
    return findings, errors


@pytest.fixture(scope="module")
def templates() -> dict[str, Template]:
    return {str(p.relative_to(ROOT)): json.loads(p.read_text()) for p in TEMPLATES}


@pytest.fixture(scope="module")
def report(templates: dict[str, Template]) -> tuple[list[Finding], list[str]]:
    return scan(templates)


def _suppression(templates: dict[str, Template], finding: Finding) -> str | None:
    if finding.resource not in templates[finding.template]["Resources"]:
        return None  # only a resource can be suppressed, never a template
    for key, s in SUPPRESSIONS.items():
        if s.rule == finding.rule and s.applies(templates[finding.template], finding.resource):
            return key
    return None


def test_cfripper_reads_every_template_without_error(
    report: tuple[list[Finding], list[str]], templates: dict[str, Template]
) -> None:
    assert report[1] == []
    assert len(templates) == len(TEMPLATES) > 30


def test_cfripper_finds_nothing_but_suppressions_and_known_findings(
    report: tuple[list[Finding], list[str]], templates: dict[str, Template]
) -> None:
    findings, _ = report
    unexplained = [f for f in findings if f not in KNOWN and _suppression(templates, f) is None]
    assert unexplained == []
    # a known finding that no longer occurs has been fixed: remove it from KNOWN
    assert sorted(set(KNOWN) - set(findings), key=str) == []
    # a known finding is never also covered by a suppression (it would hide the fix)
    assert [f for f in KNOWN if _suppression(templates, f)] == []


def test_every_suppression_is_used_and_documented(
    report: tuple[list[Finding], list[str]], templates: dict[str, Template]
) -> None:
    used = {_suppression(templates, f) for f in report[0]} - {None}
    assert used == set(SUPPRESSIONS)
    section = DOC.read_text().split("## cfripper suppressions", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\w+) \| `([\w-]+)` \| (.+) \|$", section, re.MULTILINE)
    assert {key: (rule, reason) for rule, key, reason in rows} == {
        key: (s.rule, s.reason) for key, s in SUPPRESSIONS.items()
    }


def test_a_suppression_covers_only_the_resource_it_describes(
    templates: dict[str, Template],
) -> None:
    """The same rule on a resource the blueprint did not ask for stays a finding."""
    name = "tests/golden/examples/rails-ec2-rds/rails-api.json"
    template = json.loads(json.dumps(templates[name]))
    ssh = {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {
            "CidrIp": "0.0.0.0/0",
            "FromPort": 22,
            "ToPort": 22,
            "IpProtocol": "tcp",
            "GroupId": {"Fn::GetAtt": ["WebLoadBalancerSecurityGroup", "GroupId"]},
        },
    }
    template["Resources"]["WorldOnSsh"] = ssh
    template["Resources"]["WebLoadBalancer"]["Properties"]["Scheme"] = "internal"
    findings, errors = scan({name: template})
    assert errors == []
    loose = {(f.rule, f.resource) for f in findings if _suppression({name: template}, f) is None}
    assert loose == {
        ("EC2SecurityGroupIngressOpenToWorldRule", "WorldOnSsh"),
        # an internal load balancer's ports open to the world are no longer explained
        ("EC2SecurityGroupIngressOpenToWorldRule", "WebLoadBalancerFromAnywherePort443"),
        ("EC2SecurityGroupIngressOpenToWorldRule", "WebLoadBalancerFromAnywherePort80"),
    }


def test_the_known_findings_name_real_templates() -> None:
    for finding in KNOWN:
        assert (ROOT / finding.template).is_file(), finding
        assert Path(finding.template) in {p.relative_to(ROOT) for p in TEMPLATES}
