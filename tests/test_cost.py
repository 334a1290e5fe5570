"""The cost estimate, checked against sums worked out by hand.

Prices used below (generator/prices.json), per hour unless said otherwise:

ap-northeast-1: Fargate x86 $0.05056 per vCPU and $0.00553 per GB (Spot: 70% off, so
$0.015168 and $0.001659); NAT gateway $0.062; ALB $0.0243; RDS db.t4g.micro $0.025;
RDS gp3 $0.138 per GB-month; cache.t4g.micro $0.025; DynamoDB $0.000742 per WCU and
$0.0001484 per RCU. us-east-1: t3.micro $0.0104, NAT gateway $0.045, EBS gp3 $0.08 per
GB-month. Everywhere: public IPv4 $0.005, a created hosted zone $0.50 a month, a
Secrets Manager secret $0.40 a month, detailed monitoring $2.10 an instance a month.
A month is 730 hours; a week is 730/168 of a month.
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator import cost
from generator.model.containers import CapacityShare
from generator.pipeline import check, check_each
from generator.schedule_expressions import weekly_minutes

from .conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
WEEK = 730 / 168


def estimate(tmp_path: Path, body: str, region: str = "ap-northeast-1") -> cost.Estimate:
    path = tmp_path / "blueprint.yaml"
    path.write_text(f"name: costs\nregion: {region}\n{body}")
    return cost.estimate(check(path))


def example(name: str) -> cost.Estimate:
    return cost.estimate(check(ROOT / "examples" / f"{name}.yaml"))


def line(e: cost.Estimate, item: str) -> cost.Line:
    found = [x for x in e.lines if x.item == item]
    assert len(found) == 1, [x.item for x in e.lines]
    return found[0]


def priced(e: cost.Estimate) -> dict[str, float]:
    """Item -> monthly, for the lines in the total."""
    return {x.item: x.monthly for x in e.lines if x.monthly is not None}


PUBLIC_TASK = """
network: {azs: 2, nat: none}
services:
  web:
    subnets: public
    public_ip: true
    containers:
      app: {image: example/app:1}
