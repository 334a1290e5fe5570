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


FAKE_AWS = '''#!{python}
"""A stand-in for the AWS CLI: records each call, serves outputs of deployed stacks."""
import json, os, sys
state = os.environ["FAKE_AWS_STATE"]
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1] if name in args else None
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\\n")
command = args[1]
if command == "deploy":
    template = json.load(open(opt("--template-file")))
    with open(os.path.join(state, opt("--stack-name") + ".outputs"), "w") as f:
        json.dump(sorted(template.get("Outputs", dict())), f)
elif command == "describe-stacks" and opt("--stack-name"):
    stack = opt("--stack-name")
    for key in json.load(open(os.path.join(state, stack + ".outputs"))):
        print(f"{{key}}\\tvalue-of-{{stack}}-{{key}}")
elif command == "describe-stacks":
    names = [n[: -len(".outputs")] for n in os.listdir(state) if n.endswith(".outputs")]
    print("\\t".join(sorted(names + ["linebot-service-old", "linebot-other"])))
'''


def test_deploy_script_runs_in_order_and_passes_each_stacks_outputs(tmp_path: Path) -> None:
    """deploy.sh against a stand-in AWS CLI: every stack deployed in order, each parameter
    given the value of the output it names, and the stale service stack deleted."""
    import json
    import sys

    from generator.pipeline import check, render

    from .conftest import ROOT

    build = render(check(ROOT / "blueprint.yaml", "blueprint.yaml"))
    out = tmp_path / "out"
    out.mkdir()
    for name, data in build.files.items():
        (out / name).write_bytes(data)
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS.format(python=sys.executable))
    aws.chmod(0o755)
    done = subprocess.run(
        ["bash", str(out / "deploy.sh")],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "FAKE_AWS_STATE": str(state)},
    )
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in (state / "calls.jsonl").read_text().splitlines()]
    deployed = [c[c.index("--stack-name") + 1] for c in calls if c[1] == "deploy"]
    assert deployed == [s.name for s in build.stacks] == ["linebot", "linebot-service-bot"]
    [service_call] = [c for c in calls if c[1] == "deploy" and "linebot-service-bot" in c]
    given = service_call[service_call.index("--parameter-overrides") + 1 :]
    given = given[: next(i for i, a in enumerate(given) if a.startswith("--"))]
    stack = build.stacks[1]
    assert dict(a.split("=", 1) for a in given) == {
        param: f"value-of-{source}-{output}"
        for param, (source, _region, output) in stack.parameter_sources.items()
    }
    assert len(given) == 7
    # one describe-stacks per stack whose outputs are read, not one per parameter
    reads = [c for c in calls if c[1] == "describe-stacks" and "--stack-name" in c]
    assert len(reads) == 1
    deleted = [c[c.index("--stack-name") + 1] for c in calls if c[1] == "delete-stack"]
    assert deleted == ["linebot-service-old"]  # not the current stacks, not linebot-other
    assert all("blueprint:name=linebot" in c for c in calls if c[1] == "deploy")
