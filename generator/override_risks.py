"""What an override opens that blueprint itself opens only where a section says so, with
a warning: an inbound rule from the whole internet, an IAM or resource policy statement
that allows every action, every resource or everyone, a managed policy attached.

blueprint's sections refuse an admin port open to the internet unless the blueprint says
so (then warn), and scope every grant to named resources. An override is the blueprint
saying so, in CloudFormation's words: it is applied and linted, and each such opening is
a warning at the override's key (``--strict`` makes it fail the build). Only what the
override added is reported: a rule or a statement that was in the rendered resource
before is blueprint's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .codes import Code
from .errors import Issue, Severity
from .overrides import Applied, origin
from .rendered import Rendered

#: The CIDR blocks of the whole internet.
WORLD = ("0.0.0.0/0", "::/0")

#: where the inbound rules of a resource type are: the rule list of a group, or the
#: resource itself for a rule of its own
_RULES = {
    "AWS::EC2::SecurityGroup": ("SecurityGroupIngress",),
    "AWS::EC2::SecurityGroupIngress": (),
}

#: Found: the path in the resource (from ``Properties`` on) and the message.
Found = tuple[tuple[str | int, ...], str]


def risks(before: Rendered, after: Rendered, applied: Sequence[Applied]) -> list[Issue]:
    """A warning for each opening the overrides in ``applied`` added to a resource of
    ``after`` that the same resource of ``before`` did not have."""
    old = {
        (s.name, k): body for s in before.stacks for k, body in s.data.get("Resources", {}).items()
    }
    issues: list[Issue] = []
    for stack, logical_id in sorted({(a.stack, a.logical_id) for a in applied}):
        body = next(s for s in after.stacks if s.name == stack).data["Resources"][logical_id]
        was = old.get((stack, logical_id), {})
        for path, message in [*_ingress(body, was), *_grants(body, was)]:
            where = origin(applied, stack, ["Resources", logical_id, *path])
            mine = [a.where for a in applied if (a.stack, a.logical_id) == (stack, logical_id)]
            issues.append(
                Issue(
                    where or mine[0],
                    message,
                    Severity.WARNING,
                    code=Code.OVERRIDE_OPENS,
                    at_key=True,
                )
            )
    return issues


def _ingress(body: Mapping[str, Any], was: Mapping[str, Any]) -> Iterator[Found]:
    kind = body.get("Type")
    if kind not in _RULES:
        return
    at = ("Properties", *_RULES[kind])
    rules, old = _rules(body, at), {_key(r) for _, r in _rules(was, at)}
    for path, rule in rules:
        field = "CidrIp" if rule.get("CidrIp") in WORLD else "CidrIpv6"
        cidr = rule.get(field)
        if cidr in WORLD and _key(rule) not in old:
            # a rule of its own: the override that wrote the block is the one to name
            where = (*path, field) if len(at) == 1 else path
            yield (
                where,
                (
                    f"this override admits the whole internet ({cidr}) to {_ports(rule)}; "
                    "blueprint opens a port to the internet only where a section says so: "
                    "check that this is meant"
                ),
            )


def _rules(body: Mapping[str, Any], at: tuple[str, ...]) -> list[tuple[tuple[str | int, ...], Any]]:
    node: Any = body
    for step in at:
        node = node.get(step, {}) if isinstance(node, dict) else {}
    if len(at) == 1:
        return [(at, node)] if isinstance(node, dict) else []
    items = node if isinstance(node, list) else []
    return [((*at, i), r) for i, r in enumerate(items) if isinstance(r, dict)]


def _ports(rule: Mapping[str, Any]) -> str:
    protocol = str(rule.get("IpProtocol", ""))
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if protocol == "-1" or (low in (None, -1, 0) and high in (None, -1, 65535)):
        return "every port" + ("" if protocol == "-1" else f" ({protocol.upper()})")
    ports = f"port {low}" if low == high else f"ports {low}-{high}"
    return f"{ports} ({protocol.upper()})"


def _grants(body: Mapping[str, Any], was: Mapping[str, Any]) -> Iterator[Found]:
    old = {_key(s) for _, s in _statements(was.get("Properties", {}), ("Properties",))}
    for path, statement in _statements(body.get("Properties", {}), ("Properties",)):
        if statement.get("Effect") != "Allow" or _key(statement) in old:
            continue
        wide = _wide(statement)
        if wide:
            yield (
                path,
                (
                    f"this override allows {' and '.join(wide)}; blueprint scopes every grant to "
                    "named actions, resources and principals: check that this is meant"
                ),
            )
    before = set(_strings(was.get("Properties", {}).get("ManagedPolicyArns", [])))
    arns = body.get("Properties", {}).get("ManagedPolicyArns", [])
    for i, arn in enumerate(arns if isinstance(arns, list) else []):
        if _key(arn) not in {_key(b) for b in before}:
            yield (
                ("Properties", "ManagedPolicyArns", i),
                (
                    f"this override attaches the managed policy {_text(arn)}, whose grants "
                    "blueprint does not scope: check that this is meant"
                ),
            )


def _statements(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Every policy statement under ``node``, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                items = value if isinstance(value, list) else [value]
                for i, s in enumerate(items):
                    if isinstance(s, dict):
                        yield ((*path, key, i) if isinstance(value, list) else (*path, key)), s
            else:
                yield from _statements(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _statements(value, (*path, i))


def _wide(statement: Mapping[str, Any]) -> list[str]:
    actions = _strings(statement.get("Action", []))
    wide = []
    if any(a == "*" or a.endswith(":*") for a in actions):
        wide.append("every action" + ("" if "*" in actions else " of " + _services(actions)))
    if "*" in _strings(statement.get("Resource", [])):
        wide.append("every resource ('Resource: *')")
    principal = statement.get("Principal")
    everyone = principal == "*" or (
        isinstance(principal, dict) and "*" in _strings(principal.get("AWS", []))
    )
    if everyone and "Condition" not in statement:
        wide.append("everyone ('Principal: *', no condition)")
    return wide


def _services(actions: list[str]) -> str:
    return ", ".join(sorted(a.split(":")[0] for a in actions if a.endswith(":*")))


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else _key(value)
