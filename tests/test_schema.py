"""The editor schema: generated from the models, committed, complete, and true to them."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.cli import main
from generator.model.base import Strict
from generator.schema import schema, schema_text

from .conftest import ROOT

BLUEPRINTS = [ROOT / "blueprint.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]


def test_committed_schema_is_fresh() -> None:
    committed = (ROOT / "blueprint.schema.json").read_text()
    assert committed == schema_text(), "blueprint.schema.json is stale: run `blueprint schema`"


def _models(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {"Blueprint": doc}
    out.update(doc["$defs"])
    return out


def test_every_field_is_described_and_optional_ones_show_their_default() -> None:
    undescribed, no_default = [], []
    for model, spec in _models(schema()).items():
        assert spec.get("description"), f"model {model} has no docstring"
        required = set(spec.get("required", []))
        for field, prop in spec.get("properties", {}).items():
            if not prop.get("description"):
                undescribed.append(f"{model}.{field}")
            if field not in required and "default" not in prop:
                no_default.append(f"{model}.{field}")
    assert undescribed == []
    assert no_default == []


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.stem)
def test_blueprints_carry_the_modeline_and_validate(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    target = "./blueprint.schema.json" if path.parent == ROOT else "../blueprint.schema.json"
    assert first == f"# yaml-language-server: $schema={target}"
    jsonschema.Draft202012Validator(schema()).validate(yaml.safe_load(path.read_text()))


def test_schema_rejects_what_the_models_reject() -> None:
    validator = jsonschema.Draft202012Validator(schema())
    data = yaml.safe_load((ROOT / "blueprint.yaml").read_text())
    data["services"]["bot"]["helth_check"] = 1
    assert not validator.is_valid(data)


def test_schema_command_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert out.read_text() == schema_text()


def _strict_models() -> list[type[Strict]]:
    found: list[type[Strict]] = []
    todo = list(Strict.__subclasses__())
    while todo:
        model = todo.pop()
        found.append(model)
        todo.extend(model.__subclasses__())
    return found


def test_model_defaults_are_what_validation_makes_of_them() -> None:
    """A default that is a model is built with ``model_construct`` (no validator built at
    import); each is the value validating its own fields gives, with the same keys set."""
    defaults = [
        (f"{model.__name__}.{name}", item)
        for model in _strict_models()
        for name, field in model.model_fields.items()
        for item in (field.default if isinstance(field.default, list) else [field.default])
        if isinstance(item, Strict)
    ]
    assert {name for name, _ in defaults} >= {
        "Blueprint.network",
        "Distribution.cache",
        "Route.health_check",
        "WebSocketApi.stage",
        "TaskSpec.capacity",
    }
    for name, default in defaults:
        given = {key: getattr(default, key) for key in default.model_fields_set}
        validated = type(default).model_validate(given)
        assert validated == default, name
        assert validated.model_fields_set == default.model_fields_set, name


def test_model_annotations_are_values_not_text() -> None:
    """Text annotations (``from __future__ import annotations``, or a quoted type) are
    compiled and evaluated by pydantic at import; see generator/model/base.py."""
    text = [
        f"{model.__module__}.{model.__name__}.{name}"
        for model in _strict_models()
        for name, annotation in inspect.get_annotations(model).items()
        if isinstance(annotation, str)
    ]
    assert len(_strict_models()) > 50
    assert text == []
