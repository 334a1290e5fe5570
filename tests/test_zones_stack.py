"""Created hosted zones in a stack of their own, deployed first (docs/stacks.md), unless the
last build held them in the main stack: there they stay."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from generator import pipeline, previous, runtime
from generator.cli import main
from generator.pipeline import Build, check, render

from .conftest import ROOT

SITE = """\
name: site
region: eu-west-1
zones:
  shop: {domain: shop.example}
  blog: {domain: blog.example}
  old: {domain: old.example, existing_id: Z0123456789ABCDEFGHIJ}
certificates:
  web:
    domain: www.shop.example
    alternative_names: [old.example]
"""


def _build(tmp_path: Path, text: str, last_zones: dict[str, str] | None = None) -> Build:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text)
    return render(check(path, "blueprint.yaml", last_zones=last_zones))


def _resources(build: Build) -> dict[str, dict[str, str]]:
    return {s.name: {k: v["Type"] for k, v in s.data["Resources"].items()} for s in build.stacks}


def test_created_zones_go_to_their_own_stack_deployed_before_the_main_one(
    tmp_path: Path,
) -> None:
    build = _build(tmp_path, SITE)
    zone = "AWS::Route53::HostedZone"
    assert _resources(build) == {
        "site-zones": {"BlogZone": zone, "ShopZone": zone},
        "site": {"WebCertificate": "AWS::CertificateManager::Certificate"},
    }
    zones, main = build.stacks
    # the name servers are outputs of the zones stack; what the main stack uses, too
    assert sorted(zones.data["Outputs"]) == [
        "BlogZoneNameServers",
        "ShopZone",
        "ShopZoneNameServers",
    ]
    assert main.parameter_sources == {"ShopZone": ("site-zones", "eu-west-1", "ShopZone")}
    options = main.data["Resources"]["WebCertificate"]["Properties"]["DomainValidationOptions"]
    assert [o["HostedZoneId"] for o in options] == [{"Ref": "ShopZone"}, "Z0123456789ABCDEFGHIJ"]
    # checked after the zones stack: only the zone a certificate validates in stops it
    checks = [
        line for line in build.deploy_script.splitlines() if line.startswith("check_delegation ")
    ]
    assert checks == [
        "check_delegation eu-west-1 site-zones BlogZoneNameServers blog.example blog ''",
        "check_delegation eu-west-1 site-zones ShopZoneNameServers shop.example shop "
        "'certificate web'",
    ]
    script = build.deploy_script
    assert script.index("--stack-name site-zones") < script.index("check_delegation eu")
    assert script.index("check_delegation eu") < script.index("--stack-name site \\")


def test_a_zone_the_last_build_held_in_the_main_stack_stays_there(tmp_path: Path) -> None:
    """Moving it would replace it: a new zone, with new name servers, for a domain
    delegated to the old ones. Each zone is placed on its own: a new zone beside it goes
    to the zones stack."""
    build = _build(tmp_path, SITE, {"ShopZone": "site", "BlogZone": "site-zones"})
    assert _resources(build) == {
        "site-zones": {"BlogZone": "AWS::Route53::HostedZone"},
        "site": {
            "ShopZone": "AWS::Route53::HostedZone",
            "WebCertificate": "AWS::CertificateManager::Certificate",
        },
    }
    assert "ShopZoneNameServers" in build.stacks[1].data["Outputs"]
    checks = [
        line for line in build.deploy_script.splitlines() if line.startswith("check_delegation ")
    ]
    assert checks == [
        "check_delegation eu-west-1 site-zones BlogZoneNameServers blog.example blog ''"
    ]
    # held in a stack of another name (another blueprint's), it is no state of this one
    assert _resources(_build(tmp_path, SITE, {"ShopZone": "other"}))["site-zones"] == {
        "BlogZone": "AWS::Route53::HostedZone",
        "ShopZone": "AWS::Route53::HostedZone",
    }


def test_a_renamed_zone_pinned_to_its_old_id_stays_where_the_old_one_was(
    tmp_path: Path,
) -> None:
    renamed = (
        SITE.replace("  shop: {domain", "  store: {domain")
        + "logical_ids:\n  StoreZone: ShopZone\n"
    )
    build = _build(tmp_path, renamed, {"ShopZone": "site"})
    assert "ShopZone" in build.stacks[1].data["Resources"]
    assert build.stacks[1].name == "site"


def test_the_state_is_each_zone_held_in_one_stack() -> None:
    zone = {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "a.example"}}
    got = previous.zone_stacks(
        {
            "a": {"Resources": {"One": zone, "Twice": zone}},
            "b": {"Resources": {"Twice": zone, "Topic": {"Type": "AWS::SNS::Topic"}}},
            "c": {"Resources": []},
            "d": {"Resources": {"Odd": "not a resource"}},
        }
    )
    assert got == {"One": "a"}


def _everything(build: Build) -> dict[str, object]:
    """Every resource of the build, by logical ID, whatever its stack."""
    return {k: v for s in build.stacks for k, v in s.data["Resources"].items()}


def _stacks(folder: Path) -> dict[str, list[str]]:
    return {
        p.stem: sorted(json.loads(p.read_text())["Resources"])
        for p in sorted(folder.glob("*.json"))
    }


def test_build_and_diff_keep_the_zone_where_the_output_folder_has_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """blueprint.yaml built into a folder holding a build from before the zones stack (its
    zone in the main stack) keeps the zone there, and diff sees no change; built afresh,
    the zone is in linebot-zones, and stays there. cfn-lint left out (templates_out/ is
    this blueprint's fresh build, linted by the goldens)."""
    monkeypatch.setattr(runtime, "lint_workers", lambda _: contextlib.nullcontext(None))
    monkeypatch.setattr(pipeline, "lint", lambda *_: None)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blueprint.yaml").write_bytes((ROOT / "blueprint.yaml").read_bytes())
    before = render(
        check(tmp_path / "blueprint.yaml", "blueprint.yaml", last_zones={"MainZone": "linebot"})
    )
    pipeline.write(before, tmp_path / "templates_out")
    assert "MainZone" in _stacks(tmp_path / "templates_out")["linebot"]
    # the zone moves, its logical ID and every resource as they were
    fresh = render(check(tmp_path / "blueprint.yaml", "blueprint.yaml"))
    assert [s.name for s in fresh.stacks] == ["linebot-zones", "linebot", "linebot-service-bot"]
    assert _everything(fresh) == _everything(before)

    assert main(["diff"]) == 0
    assert capsys.readouterr().out == "no changes\n"
    assert main(["build"]) == 0
    assert sorted(_stacks(tmp_path / "templates_out")) == ["linebot", "linebot-service-bot"]
    assert "MainZone" in _stacks(tmp_path / "templates_out")["linebot"]

    assert main(["build", "--out", "fresh"]) == 0
    assert _stacks(tmp_path / "fresh")["linebot-zones"] == ["MainZone"]
    assert main(["build", "--out", "fresh"]) == 0
    assert _stacks(tmp_path / "fresh")["linebot-zones"] == ["MainZone"]
    assert (tmp_path / "fresh" / "deploy.sh").read_bytes() == (
        ROOT / "templates_out" / "deploy.sh"
    ).read_bytes()
