"""Regressions for the outside attack ATTACK-2 (findings 1, 3, 6, 7, 8): each refusal has a
clear code, never "Unexpected error.", and nothing changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from factories import create

SUMMARY = """query($by: PipelineGroupBy!) {
  pipelineSummary(groupBy: $by) { label count amount weightedAmount } }"""


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def test_pipeline_summary_sums_beyond_64_bits_exactly(gql: Any) -> None:
    # given ten deals whose stored amounts (ten-thousandths) sum beyond 2^63
    account = await create(gql, "Account", {"name": "Acme"})
    big = "99999999999999.99"
    for i in range(10):
        await create(
            gql, "Opportunity", {"title": f"Big {i}", "accountId": account, "manualAmount": big, "probability": 100}
        )
    await create(
        gql, "Opportunity", {"title": "Small", "accountId": account, "manualAmount": "0.03", "probability": 100}
    )
    assert Decimal(big) * 10 * 10**4 > 2**63
    expected = str(Decimal(big) * 10 + Decimal("0.03"))
    for by in ("STAGE", "OWNER", "ACCOUNT", "PIPELINE", "CLOSE_MONTH"):
        # then the summary answers the exact sum, on SQLite and PostgreSQL
        body = await gql(SUMMARY, {"by": by}, errors=True)
        assert "errors" not in body, (by, body)
        rows = body["data"]["pipelineSummary"]
        assert [(r["count"], r["amount"], r["weightedAmount"]) for r in rows] == [(11, expected, expected)], (by, rows)


def nest(keys: list[str], leaf: dict[str, Any]) -> dict[str, Any]:
    """{k1: {k2: ... leaf}}, a key "[or]" wrapping the inner filter in a one-element list."""
    inner: dict[str, Any] = leaf
    for key in reversed(keys):
        inner = {key.strip("[]"): [inner]} if key.startswith("[") else {key: inner}
    return inner


DEEPEST = [  # each 10 input objects deep (the bound): accepted
    ("opportunities", ["not"] * 8, {"title": {"eq": "x"}}),
    ("accounts", ["parent"] * 8, {"name": {"eq": "x"}}),
    ("accounts", ["not", "parent"] * 4, {"name": {"eq": "x"}}),
    ("accounts", ["children", "every"] * 4, {"name": {"eq": "x"}}),
    ("accounts", ["opportunities", "none", "account"] * 2 + ["parent", "not"], {"name": {"eq": "x"}}),
    ("opportunities", ["account", "opportunities", "some"] * 2 + ["account", "parent"], {"name": {"eq": "x"}}),
    ("opportunities", ["[or]", "[and]"] * 4, {"title": {"eq": "x"}}),
]


async def test_filter_nesting_is_bounded_before_sql(gql: Any, actors: Any) -> None:
    from crm_graphql.enums import Role

    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "A", "accountId": account})
    for who in (gql, gql.as_(actors[Role.SALES_REP])):
        for field, keys, leaf in DEEPEST:
            kind = {"accounts": "Account", "opportunities": "Opportunity"}[field]
            query = f"query($f: {kind}Filter) {{ {field}(filter: $f) {{ totalCount }} }}"
            # the deepest filter allowed runs on SQLite and PostgreSQL
            body = await who(query, {"f": nest(keys, leaf)}, errors=True)
            assert "errors" not in body, (keys, body)
            # one level deeper is INVALID before any SQL, not "Unexpected error."
            for deeper in (["not", *keys], ["not"] * 3 + keys):
                body = await who(query, {"f": nest(deeper, leaf)}, errors=True)
                assert codes(body) == ["INVALID"], (deeper, body)
                assert body["errors"][0]["message"] == "The filter nests more than 10 levels deep."
    # and nothing changed
    assert (await gql("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 1


async def test_token_limit_refuses_before_the_lexer_runs(client: Any, gql: Any, monkeypatch: Any) -> None:
    from graphql.language import lexer

    # count the tokens graphql-core's (pure-Python) lexer reads, passing each call through
    calls = [0]
    advance = lexer.Lexer.advance

    def counting(self: Any) -> Any:
        calls[0] += 1
        return advance(self)

    monkeypatch.setattr(lexer.Lexer, "advance", counting)
    for query in ["{" + " __typename" * 30_000 + "}", "{ __typename }\n" + "# pad\n" * 30_000]:
        body = await gql(query, errors=True)
        assert codes(body) == ["MAX_TOKENS_EXCEEDED"], body
        assert (
            body["errors"][0]["message"] == "Syntax Error: Document contains more than 20000 tokens. Parsing aborted."
        )
        assert "data" not in body
    # then the lexer never ran: the refusal did not tokenise 20,000 tokens (twice, before)
    assert calls[0] == 0
    # and a document under the limit still parses and runs
    body = await gql("{ __typename }\n" + "# pad\n" * 19_990, errors=True)
    assert body["data"] == {"__typename": "Query"} and calls[0] > 0


async def test_forged_cursor_values_are_malformed(gql: Any) -> None:
    import base64
    import json

    for name in ("Acme", "Beta", "Gamma"):
        await create(gql, "Account", {"name": name})
    query = """query($after: String) { accounts(first: 2, after: $after, orderBy: [{field: NAME, direction: ASC}]) {
      edges { cursor node { name } } } }"""
    edges = (await gql(query))["accounts"]["edges"]
    cursor = json.loads(base64.urlsafe_b64decode(edges[0]["cursor"]))
    assert len(cursor) == 3  # [signature, name, id]
    # the genuine cursor pages on
    assert [e["node"]["name"] for e in (await gql(query, {"after": edges[0]["cursor"]}))["accounts"]["edges"]] == [
        "Beta",
        "Gamma",
    ]
    forged = [[cursor[0], cursor[1], v] for v in (1e30, 10**30, -(2**63) - 1, None, True, 1.5, "29", {"a": 1}, [1])]
    forged += [[cursor[0], v, cursor[2]] for v in ({"a": 1}, [1], 1.5, True)]
    for values in forged:
        after = base64.urlsafe_b64encode(json.dumps(values).encode()).decode()
        body = await gql(query, {"after": after}, errors=True)
        # then each is INVALID_PAGINATION, never "Unexpected error." nor silently accepted
        assert codes(body) == ["INVALID_PAGINATION"], (values, body)
        assert body["errors"][0]["message"] == "Malformed cursor."
    assert (await gql("{ accounts { totalCount } }"))["accounts"]["totalCount"] == 3


async def test_cursor_pages_only_its_own_nested_list(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    for title in ("A", "B", "C"):
        await create(gql, "Opportunity", {"title": title, "accountId": account})
    top = (await gql("{ opportunities(first: 1) { edges { cursor } } }"))["opportunities"]["edges"][0]["cursor"]
    nested = """query($id: ID!, $after: String) { node(id: $id) { ... on Account {
      opportunities(first: 1, after: $after) { edges { cursor node { title } } } } } }"""
    first = (await gql(nested, {"id": account}))["node"]["opportunities"]["edges"][0]
    # a nested list's own cursor pages it
    page = (await gql(nested, {"id": account, "after": first["cursor"]}))["node"]["opportunities"]["edges"]
    assert [e["node"]["title"] for e in page] == ["B"]
    # a cursor of the top-level list is refused on Account.opportunities, and the other way round
    body = await gql(nested, {"id": account, "after": top}, errors=True)
    assert codes(body) == ["INVALID_PAGINATION"], body
    body = await gql(
        "query($a: String) { opportunities(first: 1, after: $a) { totalCount } }", {"a": first["cursor"]}, errors=True
    )
    assert codes(body) == ["INVALID_PAGINATION"], body
    assert (await gql("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 3


async def test_an_empty_or_matches_nothing(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "A", "accountId": account})
    deals = "query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }"
    assert (await gql(deals, {"f": {"or": []}}))["opportunities"]["totalCount"] == 0
    assert (await gql(deals, {"f": {"not": {"or": []}}}))["opportunities"]["totalCount"] == 1
    assert (await gql(deals, {"f": {"account": {"or": []}}}))["opportunities"]["totalCount"] == 0
    assert (await gql(deals, {"f": {"and": []}}))["opportunities"]["totalCount"] == 1


async def test_filter_decimal_refusals_are_invalid_and_worded_by_sign(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "A", "accountId": account, "manualAmount": "5"})
    deals = "query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }"
    # more than 4 places: INVALID, as API.md's error table says for every malformed value
    body = await gql(deals, {"f": {"amount": {"gte": "1.00001"}}}, errors=True)
    assert codes(body) == ["INVALID"], body
    assert body["errors"][0]["message"] == "1.00001 has more than 4 decimal places."
    # a huge negative bound is not "larger than any stored amount"
    body = await gql(deals, {"f": {"amount": {"gte": "-99999999999999999999999"}}}, errors=True)
    assert codes(body) == ["INVALID"], body
    assert body["errors"][0]["message"] == (
        "-99999999999999999999999 is beyond any stored amount (between -922337203685477.5807 and 922337203685477.5807)."
    )
    assert (await gql(deals, {"f": {"amount": {"gte": "4.9999"}}}))["opportunities"]["totalCount"] == 1


async def test_minus_zero_and_compact_dates(gql: Any) -> None:
    from factories import quote_with_lines

    ids = await quote_with_lines(gql, [])
    add = """mutation($i: AddManualQuoteItemInput!) { addManualQuoteItem(input: $i) {
      item { unitPrice lineTotal } userErrors { code } } }"""
    out = await gql(add, {"i": {"quoteId": ids["quote"], "name": "Free", "unitPrice": "-0", "quantity": "1"}})
    assert out["addManualQuoteItem"]["item"] == {"unitPrice": "0.00", "lineTotal": "0.00"}, out
    lines = """query($q: ID!) { node(id: $q) { ... on Quote { items { nodes { unitPrice lineTotal } } total } } }"""
    quote = (await gql(lines, {"q": ids["quote"]}))["node"]
    # "-0" is stored and answered as 0, never "-0.00"
    assert "-" not in str(quote), quote
    # a date only as YYYY-MM-DD: "20260105" and week dates are INVALID, nothing created
    create_deal = """mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) {
      opportunity { id } userErrors { code } } }"""
    for bad in ("20260105", "2026-W01-1", "2026-001"):
        body = await gql(
            create_deal, {"i": {"title": "Late", "accountId": ids["account"], "closeDate": bad}}, errors=True
        )
        assert codes(body) == ["INVALID"] and "data" not in body, (bad, body)
    assert (await gql("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 1
