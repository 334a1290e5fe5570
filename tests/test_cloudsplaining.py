"""cloudsplaining over every identity policy in the templates test_scanner.py scans.

Each role is read as the policy it really has: its inline policies, the AWS::IAM::Policy
and AWS::IAM::ManagedPolicy documents of its template that name it, and the AWS managed
policies it attaches by ARN (their documents from tests/managed_policies.py, since
cloudsplaining 0.7 ships none). ``Fn::Sub``, ``Ref`` and ``Fn::GetAtt`` become
representative ARNs, so a statement scoped to a template's resource reads as scoped and
only a literal ``"*"`` reads as every resource.

What must hold, on the role as a whole: no privilege escalation, no data exfiltration
(unscoped reads of objects, parameters or secrets), no resource exposure (unscoped
permissions management). Infrastructure modification (an unscoped write) is refused in
the project's own statements, and only reported, in docs/security.md, for the AWS
managed policies, which are written by the service for its agent and cannot be scoped by
a blueprint. Findings that an item of issue 15 removes are named in ``KNOWN``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from .managed_policies import MANAGED
from .test_scanner import DOC, ROOT, TEMPLATES

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "stack",
}
SECRET_READS = [
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
]
CATEGORIES = ("privilege-escalation", "data-exfiltration", "resource-exposure")


def _name(logical: str) -> str:
    """A template value stands for one named resource: never a wildcard."""
    return re.sub(r"[^A-Za-z0-9-]", "-", logical).lower()


def resolve(value: Any) -> Any:
    """Intrinsic functions replaced by representative values of the one thing they name."""
    if isinstance(value, list):
        return [resolve(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Fn::Sub"}:
        text, names = (
            (value["Fn::Sub"], {})
            if isinstance(value["Fn::Sub"], str)
            else (
                value["Fn::Sub"][0],
                resolve(value["Fn::Sub"][1]),
            )
        )
        return re.sub(
            r"\$\{([^}!]+)\}",
            lambda m: str(names.get(m[1], PSEUDO.get(m[1], _name(m[1])))),
            text,
        )
    if set(value) == {"Ref"}:
        return PSEUDO.get(
            value["Ref"], f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:ref/{_name(value['Ref'])}"
        )
    if set(value) == {"Fn::GetAtt"}:
        return (
            f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:att/{_name('.'.join(value['Fn::GetAtt']))}"
        )
    if set(value) == {"Fn::Join"}:
        sep, parts = value["Fn::Join"]
        return sep.join(str(p) for p in resolve(parts))
    return {k: resolve(v) for k, v in value.items()}


@dataclass(frozen=True)
class Identity:
    template: str
    role: str
    inline: tuple[dict[str, Any], ...]  # statements the templates write
    managed: tuple[str, ...]  # AWS managed policy names, as in MANAGED


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = resolve(document)["Statement"]
    return list(found if isinstance(found, list) else [found])


def identities(name: str, template: dict[str, Any]) -> list[Identity]:
    resources = template["Resources"]
    found = []
    for logical, r in resources.items():
        if r["Type"] != "AWS::IAM::Role":
            continue
        props = r.get("Properties", {})
        inline = [s for p in props.get("Policies", []) for s in _statements(p["PolicyDocument"])]
        arns = list(resolve(props.get("ManagedPolicyArns", [])))
        for other in resources.values():
            if other["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and {
                "Ref": logical
            } in other["Properties"].get("Roles", []):
                inline += _statements(other["Properties"]["PolicyDocument"])
        managed = []
        for arn in arns:
            assert arn.startswith("arn:aws:iam::aws:policy/"), (name, logical, arn)
            managed.append(arn.removeprefix("arn:aws:iam::aws:policy/"))
        found.append(Identity(name, logical, tuple(inline), tuple(managed)))
    return found


def _document(statements: list[dict[str, Any]]) -> Any:
    from cloudsplaining.scan.policy_document import PolicyDocument

    return PolicyDocument({"Version": "2012-10-17", "Statement": statements})


def risks(statements: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(category, action or escalation method) for each risk cloudsplaining sees."""
    doc = _document(statements)
    return (
        {("privilege-escalation", e["type"]) for e in doc.allows_privilege_escalation}
        | {("data-exfiltration", a) for a in doc.allows_data_exfiltration_actions}
        | {("resource-exposure", a) for a in doc.permissions_management_without_constraints}
    )