"""


def test_one_fargate_task_all_month(tmp_path: Path) -> None:
    e = estimate(tmp_path, PUBLIC_TASK)
    # 0.25 vCPU x 730 h = 182.5 vCPU-h x 0.05056 = 9.2272 -> 9.23
    # 0.5 GB x 730 h = 365 GB-h x 0.00553 = 2.01845 -> 2.02
    # its public IPv4 address: 730 h x 0.005 = 3.65
    assert priced(e) == {
        "web: Fargate vCPU": 9.23,
        "web: Fargate memory": 2.02,
        "public IPv4: service web tasks": 3.65,
    }
    assert line(e, "web: Fargate vCPU").quantity == 182.5
    assert line(e, "web: Fargate memory").quantity == 365
    assert e.total == 14.90
    assert (e.region, e.currency, e.prices_date) == ("ap-northeast-1", "USD", "2025-01-01")


PRIVATE_INSTANCE = "instances:\n  app: {subnets: private}\n"


def nat(e: cost.Estimate) -> dict[str, float]:
    return {item: monthly for item, monthly in priced(e).items() if "NAT" in item}


def test_nat_single_and_per_az(tmp_path: Path) -> None:
    single = estimate(tmp_path, "network: {azs: 3, nat: single}\n" + PRIVATE_INSTANCE)
    # one gateway: 730 h x 0.062 = 45.26; its address 730 h x 0.005 = 3.65
    assert nat(single) == {"NAT gateways (1)": 45.26, "public IPv4: NAT gateways (1)": 3.65}
    per_az = estimate(tmp_path, "network: {azs: 3, nat: per_az}\n" + PRIVATE_INSTANCE)
    # three gateways: 2,190 h x 0.062 = 135.78; addresses 2,190 h x 0.005 = 10.95
    assert nat(per_az) == {"NAT gateways (3)": 135.78, "public IPv4: NAT gateways (3)": 10.95}
    none = estimate(tmp_path, "network: {azs: 3, nat: none}\n" + PRIVATE_INSTANCE)
    assert nat(none) == {}
    assert Decimal(str(single.total)) - Decimal(str(none.total)) == Decimal("48.91")
    assert Decimal(str(per_az.total)) - Decimal(str(none.total)) == Decimal("146.73")
    # NAT data processing is usage: a price per GB, never a total
    usage = line(single, "NAT data processing")
    assert (usage.monthly, usage.unit, usage.unit_price) == (None, "GB", 0.062)


def test_nat_auto_only_for_what_reaches_out(tmp_path: Path) -> None:
    # the default: a NAT for tasks in private subnets (they pull images) ...
    private = estimate(tmp_path, "services:\n  web:\n    containers:\n      app: {image: a:1}\n")
    assert nat(private) == {"NAT gateways (1)": 45.26, "public IPv4: NAT gateways (1)": 3.65}
    assert "auto" in line(private, "NAT gateways (1)").note
    # ... none for public tasks, or a database alone in the private subnets
    assert nat(estimate(tmp_path, PUBLIC_TASK.replace("nat: none", "nat: auto"))) == {}
    assert nat(estimate(tmp_path, DATABASE.replace("nat: none", "nat: auto"))) == {}
    # and nothing in a VPC: no network at all, and nothing to pay for it
    assert estimate(tmp_path, "network: {azs: 3, nat: single}\n").total == 0


def test_websocket_example_pays_for_no_network() -> None:
    # Lambda, DynamoDB and API Gateway: nothing sits in a VPC, so there is no NAT gateway
    # (it was $48.91 of $49.41 a month) and no public IPv4 address
    e = example("websocket-lambda-dynamodb")
    assert not [x.item for x in e.lines if x.component == "network" and x.monthly is not None]
    assert e.total == 0.50


def test_fargate_spot_is_seventy_percent_off(tmp_path: Path) -> None:
    e = estimate(
        tmp_path,
        """
network: {nat: none}
services:
  blog:
    capacity: fargate_spot
    cpu: 512
    memory: 1024
    subnets: public
    public_ip: true
    containers:
      app: {image: example/app:1}
""",
    )
    # 0.5 vCPU x 730 h = 365 vCPU-h x (0.05056 x 0.3 = 0.015168) = 5.53632 -> 5.54
    # 1 GB x 730 h = 730 GB-h x (0.00553 x 0.3 = 0.001659) = 1.21107 -> 1.21
    vcpu, memory = line(e, "blog: Fargate Spot vCPU"), line(e, "blog: Fargate Spot memory")
    assert (vcpu.unit_price, vcpu.monthly) == (0.015168, 5.54)
    assert (memory.unit_price, memory.monthly) == (0.001659, 1.21)
    assert any("70% below" in a for a in e.assumptions)


def test_capacity_strategy_splits_tasks_by_base_then_weight(tmp_path: Path) -> None:
    shares = [
        CapacityShare(provider="FARGATE", base=1, weight=1),
        CapacityShare(provider="FARGATE_SPOT", weight=3),
    ]
    # 5 tasks: the base 1 on FARGATE, then the other 4 split 1:3
    assert cost.split(5, shares) == {"FARGATE": 2.0, "FARGATE_SPOT": 3.0}
    assert cost.split(1, shares) == {"FARGATE": 1.0, "FARGATE_SPOT": 0.0}
    e = estimate(
        tmp_path,
        """
services:
  crunch:
    cpu: 1024
    memory: 2048
    desired_count: 5
    capacity:
      - {provider: FARGATE, base: 1, weight: 1}
      - {provider: FARGATE_SPOT, weight: 3}
    containers:
      app: {image: example/app:1}
