"""Lint by shape (generator/lint_shape.py): templates that differ only in the digits of
entry names and in route priorities share a clean verdict, and what a build reports is
exactly what linting each template alone reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import synthetic
from generator import lint, naming, pipeline
from generator.lint_shape import LISTENER_RULE, PRIORITY_RANGE, shape

from .conftest import ROOT

Job = tuple[str, str, set[str]]


def _jobs(path: Path) -> list[Job]:
    build = pipeline.render(pipeline.check(path))
    return [(s.text, s.region, pipeline._entry_names(s)) for s in build.stacks]


def _shared(jobs: list[Job]) -> list[list[lint.Finding]]:
    return lint.lint_all([(t, r) for t, r, _ in jobs], names=[n for _, _, n in jobs])


def _alone(jobs: list[Job]) -> list[list[lint.Finding]]:
    return [lint.lint(text, region) for text, region, _ in jobs]


@pytest.fixture(scope="module")
def few_services(tmp_path_factory: pytest.TempPathFactory) -> list[Job]:
    """The synthetic blueprint with services 0, 1 (load balancer lb0) and 50 (lb1)."""
    path = tmp_path_factory.mktemp("shape") / "few.yaml"
    path.write_text(synthetic.blueprint(51, without=range(2, 50)))
    return _jobs(path)


def test_service_stacks_of_one_section_have_one_shape(few_services: list[Job]) -> None:
    shapes = [shape(text, names) for text, _, names in few_services]
    assert None not in shapes
    main, *services = shapes
    assert len(services) == 3 and len(set(services)) == 1 and main not in services


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every template cfn-lint lints, linted in this process."""
    linted: list[str] = []
    real = lint.lint

    def counting(text: str, region: str) -> list[lint.Finding]:
        linted.append(text)
        return real(text, region)

    monkeypatch.setattr(lint, "lint", counting)
    monkeypatch.setattr(lint, "_workers", lambda count=None: 1)
    return linted


def _seeded(jobs: list[Job], which: set[int]) -> list[Job]:
    """``jobs`` with the log retention of the stacks numbered ``which`` made one CloudWatch
    Logs does not offer (31 days: E3030)."""
    return [
        (
            text.replace('"RetentionInDays": 30', '"RetentionInDays": 31') if i in which else text,
            r,
            n,
        )
        for i, (text, r, n) in enumerate(jobs)
    ]


@pytest.mark.parametrize(
    ("seeded", "linted"),
    [
        (set(), 2),  # clean: the main stack and one service stack
        ({1, 2, 3}, 4),  # a shape with findings: every one of its stacks is linted
        ({2}, 3),  # one service differs: its own shape; the other two share one
    ],
)
def test_sharing_reports_what_linting_alone_does(
    few_services: list[Job], counted: list[str], seeded: set[int], linted: int
) -> None:
    jobs = _seeded(few_services, seeded)
    shared = _shared(jobs)
    assert len(counted) == linted
    assert shared == _alone(jobs)
    for i, ((_, _, names), findings) in enumerate(zip(jobs, shared, strict=True)):
        if i in seeded:  # found in its own stack, at its own log group
            [service] = [n for n in names if n.startswith("svc")]
            assert [(f.rule, f.logical_id) for f in findings] == [
                ("E3030", naming.log_group(service))
            ]
        else:
            assert findings == []


def test_a_shape_found_clean_is_kept_for_the_next_build(
    few_services: list[Job], counted: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(tmp_path))
    main, first, *others = few_services
    assert _shared([main, first]) == [[], []]
    assert len(counted) == 2
    assert _shared(others) == [[], []]  # new services, never linted: their shape is known
    assert len(counted) == 2
    assert len(list((tmp_path / lint.SHAPES).iterdir())) == 2


def test_the_spring_example_shares_and_reports_alike(counted: list[str]) -> None:
    jobs = _jobs(ROOT / "examples" / "spring-ecs-ec2-redis.yaml")
    assert _shared(jobs) == _alone(jobs)
    assert len(counted) == len(jobs) + len({shape(t, n) for t, _, n in jobs})


def test_what_is_not_a_digit_of_a_name_is_kept() -> None:
    text = '{"Name": "svc001", "Id": "Svc001Role", "Other": "svc001x"}'
    base = shape(text, {"svc001"})
    assert base == shape(text.replace("001", "942"), {"svc942"})
    # another length, another letter, another place: another shape
    assert base != shape(text.replace("svc001", "svc0011"), {"svc0011"})
    assert base != shape(text.replace("svc001", "svd001"), {"svd001"})
    assert base != shape(text.replace("svc001x", "svc002x"), {"svc001"})
    # two names that were one are not one shape with two that were two
    two = '{"A": "svc001", "B": "svc002"}'
    assert shape(two, {"svc001", "svc002"}) != shape(two.replace("002", "001"), {"svc001"})


def _rule(priorities: list[object], other: str = "") -> str:
    rules = ", ".join(
        f'"R{i}": {{"Type": "{LISTENER_RULE}", "Properties": {{"Priority": {p}}}}}'
        for i, p in enumerate(priorities)
    )
    return f'{{"Resources": {{{rules}{other}}}}}'


