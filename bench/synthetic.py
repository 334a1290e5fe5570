"""Synthetic blueprints of N services, for the scale rows of the benchmark and the
growth test.

Each service has its own target group and host rule on a load balancer, its own task
definition, service, log group and roles; the services are spread over as many load
balancers as the quotas need. The tightest is the load balancer's security group: one
outbound rule per service it reaches, at most 60 rules a group (100 target groups and 100
listener rules come later), so 50 services a load balancer, for headroom.

A service's load balancer and rule priority follow from its own number, not from its
position in the file, so removing one changes nothing about the others.
"""

from __future__ import annotations

from collections.abc import Collection

SERVICES_PER_LOAD_BALANCER = 50


def name(number: int) -> str:
    return f"svc{number:03d}"


def blueprint(services: int, without: Collection[int] = ()) -> str:
    """The blueprint of services 0 .. ``services`` - 1, leaving out the ``without`` ones."""
    numbers = [n for n in range(services) if n not in without]
    lines = [
        "name: scale",
        "region: ap-northeast-1",
        "network: {cidr: 10.0.0.0/16, azs: 2, nat: single}",
        "zones:",
        "  main: {domain: example.com, existing_id: Z0123456789ABCDEFGHIJ}",
        "certificates:",
        "  wild: {domain: '*.example.com'}",
        "load_balancers:",
    ]
    balancers = sorted({n // SERVICES_PER_LOAD_BALANCER for n in numbers})
    for lb in balancers:
        lines += [f"  lb{lb}:", "    certificate: wild", "    routes:"]
        # explicit priorities: with this many routes, hashed default priorities can collide
        lines += [
            f"      - {{service: {name(n)}, hosts: [{name(n)}.example.com], "
            f"priority: {n % SERVICES_PER_LOAD_BALANCER + 1}}}"
            for n in numbers
            if n // SERVICES_PER_LOAD_BALANCER == lb
        ]
    lines.append("services:")
    for n in numbers:
        lines += [
            f"  {name(n)}:",
            "    containers:",
            f"      app: {{image: 'example/{name(n)}:1.0', port: 8080}}",
        ]
    return "\n".join(lines) + "\n"
