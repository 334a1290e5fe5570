"""A load balancer's URL is at a name a client can use: with HTTPS, an alias its
certificate covers (only an alias is routed to it), never the certificate's own name
without one nor its ``*.elb.amazonaws.com`` DNS name; a reference to a URL no such name
serves is refused, located; a route's URL is at a host its certificate covers."""

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
        # no alias: no URL, rather than one at the certificate's own name, which nothing
        # in the blueprint routes to the load balancer (it may be the company's website)
        ({"certificate": "exact"}, None),
        ({"certificate": "wild_alt"}, None),
        ({"certificate": "wild"}, None),
        ({"certificate": "outside"}, None),
        # an alias the certificate covers, before the apex one it does not
        (
            {"certificate": "wild", "aliases": ["example.com", "api.example.com"]},
            Base("https", "api.example.com"),
        ),
        (
            {"certificate": "exact", "aliases": ["api.example.com", "www.example.com"]},
            Base("https", "www.example.com"),
        ),
        # none covered (warned by alias-not-covered): every client would get a
        # certificate error there too
        ({"certificate": "wild", "aliases": ["b.c.example.com", "example.com"]}, None),
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
    assert route_url(route, None, None) == ("https", "shop.example.com", "/api/")
    assert route_url(route, None, ("*.example.com",)) == ("https", "shop.example.com", "/api/")
    plain = Route(service="app", paths=["/api/*"])
    assert route_url(plain, None, None) is None
    assert route_url(plain, Base("http", None), None) == ("http", None, "/api/")


def test_a_route_url_is_at_a_host_its_certificate_covers() -> None:
    route = Route(service="app", hosts=["api.example.com", "web.example.org"])
    at = Base("https", "www.example.com")
    assert route_url(route, at, ("*.example.org",)) == ("https", "web.example.org", "/")
    # none covered: no URL, not the load balancer's name, which the route's rule does not match
    assert route_url(route, at, ("bot.example.com",)) is None
    # plain HTTP needs no certificate
    assert route_url(route, Base("http", None), ("bot.example.com",)) == (
        "http",
        "api.example.com",
        "/",
    )


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


def test_with_an_alias_the_url_is_at_it(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        BLUEPRINT.format(domain="*.example.com").replace(
            "    certificate: site\n", "    certificate: site\n    aliases: [www.example.com]\n"
        )
    )
    build = render(check(path, "blueprint.yaml"))
    outputs = {k: v["Value"] for s in build.stacks for k, v in s.data.get("Outputs", {}).items()}
    assert outputs["LoadBalancersWebUrl"] == "https://www.example.com"
    assert outputs["WebAppUrl"] == "https://www.example.com/"
    assert outputs["WebAdminUrl"] == "https://admin.example.com/"


def test_without_an_alias_the_certificates_own_name_is_no_url(tmp_path: Path) -> None:
    # the apex may well be the company's website: nothing here routes it to the load balancer
    with pytest.raises(BlueprintError) as raised:
        _outputs(tmp_path, "example.com")
    [problem] = raised.value.problems
    assert problem.code == "load-balancer-url-unknown"
    assert problem.line == 21
    assert "has no alias" in problem.message
    assert "aliases: [example.com]" in problem.message


def test_aliases_the_certificate_does_not_cover_are_no_url(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        BLUEPRINT.format(domain="www.example.com").replace(
            "    certificate: site\n", "    certificate: site\n    aliases: [api.example.com]\n"
        )
    )
    with pytest.raises(BlueprintError) as raised:
        render(check(path, "blueprint.yaml"))
    [problem] = [p for p in raised.value.problems if p.code == "load-balancer-url-unknown"]
    assert "none of its aliases is covered by certificate 'site'" in problem.message
    assert "aliases: [www.example.com]" in problem.message


def test_a_wildcard_certificate_without_an_alias_has_no_url_to_reference(tmp_path: Path) -> None:
    with pytest.raises(BlueprintError) as raised:
        _outputs(tmp_path, "*.example.com")
    [problem] = raised.value.problems
    assert problem.code == "load-balancer-url-unknown"
    assert problem.line == 21  # the reference, where the fix is chosen
    assert "aliases: [web.example.com]" in problem.message


@pytest.mark.parametrize(("domain", "admin"), [("*.example.com", True), ("www.example.com", False)])
def test_unreferenced_it_is_no_output_and_no_problem(
    tmp_path: Path, domain: str, admin: bool
) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        BLUEPRINT.format(domain=domain).replace(
            "        environment:\n          PUBLIC_URL: {ref: load_balancers.web.url}\n", ""
        )
    )
    build = render(check(path, "blueprint.yaml"))
    outputs = {k for s in build.stacks for k in s.data.get("Outputs", {})}
    # the route with a host the certificate covers keeps its URL (admin.example.com; with
    # a certificate for www.example.com it would get a certificate error: none); the load
    # balancer's and the default route's would be at its DNS name, which no certificate covers
    assert ("WebAdminUrl" in outputs) is admin
    assert {"LoadBalancersWebUrl", "WebAppUrl"} & outputs == set()
    assert "LoadBalancersWebDnsName" in outputs or "WebLoadBalancerDnsName" in outputs