""",
    )
    # on-demand: 2 tasks x 730 h x 1 vCPU = 1,460 x 0.05056 = 73.8176 -> 73.82
    #            2 x 730 x 2 GB = 2,920 x 0.00553 = 16.1476 -> 16.15
    # Spot:      3 x 730 x 1 vCPU = 2,190 x 0.015168 = 33.21792 -> 33.22
    #            3 x 730 x 2 GB = 4,380 x 0.001659 = 7.26642 -> 7.27
    assert line(e, "crunch: Fargate vCPU").monthly == 73.82
    assert line(e, "crunch: Fargate memory").monthly == 16.15
    assert line(e, "crunch: Fargate Spot vCPU").monthly == 33.22
    assert line(e, "crunch: Fargate Spot memory").monthly == 7.27


def test_weekly_cron_fire_times() -> None:
    # minutes from Sunday 00:00: Sunday 08:00 and Saturday 08:00
    assert weekly_minutes("cron(0 8 ? * SAT,SUN *)") == [480, 6 * 1440 + 480]
    # every day (day-of-month *) at 23:30
    assert weekly_minutes("cron(30 23 * * ? *)") == [d * 1440 + 1410 for d in range(7)]
    # ranges, numbers (1 = Sunday) and steps
    assert weekly_minutes("cron(0 9 ? * MON-FRI *)") == [d * 1440 + 540 for d in range(1, 6)]
    assert weekly_minutes("cron(0 0/12 ? * 1 *)") == [0, 720]
    # what a week cannot show
    assert weekly_minutes("cron(0 8 1 * ? *)") is None
    assert weekly_minutes("cron(0 8 ? * 2#1 *)") is None
    assert weekly_minutes("cron(0 8 ? JAN MON *)") is None
    assert weekly_minutes("rate(1 hour)") is None


def scheduled(start: str, stop: str, start_tz: str = "UTC", stop_tz: str = "UTC") -> str:
    return f"""
services:
  web:
    containers:
      app: {{image: example/app:1}}
schedules:
  up:
    expression: {start}
    timezone: {start_tz}
    service: web
    desired_count: 2
  down:
    expression: {stop}
    timezone: {stop_tz}
    service: web
    desired_count: 0
"""


def test_schedules_count_the_hours_they_leave_running(tmp_path: Path) -> None:
    e = estimate(tmp_path, scheduled("cron(0 9 ? * MON-FRI *)", "cron(0 17 ? * MON-FRI *)"))
    # 8 h x 5 days = 40 h/week at 2 tasks = 80 task-h/week x 730/168 = 347.619 task-h
    # x 0.25 vCPU = 86.905 vCPU-h x 0.05056 = 4.39390 -> 4.39
    # x 0.5 GB = 173.810 GB-h x 0.00553 = 0.96117 -> 0.96
    vcpu = line(e, "web: Fargate vCPU")
    assert vcpu.quantity == pytest.approx(80 * WEEK * 0.25)
    assert vcpu.monthly == 4.39
    assert line(e, "web: Fargate memory").monthly == 0.96
    assert "40 h/week at 2 tasks -> 347.62 task-hours/month" in vcpu.note


def test_schedules_wrap_around_the_week(tmp_path: Path) -> None:
    # up Saturday 22:00, down Monday 06:00: 2 + 24 + 6 = 32 h/week, across the week's
    # start (Sunday 00:00), whose count the last event of the week (Saturday) decides
    e = estimate(tmp_path, scheduled("cron(0 22 ? * SAT *)", "cron(0 6 ? * MON *)"))
    assert line(e, "web: Fargate vCPU").quantity == pytest.approx(2 * 32 * WEEK * 0.25)


def test_schedules_in_different_time_zones(tmp_path: Path) -> None:
    # up 09:00 in Tokyo (00:00 UTC), down 01:00 UTC: 1 h a day, 7 h/week at 2 tasks
    body = scheduled("cron(0 9 * * ? *)", "cron(0 1 * * ? *)", start_tz="Asia/Tokyo")
    e = estimate(tmp_path, body)
    assert line(e, "web: Fargate vCPU").quantity == pytest.approx(2 * 7 * WEEK * 0.25)


def test_schedule_that_is_not_weekly_is_priced_at_its_largest_count(tmp_path: Path) -> None:
    e = estimate(tmp_path, scheduled("rate(1 hour)", "cron(0 17 ? * MON-FRI *)"))
    vcpu = line(e, "web: Fargate vCPU")
    # 2 tasks all month: 1,460 task-h x 0.25 = 365 vCPU-h
    assert vcpu.quantity == 365
    assert "does not repeat weekly" in vcpu.note


def test_disabled_schedules_do_not_count(tmp_path: Path) -> None:
    body = scheduled("cron(0 9 ? * MON-FRI *)", "cron(0 17 ? * MON-FRI *)")
    body = body.replace("desired_count: 2\n", "desired_count: 2\n    enabled: false\n")
    e = estimate(tmp_path, body)
    # only "down" is left: 0 tasks all week
    assert line(e, "web: Fargate vCPU").monthly == 0


def test_created_zone_costs_and_existing_zone_does_not(tmp_path: Path) -> None:
    e = estimate(
        tmp_path,
        """
