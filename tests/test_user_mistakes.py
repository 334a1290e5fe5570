"""The user's mistakes found in rendering are located errors (exit 1), never a bug (exit 4);
the rules taken from AWS's documentation agree with the data cfn-lint ships."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from troposphere import Output, Template

from generator.cli import main
from generator.model.resolve import resolve
from generator.model.validate import validate
from generator.render.context import Context, IdCollision
from generator.sections.functions.model import LAMBDA_RESERVED

from .conftest import HERE


def test_lambdas_reserved_keys_are_the_ones_cfn_lint_knows() -> None:
    folder = resources.files("cfnlint.data.schemas.extensions.aws_lambda_function")
    schema = json.loads((folder / "environment_variable_keys.json").read_text())
    assert frozenset(schema["propertyNames"]["not"]["enum"]) == LAMBDA_RESERVED


def test_an_output_made_twice_names_both_entries() -> None:
    model, issues = validate({"name": "chat", "region": "eu-west-1"})
    assert model is not None and issues == []
    resolved, problems = resolve(model)
    assert resolved is not None and problems == []
    ctx = Context(model, resolved, Template())
    ctx.output(Output("ChatWebsocketUrl", Value="a"), ("websocket_apis", "chat"))
    with pytest.raises(IdCollision) as caught:
        ctx.output(Output("ChatWebsocketUrl", Value="b"), ("load_balancers", "chat", "routes", 0))
    assert (caught.value.logical_id, caught.value.what) == ("ChatWebsocketUrl", "output")
    assert caught.value.first == ("websocket_apis", "chat")
    assert caught.value.second == ("load_balancers", "chat", "routes", 0)


@pytest.mark.parametrize(
    "case",
    [
        "websocket_apis_output_collides",
        "logical_ids_pin_taken",
        "functions_env_name_reserved",
        "buckets_name_ip_address",
    ],
)
def test_mistakes_exit_1(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = HERE / "errors" / f"{case}.yaml"
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == (HERE / "errors" / f"{case}.expected").read_text().replace(
        f"{case}.yaml", str(Path(path))
    )
