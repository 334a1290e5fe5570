"""The floor of rendering a system: a plain troposphere script that makes the same
templates a blueprint builds, written out for the bench to run in a fresh interpreter.

The script imports troposphere and only the modules of the resource types the templates
use, makes every parameter, resource, condition and output as troposphere objects (its
type checks on), and prints the templates as JSON: what a hand-written troposphere script
of the system does, with none of blueprint's validation. ``script`` checks that what it
prints is the templates it was given.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: The script's body; ``CLASSES`` and ``TEMPLATES`` are written above it.
_BODY = """
from troposphere import (
    And, Base64, Cidr, Condition, Equals, Export, FindInMap, GetAtt, GetAZs, If,
    ImportValue, Join, Not, Or, Output, Parameter, Ref, Select, Split, Sub, Tags, Template,
)

_FUNCTIONS = {
    "Ref": lambda a: Ref(a),
    "Fn::GetAtt": lambda a: GetAtt(*a),
    "Fn::Sub": lambda a: Sub(a) if isinstance(a, str) else Sub(a[0], **_fn(a[1])),
    "Fn::Join": lambda a: Join(a[0], _fn(a[1])),
    "Fn::Select": lambda a: Select(a[0], _fn(a[1])),
    "Fn::Split": lambda a: Split(a[0], _fn(a[1])),
    "Fn::GetAZs": lambda a: GetAZs(_fn(a)),
    "Fn::If": lambda a: If(a[0], _fn(a[1]), _fn(a[2])),
    "Fn::Cidr": lambda a: Cidr(*_fn(a)),
    "Fn::ImportValue": lambda a: ImportValue(_fn(a)),
    "Fn::FindInMap": lambda a: FindInMap(*_fn(a)),
    "Fn::Base64": lambda a: Base64(_fn(a)),
    "Fn::Equals": lambda a: Equals(*_fn(a)),
    "Fn::Not": lambda a: Not(*_fn(a)),
    "Fn::And": lambda a: And(*_fn(a)),
    "Fn::Or": lambda a: Or(*_fn(a)),
    "Condition": lambda a: Condition(a),
}


def _fn(value):
    if isinstance(value, dict):
        if len(value) == 1:
            [(key, arg)] = value.items()
            if key in _FUNCTIONS:
                return _FUNCTIONS[key](arg)
        return {k: _fn(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fn(v) for v in value]
    return value


def _is_function(value):
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _FUNCTIONS


def _object(cls, props, title=None):
    made = {}
    for name, value in props.items():
        expected = cls.props[name][0] if name in cls.props else None
        made[name] = _value(expected, value)
    return cls(title, **made) if title is not None else cls(**made)


def _value(expected, value):
    # a property's value as troposphere takes it: objects for its property types
    plain = isinstance(value, dict) and not _is_function(value)
    if expected is Tags or (isinstance(expected, tuple) and Tags in expected):
        if isinstance(value, list):
            return Tags({t["Key"]: _fn(t["Value"]) for t in value})
    elif isinstance(expected, type) and hasattr(expected, "props") and plain:
        return _object(expected, value)
    elif isinstance(expected, list) and hasattr(expected[0], "props"):
        if isinstance(value, list):
            return [_value(expected[0], v) for v in value]
    return _fn(value)


_ATTRIBUTES = ("DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Condition", "Metadata")


def _template(data):
    t = Template()
    if "AWSTemplateFormatVersion" in data:
        t.set_version(data["AWSTemplateFormatVersion"])
    if "Description" in data:
        t.set_description(data["Description"])
    for name, props in data.get("Parameters", {}).items():
        t.add_parameter(Parameter(name, **props))
    for name, body in data.get("Mappings", {}).items():
        t.add_mapping(name, body)
    for name, body in data.get("Conditions", {}).items():
        t.add_condition(name, _fn(body))
    for name, body in data.get("Resources", {}).items():
        cls = CLASSES[body["Type"]]
        made = _object(cls, body.get("Properties", {}), name)
        for attribute in _ATTRIBUTES:
            if attribute in body:
                setattr(made, attribute, body[attribute])
        t.add_resource(made)
    for name, body in data.get("Outputs", {}).items():
        output = dict(body)
        if "Export" in output:
            output["Export"] = Export(_fn(output["Export"]["Name"]))
        output["Value"] = _fn(output["Value"])
        t.add_output(Output(name, **output))
    return t


print(json.dumps([_template(data).to_dict() for data in TEMPLATES]))
"""


def _classes() -> dict[str, tuple[str, str]]:
    """Every resource type troposphere has a class for: type -> (module, class)."""
    import troposphere

    found: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(troposphere.__path__):
        if info.name in ("template_generator", "openstack") or info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"troposphere.{info.name}")
        except ImportError:
            continue
        for name, value in vars(module).items():
            kind = getattr(value, "resource_type", None)
            if isinstance(value, type) and isinstance(kind, str) and kind.startswith("AWS::"):
                found.setdefault(kind, (module.__name__, name))
    return found


def _types(template: Mapping[str, Any]) -> set[str]:
    return {r["Type"] for r in template.get("Resources", {}).values()}


def script(templates: Sequence[Mapping[str, Any]]) -> str:
    """The plain troposphere script that prints ``templates`` (as JSON, a list)."""
    known = _classes()
    custom = ("troposphere.cloudformation", "CustomResource")
    known.update({k: custom for t in templates for k in _types(t) if k.startswith("Custom::")})
    kinds = sorted({k for t in templates for k in _types(t)})
    missing = [k for k in kinds if k not in known]
    if missing:
        raise ValueError(f"troposphere has no class for {', '.join(missing)}")
    modules = sorted({known[k][0] for k in kinds})
    lines = ["import json", *(f"import {m}" for m in modules)]
    lines.append("CLASSES = {")
    for k in kinds:
        made = f"{known[k][0]}.{known[k][1]}"
        if k.startswith("Custom::"):  # a class of its own, for its type name
            made = f"type('Custom', ({made},), {{'resource_type': {k!r}}})"
        lines.append(f"    {k!r}: {made},")
    lines.append("}")
    lines.append(f"TEMPLATES = json.loads({json.dumps(json.dumps(list(templates)))})")
    return "\n".join(lines) + "\n" + _BODY


def libraries(templates: Sequence[Mapping[str, Any]]) -> str:
    """What a validate that renders cannot avoid importing: YAML, pydantic's models and
    the troposphere modules of ``templates`` (those the plain script imports), and nothing
    else: the floor a validating, rendering command stands on."""
    imports = [line for line in script(templates).splitlines() if line.startswith("import ")]
    return "\n".join(["import yaml", "from pydantic import BaseModel, Field", *imports]) + "\n"


def written(templates: Sequence[Mapping[str, Any]], folder: Path) -> Path:
    """The script, written into ``folder`` and run once: what it prints must be the
    templates (else the floor would not be the same work)."""
    path = folder / "plain_troposphere.py"
    path.write_text(script(templates))
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
    if json.loads(done.stdout) != list(templates):
        raise ValueError("the plain troposphere script does not print the same templates")
    return path
