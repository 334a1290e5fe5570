"""Environments: the merge rule, where its problems are reported, `--env` on the command
line, the example's two environments, and deploy.sh's account check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import environments, loader
from generator.cli import main
from generator.errors import BlueprintError
from generator.pipeline import check, check_each

from .conftest import HERE, ROOT, problems_text, run_with_stand_in
from .test_deploy import FAKE_AWS
from .test_moto_deploy import Aws, aws  # noqa: F401 (the fixture)

BASE = """\
name: shop
region: ap-northeast-1
tags: {project: shop, team: web}
queues:
  jobs:
    retention_seconds: 3600
    delay_seconds: 5
services:
  web:
    containers:
      app:
        image: nginx:1.27
        command: [serve, --debug]
environments:
  dev: {}
  prod:
    account: 123456789012
    tags: {team: ops}
    queues:
      jobs:
        delay_seconds: null
    services:
      web:
        containers:
          app:
            command: [serve]
"""


def _prod() -> environments.Environment:
    return environments.merged(loader.parse(BASE, "b.yaml"), "prod")


def test_maps_merge_lists_replace_null_removes_and_environments_go() -> None:
    prod = _prod()
    data = prod.document.data
    assert data["tags"] == {"project": "shop", "team": "ops"}
    assert data["queues"]["jobs"] == {"retention_seconds": 3600}
    assert data["services"]["web"]["containers"]["app"] == {
        "image": "nginx:1.27",
        "command": ["serve"],
    }
    assert "environments" not in data
    assert data["name"] == "shop-prod"
    assert prod.account == "123456789012"  # YAML read it as a number; kept as written


def test_positions_are_the_overrides_where_they_wrote_and_the_bases_elsewhere() -> None:
    where = _prod().document.positions
    assert where.of(("tags", "team")) == (18, 18)  # the override's
    assert where.of(("tags", "project")) == (3, 17)  # the base's
    assert where.of(("services", "web", "containers", "app", "command", 0)) == (26, 23)
    # the base's second item of the replaced list is gone with it
    assert ("services", "web", "containers", "app", "command", 1) not in where.values
    assert where.of(("queues", "jobs", "delay_seconds")) == (21, 24)  # removed: the null's
    assert where.of(("name",)) == (16, 3)  # made from the environment's name: there


def test_an_environment_keeps_the_name_it_sets() -> None:
    text = BASE.replace("  dev: {}\n", "  dev:\n    name: shop-staging\n")
    dev = environments.merged(loader.parse(text, "b.yaml"), "dev")
    assert dev.document.data["name"] == "shop-staging"
    assert dev.account is None


def test_a_mistake_in_an_override_is_reported_there_once_per_environment(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    override = "            command: [serve]\n"
    path.write_text(
        BASE.replace(override, override + "            memory_mb: 1\n").replace(
            "  dev: {}\n",
            "  dev:\n    services: {web: {containers: {app: {memory_mb: 1}}}}\n",
        )
    )
    unknown = (
        "services.web.containers.app.memory_mb: unknown key 'memory_mb'; allowed here: "
        "command, depends_on, environment, essential, health_check, image, "
        "memory_reservation, mounts, port, secrets"
    )
    assert problems_text(path).splitlines() == [
        f"b.yaml:16:41: {unknown} (in environment dev)",
        f"b.yaml:28:13: {unknown} (in environment prod)",
    ]


def test_a_mistake_in_the_base_is_reported_once_naming_the_environments(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(BASE.replace("retention_seconds: 3600", "retention_seconds: 1"))
    assert problems_text(path).splitlines() == [
        "b.yaml:6:24: queues.jobs.retention_seconds: 1 is out of range: must be at least 60 "
        "(in environments dev, prod)"
    ]


def test_check_needs_an_environment_of_a_blueprint_that_has_them(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(BASE)
    with pytest.raises(BlueprintError) as refused:
        check(path, "b.yaml")
    assert [p.text() for p in refused.value.problems] == [
        "b.yaml:14:1: environments: this blueprint has environments (dev, prod); name one "
        "with --env"
    ]
    assert check(path, "b.yaml", env="dev").blueprint.name == "shop-dev"
    assert [c.environment for c in check_each(path)] == ["dev", "prod"]


def test_env_nope_exits_1_naming_the_environments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(ROOT / "examples" / "environments.yaml")
    never = tmp_path / "never-written"
    assert main(["build", example, "--env", "nope", "--out", str(never)]) == 1
    assert capsys.readouterr().err.endswith(
        "environments: --env nope: no such environment; the environments are dev, prod\n"
    )
    assert not never.exists()
    assert main(["validate", str(ROOT / "blueprint.yaml"), "--env", "dev"]) == 1
    assert "--env dev: this blueprint has no environments" in capsys.readouterr().err


def test_nothing_is_written_when_one_environment_fails(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    bad = "  dev: {}\n  prod:\n    region: mars-1\n"
    path.write_text(BASE.replace("  dev: {}\n  prod:\n", bad, 1))
    assert main(["build", str(path), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def _flat(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """Leaf path -> value; tags as a mapping, so that a tag added is one path."""
    if isinstance(value, list) and value and all(isinstance(v, dict) and "Key" in v for v in value):
        value = {t["Key"]: t["Value"] for t in value}
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return {k: v for key, item in items for k, v in _flat(item, (*path, key)).items()}
    return {path: value}


def test_the_examples_environments_differ_exactly_where_the_overrides_say() -> None:
    """The goldens of dev and prod (test_golden pins them to the build) have their own
    stack names and regions, and differ nowhere else but where prod's overrides write."""
    golden = HERE / "golden" / "examples" / "environments"
    dev = {p.name.replace("notes-dev", "notes-prod"): p for p in (golden / "dev").glob("*.json")}
    prod = {p.name: p for p in (golden / "prod").glob("*.json")}
    assert sorted(prod) == ["notes-prod-service-web.json", "notes-prod.json"] == sorted(dev)
    found = set()
    for name, path in prod.items():
        old = _flat(json.loads(dev[name].read_text().replace("notes-dev", "notes-prod")))
        new = _flat(json.loads(path.read_text()))
        for key in sorted(set(old) | set(new), key=str):
            if old.get(key) != new.get(key):
                resource = key[1] if key[0] == "Resources" else key[0]
                found.add((resource, key[3:] if key[0] == "Resources" else key[1:]))
    tagged = {r for r, what in found if what == ("Tags", "environment")}
    taggable = {
        logical_id
        for path in prod.values()
        for logical_id, resource in json.loads(path.read_text())["Resources"].items()
        if "Tags" in resource.get("Properties", {})
    }
    assert tagged == taggable and len(tagged) == 26  # every one, in both stacks: maps merge
    app = ("ContainerDefinitions", 0)
    assert {f for f in found if f[1] != ("Tags", "environment")} == {
        ("MainDatabase", ("DBInstanceClass",)),
        ("WebService", ("DesiredCount",)),
        ("WebTaskDefinition", ("Cpu",)),
        ("WebTaskDefinition", ("Memory",)),
        ("WebTaskDefinition", (*app, "Command", 2)),  # lists replace: --debug is gone
        ("WebTaskDefinition", (*app, "Environment", 1, "Value")),  # LOG_LEVEL
    }
    scripts = [(golden / env / "deploy.sh").read_text() for env in ("dev", "prod")]
    assert "--stack-name notes-dev \\" in scripts[0]
    assert "--region eu-west-1 \\\n    --stack-name notes-prod \\" in scripts[1]