network: {nat: none}
zones:
  new: {domain: example.com}
  old: {domain: example.org, existing_id: Z0123456789ABCDEFGHIJ}
""",
    )
    assert line(e, "new: hosted zone example.com").monthly == 0.50
    existing = line(e, "old: hosted zone example.org")
    assert (existing.quantity, existing.monthly) == (0, 0)
    assert "not counted" in existing.note
    assert e.total == 0.50


DATABASE = """
network: {nat: none}
databases:
  main:
    engine: postgres
    version: "16.4"
"""


def test_single_az_database_with_default_class_and_storage(tmp_path: Path) -> None:
    e = estimate(tmp_path, DATABASE + "    multi_az: false\n")
    # the model's defaults: db.t4g.micro, 20 GB of gp3
    # 730 h x 0.025 = 18.25; 20 GB x 0.138 = 2.76; the RDS-managed secret 0.40
    assert priced(e) == {
        "main: db.t4g.micro PostgreSQL": 18.25,
        "main: gp3 storage": 2.76,
        "main: master password secret": 0.40,
    }
    assert e.total == 21.41


def test_multi_az_database_doubles_instance_and_storage(tmp_path: Path) -> None:
    e = estimate(tmp_path, DATABASE + "    multi_az: true\n    storage_gb: 100\n")
    # 2 x 730 h x 0.025 = 36.50; 2 x 100 GB x 0.138 = 27.60
    assert line(e, "main: db.t4g.micro PostgreSQL").monthly == 36.50
    assert line(e, "main: gp3 storage").monthly == 27.60
    # enhanced monitoring (on by default) writes to CloudWatch Logs: a price per GB
    assert line(e, "main: enhanced monitoring").unit_price == 0.76


def test_instances_in_us_east_1(tmp_path: Path) -> None:
    e = estimate(
        tmp_path,
        """
instances:
  web:
    count: 2
    subnets: public
""",
        region="us-east-1",
    )
    # 2 x t3.micro (the default): 1,460 h x 0.0104 = 15.184 -> 15.18
    # public IPs (public subnets): 1,460 h x 0.005 = 7.30
    # root volumes 2 x 8 GB (the default) x 0.08 = 1.28; monitoring 2 x 2.10 = 4.20
    # no NAT: nothing in the private subnets reaches out (nat: auto)
    assert priced(e) == {
        "web: 2 x t3.micro": 15.18,
        "public IPv4: instances web (2)": 7.30,
        "web: gp3 root volumes": 1.28,
        "web: detailed monitoring": 4.20,
    }
    assert e.total == 27.96


def test_caches_valkey_is_cheaper(tmp_path: Path) -> None:
    body = """
network: {nat: none}
caches:
  sessions: {engine: ENGINE, version: VERSION, replicas: 1}
