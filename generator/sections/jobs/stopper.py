"""Jobs' timeout: a run still going after ``timeout_minutes`` is stopped.

ECS ``RunTask`` has no timeout of its own. When a run of the job starts (an ECS task state
change to RUNNING, whoever started it), an EventBridge rule starts a Standard Step
Functions execution that waits the timeout and then calls ``ecs:stopTask`` on that task:
no code, nothing running between runs, and a stopped run exits non-zero (SIGTERM, then
SIGKILL), so the failure rule reports it. A run that ended before is left alone (stopping
a stopped task is caught and ignored).
"""

from __future__ import annotations

import json

from troposphere import AWSObject, GetAtt, Ref, Sub, events, stepfunctions

from ... import naming
from ...errors import Path
from ...render import iam
from ...render.context import Context
from .model import Job


def render(ctx: Context, name: str, job: Job, family: str) -> None:
    if job.timeout_minutes is None:
        return
    origin = ("jobs", name, "timeout_minutes")
    reason = f"job {name} ran past its timeout of {job.timeout_minutes} minutes"
    definition = {
        "Comment": f"Stops a run of job {name} still going after {job.timeout_minutes} minutes",
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": job.timeout_minutes * 60, "Next": "Stop"},
            "Stop": {
                "Type": "Task",
                "Resource": "arn:${AWS::Partition}:states:::aws-sdk:ecs:stopTask",
                "Parameters": {
                    "Cluster.$": "$.detail.clusterArn",
                    "Task.$": "$.detail.taskArn",
                    "Reason": reason,
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Ended"}],
                "End": True,
            },
            "Ended": {"Type": "Succeed"},
        },
    }
    role = _stopper_role(ctx, name, origin)
    machine = stepfunctions.StateMachine(
        naming.job(name, "Stopper"),
        StateMachineType="STANDARD",
        DefinitionString=Sub(json.dumps(definition, sort_keys=True)),
        RoleArn=GetAtt(role, "Arn"),
    )
    machine = ctx.add(machine, origin)
    starter = iam.role(
        ctx,
        naming.job(name, "TimeoutRuleRole"),
        "events.amazonaws.com",
        [iam.statement(["states:StartExecution"], [Ref(machine)])],
        origin,
        # EventBridge sends the rule's ARN; the rule's name is CloudFormation's to choose
        source_arn=iam.arn("events", "rule/*"),
    )
    ctx.add(
        events.Rule(
            naming.job(name, "TimeoutRule"),
            Description=f"Runs of job {name} that start: stopped after {job.timeout_minutes} min",
            EventPattern={
                "source": ["aws.ecs"],
                "detail-type": ["ECS Task State Change"],
                "detail": {
                    "clusterArn": [GetAtt(ctx.cluster.cluster, "Arn")],
                    "group": [f"family:{family}"],
                    "lastStatus": ["RUNNING"],
                    "desiredStatus": ["RUNNING"],
                },
            },
            State="ENABLED",
            Targets=[events.Target(Id="stopper", Arn=Ref(machine), RoleArn=GetAtt(starter, "Arn"))],
        ),
        origin,
    )


def _stopper_role(ctx: Context, name: str, origin: Path) -> AWSObject:
    """Stop tasks of this cluster, and nothing else."""
    tasks_arn = Sub(
        "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${Cluster}/*",
        Cluster=Ref(ctx.cluster.cluster),
    )
    stop = iam.statement(["ecs:StopTask"], [tasks_arn])
    stop["Condition"] = {"ArnEquals": {"ecs:cluster": GetAtt(ctx.cluster.cluster, "Arn")}}
    return iam.role(ctx, naming.job(name, "StopperRole"), "states.amazonaws.com", [stop], origin)
