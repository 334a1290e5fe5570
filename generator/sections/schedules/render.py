"""EventBridge Scheduler schedules that set a service's desired count.

The target is the universal ``aws-sdk:ecs:updateService`` target, so no Lambda
function is needed; each scheduled service gets one role allowed to update it alone.
A schedule on a service with ``scaling`` is not made here: it sets that service's range,
as a scheduled action of its scalable target (``services/scaling.py``).
"""

from __future__ import annotations

import json

from troposphere import GetAtt, Ref, Sub, scheduler

from ... import naming
from ...render import iam
from ...render.context import Context

_UPDATE_SERVICE = "arn:${AWS::Partition}:scheduler:::aws-sdk:ecs:updateService"


def render(ctx: Context) -> None:
    schedules = {
        k: s for k, s in ctx.bp.schedules.items() if ctx.bp.services[s.service].scaling is None
    }
    roles = {}
    for service in sorted({s.service for s in schedules.values()}):
        handle = ctx.services[service]
        roles[service] = iam.role(
            ctx,
            naming.scheduler_role(service),
            "scheduler.amazonaws.com",
            [iam.statement(["ecs:UpdateService"], [Ref(handle.service)])],
            ("services", service),
            # Scheduler sends the schedule group's ARN; these schedules are in the default
            # group (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html).
            source_arn=iam.arn("scheduler", "schedule-group/default"),
        )
    for name in sorted(schedules):
        sched = schedules[name]
        cluster = Ref(ctx.cluster.cluster)
        handle = ctx.services[sched.service]
        body = json.dumps(
            {"Cluster": "${Cluster}", "Service": "${Service}", "DesiredCount": sched.desired_count},
            sort_keys=True,
        )
        ctx.add(
            scheduler.Schedule(
                naming.schedule(name),
                Description=f"{name}: set {sched.service} to {sched.desired_count} task(s)",
                ScheduleExpression=sched.expression,
                ScheduleExpressionTimezone=sched.timezone,
                FlexibleTimeWindow=scheduler.FlexibleTimeWindow(Mode="OFF"),
                State="ENABLED" if sched.enabled else "DISABLED",
                Target=scheduler.Target(
                    Arn=Sub(_UPDATE_SERVICE),
                    RoleArn=GetAtt(roles[sched.service], "Arn"),
                    Input=Sub(
                        body,
                        Cluster=cluster,
                        Service=GetAtt(handle.service, "Name"),
                    ),
                    RetryPolicy=scheduler.RetryPolicy(
                        MaximumRetryAttempts=3, MaximumEventAgeInSeconds=3600
                    ),
                ),
            ),
            ("schedules", name),
        )
