"""Jobs: what the schedule may do, what a failed run raises, and deploy.sh running a job
after the deploy against a stand-in AWS CLI, for a run that succeeds and one that fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import deploy, deploy_after
from generator.pipeline import Build, check, render

from .conftest import HERE, run_with_stand_in
from .test_deploy import FAKE_AWS, NASTY

BLUEPRINT = HERE / "golden" / "jobs_nightly_and_migration.yaml"

# The stand-in answers ECS and CloudWatch Logs too: a task that takes two waits to stop
# (`aws ecs wait` gives up after ten minutes), then exits with $FAKE_EXIT.
JOB_AWS = (
    FAKE_AWS
    + """
if args[0] == "ecs" and command == "run-task":
    print("arn:aws:ecs:ap-northeast-1:123456789012:task/shop/0123abcd")
elif args[0] == "ecs" and command == "wait":
    waits = os.path.join(state, "waits")
    count = int(open(waits).read()) if os.path.exists(waits) else 0
    open(waits, "w").write(str(count + 1))
    if count == 0:
        sys.exit(255)
elif args[0] == "ecs" and command == "describe-tasks":
    if opt("--query") == "tasks[0].lastStatus":
        print("RUNNING")
    else:
        print("app\\t" + os.environ["FAKE_EXIT"])
elif args[0] == "logs":
    print("== migrating 20261201_add_orders")
    print("PG::DuplicateTable: relation orders already exists")
"""
)


@pytest.fixture(scope="module")
def build() -> Build:
    return render(check(BLUEPRINT, BLUEPRINT.name))


def _template(build: Build) -> dict[str, Any]:
    [main] = [s for s in build.stacks if s.name == "shop"]
    return dict(json.loads(main.text))


def _deploy(build: Build, tmp_path: Path, exit_code: str) -> tuple[int, str, list[list[str]]]:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in build.files.items():
        (out / name).write_bytes(data)
    done, calls = run_with_stand_in(out / "deploy.sh", JOB_AWS, tmp_path, FAKE_EXIT=exit_code)
    return done.returncode, done.stderr, calls


def test_deploy_runs_the_job_after_every_stack_and_waits_for_it(
    build: Build, tmp_path: Path
) -> None:
    code, stderr, calls = _deploy(build, tmp_path, "0")
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == "Job migrate succeeded"
    kinds = [c[:2] for c in calls]
    last_deploy = max(i for i, k in enumerate(kinds) if k == ["cloudformation", "deploy"])
    [run_at] = [i for i, k in enumerate(kinds) if k == ["ecs", "run-task"]]
    assert run_at > last_deploy  # after every stack, the service's too
    run = calls[run_at]

    def arg(name: str) -> str:
        return run[run.index(name) + 1]

    # each value comes from the main stack's outputs, as the stand-in serves them
    assert arg("--cluster") == "value-of-shop-MigrateJobCluster"
    assert arg("--task-definition") == "value-of-shop-MigrateJobTaskDefinitionArn"
    assert arg("--network-configuration") == "value-of-shop-MigrateJobNetwork"
    assert arg("--capacity-provider-strategy") == "value-of-shop-MigrateJobCapacity"
    assert arg("--group") == "family:shop-job-migrate"
    # the first wait gave up (as after ten minutes), so it waited again
    assert kinds.count(["ecs", "wait"]) == 2
    assert ["logs", "get-log-events"] not in kinds


def test_a_failed_job_stops_the_deploy_with_its_exit_code_and_log(
    build: Build, tmp_path: Path
) -> None:
    code, stderr, calls = _deploy(build, tmp_path, "3")
    assert code == 3
    lines = stderr.splitlines()
    assert lines[-3:] == [
        "job migrate: container app exited with 3; the end of its log:",
        "== migrating 20261201_add_orders",
        "PG::DuplicateTable: relation orders already exists",
    ]
    [logs] = [c for c in calls if c[0] == "logs"]
    assert logs[logs.index("--log-group-name") + 1] == "value-of-shop-MigrateJobLogGroup"
    assert logs[logs.index("--log-stream-name") + 1] == "app/app/0123abcd"


def test_a_container_that_never_ran_fails_the_deploy(build: Build, tmp_path: Path) -> None:
    code, stderr, _ = _deploy(build, tmp_path, "None")
    assert code == 1
    assert "container app exited with None" in stderr


def test_job_values_in_deploy_sh_never_become_code(tmp_path: Path) -> None:
    """Every value of a job run reaches ``aws`` as exactly one argument, whatever it holds
    (the stack's name, read back by awk, without a line break)."""
    stack = "s'\"$(touch pwned)`touch pwned`"
    container = "c" + NASTY
    run = deploy_after.JobRun(
        job="m" + NASTY,
        family="f" + NASTY,
        stack=stack,
        region="r" + NASTY,
        outputs={w: w for w in ("Cluster", "TaskDefinitionArn", "Capacity", "LogGroup")},
        containers=(container,),
    )
    script = tmp_path / "deploy.sh"
    script.write_text(deploy.script([], "blueprint.yaml", "", [run]))
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, check=False)
    assert checked.returncode == 0
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    outputs = "".join(f"{w}\tv-{w}\n" for w in run.outputs)
    aws.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(tmp_path / 'calls')!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "if sys.argv[2] == 'describe-stacks':\n"
        f"    sys.stdout.write({outputs!r})\n"
        "if sys.argv[2] == 'run-task':\n"
        "    print('arn:aws:ecs:r:1:task/c/t1')\n"
    )
    aws.chmod(0o755)
    done = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
    )
    assert not list(tmp_path.rglob("pwned"))
    assert done.returncode == 1  # the stand-in reports no exit code
    calls = [json.loads(line) for line in (tmp_path / "calls").read_text().splitlines()]
    [run_task] = [c for c in calls if c[:2] == ["ecs", "run-task"]]
    assert run_task[run_task.index("--region") + 1] == "r" + NASTY
    assert run_task[run_task.index("--cluster") + 1] == "v-Cluster"
    assert run_task[run_task.index("--group") + 1] == "family:f" + NASTY
    [read] = [c for c in calls if c[1] == "describe-stacks"]
    assert read[read.index("--stack-name") + 1] == stack
    [logs] = [c for c in calls if c[0] == "logs"]
    assert logs[logs.index("--log-stream-name") + 1] == f"{container}/{container}/t1"
    assert done.stderr.startswith("Running job m" + NASTY)