"""
    # Redis stops at 7.1 and Valkey starts at 7.2
    redis = estimate(tmp_path, body.replace("ENGINE", "redis").replace("VERSION", '"7.1"'))
    # primary + 1 replica of cache.t4g.micro: 1,460 h x 0.025 = 36.50
    assert redis.total == 36.50
    valkey = estimate(tmp_path, body.replace("ENGINE", "valkey").replace("VERSION", '"7.2"'))
    # 20% less: 1,460 h x 0.02 = 29.20
    assert valkey.total == 29.20


def test_provisioned_table(tmp_path: Path) -> None:
    e = estimate(
        tmp_path,
        """
network: {nat: none}
tables:
  events:
    partition_key: {name: id}
    billing: provisioned
    read_capacity: 5
    write_capacity: 5
""",
    )
    # 5 WCU x 730 h x 0.000742 = 2.7083 -> 2.71; 5 RCU x 730 h x 0.0001484 = 0.54166 -> 0.54
    assert priced(e) == {
        "events: provisioned write capacity": 2.71,
        "events: provisioned read capacity": 0.54,
    }


def test_price_missing_from_the_table_is_left_out_and_said(tmp_path: Path) -> None:
    e = estimate(
        tmp_path, "network: {nat: none}\ninstances:\n  big: {instance_type: x2iedn.32xlarge}\n"
    )
    missing = line(e, "big: 1 x x2iedn.32xlarge")
    assert missing.monthly is None
    assert "no price in the table" in missing.note
    assert any("big: 1 x x2iedn.32xlarge" in a for a in e.assumptions)
    # the volume and monitoring still count: 8 GB x 0.096 = 0.77 (0.768); 2.10
    assert e.total == 2.87


def test_region_without_prices_prices_the_rest_and_names_what_it_cannot(
    tmp_path: Path,
) -> None:
    e = estimate(tmp_path, PUBLIC_TASK, region="eu-west-3")
    # the table has no Fargate price for eu-west-3; public IPv4 costs the same everywhere
    assert priced(e) == {"public IPv4: service web tasks": 3.65}
    assert e.total == 3.65
    vcpu = line(e, "web: Fargate vCPU")
    assert (vcpu.monthly, vcpu.priced, vcpu.quantity) == (None, False, 182.5)
    assert vcpu.note.startswith("no price in the table for Fargate vCPU in eu-west-3; ")
    assert e.assumptions[0] == (
        "Prices: the table has no prices for eu-west-3; only those that are the same in "
        "every region are used."
    )
    assert e.assumptions[-1] == (
        "Not priced, for want of a price in the table for eu-west-3: network: data transfer "
        "out to the internet; services: web: Fargate vCPU; services: web: Fargate memory; "
        "logs: access-log bucket: S3 Standard storage; logs: VPC flow logs delivered to S3; "
        "logs: ingestion (1 log group); logs: storage."
    )
    rows = cost.text(e).splitlines()
    assert next(r for r in rows if "web: Fargate vCPU" in r).endswith("  not priced")
    data = cost.as_json(e)
    assert sorted(x["item"] for x in data["lines"] if not x["priced"]) == [
        "VPC flow logs delivered to S3",
        "access-log bucket: S3 Standard storage",
        "data transfer out to the internet",
        "ingestion (1 log group)",
        "storage",
        "web: Fargate memory",
        "web: Fargate vCPU",
    ]


def in_region(tmp_path: Path, example_name: str, region: str) -> Path:
    """An example blueprint with its ``region:`` replaced, beside the files it names."""
    source = ROOT / "examples" / f"{example_name}.yaml"
    original = source.read_text()
    text = re.sub(r"^region: \S+", f"region: {region}", original, count=1, flags=re.M)
    assert text != original
    if (source.parent / "files").is_dir():
        shutil.copytree(source.parent / "files", tmp_path / "files")
    path = tmp_path / "blueprint.yaml"
    path.write_text(text)
    return path


#: What the table prices in each region besides what costs the same everywhere, per example:
#: item -> monthly. Fargate Spot is 70% off: sa-east-1 0.0696 x 0.3 = 0.02088 per vCPU-hour.
#: Usage lines (per GB, per request) have no monthly figure, priced or not, so are not here.
REGIONS = {
    ("chatbot-fargate-spot", "eu-west-1"): {
        # eu-west-1 Fargate x86 is the us-west-2 rate: the same 0.03 and 0.02 as below
        "bot: Fargate Spot vCPU": 0.03,
        "bot: Fargate Spot memory": 0.02,
        # 730 h x 0.0252 = 18.396
        "web: application load balancer": 18.4,
    },
    ("chatbot-fargate-spot", "us-west-2"): {
        # 0.04048 x 0.3 = 0.012144: 2.1726 vCPU-h = 0.0264 -> 0.03;
        # 0.004445 x 0.3 = 0.0013335: 17.381 GB-h = 0.0232 -> 0.02
        "bot: Fargate Spot vCPU": 0.03,
        "bot: Fargate Spot memory": 0.02,
    },
    ("chatbot-fargate-spot", "sa-east-1"): {
        # 2.1726 vCPU-h x 0.02088 = 0.0454 -> 0.05; 17.381 GB-h x 0.00228 = 0.0396 -> 0.04
        "bot: Fargate Spot vCPU": 0.05,
        "bot: Fargate Spot memory": 0.04,
    },
    ("rails-ec2-rds", "eu-west-1"): {
        "web: application load balancer": 18.4,
        # 730 h x 0.0114 = 8.322; 1,460 h x 0.0114 = 16.644
        "bastion: 1 x t3.micro": 8.32,
        "web: 2 x t3.micro": 16.64,
        # 8 GB x 0.088 = 0.704; 16 GB x 0.088 = 1.408
        "bastion: gp3 root volumes": 0.7,
        "web: gp3 root volumes": 1.41,
    },
    # 8 GB x 0.08 = 0.64; 16 GB x 0.08 = 1.28 (t3.micro has no us-west-2 price yet)
    ("rails-ec2-rds", "us-west-2"): {
        "bastion: gp3 root volumes": 0.64,
        "web: gp3 root volumes": 1.28,
    },
    ("rails-ec2-rds", "sa-east-1"): {
        # one NAT gateway: 730 h x 0.093 = 67.89
        "NAT gateways (1)": 67.89,
        # 8 GB x 0.152 = 1.216; 16 GB x 0.152 = 2.432
        "bastion: gp3 root volumes": 1.22,
        "web: gp3 root volumes": 2.43,
    },
}
#: Lines priced the same in every region (public IPv4, Route53, Secrets Manager, CloudWatch
#: metrics), so present wherever the example has them.
EVERYWHERE = ("public IPv4: ", "hosted zone", "master password secret", "detailed monitoring")


@pytest.mark.parametrize(("name", "region"), sorted(REGIONS))
def test_cost_in_a_region_with_few_prices_exits_0_and_names_every_unpriced_line(
    name: str, region: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli import main

    path = in_region(tmp_path, name, region)
    assert main(["cost", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["region"] == region
    regional = {
        x["item"]: x["monthly"]
        for x in data["lines"]
        if x["monthly"] is not None and not any(w in x["item"] for w in EVERYWHERE)
    }
    assert regional == REGIONS[(name, region)]
    unpriced = [x for x in data["lines"] if not x["priced"]]
    assert unpriced, "every example has a line priced only per region"
    assert all(x["monthly"] is None and f" in {region}" in x["note"] for x in unpriced)
    assert main(["cost", str(path)]) == 0
    printed = capsys.readouterr().out
    for x in unpriced:
        row = next(r for r in printed.splitlines() if r.startswith(f"  {x['item']} "))
        assert row.endswith("  not priced"), row
        assert f"{x['component']}: {x['item']}" in printed.split("Not priced, for want")[1]
    total = sum(Decimal(repr(x["monthly"])) for x in data["lines"] if x["monthly"] is not None)
    assert Decimal(repr(data["total"])) == total


def test_every_region_gives_an_estimate(tmp_path: Path) -> None:
    """Rendered in each region, as `blueprint cost` does: a region whose templates cannot
    be rendered or read would fail here, not only one without prices."""
    from generator.regions import REGIONS

    source = (ROOT / "examples" / "rails-ec2-rds.yaml").read_text()
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    full = {"ap-northeast-1", "us-east-1"}  # the regions the table prices in full
    for region in REGIONS:
        path = tmp_path / f"{region}.yaml"
        text = re.sub(r"(?m)^region: .*$", f"region: {region}", source)
        if region == "ca-west-1":  # RDS offers MySQL there on db.t3, not db.t4g, instances
            text = text.replace("db.t4g.micro", "db.t3.micro")
        path.write_text(text)
        e = cost.estimate(check(path))
        unpriced = [x for x in e.lines if not x.priced]
        assert all(x.monthly is None for x in unpriced)
        assert bool(unpriced) == (region not in full), region
        # what costs the same everywhere is priced everywhere: the bastion's address
        assert line(e, "public IPv4: instances bastion (1)").monthly == 3.65


def test_every_region_with_prices_cites_its_source() -> None:
    from generator.cost.prices import load

    table = load()
    assert set(table["regions"]) <= set(table["sources"])
    for region, source in table["sources"].items():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["date"]), region
        assert source["source"], region


def _covered(regional: dict[str, Any], prefix: str = "") -> set[str]:
    """Every price path in a regional table, as the dotted names ``covers`` lists."""
    found: set[str] = set()
    for key, value in regional.items():
        name = f"{prefix}{key}"
        found |= _covered(value, f"{name}.") if isinstance(value, dict) else {name}
    return found


def test_covers_lists_exactly_what_a_region_holds() -> None:
    """A region's ``covers`` names every price it holds and nothing it lacks."""
    from generator.cost.prices import load

    table = load()
    checked = [r for r, s in table["sources"].items() if "covers" in s]
    assert {"eu-west-1", "us-west-2", "sa-east-1", "eu-central-1", "ap-southeast-1"} <= set(checked)
    for region in checked:
        held = _covered(table["regions"].get(region, {})) - {"cloudfront_edge"}
        covers = table["sources"][region]["covers"]
        for path in held:
            assert any(path == c or path.startswith(f"{c}.") for c in covers), (region, path)
        for entry in covers:
            assert any(p == entry or p.startswith(f"{entry}.") for p in held), (region, entry)


