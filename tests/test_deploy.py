"""deploy.sh: the exact commands, in order, with what each template needs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator import deploy


def _plan(
    size: int, template: dict[str, object], **sources: tuple[str, str, str]
) -> deploy.Planned:
    return deploy.Planned("shop", "eu-west-1", "shop.json", size, template, sources)


def test_large_template_goes_through_the_bucket_and_says_so_when_it_is_missing(
    tmp_path: Path,
) -> None:
    script = deploy.script([_plan(60_000, {"Resources": {}})], "blueprint.yaml")
    assert '--s3-bucket "$BLUEPRINT_DEPLOY_BUCKET"' in script
    path = tmp_path / "deploy.sh"
    path.write_text(script)
    done = subprocess.run(
        ["bash", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "shop.json is 60,000 bytes, over the 51,200 that can be sent directly: set "
        "BLUEPRINT_DEPLOY_BUCKET to an S3 bucket in eu-west-1 to upload it through"
    )


def test_small_template_is_sent_directly() -> None:
    script = deploy.script([_plan(51_200, {"Resources": {}})], "blueprint.yaml")
    assert "--s3-bucket" not in script
    assert "BLUEPRINT_DEPLOY_BUCKET" not in script


def test_capabilities_follow_the_iam_resources() -> None:
    unnamed = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}
    named = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}}
    assert deploy.capabilities(unnamed) == ["CAPABILITY_IAM"]
    assert deploy.capabilities(named) == ["CAPABILITY_NAMED_IAM"]
    assert deploy.capabilities({"Resources": {}}) == []


def test_parameters_without_defaults_are_required_and_others_left_alone() -> None:
    template = {
        "Parameters": {"Needed": {"Type": "String"}, "Ami": {"Type": "String", "Default": "/aws/x"}}
    }
    script = deploy.script([_plan(10, template)], "blueprint.yaml")
    assert (
        '--parameter-overrides Needed="${Needed:?set Needed to the value of parameter '
        'Needed}"' in script
    )
    assert "Ami=" not in script
