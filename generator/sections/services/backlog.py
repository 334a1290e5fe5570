"""Scaling a worker on the backlog of its queue: a target-tracking policy on the queue's
visible messages divided by the service's running tasks (metric math), and, for a service
that may scale to 0 tasks, a step-scaling policy that starts the first task.

The backlog per task is AWS's own pattern: ``ApproximateNumberOfMessagesVisible`` (AWS/SQS)
divided by ``RunningTaskCount`` (ECS/ContainerInsights, on: the cluster enables Container
Insights), tracked through a ``CustomizedMetricSpecification`` with ``Metrics``
(https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-applicationautoscaling-scalingpolicy-targettrackingmetricdataquery.html).

At 0 tasks the division has no value, and target tracking does not act without data
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html):
it would scale a worker in to 0 and never out again. So, beside it, an alarm of our own
goes off while messages wait and no task runs, and its step-scaling policy adds one task
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-stepscaling.html);
from there target tracking has data again. The alarm looks at the running tasks too,
rather than at the messages alone, so it never competes with target tracking.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref
from troposphere import applicationautoscaling as aas
from troposphere import cloudwatch as cw

from ... import naming
from ...render.context import Context
from .model import Scaling

#: Seconds after the first task is added from 0 before another may be: a Fargate start
#: and the first Container Insights data point both fit in it.
FROM_ZERO_COOLDOWN_SECONDS = 300


#: One minute: SQS and Container Insights publish these metrics each minute.
_PERIOD = 60


#: A CloudWatch metric: its namespace, name and dimensions.
Metric = tuple[str, str, list[tuple[str, object]]]


def _queue_metric(ctx: Context, queue: str) -> Metric:
    dims: list[tuple[str, object]] = [("QueueName", GetAtt(ctx.queues[queue], "QueueName"))]
    return ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims)


def _tasks_metric(ctx: Context, service: aas.AWSObject) -> Metric:
    dims = [("ClusterName", Ref(ctx.cluster.cluster)), ("ServiceName", GetAtt(service, "Name"))]
    return ("ECS/ContainerInsights", "RunningTaskCount", dims)


def render(
    ctx: Context,
    name: str,
    scaling: Scaling,
    target: aas.ScalableTarget,
    service: aas.AWSObject,
) -> None:
    """The backlog policies of service ``name``, whose ``scaling`` has a queue."""
    assert scaling.queue is not None and scaling.messages_per_task is not None
    origin = ("services", name, "scaling", "queue")
    messages, tasks = _queue_metric(ctx, scaling.queue), _tasks_metric(ctx, service)

    ctx.add(
        aas.ScalingPolicy(
            naming.scaling_policy(name, "messages_per_task"),
            PolicyName=f"{ctx.bp.name}-{name}-messages-per-task",
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(target),
            TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                CustomizedMetricSpecification=aas.CustomizedMetricSpecification(
                    Metrics=[
                        _tracking_query("messages", messages, "Sum"),
                        _tracking_query("tasks", tasks, "Average"),
                        aas.TargetTrackingMetricDataQuery(
                            Id="backlog",
                            Expression="messages / tasks",
                            Label="Visible messages per running task",
                            ReturnData=True,
                        ),
                    ]
                ),
                TargetValue=scaling.messages_per_task,
                ScaleInCooldown=scaling.scale_in_cooldown_seconds,
                ScaleOutCooldown=scaling.scale_out_cooldown_seconds,
            ),
        ),
        origin,
    )
    if scaling.min == 0:
        _from_zero(ctx, name, scaling, target, messages, tasks)


def _from_zero(
    ctx: Context,
    name: str,
    scaling: Scaling,
    target: aas.ScalableTarget,
    messages: Metric,
    tasks: Metric,
) -> None:
    """Add a task while messages wait and none runs: ``ChangeInCapacity`` +1, so an alarm
    still going off after the first task started adds one more at most, which target
    tracking then scales in, rather than setting a count below what it chose."""
    origin = ("services", name, "scaling", "min")
    policy = ctx.add(
        aas.ScalingPolicy(
            naming.scaling_policy(name, "from_zero"),
            PolicyName=f"{ctx.bp.name}-{name}-from-zero",
            PolicyType="StepScaling",
            ScalingTargetId=Ref(target),
            StepScalingPolicyConfiguration=aas.StepScalingPolicyConfiguration(
                AdjustmentType="ChangeInCapacity",
                # Long enough for a Fargate task to start and be counted: a shorter one
                # adds a second task for the same waiting message.
                Cooldown=max(scaling.scale_out_cooldown_seconds, FROM_ZERO_COOLDOWN_SECONDS),
                MetricAggregationType="Maximum",
                StepAdjustments=[
                    aas.StepAdjustment(MetricIntervalLowerBound=0, ScalingAdjustment=1)
                ],
            ),
        ),
        origin,
    )

    ctx.add(
        cw.Alarm(
            naming.scaling_alarm(name, "from_zero"),
            AlarmDescription=f"Messages wait in queue {scaling.queue} and no task of {name} runs",
            Metrics=[
                _alarm_query("messages", messages, "Sum"),
                _alarm_query("tasks", tasks, "Average"),
                # Container Insights may publish nothing for a service at 0 tasks: FILL
                # reads a missing value as 0 tasks.
                cw.MetricDataQuery(
                    Id="waiting",
                    Expression="IF(FILL(tasks, 0) < 1, messages, 0)",
                    Label="Visible messages while no task runs",
                    ReturnData=True,
                ),
            ],
            ComparisonOperator="GreaterThanThreshold",
            Threshold=0,
            EvaluationPeriods=1,
            TreatMissingData="notBreaching",
            AlarmActions=[Ref(policy)],
        ),
        origin,
    )


def _alarm_query(id_: str, metric: Metric, stat: str) -> cw.MetricDataQuery:
    namespace, metric_name, dims = metric
    return cw.MetricDataQuery(
        Id=id_,
        MetricStat=cw.MetricStat(
            Metric=cw.Metric(
                Namespace=namespace,
                MetricName=metric_name,
                Dimensions=[cw.MetricDimension(Name=k, Value=v) for k, v in dims],
            ),
            Period=_PERIOD,
            Stat=stat,
        ),
        ReturnData=False,
    )


def _tracking_query(id_: str, metric: Metric, stat: str) -> aas.TargetTrackingMetricDataQuery:
    namespace, metric_name, dims = metric
    return aas.TargetTrackingMetricDataQuery(
        Id=id_,
        MetricStat=aas.TargetTrackingMetricStat(
            Metric=aas.TargetTrackingMetric(
                Namespace=namespace,
                MetricName=metric_name,
                Dimensions=[aas.TargetTrackingMetricDimension(Name=k, Value=v) for k, v in dims],
            ),
            Stat=stat,
        ),
        ReturnData=False,
    )
