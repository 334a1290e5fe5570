"""Checks on the rendered stacks: the step between render and serialize.

Each check is a small function that takes the rendered stacks and returns located issues;
:func:`check_stacks` runs them in the order of :data:`CHECKS`. They find what only the
rendered templates show: a security group past AWS's rule quota, a stack past
CloudFormation's, a pinned logical ID that names nothing or one taken.
"""

from __future__ import annotations

from collections.abc import Callable

from . import pinning, split
from .codes import Code
from .errors import Issue, suggest
from .rendered import Rendered, Template
from .template import target

#: AWS's default quota of inbound, and of outbound, rules in one security group.
RULES_PER_GROUP = 60

#: A rule that names a prefix list counts as that list's maximum entries: blueprint names
#: only CloudFront's origin-facing list, whose weight is 55
#: (https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html).
PREFIX_LIST_WEIGHT = 55

_DIRECTION = {
    "AWS::EC2::SecurityGroupIngress": "inbound",
    "AWS::EC2::SecurityGroupEgress": "outbound",
}


def group_rules(rendered: Rendered) -> list[Issue]:
    """No security group gets more inbound or outbound rules than AWS allows; the rule
    past the quota is reported at the entry that made it. Counted in each template
    before it is split, where a rule and its group are in one place."""
    return [issue for t in rendered.templates for issue in _group_rules(t)]


def _group_rules(template: Template) -> list[Issue]:
    resources = template.data.get("Resources", {})
    counts: dict[tuple[str, str], int] = {}
    for name, body in resources.items():
        if body["Type"] == "AWS::EC2::SecurityGroup":
            props = body.get("Properties", {})
            counts[(name, "inbound")] = len(props.get("SecurityGroupIngress", []))
            counts[(name, "outbound")] = len(props.get("SecurityGroupEgress", []))
    issues = []
    for name, body in resources.items():
        direction = _DIRECTION.get(body["Type"])
        props = body.get("Properties", {})
        group = target(props.get("GroupId"))
        if direction is None or group is None or (group.name, direction) not in counts:
            continue
        before = counts[(group.name, direction)]
        weight = PREFIX_LIST_WEIGHT if "SourcePrefixListId" in props else 1
        counts[(group.name, direction)] += weight
        if before <= RULES_PER_GROUP < counts[(group.name, direction)]:
            issues.append(
                Issue(
                    template.origins.get(name, ()),
                    f"security group {group.name} would have more than {RULES_PER_GROUP} "
                    f"{direction} rules, AWS's quota for one group; spread the entries that "
                    "reach it (for a load balancer: its routes) over more of them"
                    + (
                        f" (a rule that admits CloudFront's prefix list counts as {weight})"
                        if weight > 1
                        else ""
                    ),
                    code=Code.SECURITY_GROUP_RULES_TOO_MANY,
                    at_key=True,
                )
            )
    return issues


def limits(rendered: Rendered) -> list[Issue]:
    """Each stack stays below CloudFormation's quotas, with headroom; a stack over one is
    reported at the entry that made its first resource (or output) past the limit."""
    issues = []
    for stack in rendered.stacks:
        counts = (
            ("resources", list(stack.data.get("Resources", {})), split.MAX_RESOURCES, "500"),
            ("parameters", list(stack.data.get("Parameters", {})), split.MAX_PARAMETERS, "200"),
            ("outputs", list(stack.data.get("Outputs", {})), split.MAX_OUTPUTS, "200"),
        )
        for what, names, limit, quota in counts:
            if len(names) > limit:
                issues.append(
                    Issue(
                        stack.origins.get(names[limit], ()),
                        f"stack {stack.name} would hold {len(names)} {what}; blueprint keeps "
                        f"a stack at {limit} or fewer (CloudFormation's quota is {quota}). "
                        "Each service has a stack of its own; the main stack holds every "
                        "other entry: move some of them to a blueprint of their own",
                        code=Code.STACK_LIMIT,
                        at_key=True,
                    )
                )
        size = len(stack.text.encode())
        if size > split.MAX_BYTES:
            issues.append(
                Issue(
                    (),
                    f"stack {stack.name}'s template would be {size:,} bytes; blueprint keeps a "
                    f"template at {split.MAX_BYTES:,} or fewer (CloudFormation's quota is 1 MB)",
                    code=Code.STACK_LIMIT,
                )
            )
    return issues


def pins(rendered: Rendered) -> list[Issue]:
    """Each pin must name a resource the build makes, and move it onto an ID that nothing
    else has, takes or frees (:func:`generator.pinning.conflicts`): a pin never overwrites
    a resource."""
    return [_pin_issue(c, rendered.made) for c in pinning.conflicts(rendered.pins, rendered.made)]


def _pin_issue(conflict: pinning.Conflict, made: frozenset[str]) -> Issue:
    new, old, other = conflict.new, conflict.old, conflict.other
    where = ("logical_ids", new)
    if conflict.why is pinning.Why.UNKNOWN:
        if old in made:
            hint = f"; '{old}' is one: a pin is {{NewId: OldId}}, here {{{old}: {new}}}"
        else:
            hint = suggest(new, made)
        message = f"no resource has the logical ID '{new}'{hint}"
        return Issue(where, message, code=Code.LOGICAL_ID_UNKNOWN, at_key=True)
    if conflict.why is pinning.Why.SHARED:
        message = (
            f"'{old}' is kept by logical_ids.{other} too; one ID names one resource: remove "
            "one of the pins"
        )
        return Issue(where, message, code=Code.LOGICAL_ID_PINNED_TWICE)
    if conflict.why is pinning.Why.CHAINED:
        message = (
            f"'{old}' is itself pinned away, by logical_ids.{other}; a pin cannot take an ID "
            "another pin frees (chains and swaps are refused): pin to an ID no resource and no "
            "other pin uses"
        )
        return Issue(where, message, code=Code.LOGICAL_ID_PIN_CHAIN)
    message = f"'{old}' is already the ID of another resource; pin to an ID no resource uses"
    return Issue(where, message, code=Code.LOGICAL_ID_TAKEN)


#: The checks, in the order they run.
CHECKS: tuple[Callable[[Rendered], list[Issue]], ...] = (group_rules, limits, pins)


def check_stacks(rendered: Rendered) -> list[Issue]:
    """Every issue every check in :data:`CHECKS` finds (none: the stacks may be
    serialized); the checks are independent, so one finding hides no other."""
    return [issue for check in CHECKS for issue in check(rendered)]
