"""Queues end to end: what the templates hold for a queue and for who uses it, which
stack holds what, and what diff, cost and graph make of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator import cost, diff, facts, graph
from generator.pipeline import Build, check, render

Data = dict[str, Any]

CODE = {"s3_bucket": "shop-artifacts", "s3_key": "fn.zip"}
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:1.0.0"


def _blueprint(region: str = "us-east-1", **queue: Any) -> Data:
    return {
        "name": "shop",
        "region": region,
        "network": {"nat": "none"},
        "queues": {"orders": {"visibility_timeout_seconds": 120, **queue}},
        "functions": {
            "worker": {
                "code": CODE,
                "runtime": "python3.12",
                "handler": "app.handler",
                "timeout_seconds": 20,
                "queue": {"name": "orders", "batch_size": 5},
            }
        },
        "services": {
            "api": {
                "subnets": "public",
                "public_ip": True,
                "containers": {
                    "app": {
                        "image": IMAGE,
                        "environment": {"ORDERS_URL": {"ref": "queues.orders.url"}},
                    }
                },
                "permissions": [{"queue": "orders", "access": "send"}],
            }
        },
    }


def _render(tmp: Path, data: Data) -> tuple[Any, Build]:
    path = tmp / "blueprint.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    checked = check(path, "blueprint.yaml")
    return checked, render(checked)


def _resources(build: Build) -> dict[str, tuple[str, Data]]:
    """Logical ID -> (stack name, resource)."""
    return {k: (s.name, r) for s in build.stacks for k, r in s.data["Resources"].items()}


def _sqs_statements(role: Data) -> list[Data]:
    return [
        s
        for p in role["Properties"]["Policies"]
        for s in p["PolicyDocument"]["Statement"]
        if any(a.startswith("sqs:") for a in s["Action"])
    ]


def test_queue_its_dead_letter_queue_and_policy(tmp_path: Path) -> None:
    _, build = _render(tmp_path, _blueprint(max_receive_count=7))
    made = _resources(build)
    stack, queue = made["OrdersQueue"]
    assert stack == "shop"  # the main stack, beside the other data
    props = queue["Properties"]
    assert props["QueueName"] == "shop-orders"
    assert "FifoQueue" not in props
    assert props["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["OrdersQueueDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 7,
    }
    assert props["SqsManagedSseEnabled"] is True
    dead = made["OrdersQueueDeadLetterQueue"][1]["Properties"]
    assert dead["MessageRetentionPeriod"] == 1209600
    assert dead["QueueName"] == "shop-orders-dlq"
    [statement] = made["OrdersQueuePolicy"][1]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [
        {"Fn::GetAtt": ["OrdersQueue", "Arn"]},
        {"Fn::GetAtt": ["OrdersQueueDeadLetterQueue", "Arn"]},
    ]


def test_fifo_queue_and_its_dead_letter_queue_end_in_fifo(tmp_path: Path) -> None:
    data = _blueprint(fifo=True, content_based_deduplication=True)
    _, build = _render(tmp_path, data)
    made = _resources(build)
    queue = made["OrdersQueue"][1]["Properties"]
    dead = made["OrdersQueueDeadLetterQueue"][1]["Properties"]
    assert (queue["QueueName"], queue["FifoQueue"]) == ("shop-orders.fifo", True)
    assert queue["ContentBasedDeduplication"] is True
    assert (dead["QueueName"], dead["FifoQueue"]) == ("shop-orders-dlq.fifo", True)


def test_subscription_and_the_consumers_role(tmp_path: Path) -> None:
    _, build = _render(tmp_path, _blueprint())
    made = _resources(build)
    mapping = made["WorkerQueueSubscription"][1]["Properties"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["OrdersQueue", "Arn"]}
    assert mapping["FunctionName"] == {"Ref": "WorkerFunction"}
    assert mapping["BatchSize"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "MaximumBatchingWindowInSeconds" not in mapping
    consume = [
        s
        for s in _sqs_statements(made["WorkerFunctionRole"][1])
        if s["Resource"] == [{"Fn::GetAtt": ["OrdersQueue", "Arn"]}]
    ]
    assert [s["Action"] for s in consume] == [
        [
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
        ]
    ]


def test_a_service_in_its_own_stack_sends_to_that_queue_alone(tmp_path: Path) -> None:
    _, build = _render(tmp_path, _blueprint())
    service_stack = next(s for s in build.stacks if s.name != "shop")
    made = service_stack.data["Resources"]
    [statement] = _sqs_statements(made["ApiTaskRole"])
    assert statement["Action"] == ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]
    [arn] = statement["Resource"]
    # a parameter deploy.sh fills from the main stack's output of the queue's ARN
    source = service_stack.parameter_sources[arn["Ref"]]
    main = next(s for s in build.stacks if s.name == "shop")
    assert main.data["Outputs"][source[2]]["Value"] == {"Fn::GetAtt": ["OrdersQueue", "Arn"]}
    env = made["ApiTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"]
    [url] = [e["Value"] for e in env if e["Name"] == "ORDERS_URL"]
    assert main.data["Outputs"][service_stack.parameter_sources[url["Ref"]][2]]["Value"] == {
        "Ref": "OrdersQueue"
    }


def test_a_fifo_switch_replaces_the_queue_and_is_a_data_loss_risk(tmp_path: Path) -> None:
    _, before = _render(tmp_path, _blueprint())
    _, after = _render(tmp_path, _blueprint(fifo=True))
    report = diff.compare(
        {s.name: s.data for s in before.stacks},
        {s.name: s.data for s in after.stacks},
        {s.name: s.region for s in after.stacks},
        "us-east-1",
    )
    verdicts = {r.logical_id: r.verdict for s in report.stacks for r in s.resources}
    assert verdicts["OrdersQueue"] == "replaced"
    assert "OrdersQueue" in {r.logical_id for _, r in report.data_loss}
    assert report.exit_code == diff.EXIT_DATA_LOSS


def test_cost_prices_requests_per_queue_where_the_table_has_them(tmp_path: Path) -> None:
    for region, price in (("us-east-1", 0.5), ("ap-northeast-1", None)):
        checked, build = _render(tmp_path, _blueprint(region, fifo=True))
        e = cost.priced(checked.blueprint, facts.read(build))
        [line] = [x for x in e.lines if x.component == "queues"]
        assert line.item == "orders: FIFO requests"
        assert (line.unit, line.monthly, line.usage) == ("million requests", None, True)
        assert line.priced is (price is not None)
        assert line.unit_price == (price or 0.0)
        assert any(a.startswith("SQS requests:") for a in e.assumptions)


def test_graph_draws_the_queue_its_sender_and_its_consumer(tmp_path: Path) -> None:
    checked, build = _render(tmp_path, _blueprint())
    g = graph.build(checked.blueprint, facts.read(build))
    assert g.nodes[("queues", "orders")].lines == (
        "SQS queue orders",
        "dead letters after 5 receives",
    )
    assert g.edges[(("services", "api"), ("queues", "orders"), "access")] == {"send"}
    control = (("queues", "orders"), ("functions", "worker"), "control")
    assert g.edges[control] == {"batches of up to 5"}


def _queue_arns(build: Build, stack_name: str, resources: list[Any]) -> list[str]:
    """The queues whose ARNs ``resources`` are, following parameters to the main stack."""
    stacks = {s.name: s for s in build.stacks}
    out = []
    for given in resources:
        stack, value = stacks[stack_name], given
        if "Ref" in given:
            home, _, output = stack.parameter_sources[given["Ref"]]
            stack = stacks[home]
            value = stack.data["Outputs"][output]["Value"]
        logical_id, attribute = value["Fn::GetAtt"]
        assert attribute == "Arn", given
        assert stack.data["Resources"][logical_id]["Type"] == "AWS::SQS::Queue", given
        out.append(logical_id)
    return out


def test_every_queue_statement_names_queue_arns_only(tmp_path: Path) -> None:
    """Every IAM statement with an SQS action, in every stack, names queues' ARNs and
    nothing else: the granted queue, or a function's own dead-letter queue."""
    data = _blueprint()
    data["functions"]["worker"]["permissions"] = [{"queue": "orders", "access": "send_consume"}]
    _, build = _render(tmp_path, data)
    named = []
    for stack in build.stacks:
        for resource in stack.data["Resources"].values():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            for statement in _sqs_statements(resource):
                assert all(a.startswith("sqs:") for a in statement["Action"])
                named += _queue_arns(build, stack.name, statement["Resource"])
    assert sorted(named) == [
        "OrdersQueue",  # the service's send
        "OrdersQueue",  # the worker's subscription
        "OrdersQueue",  # the worker's send_consume
        "WorkerFunctionDeadLetterQueue",
    ]