def test_chatbot_runs_only_its_scheduled_hours() -> None:
    e = example("chatbot-fargate-spot")
    vcpu = line(e, "bot: Fargate Spot vCPU")
    # 08:00-09:00 on Saturday and Sunday: 2 h/week x 730/168 = 8.69 task-hours
    assert vcpu.quantity == pytest.approx(0.25 * 2 * WEEK)
    assert "2 h/week at 1 task -> 8.69 task-hours/month" in vcpu.note
    # 2.1726 vCPU-h x 0.015168 = 0.03295 -> 0.03; 17.381 GB-h x 0.001659 = 0.02884 -> 0.03
    # the task's address 8.69 h x 0.005 = 0.04; the ALB's 3 addresses 2,190 h x 0.005 = 10.95
    # the ALB 730 h x 0.0243 = 17.739 -> 17.74; the created zone 0.50
    assert priced(e) == {
        "public IPv4: load balancer web (3 zones)": 10.95,
        "public IPv4: service bot tasks": 0.04,
        "web: application load balancer": 17.74,
        "bot: Fargate Spot vCPU": 0.03,
        "bot: Fargate Spot memory": 0.03,
        "main: hosted zone example.com": 0.50,
    }
    assert e.total == 29.29


def test_ghost_blog_every_line() -> None:
    e = example("ghost-fargate-efs-cloudfront")
    assert [(x.component, x.item, x.monthly) for x in e.lines] == [
        ("network", "public IPv4: service ghost tasks", 3.65),
        ("network", "data transfer out to the internet", None),
        ("services", "ghost: Fargate Spot vCPU", 5.54),
        ("services", "ghost: Fargate Spot memory", 1.21),
        ("file systems", "content: EFS Standard storage", None),
        ("file systems", "content: elastic throughput reads", None),
        ("file systems", "content: elastic throughput writes", None),
        ("file systems", "content: daily backups", None),
        ("functions", "CloudFrontPrefixListFunction: compute (made for distributions)", None),
        ("functions", "ghost-dns: compute (DNS updater of ghost)", None),
        ("functions", "requests (2 functions)", None),
        ("cdn", "blog: data transfer out", None),
        ("cdn", "blog: HTTPS requests", None),
        ("dns", "main: hosted zone example.com", 0.0),
        ("dns", "queries", None),
        ("logs", "access-log bucket: S3 Standard storage", None),
        ("logs", "VPC flow logs delivered to S3", None),
        ("logs", "ingestion (3 log groups)", None),
        ("logs", "storage", None),
    ]
    # 3.65 + 5.54 + 1.21 (see test_fargate_spot_is_seventy_percent_off) + 0 (existing zone)
    assert e.total == 10.40
    assert line(e, "blog: data transfer out").unit_price == 0.114
    assert line(e, "content: EFS Standard storage").unit_price == 0.36


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_estimates_and_json_adds_up(path: Path) -> None:
    for checked in check_each(path):  # each environment of a blueprint that has them
        _estimates_and_adds_up(path, cost.estimate(checked))


