"""References in a CloudFormation template held as plain data (dicts, lists, strings).

The one place that knows how a template names things:

- a logical ID (a resource or a parameter): ``Ref``, ``Fn::GetAtt`` as a list
  (``["Res", "Attr"]``) or a string (``"Res.Attr"``), a ``${Name}`` or ``${Name.Attr}``
  in an ``Fn::Sub`` string, and a resource's ``DependsOn`` (a string or a list);
- a condition: a resource's or an output's ``Condition``, the first argument of ``Fn::If``,
  and ``{"Condition": name}`` inside ``Fn::And`` / ``Fn::Or`` / ``Fn::Not`` and the
  ``Conditions`` section.

What a key means depends on where it is: ``DependsOn`` and ``Condition`` name something only
at the top of a resource (an ECS container's ``DependsOn`` and an IAM statement's
``Condition`` are properties), so each function is told what its node is: a whole
``template``, a ``resource`` or ``output`` body, or a ``value`` inside one.

An intrinsic function is a dict with exactly one key. A pseudo parameter (``AWS::Region``)
never names a resource. In a Sub string, ``${!Literal}`` is text, and a variable that the
Sub's own map defines is that variable, not a logical ID (the map's values are walked).
An ``Fn::GetAtt`` whose attribute is computed (not a string) is refused with ValueError:
blueprint never writes one, and no rewrite of it could be checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

#: What a node is: a whole template, a resource's or an output's body, or a value in one.
Level = Literal["template", "resource", "output", "value"]

#: ``${Name}``, ``${Name.Attr}`` and ``${!Literal}`` in an Fn::Sub string.
_SUB_VARIABLE = re.compile(r"\$\{(!?)([A-Za-z0-9:]+)((?:\.[A-Za-z0-9.]+)?)\}")

#: Template sections that never refer to anything.
_INERT_SECTIONS = frozenset(
    {"AWSTemplateFormatVersion", "Description", "Mappings", "Parameters", "Transform"}
)
_CONDITION_FUNCTIONS = frozenset({"Fn::And", "Fn::Or", "Fn::Not"})


@dataclass(frozen=True, order=True)
class Reference:
    """A reference to a logical ID: ``Ref`` / ``${Name}`` when ``attribute`` is None,
    ``Fn::GetAtt`` / ``${Name.Attr}`` otherwise."""

    name: str
    attribute: str | None = None

    def sub_variable(self) -> str:
        """This reference as a variable of an Fn::Sub string."""
        return "${" + self.name + ("." + self.attribute if self.attribute else "") + "}"


def is_pseudo(name: str) -> bool:
    """Is ``name`` a pseudo parameter (``AWS::Region``), which no resource can be?"""
    return name.startswith("AWS::")


@dataclass(frozen=True)
class _Visit:
    ref: Callable[[Reference], Reference]
    condition: Callable[[str], str]


def _same_condition(name: str) -> str:
    return name


# --- the walk -------------------------------------------------------------------------------


def _value(node: Any, visit: _Visit) -> Any:
    if isinstance(node, list):
        return [_value(item, visit) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, argument),) = node.items()
        form = _FORMS.get(key)
        if form is not None:
            return form(argument, visit)
    return {key: _value(item, visit) for key, item in node.items()}


def _ref(argument: Any, visit: _Visit) -> Any:
    if not isinstance(argument, str):
        return {"Ref": _value(argument, visit)}
    if is_pseudo(argument):
        return {"Ref": argument}
    return _written(visit.ref(Reference(argument)), as_string=False)


def _getatt(argument: Any, visit: _Visit) -> Any:
    if isinstance(argument, str) and "." in argument:
        name, attribute = argument.split(".", 1)
        return _written(visit.ref(Reference(name, attribute)), as_string=True)
    if (
        isinstance(argument, list)
        and len(argument) == 2
        and all(isinstance(part, str) for part in argument)
    ):
        return _written(visit.ref(Reference(argument[0], argument[1])), as_string=False)
    raise ValueError(f"Fn::GetAtt takes a name and an attribute, not {argument!r}")


def _written(reference: Reference, as_string: bool) -> dict[str, Any]:
    if reference.attribute is None:
        return {"Ref": reference.name}
    if as_string:
        return {"Fn::GetAtt": f"{reference.name}.{reference.attribute}"}
    return {"Fn::GetAtt": [reference.name, reference.attribute]}


def _sub(argument: Any, visit: _Visit) -> Any:
    if isinstance(argument, str):
        return {"Fn::Sub": _sub_text(argument, frozenset(), visit)}
    if (
        isinstance(argument, list)
        and len(argument) == 2
        and isinstance(argument[0], str)
        and isinstance(argument[1], dict)
    ):
        text, variables = argument
        return {"Fn::Sub": [_sub_text(text, frozenset(variables), visit), _value(variables, visit)]}
    raise ValueError(
        f"Fn::Sub takes a string, or a string and a map of variables, not {argument!r}"
    )


def _sub_text(text: str, local: frozenset[str], visit: _Visit) -> str:
    def one(match: re.Match[str]) -> str:
        literal, name, attribute = match.groups()
        if literal or name in local or is_pseudo(name):
            return match.group(0)
        new = visit.ref(Reference(name, attribute[1:] or None))
        if new.name in local:
            raise ValueError(
                f"{match.group(0)} would become {new.sub_variable()}, which the Fn::Sub's "
                "own variable map defines"
            )
        return new.sub_variable()

    return _SUB_VARIABLE.sub(one, text)


def _if(argument: Any, visit: _Visit) -> Any:
    if isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str):
        return {"Fn::If": [visit.condition(argument[0]), *_value(argument[1:], visit)]}
    return {"Fn::If": _value(argument, visit)}


def _condition_function(key: str) -> Callable[[Any, _Visit], Any]:
    def walk(argument: Any, visit: _Visit) -> Any:
        if isinstance(argument, list):
            return {key: [_condition(item, visit) for item in argument]}
        return {key: _value(argument, visit)}

    return walk


_FORMS: dict[str, Callable[[Any, _Visit], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _getatt,
    "Fn::Sub": _sub,
    "Fn::If": _if,
    **{key: _condition_function(key) for key in _CONDITION_FUNCTIONS},
}


def _condition(node: Any, visit: _Visit) -> Any:
    """A condition expression: ``{"Condition": name}`` names another condition."""
    if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Condition"), str):
        return {"Condition": visit.condition(node["Condition"])}
    return _value(node, visit)


def _resource(body: Any, visit: _Visit) -> Any:
    if not isinstance(body, dict):
        return _value(body, visit)
    out: dict[str, Any] = {}
    for key, item in body.items():
        if key == "DependsOn":
            out[key] = _depends(item, visit)
        elif key == "Condition" and isinstance(item, str):
            out[key] = visit.condition(item)
        elif key == "Type":
            out[key] = item
        else:
            out[key] = _value(item, visit)
    return out


def _depends(item: Any, visit: _Visit) -> Any:
    def one(name: Any) -> Any:
        if not isinstance(name, str):
            raise ValueError(f"DependsOn names resources, not {name!r}")
        new = visit.ref(Reference(name))
        if new.attribute is not None:
            raise ValueError(f"DependsOn names a resource, not an attribute: {new}")
        return new.name

    return [one(name) for name in item] if isinstance(item, list) else one(item)


def _output(body: Any, visit: _Visit) -> Any:
    if not isinstance(body, dict):
        return _value(body, visit)
    return {
        key: visit.condition(item)
        if key == "Condition" and isinstance(item, str)
        else _value(item, visit)
        for key, item in body.items()
    }


def _template(template: Any, visit: _Visit) -> Any:
    if not isinstance(template, dict):
        raise ValueError("a template is a mapping of sections")
    out: dict[str, Any] = {}
    for key, section in template.items():
        if key in _INERT_SECTIONS or not isinstance(section, dict):
            out[key] = section
        elif key == "Resources":
            out[key] = {name: _resource(body, visit) for name, body in section.items()}
        elif key == "Outputs":
            out[key] = {name: _output(body, visit) for name, body in section.items()}
        elif key == "Conditions":
            out[key] = {name: _condition(body, visit) for name, body in section.items()}
        else:
            out[key] = _value(section, visit)
    return out


_LEVELS: dict[str, Callable[[Any, _Visit], Any]] = {
    "template": _template,
    "resource": _resource,
    "output": _output,
    "value": _value,
}


# --- the API --------------------------------------------------------------------------------


def replace(node: Any, fn: Callable[[Reference], Reference], level: Level = "value") -> Any:
    """``node`` with every reference to a logical ID replaced by ``fn`` of it, written in the
    same form: a Ref or a GetAtt (as a list or a string, as it was), a Sub variable, or a
    DependsOn name. A reference that ``fn`` gives no attribute becomes a Ref (``${Name}``
    in a Sub string). Pseudo parameters and condition names are left alone."""
    return _LEVELS[level](node, _Visit(fn, _same_condition))


def rewrite(
    node: Any,
    mapping: Mapping[str, str],
    level: Level = "value",
    *,
    conditions: Mapping[str, str] | None = None,
) -> Any:
    """``node`` with references renamed: each logical ID in ``mapping`` to its value,
    everywhere it is named (Ref, GetAtt, Sub, DependsOn), and each condition name in
    ``conditions``. Definitions (the keys of Resources, Conditions) are not renamed.
    ValueError when a renamed Sub variable would become one its Sub's own map defines."""
    rename = conditions or {}
    visit = _Visit(
        lambda r: Reference(mapping.get(r.name, r.name), r.attribute),
        lambda name: rename.get(name, name),
    )
    return _LEVELS[level](node, visit)


