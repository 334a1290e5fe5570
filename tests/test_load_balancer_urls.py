"""A load balancer's URL is at a name a client can use: with HTTPS, one its certificate
covers (an alias, else the certificate's own name), never its ``*.elb.amazonaws.com``
DNS name; a reference to a URL no such name serves is refused, located."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.errors import BlueprintError
from generator.pipeline import check, render
from generator.sections.certificates.model import Certificate, ExistingCertificate
from generator.sections.load_balancers.model import LoadBalancer, Route
from generator.sections.load_balancers.urls import Base, base, route_url

ROUTES = [{"service": "app"}]
CERTS: dict[str, object] = {
    "exact": Certificate(domain="www.example.com", alternative_names=["example.com"]),
    "wild": Certificate(domain="*.example.com"),
    "wild_alt": Certificate(domain="*.example.com", alternative_names=["api.example.com"]),
    "outside": ExistingCertificate(
        existing_arn="arn:aws:acm:eu-west-1:123456789012:certificate/"
        "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
    ),
}


def _lb(**fields: Any) -> LoadBalancer:
    return LoadBalancer.model_validate({"routes": ROUTES, **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # the certificate's own name, its domain first, when there is no alias
        ({"certificate": "exact"}, Base("https", "www.example.com")),
        # a wildcard names no host: the first name that is not one
        ({"certificate": "wild_alt"}, Base("https", "api.example.com")),
        # no name at all: no URL, rather than one every client refuses
        ({"certificate": "wild"}, None),
        ({"certificate": "outside"}, None),
        # an alias the certificate covers, before the apex one it does not
        (
            {"certificate": "wild", "aliases": ["example.com", "api.example.com"]},
            Base("https", "api.example.com"),
        ),
        # none covered (warned by alias-not-covered): the apex, as before
        (
            {"certificate": "wild", "aliases": ["b.c.example.com", "example.com"]},
            Base("https", "example.com"),
        ),
        # an existing certificate's names are unknown: every alias counts, apex first
        (
            {"certificate": "outside", "aliases": ["a.example.com", "example.com"]},
            Base("https", "example.com"),
        ),
        # plain HTTP needs no certificate: its DNS name serves
        ({"https": False, "http": "forward"}, Base("http", None)),
        (
            {"https": False, "http": "forward", "aliases": ["x.example.com"]},
            Base("http", "x.example.com"),
        ),
    ],
)
def test_the_url_is_at_a_name_the_listener_serves(
    fields: dict[str, Any], expected: Base | None
) -> None:
    assert base(_lb(**fields), CERTS) == expected


def test_a_route_url_prefers_its_own_exact_host_even_without_a_load_balancer_name() -> None:
    route = Route(service="app", hosts=["*.shop.example.com", "shop.example.com"], paths=["/api/*"])
    assert route_url(route, None) == ("https", "shop.example.com", "/api/")
    plain = Route(service="app", paths=["/api/*"])
    assert route_url(plain, None) is None
    assert route_url(plain, Base("http", None)) == ("http", None, "/api/")


BLUEPRINT = """\
name: shop
region: eu-west-1
network: {{azs: 2}}
zones:
  main: {{domain: example.com, existing_id: Z0123456789ABCDEFGHIJ}}
certificates:
  site: {{domain: "{domain}"}}
load_balancers:
  web:
    certificate: site
    routes:
      - service: app
      - {{service: admin, hosts: [admin.example.com]}}
services:
  app:
    containers:
      main:
        image: example/app:1.0
        port: 8080
        environment:
          PUBLIC_URL: {{ref: load_balancers.web.url}}
  admin:
    containers:
      main: {{image: example/admin:1.0, port: 8080}}
"""


def _outputs(tmp_path: Path, domain: str) -> dict[str, Any]:
    path = tmp_path / "blueprint.yaml"
    path.write_text(BLUEPRINT.format(domain=domain))
    build = render(check(path, "blueprint.yaml"))
    return {k: v["Value"] for s in build.stacks for k, v in s.data.get("Outputs", {}).items()}


def test_without_an_alias_the_url_is_at_the_certificates_name(tmp_path: Path) -> None:
    outputs = _outputs(tmp_path, "www.example.com")
    assert outputs["LoadBalancersWebUrl"] == "https://www.example.com"
    assert outputs["WebAppUrl"] == "https://www.example.com/"
    assert outputs["WebAdminUrl"] == "https://admin.example.com/"


def test_a_wildcard_certificate_without_an_alias_has_no_url_to_reference(tmp_path: Path) -> None:
    with pytest.raises(BlueprintError) as raised:
        _outputs(tmp_path, "*.example.com")
    [problem] = raised.value.problems
    assert problem.code == "load-balancer-url-unknown"
    assert problem.line == 21  # the reference, where the fix is chosen
    assert "aliases: [web.example.com]" in problem.message


def test_unreferenced_it_is_no_output_and_no_problem(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        BLUEPRINT.format(domain="*.example.com").replace(
            "        environment:\n          PUBLIC_URL: {ref: load_balancers.web.url}\n", ""
        )
    )
    build = render(check(path, "blueprint.yaml"))
    outputs = {k for s in build.stacks for k in s.data.get("Outputs", {})}
    # the route with a host keeps its URL; the load balancer's and the default route's
    # would be at its DNS name, which the certificate does not cover
    assert "WebAdminUrl" in outputs
    assert {"LoadBalancersWebUrl", "WebAppUrl"} & outputs == set()
    assert "LoadBalancersWebDnsName" in outputs or "WebLoadBalancerDnsName" in outputs
