"""Jobs: per job its task definition (shared with services, :mod:`generator.render.tasks`),
a security group, a failure topic fed by an EventBridge rule, and either a Scheduler
schedule that runs the task or the outputs deploy.sh runs it with after each deploy.

Why no Step Functions between Scheduler and ECS (as Copilot has): the schedule targets
``ecs:runTask`` directly (``Target.EcsParameters``), so Scheduler's own retry policy and
dead-letter queue cover a launch that fails, and both the failure report and the timeout
start from ECS's task state change events, so they hold for every run, whoever started it
(the schedule, deploy.sh, a person). A state machine as the target would see only the
runs it starts. The timeout (:mod:`.stopper`) is the one thing ECS lacks: a small state
machine that waits and stops the task, started by the run itself.
"""

from __future__ import annotations

import json
from typing import Any

from troposphere import GetAtt, Join, Output, Ref, Sub, ecs, events, kms, scheduler, sns, sqs

from ... import naming
from ...model.containers import OnEc2Capacity
from ...render import iam, scanner, security, tasks
from ...render.context import Context
from . import stopper
from .model import Job


def family(ctx: Context, name: str) -> str:
    return naming.job_family(ctx.bp.name, name)


def render(ctx: Context) -> None:
    if not ctx.bp.jobs:
        return
    key = _topic_key(ctx)
    for name in sorted(ctx.bp.jobs):
        _job(ctx, name, ctx.bp.jobs[name], key)


def _job(ctx: Context, name: str, job: Job, key: kms.Key) -> None:
    origin = ("jobs", name)
    on_ec2 = isinstance(job.placement, OnEc2Capacity)
    ids = tasks.TaskIds(
        naming.job(name, "LogGroup"),
        naming.job(name, "ExecutionRole"),
        naming.job(name, "TaskRole"),
        naming.job(name, "TaskDefinition"),
        family(ctx, name),
    )
    task, log_group = tasks.task_definition(ctx, origin, ids, job, on_ec2)
    network = None
    if not on_ec2:
        group = security.entry_group(
            ctx,
            origin,
            naming.job(name, "SecurityGroup"),
            f"Tasks of job {name} of {ctx.bp.name}",
            egress_anywhere=True,
        )
        network = tasks.network_configuration(ctx, job, group)
    strategy = tasks.capacity_strategy(ctx, job)
    _failures(ctx, name, job, key)
    stopper.render(ctx, name, job, family(ctx, name))
    if job.schedule is not None:
        _schedule(ctx, name, job, task, strategy, network)
    if job.run == "after_deploy":
        _run_outputs(ctx, name, task, log_group, strategy, network)


def _topic_key(ctx: Context) -> kms.Key:
    """One key for every job's failure topic. EventBridge publishes to an encrypted topic
    only if the key's policy lets it use the key, which an AWS managed key's policy never
    does (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification)."""
    root = Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Account",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "EventBridgePublishes",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
            },
        ],
    }
    return ctx.add(
        kms.Key(
            naming.JOBS_TOPIC_KEY,
            Description=f"{ctx.bp.name}: encrypts the jobs' failure topics",
            EnableKeyRotation=True,
            KeyPolicy=policy,
            # It guards notices in flight, not data: it goes with the stack.
            DeletionPolicy="Delete",
            UpdateReplacePolicy="Delete",
        ),
        ("jobs",),
    )


def _failures(ctx: Context, name: str, job: Job, key: kms.Key) -> None:
    """A run that stops with a container's non-zero exit code, or that never started, is
    published to the job's topic. EventBridge matches a value in an array when any
    element matches, so ``anything-but: 0`` on ``containers[].exitCode`` catches any
    container that failed
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)."""
    origin = ("jobs", name)
    topic = ctx.add(
        sns.Topic(naming.job(name, "FailureTopic"), KmsMasterKeyId=Ref(key)), (*origin, "notify")
    )
    rule = _failure_rule(ctx, name, topic)
    ctx.add(
        sns.TopicPolicy(
            naming.job(name, "FailureTopicPolicy"),
            Topics=[Ref(topic)],
            PolicyDocument={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": Ref(topic),
                        "Condition": {"ArnEquals": {"aws:SourceArn": GetAtt(rule, "Arn")}},
                    }
                ],
            },
        ),
        origin,
    )
    for address in sorted(set(job.notify)):
        ctx.add(
            sns.SubscriptionResource(
                naming.job_subscription(name, address),
                Protocol="email",
                Endpoint=address,
                TopicArn=Ref(topic),
            ),
            (*origin, "notify"),
        )
    ctx.output(
        Output(
            naming.job(name, "FailureTopicArn"),
            Description=f"Subscribe here to hear of failed runs of job {name}",
            Value=Ref(topic),
        ),
        origin,
    )


