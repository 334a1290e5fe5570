"""Lint by shape (generator/lint_shape.py): templates that differ only in the digits of
entry names and in route priorities share a clean verdict, and what a build reports is
exactly what linting each template alone reports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import synthetic
from generator import lint, naming, pipeline, runtime
from generator.lint_shape import LISTENER_RULE, PRIORITY_RANGE, PROPERTIES, SECTIONS, shape

from .conftest import ROOT

Job = tuple[str, str, set[str]]


def _jobs(path: Path) -> list[Job]:
    """The stacks of every environment of the blueprint (one when it has none)."""
    builds = [pipeline.render(checked) for checked in pipeline.check_each(path)]
    return [(s.text, s.region, pipeline._entry_names(s)) for b in builds for s in b.stacks]


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
    main, *services = [shape(text, names) for text, _, names in few_services]
    assert len(services) == 3 and len(set(services)) == 1 and None not in services
    # the main stack's names (nat, flow_logs, ...) are in its types and properties too
    assert main is None


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every template cfn-lint lints, linted in this process."""
    linted: list[str] = []
    real = lint.lint

    def counting(text: str, region: str) -> list[lint.Finding]:
        linted.append(text)
        return real(text, region)

    monkeypatch.setattr(lint, "lint", counting)
    monkeypatch.setattr(runtime, "workers", lambda count=None: 1)
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
    assert len(list((tmp_path / lint.SHAPES).iterdir())) == 1  # the main stack has none


def test_the_spring_example_shares_and_reports_alike(counted: list[str]) -> None:
    jobs = _jobs(ROOT / "examples" / "spring-ecs-ec2-redis.yaml")
    assert _shared(jobs) == _alone(jobs)
    shapes = [shape(t, n) for t, _, n in jobs]
    leads = len({s for s in shapes if s is not None}) + shapes.count(None)
    assert len(counted) == len(jobs) + leads


def test_what_is_not_a_digit_of_a_name_is_kept() -> None:
    text = (
        '{"Resources": {"Svc001Role": {"Type": "AWS::IAM::Role", "Properties":'
        ' {"Policies": [{"PolicyName": "svc001"}], "Path": %s}}}}'
    )
    base = shape(text % '"/x/"', {"svc001"})
    assert base is not None
    assert base == shape((text % '"/x/"').replace("001", "942"), {"svc942"})
    # another length, another letter: another shape
    assert base != shape((text % '"/x/"').replace("svc001", "svc0011"), {"svc0011"})
    assert base != shape((text % '"/x/"').replace("svc001", "svd001"), {"svd001"})
    # a name outside an identifier or an allowlisted property: no shape, in any case
    for elsewhere in ('"/svc001/"', '"/SVC001/"', '{"Fn::Join": ["", ["svc001"]]}'):
        assert shape(text % elsewhere, {"svc001"}) is None
    # two names that were one are not one shape with two that were two
    two = '{"Resources": {"Svc001": {"Type": "T"}, "Svc002": {"Type": "T"}}}'
    assert shape(two, {"svc001", "svc002"}) != shape(two.replace("002", "001"), {"svc001"})


