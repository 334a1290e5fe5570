"""Route priorities without ``priority:``: distinct on a listener, ordered by how specific
the routes are, and never moved by edits to other routes (the last build's numbers are the
state; see generator/sections/load_balancers/priorities.py).

The properties test :func:`priorities.assign` directly (microseconds a call); a few
builds tie it to the checks, the templates and the commands that read the state."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import naming, pipeline, previous, runtime
from generator.cli import main
from generator.codes import Code
from generator.model.checker import LastRule
from generator.model.resolve import resolve
from generator.model.validate import validate
from generator.pipeline import check, render
from generator.sections.load_balancers import priorities
from generator.sections.load_balancers.model import Route
from generator.sections.load_balancers.priorities import Wanted, assign, home, slots

LB = "web"

#: names whose home slot is one of ten (of a band's 900): drawn from these, routes share
#: home slots and probe into each other's, which names drawn at random seldom do
CROWDED = [k for k in (f"k{i}" for i in range(20000)) if naming.slot(LB, k, modulo=900) < 10]
keys = st.one_of(
    st.sampled_from(CROWDED),
    st.builds("{}{}".format, st.sampled_from("abcdefghij"), st.integers(0, 10**5)),
)
#: few bands, so that routes share them
bands = st.integers(min_value=14, max_value=16)
route_sets = st.dictionaries(keys, bands, min_size=1, max_size=100)
#: an edit: what, and two numbers that pick a route and a band or a new name
edits = st.lists(
    st.tuples(st.sampled_from(["add", "remove", "reorder", "rename"]), st.integers(0, 10**6), keys),
    min_size=1,
    max_size=20,
)


def fresh(routes: dict[str, int], explicit: frozenset[int] = frozenset()) -> dict[str, int]:
    return assign(LB, [Wanted(k, b) for k, b in routes.items()], explicit)


def rebuilt(
    routes: dict[str, int], last: dict[str, int], order: random.Random | None = None
) -> dict[str, int]:
    wanted = [Wanted(k, b, last.get(k)) for k, b in routes.items()]
    if order is not None:
        order.shuffle(wanted)
    return assign(LB, wanted, ())


def assert_valid(routes: dict[str, int], got: dict[str, int]) -> None:
    assert set(got) == set(routes)
    assert len(set(got.values())) == len(got), "two routes share a priority"
    assert all(got[k] in slots(b) for k, b in routes.items()), "a priority out of its band"


# --- the properties ----------------------------------------------------------------------


def _hundred_in_one_band(seed: int) -> None:
    rng = random.Random(seed)
    names = {f"{rng.choice('abcdefgh')}{rng.randrange(10**6)}" for _ in range(100)}
    while len(names) < 100:
        names.add(f"x{len(names)}")
    routes = dict.fromkeys(names, 16)
    got = fresh(routes)
    assert_valid(routes, got)
    shuffled = list(routes.items())
    rng.shuffle(shuffled)
    assert fresh(dict(shuffled)) == got, "the entry order changed a priority"


def test_a_hundred_routes_in_one_band_never_collide() -> None:
    collided = 0
    for seed in range(20):
        _hundred_in_one_band(seed)
        routes = {f"r{seed}-{i}" for i in range(100)}
        collided += len({home(LB, k, 16) for k in routes}) < 100
    assert collided >= 18, "the draws hardly collide; the test proves little"


@pytest.mark.exhaustive
def test_a_hundred_routes_in_one_band_never_collide_many_draws() -> None:
    for seed in range(20, 2020):
        _hundred_in_one_band(seed)


def _apply(routes: dict[str, int], edit: tuple[str, int, str]) -> tuple[dict[str, int], set[str]]:
    """The routes after ``edit`` and the keys it touched (added, removed or renamed)."""
    what, number, name = edit
    order = sorted(routes)
    if what == "add" and len(routes) < 100 and name not in routes:
        return {**routes, name: 14 + number % 3}, {name}
    if what == "remove" and len(routes) > 1:
        gone = order[number % len(order)]
        return {k: b for k, b in routes.items() if k != gone}, {gone}
    if what == "rename" and name not in routes:
        old = order[number % len(order)]
        return {(name if k == old else k): b for k, b in routes.items()}, {old, name}
    items = list(routes.items())  # reorder (or an edit that does not apply)
    random.Random(number).shuffle(items)
    return dict(items), set()


def _edits_move_nothing(routes: dict[str, int], steps: list[tuple[str, int, str]]) -> None:
    last = fresh(routes)
    assert_valid(routes, last)
    for step, edit in enumerate(steps):
        routes, touched = _apply(routes, edit)
        got = rebuilt(routes, last, random.Random(step))
        assert_valid(routes, got)
        moved = {k: (last[k], got[k]) for k in got.keys() & last.keys() - touched}
        assert {k: v for k, v in moved.items() if v[0] != v[1]} == {}, edit
        assert rebuilt(routes, got) == got, "a rebuild over its own output moved a route"
        last = got


@settings(max_examples=60, deadline=None, derandomize=True)
@given(route_sets, edits)
def test_edits_never_move_an_untouched_route(
    routes: dict[str, int], steps: list[tuple[str, int, str]]
) -> None:
    _edits_move_nothing(routes, steps)


@pytest.mark.exhaustive
@settings(max_examples=800, deadline=None)
@given(route_sets, edits)
def test_edits_never_move_an_untouched_route_many_draws(
    routes: dict[str, int], steps: list[tuple[str, int, str]]
) -> None:
    _edits_move_nothing(routes, steps)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(route_sets)
def test_a_fresh_assignment_is_the_home_slot_unless_another_route_shares_it(
    routes: dict[str, int],
) -> None:
    got = fresh(routes)
    homes = [home(LB, k, b) for k, b in routes.items()]
    for key, band in routes.items():
        if homes.count(home(LB, key, band)) == 1:
            assert got[key] == home(LB, key, band)
    order = list(routes.items())
    random.Random(len(order)).shuffle(order)
    assert fresh(dict(order)) == got


# --- the rules around it -------------------------------------------------------------------


def test_line_and_slack_share_a_home_and_get_two_priorities() -> None:
    assert home(LB, "line", 16) == home(LB, "slack", 16) == 14432
    assert fresh({"line": 16, "slack": 16}) == {"line": 14432, "slack": 14433}
    # once slack has probed, it keeps its number when line goes ...
    assert rebuilt({"slack": 16}, {"line": 14432, "slack": 14433}) == {"slack": 14433}
    # ... and a fresh build, with no state, would give it its home slot
    assert fresh({"slack": 16}) == {"slack": 14432}


def test_an_explicit_priority_wins_and_moves_only_the_route_it_takes() -> None:
    last = fresh({"line": 16, "other": 16})
    wanted = [Wanted("line", 16, last["line"]), Wanted("other", 16, last["other"])]
    got = assign(LB, wanted, {14432})
    assert got == {"line": 14433, "other": last["other"]}


def test_a_last_priority_outside_the_band_is_not_kept() -> None:
    """A route whose hosts or paths changed is in another band: it goes to its home
    there, so the order of evaluation by specificity still holds."""
    assert assign(LB, [Wanted("line", 15, 14432)], ()) == {"line": home(LB, "line", 15)}
    assert home(LB, "line", 15) in slots(15)


def test_two_routes_claiming_one_last_priority_keep_it_for_the_first_by_name() -> None:
    got = assign(LB, [Wanted("b", 16, 14500), Wanted("a", 16, 14500)], ())
    assert got["a"] == 14500
    assert got["b"] == home(LB, "b", 16)


def test_every_band_is_below_the_next_and_within_aws_range() -> None:
    """Listener rule priorities are 1 to 50000
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html)."""
    top = priorities.MAX_SPECIFICITY
    assert slots(0).start == 1
    assert slots(top).stop - 1 <= 50000
    assert all(slots(b).stop == slots(b + 1).start for b in range(top))


def route(**fields: Any) -> Route:
    return Route.model_validate({"service": "api", **fields})


def test_more_specific_routes_are_in_lower_bands() -> None:
    ranked = [  # most specific first
        route(hosts=["api.example.com"], paths=["/v1/users/*"]),
        route(hosts=["api.example.com"], paths=["/v1/*"]),
        route(hosts=["api.example.com"]),
        route(hosts=["*.example.com"], paths=["/v1/*"]),
        route(hosts=["*.example.com"]),
        route(paths=["/static/images/*"]),
        route(paths=["/static/*"]),
        route(paths=["/*"]),
    ]
    bands = [priorities.band_of(priorities.specificity(r)) for r in ranked]
    assert bands == sorted(bands)
    assert len(set(bands)) == len(bands)
    assert max(bands) < priorities.MAX_SPECIFICITY  # the band of no hosts and no paths


# --- through the checks, the templates and the commands -------------------------------------

BLUEPRINT = """\
name: shop
region: us-east-1
network:
  azs: 2
