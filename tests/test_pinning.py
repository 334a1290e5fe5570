"""Pinned logical IDs: the resource is renamed and every reference to it follows."""

from __future__ import annotations

from typing import Any

from generator import pinning

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "NewDb": {"Type": "AWS::RDS::DBInstance", "Properties": {}},
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "DependsOn": "NewDb",
            "Properties": {
                "A": {"Ref": "NewDb"},
                "B": {"Fn::GetAtt": ["NewDb", "Endpoint.Address"]},
                "C": {"Fn::GetAtt": "NewDb.Endpoint.Port"},
                "D": {"Fn::Sub": "${NewDb}:${NewDb.Endpoint.Port}:${!NewDb}"},
                "E": {"Fn::Sub": ["${NewDb}", {"NewDb": "shadowed"}]},
            },
        },
    },
    "Outputs": {"Db": {"Value": {"Ref": "NewDb"}}},
}


def test_a_pinned_resource_is_renamed_with_every_reference() -> None:
    out = pinning.apply(TEMPLATE, {"NewDb": "OldDb", "Absent": "Gone"})
    assert list(out["Resources"]) == ["Alarm", "OldDb"]
    alarm = out["Resources"]["Alarm"]
    assert alarm["DependsOn"] == "OldDb"
    assert alarm["Properties"] == {
        "A": {"Ref": "OldDb"},
        "B": {"Fn::GetAtt": ["OldDb", "Endpoint.Address"]},
        "C": {"Fn::GetAtt": "OldDb.Endpoint.Port"},
        "D": {"Fn::Sub": "${OldDb}:${OldDb.Endpoint.Port}:${!NewDb}"},
        "E": {"Fn::Sub": ["${NewDb}", {"NewDb": "shadowed"}]},
    }
    assert out["Outputs"] == {"Db": {"Value": {"Ref": "OldDb"}}}
    assert TEMPLATE["Resources"]["Alarm"]["DependsOn"] == "NewDb"  # the input is kept


def test_pins_of_resources_the_template_lacks_change_nothing() -> None:
    assert pinning.apply(TEMPLATE, {"Absent": "Gone"}) is TEMPLATE


def test_only_pins_that_overwrite_nothing_are_usable() -> None:
    made = {"Web", "Bastion", "Api", "Db"}
    ids = {
        "Web": "Bastion",  # taken
        "Api": "OldApi",
        "Db": "OldApi",  # the second pin onto OldApi
        "Gone": "Old",  # names nothing
    }
    assert pinning.usable(ids, made) == {"Api": "OldApi"}
    assert [(c.new, c.why, c.other) for c in pinning.conflicts(ids, made)] == [
        ("Db", pinning.Why.SHARED, "Api"),
        ("Gone", pinning.Why.UNKNOWN, ""),
        ("Web", pinning.Why.TAKEN, ""),
    ]
    swap = {"Web": "Api", "Api": "Web"}
    assert pinning.usable(swap, made) == {}
    assert pinning.usable({"Web": "OldWeb", "Api": "Api"}, made) == {
        "Web": "OldWeb",
        "Api": "Api",
    }
