"""The last build in the output folder is untrusted input: whatever is there (a truncated,
hand-edited or hostile file, a tampered manifest), reading it either gives templates of
the shapes the comparison and the route priorities rely on, or refuses with
``previous-unreadable``; ``build`` then warns and builds afresh, ``diff`` reports it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from generator import files, pipeline, previous, runtime
from generator.cli import main
from generator.codes import Code
from generator.errors import BlueprintError
from generator.exits import EXIT_OK, EXIT_STALE, EXIT_USAGE

RULE = '{"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {"Priority": 7}}'

HOSTILE = {
    "not UTF-8": b"\xff",
    "a 5000-digit number": b'{"a": ' + b"9" * 5000 + b"}",
    "nested 100000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nested 100 deep": b'{"Resources": {}, "a": ' + b"[" * 100 + b"]" * 100 + b"}",
    "resources a list": b'{"Resources": [1]}',
    "a resource a number": b'{"Resources": {"X": 5}}',
    "a resource without a type": b'{"Resources": {"X": {"Properties": {}}}}',
    "properties a list": b'{"Resources": {"X": {"Type": "A", "Properties": [1]}}}',
    "outputs a text": b'{"Resources": {}, "Outputs": "x"}',
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_previous_template_is_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "x.json").write_bytes(content)
    with pytest.raises(BlueprintError) as caught:
        previous.from_folder(tmp_path)
    assert [p.code for p in caught.value.problems] == [Code.PREVIOUS_UNREADABLE]
    assert str(tmp_path / "x.json") in caught.value.problems[0].text()


def test_the_reasons_are_short_and_plain(tmp_path: Path) -> None:
    reasons = {}
    for name in ("nested 100000 deep", "a 5000-digit number"):
        (tmp_path / "x.json").write_bytes(HOSTILE[name])
        with pytest.raises(BlueprintError) as caught:
            previous.from_folder(tmp_path)
        reasons[name] = caught.value.problems[0].message
    assert reasons == {
        "nested 100000 deep": "not a JSON template: nested too deeply",
        "a 5000-digit number": "not a JSON template: Exceeds the limit (4300 digits) for "
        "integer string conversion",
    }


def test_a_previous_template_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = b'{"Resources": {}, "Description": "' + b"x" * files.MAX_BYTES + b'"}'
    (tmp_path / "x.json").write_bytes(big)
    with pytest.raises(BlueprintError, match="larger than 1,000,000 bytes"):
        previous.from_folder(tmp_path)


def test_the_manifest_and_links_cannot_reach_outside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "x.json").write_text(f'{{"Resources": {{"Evil": {RULE}}}}}')
    out = tmp_path / "out"
    out.mkdir()
    (out / "ok.json").write_text(f'{{"Resources": {{"Ok": {RULE}}}}}')
    (out / ".blueprint-files").write_text("../evil/x.json\n/etc/x.json\n..\nok.json\n")
    assert list(previous.from_folder(out)) == ["ok"]
    os.symlink(tmp_path / "evil" / "x.json", out / "link.json")
    (out / ".blueprint-files").write_text("ok.json\nlink.json\n")
    with pytest.raises(BlueprintError, match=r"link\.json"):
        previous.from_folder(out)
    (out / ".blueprint-files").write_bytes(b"\xff\n")
    with pytest.raises(BlueprintError, match="not UTF-8"):
        previous.from_folder(out)


BLUEPRINT = """\
name: shop
region: us-east-1
network:
  azs: 2
load_balancers:
  web:
    https: false
    http: forward
    routes:
      - {service: api, name: docs, paths: ["/docs/*"]}
      - service: api
services:
  api:
    containers:
      app: {image: "nginx:1.27", port: 80}
"""


@pytest.mark.parametrize(
    "content", [HOSTILE["resources a list"], HOSTILE["nested 100000 deep"]], ids=["list", "deep"]
)
def test_build_warns_and_builds_afresh_diff_reports(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
) -> None:
    """Before, each of these was an internal error (exit 4) of build, build --check and
    diff. cfn-lint left out: the blueprint is linted by the other builds of the suite."""
    monkeypatch.setattr(runtime, "lint_workers", lambda _: contextlib.nullcontext(None))
    monkeypatch.setattr(pipeline, "lint", lambda *_: None)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blueprint.yaml").write_text(BLUEPRINT)
    out = tmp_path / "templates_out"
    out.mkdir()
    (out / "x.json").write_bytes(content)
    warning = "routes without 'priority:' get theirs afresh"
    assert main(["diff"]) == EXIT_USAGE
    assert "x.json" in capsys.readouterr().err
    assert main(["build", "--check"]) == EXIT_STALE  # nothing built there yet
    assert warning in capsys.readouterr().err
    assert main(["build"]) == EXIT_OK
    assert warning in capsys.readouterr().err
    assert (out / "shop.json").is_file()


@pytest.mark.parametrize("kind", ["fifo", "link", "larger"])
def test_check_reads_the_folder_as_it_is_and_follows_no_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """`build --check` compares what the build would write with the folder's files. A link
    in a file's place was followed, out of the folder, and called fresh when what it led
    to held the same bytes (a build replaces the link); a FIFO and a larger file stay
    unread past the build's own size. Each is a file that differs: the folder is stale."""
    monkeypatch.setattr(runtime, "lint_workers", lambda _: contextlib.nullcontext(None))
    monkeypatch.setattr(pipeline, "lint", lambda *_: None)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blueprint.yaml").write_text(BLUEPRINT)
    assert main(["build"]) == EXIT_OK
    built = tmp_path / "templates_out" / "shop.json"
    text = built.read_bytes()
    built.unlink()
    if kind == "fifo":
        os.mkfifo(built)
    elif kind == "link":
        (tmp_path / "outside.json").write_bytes(text)
        built.symlink_to(tmp_path / "outside.json")
    else:
        built.write_bytes(text + b" ")
    capsys.readouterr()
    assert main(["build", "--check"]) == EXIT_STALE
    assert "shop.json" in capsys.readouterr().err