def _failure_rule(ctx: Context, name: str, topic: sns.Topic) -> events.Rule:
    """The rule that sends the job's failed runs to its topic, as one line of text."""
    origin = ("jobs", name)
    pattern = {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "clusterArn": [GetAtt(ctx.cluster.cluster, "Arn")],
            "group": [f"family:{family(ctx, name)}"],
            "lastStatus": ["STOPPED"],
            # An exit code other than 0; a task that never started; a run stopped by its
            # timeout (the stopper's reason) or by a Fargate Spot interruption, either of
            # which may exit 0 on SIGTERM with its work undone (ECS TaskStopCode values).
            "$or": [
                {"containers": {"exitCode": [{"anything-but": 0}]}},
                {"stopCode": ["TaskFailedToStart", "SpotInterruption"]},
                {
                    "stopCode": ["UserInitiated"],
                    "stoppedReason": [{"prefix": f"job {name} ran past its timeout"}],
                },
            ],
        },
    }
    message = f"Job {name} of {ctx.bp.name} failed: task <task> stopped (<reason>)"
    rule = ctx.add(
        events.Rule(
            naming.job(name, "FailureRule"),
            Description=f"Runs of job {name} that fail",
            EventPattern=pattern,
            State="ENABLED",
            Targets=[
                events.Target(
                    Id="failure-topic",
                    Arn=Ref(topic),
                    InputTransformer=events.InputTransformer(
                        InputPathsMap={
                            "task": "$.detail.taskArn",
                            "reason": "$.detail.stoppedReason",
                        },
                        InputTemplate=json.dumps(message),
                    ),
                )
            ],
        ),
        origin,
    )
    return rule


def _schedule(
    ctx: Context,
    name: str,
    job: Job,
    task: ecs.TaskDefinition,
    strategy: list[ecs.CapacityProviderStrategyItem],
    network: ecs.NetworkConfiguration | None,
) -> None:
    """EventBridge Scheduler runs the task itself (the ECS RunTask target), retries a
    launch that fails, and sends one still failing to the job's dead-letter queue."""
    origin = ("jobs", name)
    queue = sqs.Queue(
        naming.job(name, "DeadLetterQueue"),
        MessageRetentionPeriod=14 * 24 * 3600,
        SqsManagedSseEnabled=True,
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
    )
    scanner.skip(queue, "queue-sse-sqs")
    dead_letters = ctx.add(queue, (*origin, "schedule"))
    role = iam.role(
        ctx,
        naming.job(name, "SchedulerRole"),
        "scheduler.amazonaws.com",
        _scheduler_statements(ctx, name, task, dead_letters),
        (*origin, "schedule"),
        # as the schedules section's role: the schedule is in the default group
        source_arn=iam.arn("scheduler", "schedule-group/default"),
    )
    parameters = _ecs_parameters(ctx, name, task, strategy, network)
    assert job.schedule is not None
    ctx.add(
        scheduler.Schedule(
            naming.job(name, "Schedule"),
            Description=f"Runs job {name}",
            ScheduleExpression=job.schedule,
            ScheduleExpressionTimezone=job.timezone,
            FlexibleTimeWindow=scheduler.FlexibleTimeWindow(Mode="OFF"),
            State="ENABLED" if job.enabled else "DISABLED",
            Target=scheduler.Target(
                Arn=GetAtt(ctx.cluster.cluster, "Arn"),
                RoleArn=GetAtt(role, "Arn"),
                EcsParameters=parameters,
                RetryPolicy=scheduler.RetryPolicy(
                    MaximumRetryAttempts=job.retries,
                    MaximumEventAgeInSeconds=job.retry_window_minutes * 60,
                ),
                DeadLetterConfig=scheduler.DeadLetterConfig(Arn=GetAtt(dead_letters, "Arn")),
            ),
        ),
        (*origin, "schedule"),
    )


