"""Lint by shape: templates that differ only in the digits of entry names where those
names stand as identifiers, and in listener-rule priorities, share cfn-lint's clean verdict.

The service stacks of one blueprint are the same template with the service's name and its
route's priority changed (``svc001`` -> ``svc002``, ``Priority: 2`` -> ``3``). A template's
*shape* is its parsed JSON with the names of the entries it was made from (as written and
as they appear in logical IDs) replaced by a token numbered by first appearance, followed
by each token's name with its digits made ``0``; each distinct listener-rule priority is
a token too. A name is replaced only where it is part of an identifier or of a value
cfn-lint does not constrain beyond its length:

- logical-ID keys of ``Resources``, ``Parameters`` and ``Outputs``; ``Ref`` targets;
  ``Fn::GetAtt`` targets (the resource, not the attribute); ``DependsOn``; the names inside
  ``${...}`` of ``Fn::Sub`` (not those its own variable map defines);
- the template's ``Description``, and ``Description`` of parameters and outputs, and
  outputs' ``Value`` (cfn-lint's template schemas: a string of at most 1,024 characters,
  or anything);
- the resource properties in :data:`PROPERTIES`, whose cfn-lint schemas (provider schemas
  in every region, and the extension schemas of the rules that apply there) have no
  ``enum``, ``const`` or ``format``, and no ``pattern`` but ones that treat every digit
  alike; tests/test_lint_shape.py reads them, so a cfn-lint that constrains one of them
  fails the tests.

If a name is still anywhere else in the template once these are replaced (in any letter
case, in any key or value), the template has no shape and is linted alone: a name in a
value cfn-lint checks against an enum or a pattern (a protocol ``http2``, an instance type
``c5.large``) can decide a finding. So two templates of one shape differ only in digits
inside identifiers and unconstrained strings, at the same positions, with the same lengths:
cfn-lint's checks of logical IDs (alphanumeric, at most 255 characters), of references
(renamed one-to-one) and of string lengths see the same things. A listener rule's priority
stays an integer in the one range its schema allows, 1 to 50,000
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-listenerrule.html),
and equal priorities stay equal. Only a *clean* verdict is shared: a shape with findings is
linted template by template, so findings are always cfn-lint's own, in their own template.

Standard library only: the shapes are computed before cfn-lint is needed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator
from typing import Any

from .naming import stem

#: ListenerRule's ``Priority``: "Minimum: 1, Maximum: 50000" (the page above; the same in
#: cfn-lint's provider schema, which tests/test_lint_shape.py reads).
PRIORITY_RANGE = (1, 50_000)
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"

#: (resource type, property path; ``*`` an item of a list) where an entry name is
#: generalised in a plain string: texts blueprint derives from entry names.
PROPERTIES: frozenset[tuple[str, tuple[str, ...]]] = frozenset(
    {
        ("AWS::EC2::SecurityGroup", ("GroupDescription",)),
        ("AWS::EC2::SecurityGroup", ("Tags", "*", "Value")),
        ("AWS::EC2::SecurityGroupEgress", ("Description",)),
        ("AWS::EC2::SecurityGroupIngress", ("Description",)),
        ("AWS::ECS::TaskDefinition", ("Family",)),
        ("AWS::ECS::TaskDefinition", ("ContainerDefinitions", "*", "Image")),
        (LISTENER_RULE, ("Conditions", "*", "HostHeaderConfig", "Values", "*")),
        ("AWS::IAM::Role", ("Policies", "*", "PolicyName")),
    }
)
#: The same for parameters and outputs (cfn-lint's other/parameters and other/outputs).
SECTIONS: dict[str, frozenset[str]] = {
    "Parameters": frozenset({"Description"}),
    "Outputs": frozenset({"Description", "Value"}),
}

#: A trie of paths; this key marks where one ends.
_END = ""
Trie = dict[str, Any]


def _trie(paths: Collection[tuple[str, ...]]) -> Trie:
    root: Trie = {}
    for path in paths:
        node = root
        for step in path:
            node = node.setdefault(step, {})
        node[_END] = {}
    return root


_TRIES: dict[str, Trie] = {
    kind: _trie([path for k, path in PROPERTIES if k == kind]) for kind, _ in PROPERTIES
}
_SECTION_TRIES = {key: _trie([(name,) for name in names]) for key, names in SECTIONS.items()}
_INTRINSIC = re.compile(r"^(Ref|Condition|Fn::.+)$")
#: ``${Name}`` or ``${Name.Attribute}`` in ``Fn::Sub`` (``${!...}`` is literal text).
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_TOKEN = re.compile("\x00[0-9]+\x00")
_DIGIT = re.compile(r"\d")


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Duplicate  # cfn-lint reports duplicate keys; json.loads keeps the last
    return found


def _no_constant(word: str) -> Any:
    raise ValueError(word)  # NaN or Infinity: not JSON cfn-lint reads


class _Shaper:
    """Replaces names by tokens where they are identifiers or unconstrained text."""

    def __init__(self, names: Collection[str]) -> None:
        self.forms = sorted(
            {form for name in names if name for form in (name, stem(name)) if form},
            key=lambda s: (-len(s), s),
        )
        self.pattern = re.compile("|".join(map(re.escape, self.forms))) if self.forms else None
        self.order: dict[object, int] = {}

    def token(self, key: object) -> str:
        return f"\x00{self.order.setdefault(key, len(self.order))}\x00"

    def name(self, text: str) -> str:
        """``text`` with every name in it a token (an identifier or unconstrained text)."""
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.token(m.group(0)), text)

    def value(self, node: Any) -> Any:
        """``node`` as it is but for the identifiers of intrinsic functions in it."""
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            [(key, arg)] = node.items()
            if key == "Ref" and isinstance(arg, str):
                return {key: self.name(arg)}
            if key == "Fn::GetAtt":
                return {key: self._get_att(arg)}
            if key == "Fn::Sub":
                return {key: self._sub(arg)}
        return {key: self.value(item) for key, item in node.items()}

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            target, dot, attribute = arg.partition(".")
            return self.name(target) + dot + attribute
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return [self.name(arg[0]), *(self.value(item) for item in arg[1:])]
        return self.value(arg)

    def _sub(self, arg: Any) -> Any:
        if isinstance(arg, str):
            return self._sub_text(arg, {})
        if isinstance(arg, list) and len(arg) == 2:
            text, local = arg
            if isinstance(text, str) and isinstance(local, dict):
                return [self._sub_text(text, local), self.value(local)]
        return self.value(arg)

    def _sub_text(self, text: str, local: dict[str, Any]) -> str:
        def variable(match: re.Match[str]) -> str:
            target, dot, attribute = match.group(1).partition(".")
            if match.group(1) in local or target in local:
                return match.group(0)  # the Sub's own variable: kept as it is
            return "${" + self.name(target) + dot + attribute + "}"

        return _SUB_VARIABLE.sub(variable, text)

    def along(self, node: Any, trie: Trie | None) -> Any:
        """``node`` with the names in the plain strings at the ends of ``trie``'s paths
        replaced too."""
        if trie is None:
            return self.value(node)
        if _END in trie:
            return self.name(node) if isinstance(node, str) else self.value(node)
        if isinstance(node, list):
            return [self.along(item, trie.get("*")) for item in node]
        if isinstance(node, dict) and not any(_INTRINSIC.match(key) for key in node):
            return {key: self.along(item, trie.get(key)) for key, item in node.items()}
        return self.value(node)

    def depends_on(self, node: Any) -> Any:
        if isinstance(node, str):
            return self.name(node)
        if isinstance(node, list):
            return [self.name(n) if isinstance(n, str) else self.value(n) for n in node]
        return self.value(node)

    def resource(self, resource: Any) -> Any:
        if not isinstance(resource, dict):
            return self.value(resource)
        kind = resource.get("Type")
        shaped = {}
        for key, item in resource.items():
            if key == "Properties":
                shaped[key] = self.along(item, _TRIES.get(kind) if isinstance(kind, str) else None)
            elif key == "DependsOn":
                shaped[key] = self.depends_on(item)
            else:
                shaped[key] = self.value(item)
        if kind == LISTENER_RULE and isinstance(shaped.get("Properties"), dict):
            priority = shaped["Properties"].get("Priority")
            low, high = PRIORITY_RANGE
            if type(priority) is int and low <= priority <= high:
                shaped["Properties"]["Priority"] = self.token(("priority", priority))
        return shaped

    def template(self, data: dict[str, Any]) -> dict[str, Any]:
        shaped: dict[str, Any] = {}
        for key, item in data.items():
            if key == "Resources" and isinstance(item, dict):
                shaped[key] = {self.name(k): self.resource(r) for k, r in item.items()}
            elif key in _SECTION_TRIES and isinstance(item, dict):
                trie = _SECTION_TRIES[key]
                shaped[key] = {self.name(k): self.along(v, trie) for k, v in item.items()}
            elif key == "Description" and isinstance(item, str):
                shaped[key] = self.name(item)
            else:
                shaped[key] = self.value(item)
        return shaped

    def left(self, node: Any) -> bool:
        """Whether a name is still in ``node`` (any key, string or number, any case)."""
        spelled = [form.lower() for form in self.forms]
        return any(
            any(form in _TOKEN.sub("\x00", text).lower() for form in spelled)
            for text in _texts(node)
        )

    def signature(self) -> list[str]:
        return [_DIGIT.sub("0", k) if isinstance(k, str) else "#" for k in self.order]


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, item in node.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)
    elif node is not None and not isinstance(node, bool):
        yield str(node)


def shape(text: str, names: Collection[str]) -> str | None:
    """The shape of ``text`` made from entries called ``names``: the template with the
    names and priorities tokenised where they may be, then the names' signatures. None:
    ``text`` has no shape (it is then linted alone)."""
    if "\x00" in text or "\\u0000" in text:
        return None  # a token could be forged
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except ValueError:
        return None
    if not isinstance(data, dict) or "Transform" in data:
        return None  # a transform makes the template cfn-lint reads from this one
    shaper = _Shaper(names)
    shaped = shaper.template(data)
    if shaper.left(shaped):
        return None
    return json.dumps(shaped) + "\x00\x00" + json.dumps(shaper.signature())


def shape_key(head: bytes, text: str, names: Collection[str]) -> str | None:
    """The cache key of ``text``'s shape (``head``: cfn-lint's version, the region and the
    rules, as for the content key)."""
    shaped = shape(text, names)
    if shaped is None:
        return None
    return hashlib.sha256(b"shape 2\0" + head + shaped.encode()).hexdigest()
