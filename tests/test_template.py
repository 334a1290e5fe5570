"""generator.template: every form a template names a logical ID or a condition by, found and
rewritten alike, checked on single forms and on generated templates."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import template
from generator.template import Reference

# --- each form ------------------------------------------------------------------------------

FORMS: list[tuple[str, Any, set[str], Any]] = [
    # (what, value, logical IDs it refers to, the value with Db -> Store, Lb -> Front)
    ("ref", {"Ref": "Db"}, {"Db"}, {"Ref": "Store"}),
    ("ref to a pseudo parameter", {"Ref": "AWS::Region"}, set(), {"Ref": "AWS::Region"}),
    (
        "getatt as a list",
        {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
        {"Db"},
        {"Fn::GetAtt": ["Store", "Endpoint.Address"]},
    ),
    (
        "getatt as a string",
        {"Fn::GetAtt": "Db.Endpoint.Port"},
        {"Db"},
        {"Fn::GetAtt": "Store.Endpoint.Port"},
    ),
    (
        "sub string",
        {"Fn::Sub": "${Lb.DNSName}/${Db}:${AWS::Region}"},
        {"Lb", "Db"},
        {"Fn::Sub": "${Front.DNSName}/${Store}:${AWS::Region}"},
    ),
    ("sub literal", {"Fn::Sub": "${!Db}-${!Lb.Arn}"}, set(), {"Fn::Sub": "${!Db}-${!Lb.Arn}"}),
    (
        "sub map shadows a logical ID; its values are walked",
        {"Fn::Sub": ["${Db}/${Lb}", {"Db": {"Fn::GetAtt": ["Lb", "Arn"]}}]},
        {"Lb"},
        {"Fn::Sub": ["${Db}/${Front}", {"Db": {"Fn::GetAtt": ["Front", "Arn"]}}]},
    ),
    (
        "sub map of a literal",
        {"Fn::Sub": ["${Zone}", {"Zone": "example.com"}]},
        set(),
        {"Fn::Sub": ["${Zone}", {"Zone": "example.com"}]},
    ),
    (
        "if: the condition is not a logical ID",
        {"Fn::If": ["Db", {"Ref": "Db"}, {"Ref": "AWS::NoValue"}]},
        {"Db"},
        {"Fn::If": ["Db", {"Ref": "Store"}, {"Ref": "AWS::NoValue"}]},
    ),
    (
        "a key 'Ref' beside others is a property",
        {"Ref": "Db", "Name": "x"},
        set(),
        {"Ref": "Db", "Name": "x"},
    ),
    (
        "DependsOn and Condition inside a value are properties",
        {"DependsOn": [{"ContainerName": "Db", "Condition": "START"}], "Condition": "Lb"},
        set(),
        {"DependsOn": [{"ContainerName": "Db", "Condition": "START"}], "Condition": "Lb"},
    ),
    (
        "nested in other functions",
        {"Fn::Join": ["", [{"Ref": "Db"}, {"Fn::Select": [0, {"Fn::GetAtt": ["Lb", "Ips"]}]}]]},
        {"Db", "Lb"},
        {
            "Fn::Join": [
                "",
                [{"Ref": "Store"}, {"Fn::Select": [0, {"Fn::GetAtt": ["Front", "Ips"]}]}],
            ]
        },
    ),
]
RENAME = {"Db": "Store", "Lb": "Front"}


@pytest.mark.parametrize(("what", "value", "names", "renamed"), FORMS, ids=[f[0] for f in FORMS])
def test_each_form_is_found_and_renamed(
    what: str, value: Any, names: set[str], renamed: Any
) -> None:
    before = copy.deepcopy(value)
    assert template.references(value) == names
    assert template.rewrite(value, RENAME) == renamed
    assert value == before  # the node itself is not changed


def test_the_sub_map_shadows_in_both_older_forms() -> None:
    # two walkers once disagreed on this value: {'Zone'} and nothing
    value = {"Fn::Sub": ["${Zone}", {"Zone": {"Ref": "HostedZone"}}]}
    assert template.references(value) == {"HostedZone"}


def test_a_resource_body_depends_and_has_a_condition() -> None:
    body = {
        "Type": "AWS::ECS::Service",
        "Condition": "IsProd",
        "DependsOn": ["Db", "Lb"],
        "Properties": {"Cluster": {"Ref": "Cluster"}},
    }
    assert template.references(body, "resource") == {"Db", "Lb", "Cluster"}
    assert template.references(body) == {"Cluster"}  # as a value, DependsOn is a property
    assert template.conditions(body, "resource") == {"IsProd"}
    assert template.rewrite(body, RENAME, "resource", conditions={"IsProd": "Live"}) == {
        "Type": "AWS::ECS::Service",
        "Condition": "Live",
        "DependsOn": ["Store", "Front"],
        "Properties": {"Cluster": {"Ref": "Cluster"}},
    }
    single = {"Type": "T", "DependsOn": "Db"}
    assert template.rewrite(single, RENAME, "resource") == {"Type": "T", "DependsOn": "Store"}
    assert template.depends_on(single) == ["Db"]
    assert template.depends_on(body) == ["Db", "Lb"]
    assert template.depends_on({"Type": "T"}) == []


def test_conditions_in_every_place() -> None:
    whole = {
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "Eu"}]}]},
        },
        "Resources": {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Condition": "Both",
                "Properties": {"Size": {"Fn::If": ["IsBig", "db.m5", "db.t4g"]}},
            }
        },
        "Outputs": {"Url": {"Condition": "Live", "Value": {"Ref": "Db"}}},
    }
    assert template.conditions(whole, "template") == {"IsProd", "Eu", "Both", "IsBig", "Live"}
    assert template.references(whole, "template") == {"Env", "Db"}
    renamed = template.rewrite(whole, {}, "template", conditions={"IsProd": "P", "IsBig": "B"})
    assert renamed["Conditions"]["Both"] == {
        "Fn::And": [{"Condition": "P"}, {"Fn::Not": [{"Condition": "Eu"}]}]
    }
    assert renamed["Resources"]["Db"]["Properties"] == {
        "Size": {"Fn::If": ["B", "db.m5", "db.t4g"]}
    }
    assert set(renamed["Conditions"]) == {"IsProd", "Both"}  # definitions keep their names


def test_an_iam_condition_is_not_a_condition_name() -> None:
    statement = {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert template.conditions(statement) == set()
    output = {"Condition": "IsProd", "Value": {"Fn::Sub": "${Db.Arn}"}}
    assert template.conditions(output, "output") == {"IsProd"}
    assert template.references(output, "output") == {"Db"}


def test_replace_writes_each_reference_in_its_own_form() -> None:
    def to_parameter(r: Reference) -> Reference:
        return Reference(r.name + (r.attribute or "").replace(".", "")) if r.name == "Lb" else r

    value = {
        "A": {"Fn::GetAtt": ["Lb", "DNSName"]},
        "B": {"Fn::GetAtt": "Lb.DNSName"},
        "C": {"Fn::Sub": "https://${Lb.DNSName}/${Db.Arn}"},
        "D": {"Ref": "Lb"},
    }
    assert template.replace(value, to_parameter) == {
        "A": {"Ref": "LbDNSName"},
        "B": {"Ref": "LbDNSName"},
        "C": {"Fn::Sub": "https://${LbDNSName}/${Db.Arn}"},
        "D": {"Ref": "Lb"},
    }
    as_attribute = template.replace({"Ref": "Db"}, lambda r: Reference("Db", "Arn"))
    assert as_attribute == {"Fn::GetAtt": ["Db", "Arn"]}


def test_target_is_one_ref_or_getatt() -> None:
    assert template.target({"Ref": "Sg"}) == Reference("Sg")
    assert template.target({"Fn::GetAtt": ["Sg", "GroupId"]}) == Reference("Sg", "GroupId")
    assert template.target({"Fn::GetAtt": "Sg.GroupId"}) == Reference("Sg", "GroupId")
    assert template.target({"Ref": "AWS::StackName"}) is None
    assert template.target({"Fn::ImportValue": "Sg"}) is None
    assert template.target({"Fn::Sub": "${Sg}"}) is None
    assert template.target("Sg") is None


def test_what_cannot_be_rewritten_is_refused() -> None:
    with pytest.raises(ValueError, match="which the Fn::Sub's own variable map defines"):
        template.rewrite({"Fn::Sub": ["${Db}-${Host}", {"Host": "h"}]}, {"Db": "Host"})
    with pytest.raises(ValueError, match="Fn::GetAtt takes a name and an attribute"):
        template.references({"Fn::GetAtt": ["Db", {"Ref": "Attribute"}]})
    with pytest.raises(ValueError, match="Fn::Sub takes a string"):
        template.references({"Fn::Sub": [{"Ref": "Db"}]})
    with pytest.raises(ValueError, match="DependsOn names a resource, not an attribute"):
        template.replace({"DependsOn": "Db"}, lambda r: Reference(r.name, "Arn"), "resource")


# --- generated templates --------------------------------------------------------------------

RESOURCES = ["Vpc", "Lb", "Db", "Queue", "Task", "Zone"]
PARAMETERS = ["Env", "Size"]
CONDITIONS = ["IsProd", "IsEu", "HasDb"]
SUB_KEYS = ["Zone", "Host", "Port"]  # "Zone" is also a resource: the map shadows it
NAMES = RESOURCES + PARAMETERS
FRESH = [f"New{i}" for i in range(len(NAMES))]

Made = tuple[Any, frozenset[str], frozenset[str]]  # value, logical IDs, condition names


def _leaf() -> st.SearchStrategy[Made]:
    name = st.sampled_from(NAMES)
    attribute = st.sampled_from(["Arn", "DNSName", "Endpoint.Address"])
    none: frozenset[str] = frozenset()
    return st.one_of(
        st.sampled_from(["text", 3, True, "${Db}"]).map(lambda v: (v, none, none)),
        name.map(lambda n: ({"Ref": n}, frozenset({n}), none)),
        st.sampled_from(["AWS::Region", "AWS::NoValue"]).map(lambda n: ({"Ref": n}, none, none)),
        st.tuples(name, attribute).map(
            lambda t: ({"Fn::GetAtt": list(t)}, frozenset({t[0]}), none)
        ),
        st.tuples(name, attribute).map(
            lambda t: ({"Fn::GetAtt": f"{t[0]}.{t[1]}"}, frozenset({t[0]}), none)
        ),
        st.lists(st.tuples(name, st.sampled_from(["", ".Arn"]), st.booleans()), max_size=3).map(
            _sub_string
        ),
    )


def _sub_string(parts: list[tuple[str, str, bool]]) -> Made:
    text = "/".join(("${!" if literal else "${") + n + a + "}" for n, a, literal in parts)
    found = frozenset(n for n, _, literal in parts if not literal)
    return {"Fn::Sub": text + "${AWS::Region}"}, found, frozenset()


def _combine(children: st.SearchStrategy[Made]) -> st.SearchStrategy[Made]:
    def union(items: list[Made]) -> tuple[frozenset[str], frozenset[str]]:
        return frozenset().union(*(i[1] for i in items)), frozenset().union(*(i[2] for i in items))

    def as_list(items: list[Made]) -> Made:
        return ([i[0] for i in items], *union(items))

    def as_object(items: list[Made]) -> Made:
        # keys that mean something at a resource's top are plain properties down here
        keys = ["DependsOn", "Condition", "Value", "Items"]
        return ({k: i[0] for k, i in zip(keys, items, strict=False)}, *union(items))

    def as_if(t: tuple[str, Made, Made]) -> Made:
        cond, a, b = t
        return ({"Fn::If": [cond, a[0], b[0]]}, a[1] | b[1], a[2] | b[2] | {cond})

    def as_sub_map(t: tuple[list[tuple[str, bool]], dict[str, Made]]) -> Made:
        names, variables = t
        text = "-".join("${" + n + "}" for n, _ in names) + "".join(
            "${" + k + "}" for k in variables
        )
        free = frozenset(n for n, _ in names if n not in variables)
        made = [v for v in variables.values()]
        refs, conds = union(made)
        return {"Fn::Sub": [text, {k: v[0] for k, v in variables.items()}]}, free | refs, conds

    return st.one_of(
        st.lists(children, max_size=3).map(as_list),
        st.lists(children, max_size=4).map(as_object),
        st.tuples(st.sampled_from(CONDITIONS), children, children).map(as_if),
        st.tuples(
            st.lists(st.tuples(st.sampled_from(NAMES), st.booleans()), max_size=2),
            st.dictionaries(st.sampled_from(SUB_KEYS), children, max_size=2),
        ).map(as_sub_map),
    )


VALUES = st.recursive(_leaf(), _combine, max_leaves=8)


@st.composite
def templates(draw: st.DrawFn) -> tuple[dict[str, Any], set[str], set[str]]:
    """A template of resources referring to each other through every form, with the
    logical IDs and condition names it refers to (known from how it was made)."""
    refs: set[str] = set()
    conds: set[str] = set()
    resources: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=4, unique=True)):
        value, found, used = draw(VALUES)
        body: dict[str, Any] = {"Type": "AWS::Test::Thing", "Properties": {"P": value}}
        refs |= found
        conds |= used
        deps = draw(st.lists(st.sampled_from(RESOURCES), max_size=2, unique=True))
        if deps:
            body["DependsOn"] = deps if len(deps) > 1 else deps[0]
            refs |= set(deps)
        if draw(st.booleans()):
            body["Condition"] = draw(st.sampled_from(CONDITIONS))
            conds.add(body["Condition"])
        resources[name] = body
    value, found, used = draw(VALUES)
    refs |= found
    conds |= used
    whole = {
        "Parameters": {p: {"Type": "String"} for p in PARAMETERS},
        "Conditions": {"IsProd": {"Fn::Or": [{"Condition": "IsEu"}, {"Ref": "Env"}]}},
        "Resources": resources,
        "Outputs": {"Out": {"Value": value, "Condition": "HasDb"}},
    }
    return whole, refs | {"Env"}, conds | {"IsEu", "HasDb"}


@settings(max_examples=150, deadline=None)
@given(templates(), st.permutations(FRESH), st.sets(st.sampled_from(NAMES)))
def test_rewriting_generated_templates(
    made: tuple[dict[str, Any], set[str], set[str]], fresh: list[str], renamed: set[str]
) -> None:
    whole, refs, conds = made
    assert template.references(whole, "template") == refs
    assert template.conditions(whole, "template") == conds
    assert template.rewrite(whole, {}, "template") == whole
    assert template.rewrite(whole, {n: n for n in NAMES}, "template") == whole
    mapping = dict(zip(sorted(renamed), fresh, strict=False))
    forward = template.rewrite(whole, mapping, "template")
    assert template.references(forward, "template") == {mapping.get(x, x) for x in refs}
    back = {new: old for old, new in mapping.items()}
    assert template.rewrite(forward, back, "template") == whole
    merged = template.rewrite(whole, dict.fromkeys(renamed, "New0"), "template")
    assert template.references(merged, "template") == {"New0" if x in renamed else x for x in refs}
    flipped = template.rewrite(whole, {}, "template", conditions={c: c.upper() for c in CONDITIONS})
    assert template.conditions(flipped, "template") == {c.upper() for c in conds}
    assert template.references(flipped, "template") == refs
