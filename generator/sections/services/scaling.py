"""Application Auto Scaling of a service's task count: its scalable target, with a scheduled
action for each schedule that sets its range, and one target-tracking policy per target.

The service's template carries no ``DesiredCount`` then (see ``render._service``): the
scalable target owns the count. Registering it moves the count into ``[min, max]``
(https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html),
so the first deploy runs ``min`` tasks (at least the 1 CloudFormation starts a new service
with, which a policy then scales in when ``min`` is 0).
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Sub
from troposphere import applicationautoscaling as aas

from ... import naming
from ...render.context import Context
from ..load_balancers.model import RouteTarget, ToService
from . import backlog
from .model import Scaling

#: The service-linked role of Application Auto Scaling for ECS: naming it lets the scalable
#: target create it when the account lacks it; no role of our own is needed
#: (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html).
_SERVICE_LINKED_ROLE = (
    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
    "ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
)

#: Each target of ``scaling`` -> the predefined metric it tracks
#: (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredefinedMetricSpecification.html).
METRICS = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests_per_target": "ALBRequestCountPerTarget",
}


def render(
    ctx: Context,
    name: str,
    scaling: Scaling,
    service: aas.AWSObject,
    routes: list[tuple[RouteTarget, ToService]],
) -> None:
    """The scalable target of service ``name`` and its policies."""
    origin = ("services", name, "scaling")
    target = aas.ScalableTarget(
        naming.scalable_target(name),
        MinCapacity=scaling.min,
        MaxCapacity=scaling.max,
        ResourceId=Sub(
            "service/${Cluster}/${Service}",
            Cluster=Ref(ctx.cluster.cluster),
            Service=GetAtt(service, "Name"),
        ),
        RoleARN=Sub(_SERVICE_LINKED_ROLE),
        ScalableDimension="ecs:service:DesiredCount",
        ServiceNamespace="ecs",
    )
    actions = _scheduled_actions(ctx, name)
    if actions:
        target.ScheduledActions = actions
    ctx.add(target, origin)
    for metric, value in scaling.targets.items():
        if metric == "messages_per_task":
            backlog.render(ctx, name, scaling, target, service)
            continue
        if metric != "requests_per_target":
            _policy(ctx, name, scaling, target, metric, value)
            continue
        # One policy per route: each target group counts its own requests per target.
        for t, _ in routes:
            lb = ctx.load_balancers[t.lb]
            label = Sub(
                "${LoadBalancer}/${TargetGroup}",
                LoadBalancer=lb.full_name,
                TargetGroup=GetAtt(lb.target_groups[t.key], "TargetGroupFullName"),
            )
            _policy(ctx, name, scaling, target, metric, value, (t.lb, t.key), label)


def _scheduled_actions(ctx: Context, name: str) -> list[aas.ScheduledAction]:
    """The schedules that set this service's range, as scheduled actions in their time zone.
    Application Auto Scaling has no disabled action: a disabled schedule is left out."""
    return [
        aas.ScheduledAction(
            ScheduledActionName=key,
            Schedule=sched.expression,
            Timezone=sched.timezone,
            ScalableTargetAction=aas.ScalableTargetAction(
                MinCapacity=sched.min, MaxCapacity=sched.max
            ),
        )
        for key, sched in sorted(ctx.bp.schedules.items())
        if sched.service == name and sched.enabled
    ]


def _policy(
    ctx: Context,
    name: str,
    scaling: Scaling,
    target: aas.ScalableTarget,
    metric: str,
    value: int,
    route: tuple[str, str] = ("", ""),
    label: Sub | None = None,
) -> None:
    spec = aas.PredefinedMetricSpecification(PredefinedMetricType=METRICS[metric])
    if label is not None:
        spec.ResourceLabel = label
    suffix = "-".join(p for p in (*route, metric.replace("_", "-")) if p)
    ctx.add(
        aas.ScalingPolicy(
            naming.scaling_policy(name, metric, *route),
            PolicyName=f"{ctx.bp.name}-{name}-{suffix}",
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(target),
            TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                PredefinedMetricSpecification=spec,
                TargetValue=value,
                ScaleInCooldown=scaling.scale_in_cooldown_seconds,
                ScaleOutCooldown=scaling.scale_out_cooldown_seconds,
            ),
        ),
        ("services", name, "scaling", metric),
    )