def _example_build(tmp_path: Path, env: str, account: str | None = None) -> Path:
    text = (ROOT / "examples" / "environments.yaml").read_text()
    if account is not None:
        text = text.replace('account: "222222222222"', f'account: "{account}"')
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "environments.yaml").write_text(text)
    out = tmp_path / "out"
    assert (
        main(["build", str(tmp_path / "environments.yaml"), "--env", env, "--out", str(out)]) == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [env]
    return out / env


# The stand-in AWS CLI of test_deploy, answering `sts get-caller-identity` with $FAKE_ACCOUNT.
STS_AWS = FAKE_AWS.replace(
    "command = args[1]\n",
    'command = args[1]\nif args[0] == "sts":\n'
    '    print(os.environ["FAKE_ACCOUNT"])\n'
    "    sys.exit(0)\n",
)


def test_deploy_sh_stops_under_another_accounts_credentials(tmp_path: Path) -> None:
    # prod's golden folder: what `build --env prod` writes (test_golden pins it; no lint here)
    out = tmp_path / "prod"
    shutil.copytree(HERE / "golden" / "examples" / "environments" / "prod", out)
    done, calls = run_with_stand_in(
        out / "deploy.sh", STS_AWS, tmp_path, FAKE_ACCOUNT="999999999999"
    )
    assert done.returncode == 1
    assert done.stderr == (
        "these credentials are for account 999999999999; environment prod deploys to account "
        "222222222222: use credentials of account 222222222222 (AWS_PROFILE, AWS_ACCESS_KEY_ID) "
        "and run deploy.sh again; nothing was changed\n"
    )
    assert calls == [
        [
            "sts",
            "get-caller-identity",
            "--query",
            "Account",
            "--output",
            "text",
            "--region",
            "eu-west-1",
        ]
    ]
    shutil.rmtree(tmp_path / "bin")
    shutil.rmtree(tmp_path / "state")
    done, calls = run_with_stand_in(
        out / "deploy.sh", STS_AWS, tmp_path, FAKE_ACCOUNT="222222222222"
    )
    assert done.returncode == 0, done.stderr
    deployed = [c[c.index("--stack-name") + 1] for c in calls if c[1] == "deploy"]
    assert deployed == ["notes-prod", "notes-prod-service-web"]


@pytest.mark.exhaustive
def test_deploy_sh_checks_the_account_with_motos_sts(aws: Aws, tmp_path: Path) -> None:  # noqa: F811
    """moto's STS answers 123456789012: prod (222222222222) stops before any stack; a prod
    whose account is moto's deploys."""
    refused = aws.deploy(_example_build(tmp_path / "other", "prod"))
    assert refused.returncode == 1
    assert "these credentials are for account 123456789012; environment prod" in refused.stderr
    assert aws.stacks("eu-west-1") == {}
    done = aws.deploy(_example_build(tmp_path / "same", "prod", account="123456789012"))
    assert done.returncode == 0, done.stderr
    assert sorted(aws.stacks("eu-west-1")) == ["notes-prod", "notes-prod-service-web"]


def test_diff_compares_each_environment_with_its_own_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = str(ROOT / "examples" / "environments.yaml")
    golden = str(HERE / "golden" / "examples" / "environments")
    assert main(["diff", example, "--out", golden, "--env", "prod"]) == 0
    assert capsys.readouterr().out == "no changes\n"
    assert main(["diff", example, "--out", golden]) == 0
    assert (
        capsys.readouterr().out == "environment dev:\nno changes\nenvironment prod:\nno changes\n"
    )
    # prod's folder is looked for in --out: under dev's folder there is none, all is new
    assert main(["diff", example, "--out", golden + "/dev", "--env", "prod"]) == 10


ZONED = """\
name: notes
region: eu-west-1
zones:
  shop: {domain: shop.example}
environments:
  dev: {}
  dev-zones: {}
"""


def test_an_environment_whose_main_stack_is_anothers_zones_stack_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(ZONED)
    assert problems_text(path, "blueprint.yaml") == (
        "blueprint.yaml:7:3: name: environment dev-zones makes stack notes-dev-zones in "
        "eu-west-1, which environment dev makes too; give one of them another 'name:', or "
        "each its own 'account:' (in environment dev-zones)\n"
    )


def test_env_alone_is_refused_when_its_stacks_are_another_environments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--env dev-zones` alone finds what a build of both finds: the environments it left
    out are checked and rendered for their stack names, not linted or written."""
    path = tmp_path / "blueprint.yaml"
    path.write_text(ZONED)
    out = tmp_path / "out"
    for env in ("dev-zones", "dev"):
        assert main(["build", str(path), "--out", str(out), "--env", env]) == 1
        assert not out.exists()
        assert (
            f"{path}:7:3: name: environment dev-zones makes stack notes-dev-zones in eu-west-1, "
            "which environment dev makes too; give one of them another 'name:', or each its "
            "own 'account:' (in environment dev-zones)\n"
        ) in capsys.readouterr().err
    assert main(["validate", str(path), "--env", "dev"]) == 1
    assert "which environment dev makes too" in capsys.readouterr().err


def test_env_alone_sees_the_others_as_their_last_builds_left_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dev's last build held its zone in its main stack, where it stays: dev makes no
    notes-dev-zones stack, so `--env dev-zones` is no clash, as a build of both finds."""
    path = tmp_path / "blueprint.yaml"
    path.write_text(ZONED)
    out = tmp_path / "out"
    (out / "dev").mkdir(parents=True)
    (out / "dev" / ".blueprint-files").write_text("deploy.sh\nnotes-dev.json\n")
    (out / "dev" / "deploy.sh").write_text("")
    zone = {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "shop.example"}}
    (out / "dev" / "notes-dev.json").write_text(json.dumps({"Resources": {"ShopZone": zone}}))
    assert main(["build", str(path), "--out", str(out), "--env", "dev-zones"]) == 0
    assert sorted(p.name for p in (out / "dev-zones").glob("*.json")) == [
        "notes-dev-zones-zones.json",
        "notes-dev-zones.json",
    ]
    assert main(["build", str(path), "--out", str(out)]) == 0
    assert "notes-dev-zones in eu-west-1" not in capsys.readouterr().err


def test_env_alone_reads_another_environments_unreadable_last_build_as_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another environment's last build that cannot be read is a fresh build for the
    look at its stacks: `--env dev-zones` builds and diffs (dev's own build reports it)."""
    path = tmp_path / "blueprint.yaml"
    path.write_text(ZONED.replace("dev-zones: {}", "other: {}"))
    out = tmp_path / "out"
    (out / "dev").mkdir(parents=True)
    (out / "dev" / ".blueprint-files").write_text("deploy.sh\nnotes-dev.json\n")
    (out / "dev" / "deploy.sh").write_text("")
    (out / "dev" / "notes-dev.json").write_text("{not json")
    assert main(["build", str(path), "--out", str(out), "--env", "other"]) == 0
    assert main(["diff", str(path), "--out", str(out), "--env", "other"]) == 0
    assert "no changes" in capsys.readouterr().out


def test_env_alone_builds_when_another_environment_does_not_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An environment left out that does not validate is no clash: its own build reports
    it; `--env dev` builds."""
    path = tmp_path / "blueprint.yaml"
    path.write_text(ZONED.replace("dev-zones: {}", "dev-zones: {zones: {shop: {domain: 7}}}"))
    assert main(["build", str(path), "--out", str(tmp_path / "out"), "--env", "dev"]) == 0
    assert sorted(p.name for p in (tmp_path / "out" / "dev").iterdir()) == [
        ".blueprint-files",
        "deploy.sh",
        "notes-dev-zones.json",
        "notes-dev.json",
    ]
    capsys.readouterr()
    assert main(["validate", str(path), "--env", "dev-zones"]) == 1
    assert "zones.shop.domain" in capsys.readouterr().err


def test_one_stack_name_in_two_named_accounts_is_two_stacks(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    text = ZONED.replace("dev: {}", 'dev: {account: "111111111111"}')
    path.write_text(text.replace("dev-zones: {}", 'dev-zones: {account: "222222222222"}'))
    assert problems_text(path, "blueprint.yaml") == ""
    path.write_text(text.replace("dev-zones: {}", 'dev-zones: {account: "111111111111"}'))
    assert "notes-dev-zones in eu-west-1" in problems_text(path, "blueprint.yaml")


def test_a_null_that_removes_nothing_is_refused_with_the_nearest_key() -> None:
    text = BASE.replace("  dev: {}", "  dev:\n    queues: {jobz: null}")
    dev = environments.merged(loader.parse(text, "b.yaml"), "dev")
    assert [(i.path, i.message) for i in dev.issues] == [
        (
            ("queues", "jobz"),
            "null removes a key, and 'jobz' is not one here to remove; did you mean 'jobs'?",
        )
    ]
    assert "jobz" not in dev.document.data["queues"]


OVERRIDDEN = """\
name: shop
region: ap-northeast-1
overrides:
  ImagesBucket:
    Properties.Tags: {team: web, cost: images}
    Properties.LoggingConfiguration: null
environments:
  prod:
    overrides:
      ImagesBucket:
        Properties.Tags: {team: ops}
        Properties.VersioningConfiguration: null
"""


def test_an_overrides_properties_are_leaves_and_their_nulls_are_kept() -> None:
    prod = environments.merged(loader.parse(OVERRIDDEN, "b.yaml"), "prod")
    assert prod.issues == ()
    assert prod.document.data["overrides"] == {
        "ImagesBucket": {
            "Properties.Tags": {"team": "ops"},  # replaced, not merged
            "Properties.LoggingConfiguration": None,
            "Properties.VersioningConfiguration": None,  # kept: it removes the property
        }
    }
    assert prod.document.positions.of(
        ("overrides", "ImagesBucket", "Properties.VersioningConfiguration")
    ) == (12, 45)


def test_adding_environments_to_a_built_blueprint_warns_that_its_stacks_are_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, out = tmp_path / "b.yaml", tmp_path / "out"
    plain = "name: notes\nregion: eu-west-1\nqueues:\n  jobs: {}\n"
    path.write_text(plain)
    assert main(["build", str(path), "--out", str(out)]) == 0
    assert (out / "notes.json").is_file()
    capsys.readouterr()
    path.write_text(plain + "environments:\n  dev: {}\n  prod: {}\n")
    assert main(["build", str(path), "--out", str(out)]) == 0
    assert capsys.readouterr().err == (
        f"{path}:5:1: environments: warning: {out}/ holds this blueprint's build without "
        "environments, "
        "stack notes; with environments its stacks are new ones (notes-dev, notes-prod) and "
        "the deployed notes is left behind: to keep deploying to it, set 'name: notes' in "
        "the environment that should keep it\n"
    )
    path.write_text(plain + "environments:\n  dev: {name: notes}\n  prod: {}\n")
    assert main(["build", str(path), "--out", str(out)]) == 0
    assert "holds this blueprint's build" not in capsys.readouterr().err


def test_a_folder_that_cannot_be_written_leaves_every_environments_folder_as_it_was(
    tmp_path: Path,
) -> None:
    from generator import pipeline

    path, out = tmp_path / "b.yaml", tmp_path / "out"
    path.write_text(BASE)
    assert main(["build", str(path), "--out", str(out)]) == 0
    before = (out / "dev" / "shop-dev.json").read_bytes()
    shutil.rmtree(out / "prod")
    (out / "prod").write_text("not a folder")  # prod's folder cannot be made
    path.write_text(BASE.replace("delay_seconds: 5", "delay_seconds: 9"))
    builds = pipeline.render_each(check_each(path))
    with pytest.raises(OSError):
        pipeline.write_each([(b, out / str(b.checked.environment)) for b in builds])
    # dev (written first, in name order) is still the last build, with nothing staged
    assert (out / "dev" / "shop-dev.json").read_bytes() == before
    assert sorted(p.name for p in (out / "dev").iterdir() if p.name.endswith(".tmp")) == []