def _estimates_and_adds_up(path: Path, e: cost.Estimate) -> None:
    data = json.loads(json.dumps(cost.as_json(e)))
    assert set(data) == {"region", "currency", "prices_date", "assumptions", "lines", "total"}
    monthly = [Decimal(repr(x["monthly"])) for x in data["lines"] if x["monthly"] is not None]
    assert sum(monthly) == Decimal(repr(data["total"]))
    assert all(m == m.quantize(Decimal("0.01")) for m in monthly)
    # Something to price in each, if only per unit (the static site's fixed cost is $0: a
    # private bucket and a distribution in an existing zone cost only what they serve).
    assert e.lines
    assert e.total > 0 or path.stem == "static-site"
    printed = cost.text(e)
    total_row = next(r for r in printed.splitlines() if r.startswith("  total per month"))
    assert total_row.endswith(f"${e.total:,.2f}")
    assert f"prices transcribed {e.prices_date} (sources: prices.json)" in printed
    assert all(a in printed for a in e.assumptions)


def test_text_groups_lines_by_component() -> None:
    printed = cost.text(example("rails-ec2-rds"))
    headings = [row for row in printed.splitlines() if row and not row.startswith((" ", "-"))]
    assert headings == [
        "Estimated monthly cost in ap-northeast-1 (USD)",
        "network",
        "load balancers",
        "instances",
        "databases",
        "buckets",
        "dns",
        "logs",
    ]
    assert "730 instance-hour x $0.025" in printed
    assert "$0.025 per GB-month" in printed


def test_the_regions_are_those_cfn_lint_can_check() -> None:
    """A blueprint may name a region only if the pinned cfn-lint ships its resource schemas
    (every template is linted for its own region); a cfn-lint upgrade that drops one fails
    here. The list is kept by hand, not read from files at validation time."""
    import importlib.util

    from generator.regions import REGIONS, UNSUPPORTED

    spec = importlib.util.find_spec("cfnlint")
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    shipped = {p.stem for p in (root / "data" / "schemas" / "providers").glob("*.json")}
    assert set(REGIONS) <= shipped
    assert not set(UNSUPPORTED) & shipped