def references(node: Any, level: Level = "value") -> set[str]:
    """Logical IDs (resources and parameters) that ``node`` refers to."""
    return {reference.name for reference in _found(node, level)[0]}


def conditions(node: Any, level: Level = "value") -> set[str]:
    """Condition names that ``node`` uses."""
    return set(_found(node, level)[1])


def _found(node: Any, level: Level) -> tuple[list[Reference], list[str]]:
    """Every reference and condition name in ``node``, in the order they are written."""
    found: list[Reference] = []
    used: list[str] = []

    def reference(r: Reference) -> Reference:
        found.append(r)
        return r

    def condition(name: str) -> str:
        used.append(name)
        return name

    _LEVELS[level](node, _Visit(reference, condition))
    return found, used


def depends_on(resource: Mapping[str, Any]) -> list[str]:
    """The resources a resource body waits for, from its DependsOn (a string or a list)."""
    deps = resource.get("DependsOn", [])
    return [deps] if isinstance(deps, str) else list(deps)


def target(value: Any) -> Reference | None:
    """The reference ``value`` is, when it is exactly one Ref or GetAtt (None otherwise, and
    for a pseudo parameter)."""
    if not (isinstance(value, dict) and len(value) == 1 and set(value) <= {"Ref", "Fn::GetAtt"}):
        return None
    found = _found(value, "value")[0]
    return found[0] if found else None