def test_the_scheduler_runs_only_this_job_and_passes_only_its_roles(build: Build) -> None:
    resources = _template(build)["Resources"]
    role = resources["NightlyReportJobSchedulerRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {
            "aws:SourceArn": {
                "Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:"
                "schedule-group/default"
            }
        },
    }
    statements = {s["Action"][0]: s for s in role["Policies"][0]["PolicyDocument"]["Statement"]}
    assert sorted(statements) == [
        "ecs:RunTask",
        "ecs:TagResource",
        "iam:PassRole",
        "sqs:SendMessage",
    ]
    assert statements["ecs:RunTask"]["Resource"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:"
            "task-definition/shop-job-nightly-report:*"
        }
    ]
    assert statements["iam:PassRole"]["Resource"] == [
        {"Fn::GetAtt": ["NightlyReportJobExecutionRole", "Arn"]},
        {"Fn::GetAtt": ["NightlyReportJobTaskRole", "Arn"]},
    ]
    assert statements["sqs:SendMessage"]["Resource"] == [
        {"Fn::GetAtt": ["NightlyReportJobDeadLetterQueue", "Arn"]}
    ]
    target = resources["NightlyReportJobSchedule"]["Properties"]["Target"]
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2}
    assert target["EcsParameters"]["TaskDefinitionArn"] == {"Ref": "NightlyReportJobTaskDefinition"}
    # the migration has no schedule, so no schedule, role or queue
    assert not [k for k in resources if k.startswith("MigrateJobSchedule")]
    assert "MigrateJobDeadLetterQueue" not in resources