zones:
  shop:
    domain: shop.example.org
    existing_id: Z0123456789ABCDEFGHIJ
certificates:
  wildcard:
    domain: "*.shop.example.org"
    alternative_names: [shop.example.org]
load_balancers:
  web:
    certificate: wildcard
    aliases: [shop.example.org]
    routes:
      - {service: api, name: line, hosts: [line.shop.example.org]}
      - {service: api, name: slack, hosts: [slack.shop.example.org]}
      - {service: api, name: docs, paths: [/docs/*]}
      - service: api
services:
  api:
    containers:
      api:
        image: nginx:1.27
        port: 80
"""


def rules(templates: dict[str, dict[str, Any]]) -> dict[str, int]:
    return {k: r.priority for k, r in previous.route_priorities(templates).items()}


def built(tmp_path: Path, text: str, last: dict[str, LastRule] | None = None) -> dict[str, bytes]:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text)
    return render(check(path, "blueprint.yaml", last)).files


def templates(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {n.removesuffix(".json"): json.loads(b) for n, b in files.items() if n.endswith(".json")}


def test_a_rebuild_over_its_own_output_is_byte_identical(tmp_path: Path) -> None:
    first = built(tmp_path, BLUEPRINT)
    got = rules(templates(first))
    assert got == {"WebLineRule": 14432, "WebSlackRule": 14433, "WebDocsRule": got["WebDocsRule"]}
    assert got["WebDocsRule"] > 14433  # a path-only route after the exact hosts
    state = previous.route_priorities(templates(first))
    assert state["WebSlackRule"] == LastRule(14433, "shop-service-api", "WebHttpsListener")
    assert built(tmp_path, BLUEPRINT, state) == first
    without_line = BLUEPRINT.replace("      - {service: api, name: line", "      # ")
    assert rules(templates(built(tmp_path, without_line, state))) == {
        "WebSlackRule": 14433,
        "WebDocsRule": got["WebDocsRule"],
    }


def test_a_pinned_rename_keeps_the_priority_the_old_id_had() -> None:
    data = _data(BLUEPRINT.replace("name: slack", "name: chat"))
    data["logical_ids"] = {"WebChatRule": "WebSlackRule"}
    resolved, _ = resolve(
        _model(data), {"WebSlackRule": LastRule(14433), "WebLineRule": LastRule(14432)}
    )
    assert resolved is not None
    assert resolved.routes[("web", "chat")].priority == 14433


TWO_SERVICES = """\
name: shop
region: us-east-1
network:
  azs: 2
load_balancers:
  web:
    https: false
    http: forward
    routes:
      - {service: alpha, name: alpha, paths: ["/alpha/*"]}
      - {service: zulu, name: zulu, paths: ["/zulu/*"]}
      - {service: zulu, name: docs, paths: ["/docs/*"]}
services:
  alpha:
    containers:
      app: {image: "nginx:1.27", port: 80}
  zulu:
    containers:
      app: {image: "nginx:1.27", port: 80}
"""
#: what a build of TWO_SERVICES gave its routes, as the state reads it
LAST = {
    "WebAlphaRule": LastRule(38000, "shop-service-alpha", "WebHttpListener"),
    "WebZuluRule": LastRule(38980, "shop-service-zulu", "WebHttpListener"),
    "WebDocsRule": LastRule(39000, "shop-service-zulu", "WebHttpListener"),
}


def _resolved(text: str, last: dict[str, LastRule]) -> tuple[Any, list[Any]]:
    return resolve(_model(_data(text)), last)


def test_an_explicit_priority_a_kept_route_holds_is_an_error_naming_that_route() -> None:
    """zulu's live rule (in its own stack, deployed after alpha's) still holds 38980 when
    alpha's rule is updated to it: the update would fail, so the build refuses."""
    text = TWO_SERVICES.replace("name: alpha, paths", "name: alpha, priority: 38980, paths")
    resolved, issues = _resolved(text, LAST)
    assert resolved is None
    assert [(i.path, i.code) for i in issues] == [
        (("load_balancers", "web", "routes", 0, "priority"), Code.ROUTE_PRIORITY_HELD)
    ]
    assert "route 'zulu' holds 38980 from the last build" in issues[0].message
    assert "choose another number" in issues[0].message
    fresh_build, none = _resolved(text, {})  # no state: nothing holds anything
    assert none == []
    assert fresh_build.routes[("web", "alpha")].priority == 38980
    swapped = {"WebAlphaRule": LastRule(38980, "shop-service-alpha", "WebHttpListener")}
    _, none = _resolved(text, {**swapped, "WebDocsRule": LAST["WebDocsRule"]})
    assert none == []  # its own number: no other rule holds it


def test_an_explicit_priority_a_removed_route_held_is_an_error_naming_its_rule() -> None:
    """CloudFormation deletes a removed rule only after creating and updating the others."""
    text = TWO_SERVICES.replace("name: alpha, paths", "name: alpha, priority: 38980, paths")
    text = text.replace('      - {service: zulu, name: zulu, paths: ["/zulu/*"]}\n', "")
    _, issues = _resolved(text, LAST)
    assert [i.code for i in issues] == [Code.ROUTE_PRIORITY_HELD]
    assert issues[0].message == (
        "priority 38980: rule WebZuluRule, of a route this build removes, holds 38980 from "
        "the last build; choose another number, or first deploy the removal on its own"
    )


def test_an_explicit_priority_on_a_route_that_moves_stack_is_an_error() -> None:
    text = TWO_SERVICES.replace(
        "{service: zulu, name: docs, paths", "{service: alpha, name: docs, priority: 39000, paths"
    )
    _, issues = _resolved(text, LAST)
    assert [i.code for i in issues] == [Code.ROUTE_PRIORITY_HELD]
    assert "moves to stack shop-service-alpha" in issues[0].message


def test_a_route_moving_to_another_service_takes_a_number_no_rule_held() -> None:
    """docs moves from zulu's stack to alpha's: alpha's deploys first and would create the
    rule while zulu's still holds 39000. It takes a slot no rule held instead."""
    moved = TWO_SERVICES.replace("{service: zulu, name: docs", "{service: alpha, name: docs")
    resolved, issues = _resolved(moved, LAST)
    assert issues == []
    got = {key: t.priority for (_, key), t in resolved.routes.items()}
    assert got["alpha"] == 38000
    assert got["zulu"] == 38980
    band = priorities.band_of(priorities.specificity(resolved.routes[("web", "docs")].route))
    assert got["docs"] in slots(band)
    assert got["docs"] not in {r.priority for r in LAST.values()}
    stays, _ = _resolved(TWO_SERVICES, LAST)  # not moved: keeps its number
    assert stays.routes[("web", "docs")].priority == 39000


def test_a_renamed_blueprint_keeps_no_state_its_stacks_are_all_new() -> None:
    text = TWO_SERVICES.replace("name: shop", "name: shop2").replace(
        "{service: zulu, name: docs, paths", "{service: alpha, name: docs, priority: 39000, paths"
    )
    resolved, issues = _resolved(text, LAST)
    assert issues == []
    fresh_build, _ = _resolved(text, {})
    assert resolved.routes == fresh_build.routes


def test_a_new_route_avoids_the_numbers_held_in_the_last_build() -> None:
    """A removed rule is deleted only after the others are created and updated: a new
    route on its number would be created while it still holds it."""
    first = home(LB, "a", 16)
    assert assign(LB, [Wanted("a", 16)], ()) == {"a": first}
    assert assign(LB, [Wanted("a", 16)], (), {first}) == {"a": first + 1}
    assert assign(LB, [Wanted("a", 16, first)], (), {first}) == {"a": first}  # its own


def _data(text: str) -> dict[str, Any]:
    import yaml

    out: dict[str, Any] = yaml.safe_load(text)
    return out


def _model(data: dict[str, Any]) -> Any:
    model, issues = validate(data)
    assert model is not None, issues
    return model


def test_the_state_is_read_from_listener_rules_only_with_one_number() -> None:
    rule = {"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {"Priority": 7}}
    got = previous.route_priorities(
        {
            "a": {"Resources": {"R": rule, "Twice": rule, "Odd": {**rule, "Properties": None}}},
            "b": {"Resources": {"Twice": {**rule, "Properties": {"Priority": 8}}}},
            "c": {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"Priority": 1}}}},
            "d": {"Resources": []},
            "e": {"Resources": {"S": {**rule, "Properties": {"Priority": "9"}}}},
        }
    )
    assert got == {"R": LastRule(7, "a", "")}
    assert naming.listener_rule("web", "line") == "WebLineRule"


def _priorities_in(folder: Path) -> dict[str, int]:
    return {
        k: r.priority for k, r in previous.route_priorities(previous.from_folder(folder)).items()
    }


def test_build_and_diff_keep_the_priorities_of_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the commands read and pass on; cfn-lint left out (four builds' lint would
    cost ~20 s; the templates have the shapes of the alb_path_and_host_routes golden, linted
    there)."""
    monkeypatch.setattr(runtime, "lint_workers", lambda _: contextlib.nullcontext(None))
    monkeypatch.setattr(pipeline, "lint", lambda *_: None)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blueprint.yaml").write_text(BLUEPRINT)
    assert main(["build"]) == 0
    assert _priorities_in(tmp_path / "templates_out")["WebSlackRule"] == 14433
    without_line = BLUEPRINT.replace("      - {service: api, name: line", "      # ")
    (tmp_path / "blueprint.yaml").write_text(without_line)
    capsys.readouterr()
    main(["diff", "--format", "json"])
    stacks = json.loads(capsys.readouterr().out)["stacks"]
    changed = {r["logical_id"] for s in stacks for r in s["resources"]}
    assert "WebLineRule" in changed
    assert "WebSlackRule" not in changed
    assert main(["build"]) == 0
    assert _priorities_in(tmp_path / "templates_out")["WebSlackRule"] == 14433
    assert main(["build", "--out", "fresh"]) == 0  # no state: slack back on its home slot
    assert _priorities_in(tmp_path / "fresh")["WebSlackRule"] == 14432
    (tmp_path / "fresh" / "shop.json").write_text("{")
    capsys.readouterr()
    assert main(["build", "--out", "fresh"]) == 0
    assert "routes without 'priority:' get theirs afresh" in capsys.readouterr().err
