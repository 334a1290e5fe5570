"""Who owns a service's running count: ``desired_count`` (the template sets it on every
deploy), schedules (Scheduler sets it; the template leaves it alone) or ``scaling``
(Application Auto Scaling; schedules move its range). A stack update applies whatever
``DesiredCount`` the template holds, so a managed count must not be in it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from generator import cost, diff, graph
from generator.pipeline import check, render

from .conftest import ROOT

Template = dict[str, Any]


def _stacks(path: Path) -> dict[str, Template]:
    return {s.name: s.data for s in render(check(path, path.name)).stacks}


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "blueprint.yaml"
    path.write_text(f"name: counts\nregion: ap-northeast-1\nnetwork: {{nat: single}}\n{body}")
    return path


def _of_type(template: Template, kind: str) -> dict[str, Template]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def test_the_chat_bot_deploy_keeps_the_count_its_schedules_set() -> None:
    stacks = _stacks(ROOT / "blueprint.yaml")
    service = stacks["linebot-service-bot"]["Resources"]["BotService"]
    assert service["Type"] == "AWS::ECS::Service"
    assert "DesiredCount" not in service["Properties"]
    # Nothing else in any stack sets the bot's count on deploy: no scalable target either.
    for template in stacks.values():
        assert not _of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    # The schedules still set it, 1 on weekend mornings and 0 an hour later.
    schedules = _of_type(stacks["linebot-service-bot"], "AWS::Scheduler::Schedule")
    sets = {}
    for logical_id, schedule in schedules.items():
        target = schedule["Properties"]["Target"]
        assert target["Arn"] == {
            "Fn::Sub": "arn:${AWS::Partition}:scheduler:::aws-sdk:ecs:updateService"
        }
        body, names = target["Input"]["Fn::Sub"]
        assert names["Service"] == {"Fn::GetAtt": ["BotService", "Name"]}
        sets[logical_id] = json.loads(body)["DesiredCount"]
    assert sets == {"WeekendStartSchedule": 1, "WeekendStopSchedule": 0}


def test_a_fixed_service_keeps_its_desired_count(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "services:\n  api:\n    desired_count: 3\n    containers:\n"
        "      app: {image: example/api:1.0}\n",
    )
    service = _stacks(path)["counts-service-api"]["Resources"]["ApiService"]
    assert service["Properties"]["DesiredCount"] == 3


def test_a_scaled_service_has_a_range_not_a_count() -> None:
    stacks = _stacks(ROOT / "tests" / "golden" / "service_scaling.yaml")
    for name in ("web", "worker"):
        template = stacks[f"scaled-service-{name}"]
        service = _of_type(template, "AWS::ECS::Service")
        assert [("DesiredCount" in s["Properties"]) for s in service.values()] == [False]
    web = stacks["scaled-service-web"]["Resources"]
    target = web["WebScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 8)
    assert target["ScalableDimension"] == "ecs:service:DesiredCount"
    # The schedules move the range, in their time zone; none is a Scheduler schedule.
    actions = {a["ScheduledActionName"]: a for a in target["ScheduledActions"]}
    assert actions["night"]["ScalableTargetAction"] == {"MinCapacity": 1, "MaxCapacity": 2}
    assert actions["night"]["Timezone"] == "Asia/Tokyo"
    assert all(not _of_type(t, "AWS::Scheduler::Schedule") for t in stacks.values())
    policies = _of_type(stacks["scaled-service-web"], "AWS::ApplicationAutoScaling::ScalingPolicy")
    metrics = {
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"][
            "PredefinedMetricSpecification"
        ]["PredefinedMetricType"]: p["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        for p in policies.values()
    }
    assert sorted(metrics) == ["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"]
    assert metrics["ALBRequestCountPerTarget"]["TargetValue"] == 500
    label = metrics["ALBRequestCountPerTarget"]["PredefinedMetricSpecification"]["ResourceLabel"]
    assert label["Fn::Sub"][0] == "${LoadBalancer}/${TargetGroup}"
    worker = stacks["scaled-service-worker"]["Resources"]
    assert worker["WorkerScalableTarget"]["Properties"]["MinCapacity"] == 1
    memory = worker["WorkerMemoryScalingPolicy"]["Properties"]
    config = memory["TargetTrackingScalingPolicyConfiguration"]
    assert (config["TargetValue"], config["ScaleInCooldown"], config["ScaleOutCooldown"]) == (
        75,
        600,
        60,
    )


def test_diff_shows_dropping_desired_count_as_an_in_place_change() -> None:
    """The template before this change set the bot's count; CloudFormation updates the
    service in place and, without DesiredCount, keeps the running count."""
    new = _stacks(ROOT / "blueprint.yaml")
    old = copy.deepcopy(new)
    old["linebot-service-bot"]["Resources"]["BotService"]["Properties"]["DesiredCount"] = 1
    regions = dict.fromkeys(new, "ap-northeast-1")
    report = diff.compare(old, new, regions, "ap-northeast-1")
    changes = [
        (s.stack, r.logical_id, r.verdict, r.paths) for s in report.stacks for r in s.resources
    ]
    assert changes == [
        ("linebot-service-bot", "BotService", "in_place", ("Properties.DesiredCount",))
    ]
    assert report.exit_code == diff.EXIT_CHANGES
    assert (
        "  ~ BotService (AWS::ECS::Service): changed in place: Properties.DesiredCount"
        in diff.text(report)
    )


_SCALED = """services:
  web:
    containers:
      app: {image: example/web:1.0}
    scaling: {min: 2, max: 5, cpu: 70}