def test_a_failed_run_of_each_job_reaches_its_own_topic(build: Build) -> None:
    template = _template(build)
    resources = template["Resources"]
    rule = resources["MigrateJobFailureRule"]["Properties"]
    detail = rule["EventPattern"]["detail"]
    assert detail["group"] == ["family:shop-job-migrate"]
    assert detail["lastStatus"] == ["STOPPED"]
    assert {"containers": {"exitCode": [{"anything-but": 0}]}} in detail["$or"]
    assert rule["Targets"][0]["Arn"] == {"Ref": "MigrateJobFailureTopic"}
    [allow] = resources["MigrateJobFailureTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["MigrateJobFailureRule", "Arn"]}}
    }
    topic = resources["NightlyReportJobFailureTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "JobsTopicKey"}
    mails = [r for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    assert [m["Properties"]["Endpoint"] for m in mails] == ["ops@example.com"]
    outputs = template["Outputs"]
    assert outputs["NightlyReportJobFailureTopicArn"]["Value"] == {
        "Ref": "NightlyReportJobFailureTopic"
    }


def test_a_scheduled_job_is_priced_by_its_runs_and_a_deploy_job_per_minute() -> None:
    from generator import cost

    e = cost.estimate(check(BLUEPRINT, BLUEPRINT.name))
    lines = {line.item: line for line in e.lines}
    # cron(0 3 * * ? *): 7 runs a week x 730/168 weeks, 12 minutes each, 0.5 vCPU, 1 GB
    runs = 7 * 730 / 168
    vcpu = lines["nightly-report: Fargate Spot vCPU"]
    assert vcpu.component == "jobs"
    assert vcpu.quantity == pytest.approx(0.5 * runs * 12 / 60)
    assert vcpu.unit_price == pytest.approx(0.05056 * 0.3)
    assert lines["nightly-report: Fargate Spot memory"].quantity == pytest.approx(runs * 12 / 60)
    # run after each deploy, without an estimate: a price per task-minute, not in the total
    migrate = lines["migrate: Fargate task"]
    assert migrate.monthly is None and migrate.unit == "task-minute"
    assert migrate.unit_price == pytest.approx((0.25 * 0.05056 + 0.5 * 0.00553) / 60)
    assert lines["failure topics' KMS key"].monthly == 1.0


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("rate(6 hours)", 730 / 6),
        ("rate(1 day)", 730 / 24),
        ("at(2030-01-01T00:00:00)", 1.0),
        ("cron(0 9 ? * MON-FRI *)", 5 * 730 / 168),
        ("cron(0 3 1 * ? *)", None),  # by day of the month: a week cannot show it
    ],
)
def test_runs_a_month_follow_the_schedule(schedule: str, runs: float | None) -> None:
    from generator.cost.jobs import runs_per_month
    from generator.sections.jobs.model import Job

    job = Job.model_validate({"schedule": schedule, "containers": {"a": {"image": "x:1"}}})
    found, _ = runs_per_month(job)
    assert found == (None if runs is None else pytest.approx(runs))


def test_the_graph_draws_each_job_its_schedule_and_its_topic() -> None:
    from generator import graph

    text = graph.render(check(BLUEPRINT, BLUEPRINT.name))
    assert 'jobs_migrate["ECS job migrate (Fargate)<br/>after each deploy"]' in text
    assert (
        'job_schedules_nightly_report ==>|"run at cron(0 3 * * ? *)"| jobs_nightly_report' in text
    )
    assert 'jobs_migrate ==>|"exit code not 0"| job_topics_migrate' in text
    # in the private subnets, like the service beside them
    private = text.split("subgraph subnets_private")[1].split("end")[0]
    assert "jobs_nightly_report[" in private


def test_a_run_past_its_timeout_is_stopped_however_it_started(build: Build) -> None:
    resources = _template(build)["Resources"]
    rule = resources["NightlyReportJobTimeoutRule"]["Properties"]
    assert rule["EventPattern"]["detail"]["group"] == ["family:shop-job-nightly-report"]
    assert rule["EventPattern"]["detail"]["lastStatus"] == ["RUNNING"]
    assert rule["Targets"][0]["Arn"] == {"Ref": "NightlyReportJobStopper"}
    machine = resources["NightlyReportJobStopper"]["Properties"]
    definition = json.loads(machine["DefinitionString"]["Fn::Sub"])
    assert definition["States"]["Wait"]["Seconds"] == 30 * 60  # timeout_minutes: 30
    stop = definition["States"]["Stop"]
    assert stop["Resource"] == "arn:${AWS::Partition}:states:::aws-sdk:ecs:stopTask"
    assert stop["Parameters"]["Task.$"] == "$.detail.taskArn"
    [allowed] = resources["NightlyReportJobStopperRole"]["Properties"]["Policies"][0][
        "PolicyDocument"
    ]["Statement"]
    assert allowed["Action"] == ["ecs:StopTask"]
    cluster = {"Fn::GetAtt": ["Cluster", "Arn"]}
    assert allowed["Condition"] == {"ArnEquals": {"ecs:cluster": cluster}}
    # the migration has no timeout: no stopper
    assert "MigrateJobStopper" not in resources and "MigrateJobTimeoutRule" not in resources