def test_priorities_are_generalised_only_within_the_listener_rules_range() -> None:
    low, high = PRIORITY_RANGE
    assert shape(_rule([2, 7]), ()) == shape(_rule([low, high]), ())
    assert shape(_rule([2, 2]), ()) != shape(_rule([2, 3]), ())  # equal ones stay equal
    assert shape(_rule([high + 1]), ()) is None
    assert shape(_rule([0]), ()) is None
    assert shape(_rule(['"2"']), ()) != shape(_rule(['"3"']), ())  # a string: kept as it is
    other = ', "Q": {"Type": "AWS::Other::Thing", "Properties": {"Priority": 4}}'
    assert shape(_rule([2], other), ()) is None


def test_the_priority_range_is_cfn_lints() -> None:
    """The range generalised is all ListenerRule's schema says of a priority."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("ap-northeast-1", LISTENER_RULE)
    said = {k: v for k, v in schema.schema["properties"]["Priority"].items() if k != "description"}
    assert said == {"type": "integer", "minimum": PRIORITY_RANGE[0], "maximum": PRIORITY_RANGE[1]}


# --- the proof: names of one signature lint alike, at every length a name may have --------

#: The longest entry name a blueprint takes (generator/model/types.py, ``Name``).
LONGEST = 40


def _one_service(name: str, priority: int, folder: Path) -> Job:
    path = folder / f"{name}.yaml"
    text = synthetic.blueprint(1)
    assert "svc000" in text and "priority: 1}" in text
    path.write_text(text.replace("svc000", name).replace("priority: 1}", f"priority: {priority}}}"))
    *_, service = _jobs(path)
    return service


def _renamed(findings: list[lint.Finding], old: str, new: str) -> list[lint.Finding]:
    def swap(text: str) -> str:
        return text.replace(old, new).replace(naming.stem(old), naming.stem(new))

    return [
        lint.Finding(
            f.line,
            f.column,
            f.rule,
            swap(f.message),
            tuple(swap(p) if isinstance(p, str) else p for p in f.path),
        )
        for f in findings
    ]


def _variants(length: int, all_digits: bool) -> Iterator[str]:
    """Names of ``length`` characters of one signature: a letter, then digits."""
    digits = "0123456789" if all_digits else "09"
    for d in digits:
        yield "s" + d * (length - 1)
    yield "s" + "".join(str(i % 10) for i in range(length - 1))


def _same_findings_for_each_variant(lengths: list[int], all_digits: bool, folder: Path) -> None:
    low, high = PRIORITY_RANGE
    for length in lengths:
        first, *others = _variants(length, all_digits)
        base = _one_service(first, low, folder)
        expected = lint.lint(base[0], base[1])
        for number, other in enumerate(others):
            priority = high if number % 2 else low + number
            text, region, names = _one_service(other, priority, folder)
            assert shape(text, names) == shape(base[0], base[2]), other
            assert lint.lint(text, region) == _renamed(expected, first, other), other


def test_names_of_one_signature_lint_alike(tmp_path: Path) -> None:
    """The shortest and longest names, each with its digits changed and a priority at
    either end of the range: the same findings, renamed."""
    _same_findings_for_each_variant([2, LONGEST], all_digits=False, folder=tmp_path)


@pytest.mark.exhaustive
def test_names_of_every_length_and_digit_lint_alike(tmp_path: Path) -> None:
    _same_findings_for_each_variant(list(range(2, LONGEST + 1)), all_digits=True, folder=tmp_path)


@pytest.mark.exhaustive
@pytest.mark.parametrize(
    "blueprint",
    [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "blueprint.yaml", "synthetic"],
    ids=lambda p: p if isinstance(p, str) else p.stem,
)
def test_every_example_and_the_largest_synthetic_blueprint_report_alike(
    blueprint: Path | str, tmp_path: Path
) -> None:
    if blueprint == "synthetic":
        path = tmp_path / "scale.yaml"
        path.write_text(synthetic.blueprint(150))
        blueprint = path
    assert isinstance(blueprint, Path)
    jobs = _jobs(blueprint)
    assert _shared(jobs) == _alone(jobs)
    seeded = _seeded(jobs, set(range(len(jobs))))
    assert _shared(seeded) == _alone(seeded)


# --- what the cache key holds decides the findings -----------------------------------------

_LOG_GROUP_31_DAYS = (
    '{"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup",'
    ' "Properties": {"RetentionInDays": 31}}}}'
)


def test_a_cfnlintrc_in_the_folder_or_home_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cfn-lint reads .cfnlintrc* from the current folder and home; lint reads none, so
    the findings (and the cache key) are the same with one that ignores the finding."""
    before = (lint.lint(_LOG_GROUP_31_DAYS, "us-east-1"), lint.cache_key("{}", "us-east-1"))
    assert [f.rule for f in before[0]] == ["E3030"]
    for folder in (tmp_path / "project", tmp_path / "home"):
        folder.mkdir()
        (folder / ".cfnlintrc").write_text("ignore_checks:\n  - E3030\n  - W\n")
    monkeypatch.chdir(tmp_path / "project")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    after = (lint.lint(_LOG_GROUP_31_DAYS, "us-east-1"), lint.cache_key("{}", "us-east-1"))
    assert after == before


def test_the_cache_key_holds_the_schemas_date(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    import cfnlint

    written = Path(cfnlint.__file__).parent / "data" / "schemas" / "version.json"
    assert lint.schema_date() == json.loads(written.read_text())["schema_date"] != ""
    before = lint.cache_key("{}", "us-east-1")
    monkeypatch.setattr(lint, "schema_date", lambda: "2000-01-01T00:00:00Z")
    assert lint.cache_key("{}", "us-east-1") != before
