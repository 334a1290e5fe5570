"""The rules that make validation refuse what cfn-lint or AWS would refuse: what they let
through, and the data they read. What they refuse, and the exact words, are error cases
(tests/errors/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from generator.errors import Severity
from generator.model import offerings
from generator.model.bucket_names import BucketName
from generator.model.text import PlainText
from generator.pipeline import check, lint, render
from generator.regions import REGIONS
from generator.schedule_expressions import ExpressionError, parse
from generator.sections.databases.model import parameter_family, tls_supported
from generator.sections.functions.model import Function
from generator.sections.instances.model import is_arm
from generator.sections.load_balancers.model import HealthCheck, Route


def test_shell_variables_are_plain_text() -> None:
    text = TypeAdapter(PlainText)
    script = 'echo "${HOME} ${APP_DIR} ${name} $PATH ${!literal}"'
    assert text.validate_python(script) == script
    for named in ("${AWS::Region}", "${WebInstance}", "x ${BotService.Name} y"):
        with pytest.raises(ValidationError, match="template value"):
            text.validate_python(named)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("linebot-news-data", True),
        ("a.b-c.d", True),
        ("abc", True),
        ("a-.bc", False),
        ("ab.-c", False),
        ("-abc", False),
        ("sthree-logs", False),
        ("amzn-s3-demo-bucket", False),
        ("logs-s3alias", False),
        ("logs--x-s3", False),
        ("logs.mrap", False),
        ("x" * 63, True),
        ("x" * 64, False),
    ],
)
def test_bucket_names(name: str, ok: bool) -> None:
    adapter = TypeAdapter(BucketName)
    if ok:
        assert adapter.validate_python(name) == name
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(name)


def test_lambda_environment_of_exactly_4_kb_is_taken() -> None:
    code = {"s3_bucket": "code-bucket", "s3_key": "f.zip"}
    fits = {"code": code, "runtime": "python3.12", "handler": "a.b"}
    value = "v" * (4096 - len("BIG"))
    assert Function.model_validate({**fits, "environment": {"BIG": value}})
    with pytest.raises(ValidationError, match="4,097 bytes"):
        Function.model_validate({**fits, "environment": {"BIG": value + "v"}})
    # a reference's value is unknown until deploy: only its name counts
    refs = {f"R{i:03}": {"ref": "caches.s.address"} for i in range(900)}
    assert Function.model_validate({**fits, "environment": refs})


@pytest.mark.parametrize(
    ("instance_type", "arm"),
    [
        ("t3.micro", False),
        ("t4g.micro", True),
        ("a1.large", True),
        ("c7gn.large", True),
        ("im4gn.large", True),
        ("g5g.xlarge", True),
        ("g4dn.xlarge", False),
        ("m7i-flex.large", False),
        ("x2iedn.xlarge", False),
    ],
)
def test_graviton_types(instance_type: str, arm: bool) -> None:
    assert is_arm(instance_type) is arm


def test_health_checks_and_routes_at_their_limits() -> None:
    assert HealthCheck(matcher="200-499", interval_seconds=10, timeout_seconds=9)
    route = Route.model_validate(
        {"service": "bot", "hosts": ["a.example.com", "b.example.com"], "paths": ["/a", "/b/*"]}
    )
    assert len(route.hosts) + len(route.paths) == 4
    odd = "/~user/$x/a@b:c+d&e'f\"g/*.html?"
    assert Route.model_validate({"service": "bot", "paths": [odd]}).paths == [odd]


def test_schedule_expressions_in_ascii_only() -> None:
    assert parse("rate(5 minutes)")
    for wrong in (
        " rate(5 minutes)",
        "rate(5 minutes)\n",
        "rate(\u0665 minutes)",
        "rate(\uff15 minutes)",
    ):
        with pytest.raises(ExpressionError):
            parse(wrong)


def test_regional_lists_read_as_the_whole_file_reads_them() -> None:
    """The region's part cut out of cfn-lint's file is what parsing the whole gives."""
    for folder, name in (
        ("aws_rds_dbinstance", "dbinstanceclass_enum.json"),
        ("aws_elasticache_cachecluster", "cachenodetype_enum.json"),
    ):
        whole = json.loads((offerings._extensions() / folder / name).read_text())
        for region in REGIONS:
            assert offerings._regional(folder, name, region) == whole.get(region, {}), region


def test_offerings_of_the_examples_engines() -> None:
    assert "16.4" in (offerings.rds_versions("postgres") or set())
    assert "8.0.43" in (offerings.rds_versions("mysql") or set())
    assert "db.t4g.micro" in (offerings.rds_classes("ap-northeast-1", "mysql") or set())
    assert "db.t4g.micro" not in (offerings.rds_classes("ca-west-1", "mysql") or set())
    assert offerings.cache_versions("valkey") and "7.1" not in offerings.cache_versions("valkey")
    assert "7.1" in (offerings.cache_versions("redis") or set())
    assert "cache.t4g.micro" in (offerings.cache_node_types("ap-northeast-1") or set())


def test_a_container_health_check_lets_others_wait_for_healthy(tmp_path: Path) -> None:
    """HEALTHY is accepted on a container with a health check, which the task definition
    carries, and the template lints clean."""
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        """name: linebot
region: ap-northeast-1
network: {nat: single}
services:
  bot:
    containers:
      app:
        image: nginx:1.27
        depends_on: {proxy: HEALTHY}
      proxy:
        image: envoyproxy/envoy:v1.31
        port: 8080
        health_check: {command: 'curl -f http://localhost:8080/ready || exit 1', retries: 2}