def test_names_are_generalised_only_as_identifiers() -> None:
    """A name where cfn-lint reads a reference is a token; in the attribute of a GetAtt,
    a Sub's own variable or a Condition's name it is kept, so the template has no shape."""
    resource = '"Svc001": {"Type": "T"}, "Svc001B": {"Type": "T", "DependsOn": "Svc001"}'
    ok = [
        '{"Ref": "Svc001"}',
        '{"Fn::GetAtt": ["Svc001", "Arn"]}',
        '{"Fn::GetAtt": "Svc001.Arn"}',
        '{"Fn::Sub": "${Svc001.Arn}/${AWS::Region}/${!Literal}"}',
    ]
    kept = [
        '{"Fn::GetAtt": ["Other", "Svc001"]}',
        '{"Fn::Sub": ["${Svc001}", {"Svc001": "x"}]}',
        '{"Fn::Sub": "${!Svc001}"}',
        '{"Fn::If": ["Svc001", "a", "b"]}',
    ]

    def template(value: str) -> str:
        user = f'"User": {{"Type": "T", "Properties": {{"P": {value}}}}}'
        return f'{{"Resources": {{{resource}, {user}}}}}'

    for value in ok:
        shaped = shape(template(value), {"svc001"})
        assert shaped is not None and shaped == shape(template(value).replace("1", "7"), {"svc007"})
    for value in kept:
        assert shape(template(value), {"svc001"}) is None, value


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
    assert shape(_rule([high + 1]), ()) != shape(_rule([high + 2]), ())  # kept as they are
    assert shape(_rule([0]), ()) != shape(_rule([low]), ())
    assert shape(_rule(['"2"']), ()) != shape(_rule(['"3"']), ())  # a string: kept as it is
    other = ', "Q": {"Type": "AWS::Other::Thing", "Properties": {"Priority": %d}}'
    assert shape(_rule([2], other % 4), ()) != shape(_rule([2], other % 5), ())


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


# --- names in values cfn-lint checks: never generalised -----------------------------------


def test_a_name_in_an_enum_value_is_not_shared_within_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Services http2 and http3 whose app protocols are their names: http3 is not one
    ECS takes (E3030), though the two stacks differ only in a digit of the name."""
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", "off")
    text = synthetic.blueprint(2).replace("svc000", "http2").replace("svc001", "http3")
    overrides = "".join(
        f"  {naming.stem(n)}TaskDefinition:\n"
        f"    Properties.ContainerDefinitions.0.PortMappings.0.AppProtocol: {n}\n"
        for n in ("http2", "http3")
    )
    path = tmp_path / "protocols.yaml"
    path.write_text(f"{text}overrides:\n{overrides}")
    jobs = _jobs(path)
    shared = _shared(jobs)
    assert shared == _alone(jobs)
    [http3] = [f for f, (_, _, names) in zip(shared, jobs, strict=True) if "http3" in names]
    assert [(f.rule, "'http3'" in f.message) for f in http3] == [("E3030", True)]


def _instance_project(project: str, name: str, folder: Path) -> list[Job]:
    """The one instance of project ``project`` (both projects' blueprints named ``shop``:
    their templates differ only in the instance's name and type)."""
    (folder / project).mkdir()
    path = folder / project / "blueprint.yaml"
    path.write_text(
        "name: shop\nregion: ap-northeast-1\n"
        "network: {cidr: 10.0.0.0/16, azs: 2, nat: none}\n"
        f"instances:\n  {name}: {{instance_type: {name}.large, subnets: public,"
        " ssh_from: [203.0.113.0/24]}\n"
    )
    return _jobs(path)


def test_a_name_in_an_enum_value_is_not_shared_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instance c5 of type c5.large in one project, c9 of type c9.large in another: the
    second's type is not offered in the region (E3628), whatever the cache holds."""
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(tmp_path / "cache"))
    first = _instance_project("p1", "c5", tmp_path)
    assert _shared(first) == [[]]
    second = _instance_project("p2", "c9", tmp_path)
    assert [[f.rule for f in found] for found in _shared(second)] == [["E3628"]]
    assert _shared(second) == _alone(second)


# --- the allowlist: values cfn-lint constrains by nothing but their length ----------------

#: What a schema may say of a value for a name's digits to be generalised in it.
_CONSTRAINING = ("enum", "const", "format", "pattern")
_COMPOSED = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else")


