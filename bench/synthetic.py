"""Synthetic blueprints of N services, for the scale rows of the benchmark.

Each service has its own target group and host rule on a load balancer, its own task
definition, service, log group and roles; the services are spread over as many load
balancers as the quotas need (at most 100 rules on a listener, 100 target groups on a
load balancer: 90 routes each, for headroom).
"""

from __future__ import annotations

ROUTES_PER_LOAD_BALANCER = 90


def blueprint(services: int) -> str:
    lines = [
        f"name: scale{services}",
        "region: ap-northeast-1",
        "network: {cidr: 10.0.0.0/16, azs: 2, nat: single}",
        "zones:",
        "  main: {domain: example.com, existing_id: Z0123456789ABCDEFGHIJ}",
        "certificates:",
        "  wild: {domain: '*.example.com'}",
        "load_balancers:",
    ]
    names = [f"svc{i:03d}" for i in range(services)]
    groups = [
        names[i : i + ROUTES_PER_LOAD_BALANCER]
        for i in range(0, len(names), ROUTES_PER_LOAD_BALANCER)
    ]
    for index, group in enumerate(groups):
        lines += [f"  lb{index}:", "    certificate: wild", "    routes:"]
        # explicit priorities: with ~90 routes, the hashed default priorities can collide
        lines += [
            f"      - {{service: {n}, hosts: [{n}.example.com], priority: {i + 1}}}"
            for i, n in enumerate(group)
        ]
    lines.append("services:")
    for n in names:
        lines += [
            f"  {n}:",
            "    containers:",
            f"      app: {{image: 'example/{n}:1.0', port: 8080}}",
        ]
    return "\n".join(lines) + "\n"