"""
    )
    result = render(check(path))
    lint(result)
    assert [p for p in result.lint_problems if p.severity is Severity.ERROR] == []
    [task] = [
        r
        for s in result.stacks
        for r in s.data["Resources"].values()
        if r["Type"] == "AWS::ECS::TaskDefinition"
    ]
    proxy = next(c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "proxy")
    assert proxy["HealthCheck"] == {
        "Command": ["CMD-SHELL", "curl -f http://localhost:8080/ready || exit 1"],
        "Interval": 30,
        "Timeout": 5,
        "Retries": 2,
        "StartPeriod": 0,
    }


def test_engine_clauses_read_as_the_whole_file_reads_them() -> None:
    """The clauses of one engine cut out of cfn-lint's file are what parsing the whole
    gives, and a class offered in the region may still not run every version (E3062)."""
    folder, name = "aws_rds_dbinstance", "db_instance_class.json"
    whole = json.loads((offerings._extensions() / folder / name).read_text())["allOf"]
    for engine in ("mysql", "postgres", "mariadb"):
        mine = [c for c in whole if c["if"]["properties"]["Engine"].get("const") == engine]
        assert list(offerings._clauses_naming(folder, name, engine)) == mine, engine
    assert "db.t4g.micro" in (offerings.rds_classes("ap-northeast-1", "postgres") or set())
    assert "db.t4g.micro" not in (offerings.rds_classes_for_version("postgres", "16.8") or set())
    assert "db.t4g.micro" in (offerings.rds_classes_for_version("postgres", "17.11") or set())


@pytest.mark.parametrize(
    ("engine", "version", "family", "tls"),
    [
        ("mysql", "8.0.43", "mysql8.0", True),
        ("mysql", "8.4.6", "mysql8.4", True),
        ("mysql", "5.7.44", "mysql5.7", True),
        ("mysql", "5.6.51", "mysql5.6", False),
        ("mariadb", "10.11.13", "mariadb10.11", True),
        ("mariadb", "10.5.29", "mariadb10.5", True),
        ("mariadb", "10.4.34", "mariadb10.4", False),
        ("mariadb", "11.4.7", "mariadb11.4", True),
        ("postgres", "16.15", "postgres16", True),
        ("postgres", "17", "postgres17", True),
        ("postgres", "10.23", "postgres10", True),
        ("postgres", "9.6", "postgres9.6", True),
        ("postgres", "9", None, False),
    ],
)
def test_parameter_group_families(engine: str, version: str, family: str | None, tls: bool) -> None:
    """As describe-db-engine-versions names them (mysql8.0, mariadb10.6, postgres14, ...);
    require_secure_transport only from MySQL 5.7 and MariaDB 10.5."""
    assert parameter_family(engine, version) == family
    assert tls_supported(engine, version) is tls


def test_every_offered_version_has_a_family() -> None:
    """Every version RDS offers names its family, but PostgreSQL's bare 9 (9.3 to 9.6 are
    four families); every MySQL and PostgreSQL version RDS still creates can require TLS
    (MariaDB before 10.5, which cannot, is refused with its reason)."""
    for engine in ("mysql", "mariadb", "postgres"):
        offered = offerings.rds_versions(engine) or set()
        assert offered, engine
        nameless = {v for v in offered if parameter_family(engine, v) is None}
        assert nameless == ({"9"} if engine == "postgres" else set())
        if engine != "mariadb":
            current = {v for v in offered if not offerings.rds_deprecated(engine, v)}
            assert current, engine
            assert all(tls_supported(engine, v) for v in current), engine