def _resolve(schema: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target = schema
        for step in node["$ref"][2:].split("/"):
            target = target[step]
        node = target
    return node


def _said(schema: dict[str, Any], node: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
    """Every constraint ``node`` of ``schema`` puts on the values at ``path`` under it."""
    node = _resolve(schema, node)
    if not isinstance(node, dict):
        return
    for key in _COMPOSED:
        branches = node.get(key)
        for branch in branches if isinstance(branches, list) else [branches]:
            if isinstance(branch, dict):
                yield from _said(schema, branch, path)
    if not path:
        yield from ((key, node[key]) for key in _CONSTRAINING if key in node)
        return
    step, *rest = path
    if step == "*":
        if "items" in node:
            yield from _said(schema, node["items"], rest)
        return
    if step in node.get("properties", {}):
        yield from _said(schema, node["properties"][step], rest)
    for pattern, under in node.get("patternProperties", {}).items():
        if re.search(pattern, step):
            yield from _said(schema, under, rest)


def _digit_blind(pattern: str) -> bool:
    """Whether ``pattern`` matches a text exactly when it matches it with any digit
    changed for another: no digit written alone, every class matches all ten or none."""
    import re._constants as c
    import re._parser as parser

    digits = set("0123456789")

    def matched(items: list[tuple[Any, Any]]) -> set[str] | None:
        found: set[str] = set()
        negate = False
        for op, av in items:
            if op is c.NEGATE:
                negate = True
            elif op is c.LITERAL:
                found |= {chr(av)} & digits
            elif op is c.RANGE:
                found |= {d for d in digits if av[0] <= ord(d) <= av[1]}
            elif op is c.CATEGORY:
                if av in (c.CATEGORY_DIGIT, c.CATEGORY_WORD, c.CATEGORY_NOT_SPACE):
                    found |= digits
                elif av not in (c.CATEGORY_NOT_DIGIT, c.CATEGORY_NOT_WORD, c.CATEGORY_SPACE):
                    return None
            else:
                return None
        return digits - found if negate else found

    def blind(parsed: Any) -> bool:
        for op, av in parsed:
            if op in (c.LITERAL, c.NOT_LITERAL) and chr(av) in digits:
                return False
            if op is c.IN and matched(av) not in (set(), digits):
                return False
            if op is c.CATEGORY and av not in (
                c.CATEGORY_DIGIT, c.CATEGORY_NOT_DIGIT, c.CATEGORY_WORD,
                c.CATEGORY_NOT_WORD, c.CATEGORY_SPACE, c.CATEGORY_NOT_SPACE,
            ):  # fmt: skip
                return False
            if op is c.SUBPATTERN and not blind(av[3]):
                return False
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and not blind(av[2]):
                return False
            if op is c.BRANCH and not all(blind(branch) for branch in av[1]):
                return False
            if op in (c.ASSERT, c.ASSERT_NOT) and not blind(av[1]):
                return False
            if op in (c.GROUPREF, c.GROUPREF_EXISTS):
                return False
        return True

    return blind(parser.parse(pattern))


def test_digit_blind_patterns() -> None:
    assert _digit_blind(r"^([a-z,A-Z,0-9,. _\-:/()#,@[\]+=&;\{\}!$*])*$")
    assert _digit_blind(r"^[\w+=,.@-]+$") and _digit_blind(r"^[^0-9]*x")
    for sensitive in (r"^[1-9]", "a0", r"[a-z0-5]", r"(a)\1", r"^\d{2}$|^[0-8]$"):
        assert not _digit_blind(sensitive), sensitive


def _constraints(said: Iterator[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in said if not (k == "pattern" and _digit_blind(v))]


def _schemas() -> Path:
    import cfnlint

    return Path(cfnlint.__file__).parent / "data" / "schemas"


def _constrained(kind: str, path: tuple[str, ...]) -> list[tuple[str, Any]]:
    """What the provider schemas in every region and cfn-lint's rules (with their
    extension schemas) say of the values at ``path`` beyond their type and length."""

    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    every = (p.stem for p in (_schemas() / "providers").glob("*.json"))
    regions = sorted(r for r in every if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9]+", r))
    assert len(regions) > 30 and "ap-northeast-1" in regions
    found = []
    for region in regions:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, kind).schema
        found += _constraints(_said(schema, schema, ["properties", *path][1:]))
    target = ["Resources", kind, "Properties", *path]
    for rule, keyword in _rules_over(target):
        schema = getattr(rule, "_schema", None) or {}
        if len(keyword) > len(target):
            found.append(("a rule below the value", rule.id))
        elif not schema and rule.id not in _REVIEWED:
            found.append(("a rule of its own code", rule.id))
        # a regional rule's schema is one schema per region (and "all")
        regional = [schema, *(v for v in schema.values() if isinstance(v, dict))]
        found += _constraints(_said(schema, {"anyOf": regional}, target[len(keyword) :]))
    return found


#: cfn-lint's rules whose own code (no schema) reads a resource or properties above an
#: allowlisted path, reviewed: none looks at the values there but for what a reference
#: is (E3006 logical IDs, E3040 read-only properties, E1040/E1041 GetAtt and Ref formats,
#: E3053 HostPort, E3002 the provider schema itself).
_REVIEWED = {"E3006", "E3040", "E1040", "E1041", "E3053", "E3002"}


def _rules_over(target: list[str]) -> Iterator[tuple[Any, list[str]]]:
    """cfn-lint's rules that apply at ``target`` or above it (by their keywords), with the
    keyword's steps."""
    for rule in lint._rules().values():
        for keyword in getattr(rule, "keywords", None) or []:
            steps = keyword.split("/")
            if all(a == b or "*" in (a, b) for a, b in zip(steps, target, strict=False)):
                yield rule, steps


def test_no_allowlisted_value_is_constrained_by_cfn_lint() -> None:
    """No enum, const, format or digit-sensitive pattern anywhere an entry name is
    generalised: provider schemas (every region), extension schemas, template schemas."""
    import json

    for kind, path in sorted(PROPERTIES):
        assert _constrained(kind, path) == [], (kind, path)
    other = _schemas() / "other"
    description = json.loads((other / "template" / "description.json").read_text())
    assert _constraints(_said(description, description, [])) == []
    for section, names in SECTIONS.items():
        schema = json.loads((other / section.lower() / "configuration.json").read_text())
        for name in names:
            assert _constraints(_said(schema, schema, ["Svc000", name])) == [], (section, name)


@pytest.mark.parametrize(
    ("kind", "path", "said"),
    [
        ("AWS::EC2::Instance", ("InstanceType",), "enum"),  # the c5/c9 case
        (
            "AWS::ECS::TaskDefinition",
            ("ContainerDefinitions", "*", "PortMappings", "*", "AppProtocol"),
            "enum",
        ),
        (
            "AWS::ECS::TaskDefinition",
            ("ContainerDefinitions", "*", "LogConfiguration", "Options", "awslogs-group"),
            "format",
        ),
    ],
)
def test_the_allowlist_check_finds_constraints(kind: str, path: tuple[str, ...], said: str) -> None:
    assert said in {k for k, _ in _constrained(kind, path)}


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for item in node.values():
            yield from _nodes(item)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def test_the_summary_says_which_stacks_were_clean_by_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stack not linted says so, and names the stack linted in its stead."""
    from generator.commands.build import _summary

    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(runtime, "workers", lambda count=None: 1)
    path = tmp_path / "few.yaml"
    path.write_text(synthetic.blueprint(51, without=range(2, 50)))

    def said() -> list[str]:
        build = pipeline.render(pipeline.check(path))
        pipeline.lint(build)
        lines = _summary(build, tmp_path).splitlines()[:4]
        return [line.split(" resources, ", 1)[1].split(" -> ")[0] for line in lines]

    lead = "scale-service-svc000"
    first = said()
    assert first == [
        "cfn-lint 0 error(s) 0 warning(s)",
        "cfn-lint 0 error(s) 0 warning(s)",
        f"clean by shape of {lead}",
        f"clean by shape of {lead}",
    ]
    again = said()  # the lint cache holds cfn-lint's own results and the shape
    assert again == [*first[:2], *["clean by shape of an earlier build"] * 2]
