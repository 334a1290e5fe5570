"""A network only where needed: no VPC when nothing sits in one, a NAT gateway only for
what reaches out of the private subnets (``nat: auto``), and gateway endpoints on the
private route tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator import graph
from generator.pipeline import check, render

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"


def resources(tmp_path: Path, body: str) -> dict[str, Any]:
    path = tmp_path / "blueprint.yaml"
    path.write_text(f"name: net\nregion: eu-west-1\n{body}")
    build = render(check(path))
    return {k: v for stack in build.stacks for k, v in stack.data["Resources"].items()}


def of_type(found: dict[str, Any], kind: str) -> list[str]:
    return sorted(k for k, v in found.items() if v["Type"] == kind)


PRIVATE_SERVICE = """
services:
  worker:
    containers:
      app: {image: nginx:1.27}
"""


def test_websocket_example_has_no_network() -> None:
    folder = GOLDEN / "examples" / "websocket-lambda-dynamodb"
    types = {
        r["Type"]
        for path in folder.glob("*.json")
        for r in json.loads(path.read_text())["Resources"].values()
    }
    assert "AWS::Lambda::Function" in types  # the templates are read
    assert "AWS::EC2::VPC" not in types
    assert "AWS::EC2::NatGateway" not in types
    assert not [t for t in types if t.startswith("AWS::EC2::")], types


def test_private_fargate_service_gets_its_nat_by_default(tmp_path: Path) -> None:
    found = resources(tmp_path, PRIVATE_SERVICE)
    assert of_type(found, "AWS::EC2::NatGateway") == ["NatGateway1"]
    for i in (1, 2):
        route = found[f"PrivateDefaultRoute{i}"]["Properties"]
        assert route["NatGatewayId"] == {"Ref": "NatGateway1"}
        assert route["RouteTableId"] == {"Ref": f"PrivateRouteTable{i}"}


def test_what_only_answers_gets_a_vpc_without_nat(tmp_path: Path) -> None:
    body = """
databases:
  main: {engine: postgres, version: "16.4", allow_from: [web]}
services:
  web:
    subnets: public
    public_ip: true
    containers:
      app: {image: nginx:1.27}
"""
    found = resources(tmp_path, body)
    assert of_type(found, "AWS::EC2::VPC") == ["Vpc"]
    assert of_type(found, "AWS::EC2::NatGateway") == []
    assert not [k for k in found if k.startswith("PrivateDefaultRoute")]
    # written explicitly, the NAT is made all the same
    explicit = resources(tmp_path, "network: {nat: single}\n" + body)
    assert of_type(explicit, "AWS::EC2::NatGateway") == ["NatGateway1"]


def test_nothing_in_a_vpc_makes_no_network_even_when_written(tmp_path: Path) -> None:
    body = """
network: {nat: per_az, azs: 3}
queues:
  jobs: {}
"""
    found = resources(tmp_path, body)
    assert "AWS::SQS::Queue" in {v["Type"] for v in found.values()}
    assert not [k for k, v in found.items() if v["Type"].startswith("AWS::EC2::")]
    assert "AccessLogArchive" not in found  # it held only the flow logs


def test_gateway_endpoints_on_the_private_route_tables(tmp_path: Path) -> None:
    path = GOLDEN / "examples" / "rails-ec2-rds" / "rails-api.json"
    golden = json.loads(path.read_text())["Resources"]
    private_tables = [{"Ref": k} for k in of_type(golden, "AWS::EC2::RouteTable") if "Private" in k]
    assert len(private_tables) == 2
    s3 = golden["S3GatewayEndpoint"]["Properties"]
    assert s3["VpcEndpointType"] == "Gateway"
    assert s3["ServiceName"] == {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"}
    assert s3["RouteTableIds"] == private_tables
    assert s3["VpcId"] == {"Ref": "Vpc"}
    # no tables, no DynamoDB endpoint; with a table, one on the same route tables
    assert of_type(golden, "AWS::EC2::VPCEndpoint") == ["S3GatewayEndpoint"]
    found = resources(
        tmp_path, PRIVATE_SERVICE + "tables:\n  orders:\n    partition_key: {name: id}\n"
    )
    assert of_type(found, "AWS::EC2::VPCEndpoint") == [
        "DynamoDbGatewayEndpoint",
        "S3GatewayEndpoint",
    ]
    dynamodb = found["DynamoDbGatewayEndpoint"]["Properties"]
    assert dynamodb["ServiceName"] == {"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"}
    assert dynamodb["RouteTableIds"] == [
        {"Ref": "PrivateRouteTable1"},
        {"Ref": "PrivateRouteTable2"},
    ]


def test_the_drawing_names_the_nat_the_templates_make(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(f"name: net\nregion: eu-west-1\n{PRIVATE_SERVICE}")
    assert "(one NAT gateway)" in graph.render(check(path))
    # a cache alone in the private subnets: nat: auto makes none, and the drawing says so
    assert "(no NAT)" in graph.render(check(GOLDEN / "cache_redis.yaml"))