"""


def test_a_scaled_service_is_priced_at_its_min_with_what_its_max_adds(tmp_path: Path) -> None:
    # 0.25 vCPU x 2 tasks x 730 h = 365 vCPU-hours at $0.05056 = $18.45; at 5 tasks 547.5
    # more = $27.68. 0.5 GB x 2 x 730 = 730 GB-hours at $0.00553 = $4.04; 1,095 more = $6.06.
    estimate = cost.estimate(check(_write(tmp_path, _SCALED)))
    lines = {line.item: line for line in estimate.lines if line.item.startswith("web:")}
    vcpu, memory = lines["web: Fargate vCPU"], lines["web: Fargate memory"]
    assert (vcpu.quantity, vcpu.monthly) == (365.0, 18.45)
    assert vcpu.note.endswith("; at its max (up to 5 tasks): +$27.68/month")
    assert "; scaling 2-5, priced at its min: 2 tasks all month;" in vcpu.note
    assert (memory.quantity, memory.monthly) == (730.0, 4.04)
    assert memory.note.endswith(": +$6.06/month")
    assert any(a.startswith("Scaled services are priced at") for a in estimate.assumptions)


def test_schedules_on_a_scaled_service_price_its_min_and_its_max(tmp_path: Path) -> None:
    # UTC: from 22:00 to 07:00 (9 h) the range is 1-2, from 07:00 to 22:00 (15 h) 2-8.
    # At min: 9 x 1 + 15 x 2 = 39 task-hours a day; at max 9 x 2 + 15 x 8 = 138.
    body = (
        _SCALED
        + "schedules:\n"
        + "".join(
            f"  {n}:\n    expression: cron(0 {h} * * ? *)\n    service: web\n"
            f"    min: {lo}\n    max: {hi}\n"
            for n, h, lo, hi in (("night", 22, 1, 2), ("day", 7, 2, 8))
        )
    )
    run = cost.running(check(_write(tmp_path, body)).blueprint, "web", 2)
    peak = cost.running(check(_write(tmp_path, body)).blueprint, "web", 5, high=True)
    week = 730 / 168
    assert run.task_hours == pytest.approx(39 * 7 * week)
    assert peak.task_hours == pytest.approx(138 * 7 * week)


def test_the_graph_shows_the_range_and_the_targets() -> None:
    checked = check(ROOT / "tests" / "golden" / "service_scaling.yaml")
    text = graph.render(checked)
    assert "2-8 tasks, scaling on cpu 60%, 500 requests/target" in text
    assert "1-3 tasks, scaling on memory 75%" in text
    assert "scale 1-2 at cron(0 22 * * ? *)" in text


def test_min_zero_is_fine_when_a_schedule_starts_the_service_again(tmp_path: Path) -> None:
    scaled = _SCALED.replace("min: 2, max: 5", "min: 0, max: 5")
    alone = check(_write(tmp_path, scaled))
    assert [(w.path, w.code) for w in alone.warnings] == [
        ("services.web.scaling.min", "scaling-from-zero")
    ]
    body = scaled + (
        "schedules:\n  office:\n    expression: cron(0 9 ? * MON-FRI *)\n"
        "    service: web\n    min: 1\n    max: 5\n"
    )
    assert check(_write(tmp_path, body)).warnings == []