def _ecs_parameters(
    ctx: Context,
    name: str,
    task: ecs.TaskDefinition,
    strategy: list[ecs.CapacityProviderStrategyItem],
    network: ecs.NetworkConfiguration | None,
) -> scheduler.EcsParameters:
    """The task Scheduler runs: the job's definition, capacity and network, its runs in
    the job's group, tagged like the task definition."""
    parameters = scheduler.EcsParameters(
        TaskDefinitionArn=Ref(task),
        TaskCount=1,
        Group=f"family:{family(ctx, name)}",
        CapacityProviderStrategy=[
            scheduler.CapacityProviderStrategyItem(
                CapacityProvider=s.CapacityProvider, Base=s.Base, Weight=s.Weight
            )
            for s in strategy
        ],
        EnableECSManagedTags=True,
        PropagateTags="TASK_DEFINITION",
    )
    if network is not None:
        vpc = network.AwsvpcConfiguration
        parameters.NetworkConfiguration = scheduler.NetworkConfiguration(
            AwsvpcConfiguration=scheduler.AwsVpcConfiguration(
                AssignPublicIp=vpc.AssignPublicIp,
                Subnets=vpc.Subnets,
                SecurityGroups=vpc.SecurityGroups,
            )
        )
    return parameters


def _scheduler_statements(
    ctx: Context, name: str, task: ecs.TaskDefinition, dead_letters: sqs.Queue
) -> list[dict[str, Any]]:
    """Run this job's family in this cluster, pass its two roles to ECS, tag the tasks it
    starts, and write a failed launch to the job's queue, which Scheduler does with the
    schedule's role (https://docs.aws.amazon.com/scheduler/latest/UserGuide/
    configuring-schedule-dlq.html; https://docs.aws.amazon.com/AmazonECS/latest/
    developerguide/CWE_IAM_role.html)."""
    cluster_arn = GetAtt(ctx.cluster.cluster, "Arn")
    run = iam.statement(["ecs:RunTask"], [iam.arn("ecs", f"task-definition/{family(ctx, name)}:*")])
    run["Condition"] = {"ArnEquals": {"ecs:cluster": cluster_arn}}
    passing = iam.statement(["iam:PassRole"], [task.ExecutionRoleArn, task.TaskRoleArn])
    passing["Condition"] = {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    tag = iam.statement(
        ["ecs:TagResource"],
        [
            Sub(
                "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${Cluster}/*",
                Cluster=Ref(ctx.cluster.cluster),
            )
        ],
    )
    tag["Condition"] = {"StringEquals": {"ecs:CreateAction": "RunTask"}}
    send = iam.statement(["sqs:SendMessage"], [GetAtt(dead_letters, "Arn")])
    return [run, passing, tag, send]


def _run_outputs(
    ctx: Context,
    name: str,
    task: ecs.TaskDefinition,
    log_group: Any,
    strategy: list[ecs.CapacityProviderStrategyItem],
    network: ecs.NetworkConfiguration | None,
) -> None:
    """What deploy.sh reads to run the job after the deploy: the cluster, the task
    definition, the capacity and network as the CLI takes them (JSON), the log group."""
    origin = ("jobs", name)
    shares = [
        Sub(
            f'{{"capacityProvider":"${{Provider}}","base":{s.Base},"weight":{s.Weight}}}',
            Provider=s.CapacityProvider,
        )
        for s in strategy
    ]
    values: dict[str, Any] = {
        "Cluster": Ref(ctx.cluster.cluster),
        "TaskDefinitionArn": Ref(task),
        "Capacity": Join("", ["[", Join(",", shares), "]"]),
        "LogGroup": Ref(log_group),
    }
    if network is not None:
        vpc = network.AwsvpcConfiguration
        values["Network"] = Sub(
            '{"awsvpcConfiguration":{"subnets":["${Subnets}"],"securityGroups":["${Group}"],'
            f'"assignPublicIp":"{vpc.AssignPublicIp}"}}}}',
            Subnets=Join('","', vpc.Subnets),
            Group=vpc.SecurityGroups[0],
        )
    for what, value in values.items():
        ctx.output(
            Output(
                naming.job(name, what),
                Description=f"Job {name}: read by deploy.sh to run it after the deploy",
                Value=value,
            ),
            origin,
        )
