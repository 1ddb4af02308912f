"""Query limits are refused before any SQL runs, with a code, and the cost is reported."""

from __future__ import annotations

from typing import Any

from graphql import get_introspection_query

from crm_graphql.db import count_statements

OK = "{ accounts(first: 5) { totalCount nodes { name } } }"
DEEP = "{ viewer { " + "id " * 0 + "__typename " + "}" + " }"


def deep_query(levels: int) -> str:
    # account -> parent -> parent ... : every level is one field
    return "{ accounts(first: 1) { nodes { " + "parent { " * (levels - 3) + "name" + " }" * (levels - 3) + " } } }"


def aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(n)) + " }"


BUDGET = """{ accounts(first: 100) { nodes { opportunities(first: 100) { nodes {
  quotes(first: 100) { totalCount } } } } } }"""

CIRCULAR_INTROSPECTION = "{ __schema { types { " + "fields { type { " * 12 + "name" + " } }" * 12 + " } } }"


async def refused(gql: Any, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    await gql("{ viewer { id } }")  # warm (the token lookup is left out of statement counts)
    with count_statements() as counter:
        body = await gql(query, variables, errors=True)
    assert counter.count == 0, counter.count
    assert body.get("data") is None, body
    assert "cost" in body["extensions"], body
    after = await gql(OK)
    assert after["accounts"]["totalCount"] == 0
    return body


def codes(body: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body["errors"]}


async def test_forty_levels_deep_is_refused(gql: Any) -> None:
    body = await refused(gql, deep_query(40))
    assert "MAX_DEPTH_EXCEEDED" in codes(body), body


async def test_twenty_levels_are_allowed(gql: Any) -> None:
    data = await gql(deep_query(20))
    assert data == {"accounts": {"nodes": []}}


async def test_three_hundred_aliases_are_refused(gql: Any) -> None:
    body = await refused(gql, aliases(300))
    assert codes(body) == {"MAX_ALIASES_EXCEEDED"}, body


async def test_first_1000_is_refused_before_execution(gql: Any) -> None:
    body = await refused(gql, "{ accounts(first: 1000) { nodes { name } } }")
    assert codes(body) == {"INVALID_PAGINATION"}, body
    body = await refused(gql, "query($n: Int) { accounts { nodes { contacts(last: $n) { totalCount } } } }", {"n": 101})
    assert codes(body) == {"INVALID_PAGINATION"}, body


async def test_node_budget(gql: Any) -> None:
    body = await refused(gql, BUDGET)
    assert codes(body) == {"MAX_NODES_EXCEEDED"}, body
    assert body["extensions"]["cost"]["requestedNodes"] == 100 + 10_000 + 1_000_000


async def test_too_many_tokens(gql: Any) -> None:
    body = await refused(gql, "{ viewer { " + "id " * 25_000 + "} }")
    assert codes(body) == {"MAX_TOKENS_EXCEEDED"}, body


async def test_circular_introspection_is_refused(gql: Any) -> None:
    body = await refused(gql, CIRCULAR_INTROSPECTION)
    assert "MAX_DEPTH_EXCEEDED" in codes(body), body


async def test_standard_introspection_is_allowed(gql: Any) -> None:
    data = await gql(get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_cost_is_reported(gql: Any) -> None:
    body = await gql("{ accounts(first: 10) { nodes { contacts { totalCount } } } }", errors=True)
    assert body["extensions"]["cost"] == {"requestedNodes": 10 + 200, "maxNodes": 500_000, "depth": 4}


PAGED = "query Paged($n: Int, $m: Int = 3) { accounts(first: $n) { nodes { contacts(first: $m) { totalCount } } } }"


async def test_cost_follows_the_page_variables_of_one_document(gql: Any) -> None:
    """The analysis is kept per document: the same text with other page sizes costs its own
    figure, and an out-of-range size is refused even after the document was accepted."""

    async def cost(variables: dict[str, Any]) -> dict[str, int]:
        body = await gql(PAGED, variables, errors=True)
        assert "errors" not in body, body
        return body["extensions"]["cost"]

    assert (await cost({"n": 10}))["requestedNodes"] == 10 + 30
    assert (await cost({"n": 10, "m": 5}))["requestedNodes"] == 10 + 50
    assert (await cost({"n": 2}))["requestedNodes"] == 2 + 6
    assert (await cost({}))["requestedNodes"] == 20 + 60
    body = await refused(gql, PAGED, {"n": 101})
    assert codes(body) == {"INVALID_PAGINATION"}, body
    body = await refused(gql, PAGED, {"n": 10, "m": 101})
    assert codes(body) == {"INVALID_PAGINATION"}, body
    assert (await cost({"n": 10}))["requestedNodes"] == 10 + 30
    body = await refused(gql, PAGED, {"n": "10"})
    assert codes(body) != set(), body


async def test_field_suggestions_are_hidden(gql: Any) -> None:
    body = await gql("{ accounts { nodes { nam } } }", errors=True)
    assert body["errors"][0]["message"] == "Cannot query field 'nam' on type 'Account'.", body


def fragment_flood(levels: int) -> str:
    """Each fragment spreads the next twice: a small document, 2**levels fields expanded."""
    parts = ["query Flood { viewer { ...F0 } }"]
    parts += [f"fragment F{i} on User {{ id ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on User {{ id name }}")
    return "\n".join(parts)


async def test_exponential_fragments_are_refused_before_execution(gql: Any) -> None:
    # 25 levels: about a thousand bytes, 2**26 fields once the fragments are expanded
    body = await refused(gql, fragment_flood(25))
    assert codes(body) == {"MAX_COMPLEXITY_EXCEEDED"}, body


async def test_fragments_are_counted_expanded(gql: Any) -> None:
    # 8 levels: 2**9 - 1 + 2**9 fields expanded, under the bound, answered as written
    body = await gql(fragment_flood(8), errors=True)
    assert "errors" not in body, body
    assert body["data"]["viewer"]["id"]
    # aliases inside a fragment spread 2**7 times count once per expansion
    aliased = (
        "query A { viewer { ...G0 } }\n"
        + "\n".join(f"fragment G{i} on User {{ ...G{i + 1} ...G{i + 1} }}" for i in range(7))
        + "\nfragment G7 on User { a: id }"
    )
    body = await refused(gql, aliased)
    assert codes(body) == {"MAX_ALIASES_EXCEEDED"}, body
    # a connection inside a fragment costs its first times the enclosing firsts at each spread
    paged = """query P { accounts(first: 100) { nodes { ...Deals } } }
      fragment Deals on Account { opportunities(first: 100) { nodes { ...Quotes } } }
      fragment Quotes on Opportunity { quotes(first: 100) { totalCount } }"""
    body = await refused(gql, paged)
    assert codes(body) == {"MAX_NODES_EXCEEDED"}, body
    assert body["extensions"]["cost"]["requestedNodes"] == 100 + 10_000 + 1_000_000
