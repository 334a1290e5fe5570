"""What an override opens that blueprint itself opens only where a section says so, with
a warning: the whole internet admitted to a port, a policy that allows every action,
every resource or everyone, a Lambda function anyone may invoke, a managed policy attached.

blueprint's sections refuse an admin port open to the internet unless the blueprint says
so (then warn), and scope every grant to named resources. An override is the blueprint
saying so, in CloudFormation's words: it is applied and linted, and each such opening is
a warning at the override's key (``--strict`` makes it fail the build). Only what the
override opened is reported: what the rendered resource already allowed (a rule that was
open before, a statement's aspect it already had) is blueprint's own, and an override that
narrows or relabels it is not warned about.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .codes import Code
from .errors import Issue, Path, Severity
from .overrides import Applied
from .rendered import Rendered

#: where the inbound rules of a resource type are: the rule list of a group, or the
#: resource itself for a rule of its own
_RULES = {
    "AWS::EC2::SecurityGroup": ("SecurityGroupIngress",),
    "AWS::EC2::SecurityGroupIngress": (),
}

#: A path in a resource, from ``Properties`` on.
Where = tuple[str | int, ...]
#: What a resource opens: a key per opening (what compares it with the resource before
#: the override) -> where it is, what it opens and why that is worth a look.
Openings = dict[tuple[Any, ...], tuple[Where, str, str]]

_INTERNET = "blueprint opens a port to the internet only where a section says so"
_GRANTS = "blueprint scopes every grant to named actions, resources and principals"


def risks(before: Rendered, after: Rendered, applied: Sequence[Applied]) -> list[Issue]:
    """A warning for each opening the overrides in ``applied`` made in a resource of
    ``after`` that the same resource of ``before`` did not have."""
    if not applied:
        return []
    old = {
        (s.name, k): body for s in before.stacks for k, body in s.data.get("Resources", {}).items()
    }
    issues: list[Issue] = []
    for stack, logical_id in sorted({(a.stack, a.logical_id) for a in applied}):
        body = next(s for s in after.stacks if s.name == stack).data["Resources"][logical_id]
        was = openings(old.get((stack, logical_id), {}))
        mine = [a for a in applied if (a.stack, a.logical_id) == (stack, logical_id)]
        new: dict[tuple[Where, str], list[str]] = {}
        for key, (path, what, why) in openings(body).items():
            if key not in was:
                new.setdefault((path, why), []).append(what)
        for (path, why), parts in new.items():
            message = f"this override {' and '.join(parts)}; {why}: check that this is meant"
            where = _where(mine, path)
            issues.append(
                Issue(where, message, Severity.WARNING, code=Code.OVERRIDE_OPENS, at_key=True)
            )
    return issues


def openings(body: Mapping[str, Any]) -> Openings:
    """Everything ``body`` (a resource of a template) opens that the warning is about."""
    found: Openings = {}
    found.update(_ingress(body))
    props = body.get("Properties", {})
    props = props if isinstance(props, dict) else {}
    for path, statement in _statements(props, ("Properties",)):
        for i, (aspect, text) in enumerate(_wide(statement)):
            found[("grant", path, aspect)] = (path, ("allows " if i == 0 else "") + text, _GRANTS)
    if body.get("Type") == "AWS::Lambda::Permission" and _anyone_invokes(props):
        found[("invoke",)] = (
            ("Properties", "Principal"),
            "lets anyone invoke the function ('Principal: *' with no SourceArn, "
            "SourceAccount or PrincipalOrgID)",
            _GRANTS,
        )
    arns = props.get("ManagedPolicyArns", [])
    for i, arn in enumerate(arns if isinstance(arns, list) else []):
        found[("managed", _key(arn))] = (
            ("Properties", "ManagedPolicyArns", i),
            f"attaches the managed policy {_text(arn)}",
            "blueprint does not scope a managed policy's grants",
        )
    return found


def _where(mine: Sequence[Applied], path: Where) -> Path:
    """The key of the override that wrote ``path`` or what lies under it: of those whose
    path and ``path`` are one within the other, the one sharing most of it; the
    resource's first override when none does."""
    found = [str(p) for p in path]
    best: tuple[int, Applied] | None = None
    for a in mine:
        owns = list(a.owns)
        shared = min(len(owns), len(found))
        if owns[:shared] == found[:shared] and (best is None or len(owns) > best[0]):
            best = (len(owns), a)
    return (best[1] if best is not None else mine[0]).where


