"""GraphiQL users read descriptions: every type, field and argument has one."""

from __future__ import annotations

import re

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from crm_graphql.api.schema import build_schema


def test_every_type_field_and_argument_is_described() -> None:
    schema = build_schema()._schema
    missing = []
    for name, gql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        if not gql_type.description:
            missing.append(name)
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in gql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


def test_user_error_code_enum_is_named_as_the_contract_says() -> None:
    schema = build_schema()._schema
    code = schema.type_map["UserError"].fields["code"].type
    assert code.of_type.name == "UserErrorCode"


def _words(text: str) -> str:
    """Lower case, letters and digits only: "Postal code." and `postalCode` both read "postalcode"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _repeats_name(name: str, description: str | None) -> bool:
    """A description that is only its own name in words: "City." on `city`, "Conditions on
    `name`." on a filter's `name` (the generated form the filters used to have)."""
    text = (description or "").strip()
    generated = re.fullmatch(r"Conditions on `([^`]*)`\.?", text)
    if generated:
        return True
    return _words(text) == _words(name)


def test_no_description_only_repeats_its_name() -> None:
    """Issue 10: a description tells a frontend developer something the name does not
    (format, unit, limits, what null means, defaults, who sees it). None may be its name alone."""
    schema = build_schema()._schema
    repeating = []
    for name, gql_type in schema.type_map.items():
        if name.startswith("__"):
            continue
        if _repeats_name(name, gql_type.description):
            repeating.append(f"{name}: {gql_type.description}")
        if isinstance(gql_type, GraphQLEnumType):
            for value_name, value in gql_type.values.items():
                if _repeats_name(value_name, value.description):
                    repeating.append(f"{name}.{value_name}: {value.description}")
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in gql_type.fields.items():
                if _repeats_name(field_name, field.description):
                    repeating.append(f"{name}.{field_name}: {field.description}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if _repeats_name(arg_name, arg.description):
                        repeating.append(f"{name}.{field_name}({arg_name}): {arg.description}")
    assert repeating == []


def test_the_name_check_catches_the_forms_it_is_meant_to() -> None:
    assert _repeats_name("postalCode", "Postal code.")
    assert _repeats_name("website", "Web site.")
    assert _repeats_name("name", "Conditions on `name`.")
    assert _repeats_name("isActive", "isActive.")
    assert not _repeats_name("city", "City of the postal address; free text, null when not given.")
