"""The classes that nested inputs become in the generated inputs.py (extensions/derive.py)."""

from __future__ import annotations

from extensions.derive import INPUTS_MODULE_NAMES, input_models, input_rows
from extensions.spec import InputField


def declare(**inputs) -> dict[str, InputField]:
    return {name: InputField.model_validate(spec) for name, spec in inputs.items()}


ACCOUNTS = {
    "type": "list",
    "items": {
        "type": "object",
        "fields": {
            "name": "str",
            "positions": {"type": "list", "items": {"type": "object", "fields": {"qty": "float"}}},
            "tags": {"type": "list", "items": {"type": "str", "enum": ["a", "b"]}},
        },
    },
}


def test_nested_classes_come_before_their_users_and_are_named_after_their_fields():
    models = input_models(declare(accounts=ACCOUNTS))

    assert [(m["kind"], m["name"]) for m in models["models"]] == [
        ("class", "PositionsItem"),
        ("alias", "TagsItem"),
        ("class", "AccountsItem"),
    ]
    assert models["fields"][0]["annotation"] == "list[AccountsItem]"
    account = models["models"][2]["fields"]
    assert [f["annotation"] for f in account] == ["str", "list[PositionsItem]", "list[TagsItem]"]
    assert models["literal"]


def test_names_never_collide_with_each_other_or_the_module():
    one = {"type": "object", "fields": {"value": "int"}}
    models = input_models(
        declare(
            field={"type": "object", "fields": {"any": one}},
            outer={"type": "object", "fields": {"field": one}},
        )
    )
    names = [m["name"] for m in models["models"]]
    assert len(set(names)) == len(names)
    assert not set(names) & INPUTS_MODULE_NAMES
    assert not models["literal"]


def test_rows_show_every_nested_path():
    rows = input_rows(
        declare(accounts=ACCOUNTS, profile={"type": "object", "fields": {"a": "int"}})
    )
    assert [(row["path"], row["type"]) for row in rows] == [
        ("accounts", "list of object"),
        ("accounts[].name", "str"),
        ("accounts[].positions", "list of object"),
        ("accounts[].positions[].qty", "float"),
        ("accounts[].tags", "list of str"),
        ("profile", "object"),
        ("profile.a", "int"),
    ]