def _ingress(body: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], tuple[Where, str, str]]]:
    """The ports that admit the whole internet: of each protocol and port range, whether
    its rules' blocks together cover every IPv4 or every IPv6 address (``0.0.0.0/0``, or
    ``0.0.0.0/1`` with ``128.0.0.0/1``)."""
    kind = body.get("Type")
    if kind not in _RULES:
        return
    at: Where = ("Properties", *_RULES[kind])
    blocks: dict[tuple[Any, ...], list[tuple[Where, Any]]] = {}
    for path, rule in _rules(body, at):
        for field in ("CidrIp", "CidrIpv6"):
            network = _network(rule.get(field))
            if network is not None:
                ports = (str(rule.get("IpProtocol", "")).lower(), *_ports(rule))
                where = (*path, field) if not _RULES[kind] else path
                blocks.setdefault((network.version, *ports), []).append((where, network))
    for key, found in sorted(blocks.items(), key=lambda kv: str(kv[0])):
        nets = [n for _, n in found]
        whole = "0.0.0.0/0" if key[0] == 4 else "::/0"
        if [str(n) for n in ipaddress.collapse_addresses(nets)] == [whole]:
            shown = ", ".join(sorted({str(n) for n in nets}))
            what = f"admits the whole internet ({shown}) to {_ports_text(key[1:])}"
            yield ("ingress", *key), (found[0][0], what, _INTERNET)


def _rules(body: Mapping[str, Any], at: Where) -> list[tuple[Where, dict[str, Any]]]:
    node: Any = body
    for step in at:
        node = node.get(step, {}) if isinstance(node, dict) else {}
    if len(at) == 1:
        return [(at, node)] if isinstance(node, dict) else []
    items = node if isinstance(node, list) else []
    return [((*at, i), r) for i, r in enumerate(items) if isinstance(r, dict)]


def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _ports(rule: Mapping[str, Any]) -> tuple[Any, Any]:
    if str(rule.get("IpProtocol", "")) == "-1":
        return (None, None)
    low, high = rule.get("FromPort"), rule.get("ToPort")
    return (low, high)


def _ports_text(key: tuple[Any, ...]) -> str:
    protocol, low, high = key
    if protocol == "-1" or (low in (None, -1, 0) and high in (None, -1, 65535)):
        return "every port" + ("" if protocol == "-1" else f" ({protocol.upper()})")
    ports = f"port {low}" if low == high else f"ports {low}-{high}"
    return f"{ports} ({protocol.upper()})"


def _statements(node: Any, path: Where) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Every policy statement under ``node``, with its path; a policy document written as
    a JSON text (which CloudFormation takes) is read as the document it is."""
    if isinstance(node, str) and node.lstrip().startswith("{"):
        try:
            node = json.loads(node)
        except ValueError:
            return
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


def _wide(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What an Allow statement grants beyond named actions, resources and principals: an
    aspect and how it reads."""
    if statement.get("Effect") != "Allow":
        return []
    actions = _strings(statement.get("Action", []))
    wide: list[tuple[str, str]] = []
    if "*" in actions:
        wide.append(("action", "every action"))
    elif any(a.endswith(":*") for a in actions):
        wide.append(("action", "every action of " + _services(actions)))
    if "NotAction" in statement:
        wide.append(("not-action", "every action but those named ('NotAction')"))
    if "*" in _strings(statement.get("Resource", [])):
        wide.append(("resource", "every resource ('Resource: *')"))
    if "NotResource" in statement:
        wide.append(("not-resource", "every resource but those named ('NotResource')"))
    if not statement.get("Condition"):
        principal = statement.get("Principal")
        named = principal.get("AWS", []) if isinstance(principal, dict) else principal
        if "*" in _strings(named):
            wide.append(("everyone", "everyone ('Principal: *', no condition)"))
        if "NotPrincipal" in statement:
            wide.append(("not-principal", "everyone but those named ('NotPrincipal')"))
    return wide


def _anyone_invokes(props: Mapping[str, Any]) -> bool:
    scoped = ("SourceArn", "SourceAccount", "PrincipalOrgID")
    return props.get("Principal") == "*" and not any(props.get(k) for k in scoped)


def _services(actions: list[str]) -> str:
    return ", ".join(sorted(a.split(":")[0] for a in actions if a.endswith(":*")))


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else _key(value)
