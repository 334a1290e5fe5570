"""A worker scaled on its queue's backlog (``scaling.queue`` with ``messages_per_task``):
the target-tracking policy divides the queue's visible messages by the running tasks, and
from 0 tasks an alarm of our own starts one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator import cost, graph
from generator.pipeline import check, render

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "worker_scaling_on_queue.yaml"


def _resources() -> dict[str, dict[str, Any]]:
    stacks = {s.name: s.data for s in render(check(GOLDEN, GOLDEN.name)).stacks}
    return dict(stacks["thumbs-service-worker"]["Resources"])


def test_the_backlog_is_visible_messages_per_running_task() -> None:
    resources = _resources()
    config = resources["WorkerMessagesPerTaskScalingPolicy"]["Properties"][
        "TargetTrackingScalingPolicyConfiguration"
    ]
    assert config["TargetValue"] == 20
    metrics = {m["Id"]: m for m in config["CustomizedMetricSpecification"]["Metrics"]}
    assert metrics["backlog"]["Expression"] == "messages / tasks"
    assert [m["Id"] for m in metrics.values() if m["ReturnData"]] == ["backlog"]
    queue = metrics["messages"]["MetricStat"]["Metric"]
    assert (queue["Namespace"], queue["MetricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert queue["Dimensions"][0]["Name"] == "QueueName"
    tasks = metrics["tasks"]["MetricStat"]["Metric"]
    assert (tasks["Namespace"], tasks["MetricName"]) == (
        "ECS/ContainerInsights",
        "RunningTaskCount",
    )
    assert [d["Name"] for d in tasks["Dimensions"]] == ["ClusterName", "ServiceName"]
    target = resources["WorkerScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (0, 10)
    assert "DesiredCount" not in resources["WorkerService"]["Properties"]


def test_from_zero_an_alarm_adds_a_task_while_messages_wait_and_none_runs() -> None:
    resources = _resources()
    alarm = resources["WorkerFromZeroScalingAlarm"]["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": "WorkerFromZeroScalingPolicy"}]
    (returned,) = [m for m in alarm["Metrics"] if m["ReturnData"]]
    assert returned["Expression"] == "IF(FILL(tasks, 0) < 1, messages, 0)"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    step = resources["WorkerFromZeroScalingPolicy"]["Properties"]
    assert step["PolicyType"] == "StepScaling"
    config = step["StepScalingPolicyConfiguration"]
    assert config["AdjustmentType"] == "ChangeInCapacity"
    assert config["StepAdjustments"] == [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]


def test_min_one_needs_no_start_from_zero(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(GOLDEN.read_text().replace("min: 0, max: 10", "min: 1, max: 10"))
    stacks = {s.name: s.data for s in render(check(path, path.name)).stacks}
    kinds = [r["Type"] for r in stacks["thumbs-service-worker"]["Resources"].values()]
    assert kinds.count("AWS::ApplicationAutoScaling::ScalingPolicy") == 1
    assert "AWS::CloudWatch::Alarm" not in kinds


def test_a_queue_target_from_zero_is_not_warned_about() -> None:
    assert check(GOLDEN, GOLDEN.name).warnings == []


def test_the_worker_is_priced_at_its_min_and_its_max_and_drawn_with_its_queue() -> None:
    checked = check(GOLDEN, GOLDEN.name)
    lines = {line.item: line for line in cost.estimate(checked).lines}
    vcpu = lines["worker: Fargate Spot vCPU"]
    assert (vcpu.quantity, vcpu.monthly) == (0.0, 0.0)
    assert "scaling 0-10, priced at its min: 0 tasks all month" in vcpu.note
    assert "at its max (up to 10 tasks): +$" in vcpu.note
    assert "0-10 tasks, scaling on 20 messages/task of queue images" in graph.render(checked)
