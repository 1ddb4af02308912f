"""What crm_graphql/api/internals.py leans on, checked against the installed strawberry and
graphql-core: when an upgrade moves one of these, this fails here, by name, instead of
somewhere downstream."""

from __future__ import annotations

from importlib.metadata import version

import graphql
from graphql import GraphQLSchema, parse, validate

from crm_graphql.api import internals
from crm_graphql.api.filters import SPECS
from crm_graphql.api.schema import build_schema


def test_strawberry_keeps_the_graphql_core_schema_it_built() -> None:
    schema = build_schema()
    built = internals.graphql_schema(schema)
    assert isinstance(built, GraphQLSchema)
    assert built.query_type is not None and built.query_type.name == "Query"
    # the fast path patched resolvers on it: a money field resolves without strawberry's wrapper
    amount = built.type_map["Opportunity"].fields["amount"]  # type: ignore[attr-defined]
    assert amount.resolve is not None and amount.resolve.__qualname__.startswith("_plain")


def test_a_stored_filter_becomes_the_strawberry_input_again() -> None:
    schema = build_schema()
    flt = internals.input_from_json(
        schema,
        {"company": {"startsWith": "Co"}, "or": [{"status": {"eq": "NEW"}}]},
        "LeadFilter",
        SPECS["Lead"].filter_input,
    )
    assert isinstance(flt, SPECS["Lead"].filter_input)
    assert flt.company.starts_with == "Co" and flt.or_[0].status.eq.value == "NEW"
    try:
        internals.input_from_json(schema, {"company": {"nope": 1}}, "LeadFilter", SPECS["Lead"].filter_input)
    except graphql.GraphQLError:
        pass
    else:
        raise AssertionError("a stored filter that no longer fits the schema must be refused")


def test_the_messages_we_recognise_are_still_worded_so() -> None:
    built = internals.graphql_schema(build_schema())
    # graphql-core still suggests field names in this wording
    errors = validate(built, parse("{ viewr { id } }"))
    assert errors and internals.SUGGESTION.search(errors[0].message), [e.message for e in errors]
    # a scalar that does not parse
    errors = validate(built, parse('{ opportunities(filter: {amount: {gt: "abc"}}) { totalCount } }'))
    assert any(p.search(e.message) for e in errors for p, _ in internals.STOCK_CODES), [e.message for e in errors]
    # graphql-core's own token limit
    try:
        parse("{ a b c d e f }", max_tokens=3)
    except graphql.GraphQLError as exc:
        assert any(p.search(exc.message) and c == "MAX_TOKENS_EXCEEDED" for p, c in internals.STOCK_CODES)
    else:
        raise AssertionError("graphql-core no longer limits tokens")


def test_the_versions_these_were_checked_against() -> None:
    # not a pin: when a new version shows up here, read internals.py's list against it
    assert (version("strawberry-graphql").split(".")[:2], graphql.__version__.split(".")[:2]) == (
        ["0", "341"],
        ["3", "3"],
    )