@dataclass(frozen=True)
class Finding:
    template: str
    role: str
    category: str
    what: str


#: Findings on today's main that an item of issue 15 removes. Whoever lands the item
#: deletes its entries (the suite fails until they do).
KNOWN: dict[Finding, str] = {}

#: AWS managed policies that read every parameter or secret: name -> (what, item).
KNOWN_SECRET_READERS: dict[str, tuple[list[str], str]] = {}


@pytest.fixture(scope="module")
def every_identity() -> list[Identity]:
    return [
        i
        for p in TEMPLATES
        for i in identities(str(p.relative_to(ROOT)), json.loads(p.read_text()))
    ]


@pytest.fixture(scope="module")
def findings(every_identity: list[Identity]) -> set[Finding]:
    found = set()
    for i in every_identity:
        statements = list(i.inline) + [s for m in i.managed for s in _statements(MANAGED[m][1])]
        found |= {Finding(i.template, i.role, c, w) for c, w in risks(statements)}
    return found


def test_every_role_is_read(every_identity: list[Identity]) -> None:
    roles = sum(
        r["Type"] == "AWS::IAM::Role"
        for p in TEMPLATES
        for r in json.loads(p.read_text())["Resources"].values()
    )
    assert len(every_identity) == roles > 40
    assert sum(len(i.inline) for i in every_identity) > roles


def test_every_attached_managed_policy_is_known(every_identity: list[Identity]) -> None:
    attached = {m for i in every_identity for m in i.managed}
    assert attached <= set(MANAGED)
    assert attached == set(MANAGED), "a managed policy no template attaches: drop it"


def test_no_escalation_exfiltration_or_exposure_but_the_known_ones(
    findings: set[Finding],
) -> None:
    assert {f.category for f in findings} <= set(CATEGORIES)
    assert sorted(findings - set(KNOWN), key=str) == []
    # a known finding that no longer occurs has been fixed: remove it from KNOWN
    assert sorted(set(KNOWN) - findings, key=str) == []


def test_no_attached_managed_policy_reads_all_parameters_or_secrets(
    every_identity: list[Identity],
) -> None:
    readers = {}
    for name in {m for i in every_identity for m in i.managed}:
        doc = _document(_statements(MANAGED[name][1]))
        reads = doc.allows_specific_actions_without_constraints(SECRET_READS)
        if reads:
            readers[name] = reads
    assert readers == {name: reads for name, (reads, _item) in KNOWN_SECRET_READERS.items()}


def test_the_projects_own_statements_modify_nothing_unscoped(
    every_identity: list[Identity],
) -> None:
    """Infrastructure modification is refused in what the renderers write: an unscoped
    statement is allowed only for actions that take no resource (UNSCOPABLE_ACTIONS), and
    the one that returns a credential is ECR's token for pulling images."""
    for i in every_identity:
        doc = _document(list(i.inline))
        assert doc.infrastructure_modification == [], (i.template, i.role)
        assert set(doc.credentials_exposure) <= {"ecr:GetAuthorizationToken"}, i.role


def test_managed_policies_and_their_unscoped_writes_are_documented(
    every_identity: list[Identity],
) -> None:
    section = DOC.read_text().split("## Identity policies", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w/-]+)` \| (.*) \| (.+) \|$", section, re.MULTILINE)
    documented = {name: writes for name, writes, _why in rows}
    attached = sorted({m for i in every_identity for m in i.managed})
    expected = {}
    for name in attached:
        writes = _document(_statements(MANAGED[name][1])).infrastructure_modification
        expected[name] = ", ".join(f"`{w}`" for w in writes) or "none"
    assert documented == expected


def test_the_scan_sees_what_it_must_refuse() -> None:
    """The same reading flags a role that could escalate, read every object and rewrite
    policies, and does not flag the same actions scoped to a template's resource."""
    wide = [
        {
            "Effect": "Allow",
            "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*"},
    ]
    found = risks(wide)
    assert ("data-exfiltration", "s3:GetObject") in found
    assert ("resource-exposure", "iam:PutRolePolicy") in found
    assert any(c == "privilege-escalation" for c, _ in found)
    scoped = resolve(
        [{**s, "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"}} for s in wide]
    )
    assert scoped[0]["Resource"] == "arn:aws:s3:::bucket/*"
    assert risks(scoped) == set()
