"""Client mistakes (issue 14, found 9 and 10): each answered with a clear code, never the
masked "Unexpected error", and nothing changes."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from factories import create, quote_with_lines

COUNT = "{ accounts { totalCount } }"
UPDATE = "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { account { name } userErrors { code field } } }"
ACCOUNTS = "query($f: AccountFilter) { accounts(filter: $f) { totalCount } }"
DEALS = "query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def name_of(gql: Any, account_id: str) -> str:
    return str(
        (await gql("query($id: ID!) { node(id: $id) { ... on Account { name } } }", {"id": account_id}))["node"]["name"]
    )


async def test_non_ascii_digits_and_non_canonical_ids(gql: Any) -> None:
    # given an account (its id is base64("Account:1"))
    account = await create(gql, "Account", {"name": "Acme"})
    assert account == b64("Account:1")
    lookalikes = [
        b64("Account:\u00b2"),  # superscript two: str.isdigit() says yes, int() says no
        b64("Account:\u0661"),  # Arabic-Indic one: int() reads it as 1
        b64("Account:01"),  # a leading zero
        "QWNjb3VudDox=",  # wrong padding
        "QWNjb3VudDoxMh==",  # base64("Account:12") is ...Mg==: the same bytes, other spare bits
        "QWNjb3VudDox\n",
    ]
    for bad in lookalikes:
        # then node() answers null, without an error
        body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": bad}, errors=True)
        assert body == {"data": {"node": None}, "extensions": body["extensions"]}, (bad, body)
        # and a mutation refuses it as INVALID, changing nothing
        out = (await gql(UPDATE, {"i": {"id": bad, "name": "Changed"}}))["updateAccount"]
        assert out == {"account": None, "userErrors": [{"code": "INVALID", "field": ["input", "id"]}]}, (bad, out)
    assert await name_of(gql, account) == "Acme"


@pytest.mark.parametrize(
    "text", ["\uff11\uff12\uff13", " 1", "1 ", "+5", ".5", "5.", "1e3", "1E+2", "0x10", "1_000", "--1", "\u0663"]
)
async def test_loose_decimals_are_refused(gql: Any, text: str) -> None:
    # as a filter variable, as a literal, and in a mutation input
    body = await gql(DEALS, {"f": {"amount": {"gte": text}}}, errors=True)
    assert "data" not in body or body["data"] is None, body
    assert codes(body) == ["INVALID"], body
    account = await create(gql, "Account", {"name": "Acme"})
    body = await gql(
        "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } } }",
        {"i": {"title": "Deal", "accountId": account, "manualAmount": text}},
        errors=True,
    )
    assert codes(body) == ["INVALID"], body
    assert (await gql("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 0


async def test_plain_decimals_still_work(gql: Any) -> None:
    for text in ("5", "-5", "0.50", "1234.5678", "0"):
        body = await gql(DEALS, {"f": {"amount": {"gte": text}}})
        assert body["opportunities"]["totalCount"] == 0


async def test_or_with_500_branches_and_big_in_lists_are_invalid(gql: Any) -> None:
    await create(gql, "Account", {"name": "Acme"})
    for flt in (
        {"or": [{"name": {"eq": str(i)}} for i in range(500)]},
        {"and": [{"not": {"name": {"eq": str(i)}}} for i in range(60)]},
        {"name": {"in": [str(i) for i in range(1001)]}},
        {"name": {"in": [str(i) for i in range(40_000)]}},  # over PostgreSQL's 32,767 parameters
    ):
        body = await gql(ACCOUNTS, {"f": flt}, errors=True)
        assert body.get("data") is None and codes(body) == ["INVALID"], body
    # a literal list over the bound is refused before execution as well
    literal = "{ nodes(ids: [" + ", ".join(f'"{b64(f"Account:{i}")}"' for i in range(1, 1100)) + "]) { id } }"
    body = await gql(literal, errors=True)
    assert codes(body) == ["INVALID"], body
    # within the bounds, filters work as before
    ok = await gql(ACCOUNTS, {"f": {"or": [{"name": {"eq": str(i)}} for i in range(40)] + [{"name": {"eq": "Acme"}}]}})
    assert ok["accounts"]["totalCount"] == 1
    ok = await gql(ACCOUNTS, {"f": {"name": {"in": ["Acme", *(str(i) for i in range(999))]}}})
    assert ok["accounts"]["totalCount"] == 1


async def test_values_the_database_cannot_hold_are_invalid(gql: Any) -> None:
    ids = await quote_with_lines(gql, [{"name": "Line", "unitPrice": "10"}])
    quote = "query($q: ID!) { node(id: $q) { ... on Quote { total items { totalCount } } } }"
    before = await gql(quote, {"q": ids["quote"]})
    # a 30-digit amount in a filter
    body = await gql(DEALS, {"f": {"amount": {"gte": "1" * 30}}}, errors=True)
    assert body.get("data") is None and codes(body) == ["INVALID"], body
    # a string longer than the column in an equality filter
    body = await gql(ACCOUNTS, {"f": {"name": {"eq": "x" * 300}}}, errors=True)
    assert body.get("data") is None and codes(body) == ["INVALID"], body
    # unit price times quantity beyond the column's range (each alone fits)
    add = """mutation($i: AddManualQuoteItemInput!) { addManualQuoteItem(input: $i) {
               item { id } userErrors { code } } }"""
    for price, quantity in (("100000000000", "100000000"), ("900000000000", "100000"), ("99999999999999999999", "1")):
        out = await gql(add, {"i": {"quoteId": ids["quote"], "name": "Big", "unitPrice": price, "quantity": quantity}})
        assert out["addManualQuoteItem"] == {"item": None, "userErrors": [{"code": "INVALID"}]}, (price, out)
    assert await gql(quote, {"q": ids["quote"]}) == before


async def test_nul_characters_are_invalid_on_both_databases(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    for document, variables in (
        ('mutation { createAccount(input: {name: "a\\u0000b"}) { account { id } } }', {}),
        ("mutation($n: String!) { createAccount(input: {name: $n}) { account { id } } }", {"n": "a\x00b"}),
        (UPDATE, {"i": {"id": account, "name": "x\x00"}}),
        (ACCOUNTS, {"f": {"name": {"contains": "\x00"}}}),
    ):
        body = await gql(document, variables, errors=True)
        assert body.get("data") is None and codes(body) == ["INVALID"], body
    assert (await gql(COUNT))["accounts"]["totalCount"] == 1
    assert await name_of(gql, account) == "Acme"


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "0999-12-31T23:59:59Z",
    ],
)
async def test_datetimes_at_the_edge_of_the_range_are_invalid(gql: Any, value: str) -> None:
    await create(gql, "Account", {"name": "Acme"})
    body = await gql(ACCOUNTS, {"f": {"createdAt": {"gte": value}}}, errors=True)
    assert codes(body) == ["INVALID"], body
    literal = f'{{ accounts(filter: {{updatedAt: {{lt: "{value}"}}}}) {{ totalCount }} }}'
    assert codes(await gql(literal, errors=True)) == ["INVALID"]
    # a Date input too
    account = (await gql("{ accounts { nodes { id } } }"))["accounts"]["nodes"][0]["id"]
    body = await gql(
        "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } } }",
        {"i": {"title": "Deal", "accountId": account, "closeDate": value[:10]}},
        errors=True,
    )
    assert codes(body) == ["INVALID"], body
    assert (await gql("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 0


async def test_explicit_null_for_an_input_with_a_default(gql: Any) -> None:
    out = await gql(
        'mutation { createAccount(input: {name: "x", isPrivate: null}) { account { isPrivate } userErrors { code } } }'
    )
    assert out["createAccount"] == {"account": {"isPrivate": False}, "userErrors": []}


async def test_several_operations_without_operation_name_are_refused(gql: Any) -> None:
    document = 'mutation Make { createAccount(input: {name: "Made"}) { account { id } } } query Read { viewer { id } }'
    body = await gql(document, errors=True)
    assert body.get("data") is None and codes(body) == ["OPERATION_NAME_REQUIRED"], body
    assert (await gql(COUNT))["accounts"]["totalCount"] == 0
    # naming one runs that one only
    response = await gql.client.post(
        "/graphql",
        json={"query": document, "operationName": "Read"},
        headers={"Authorization": f"Bearer {gql.token}"},
    )
    assert response.json()["data"]["viewer"]["id"]
    assert (await gql(COUNT))["accounts"]["totalCount"] == 0


async def test_cursors_are_bound_to_their_list_and_ordering(gql: Any) -> None:
    for name in ("A", "B", "C"):
        account = await create(gql, "Account", {"name": name})
        await create(gql, "Contact", {"lastName": name, "accountId": account})
    page = "query($o: [AccountOrder!], $a: String) { accounts(first: 1, orderBy: $o, after: $a) { nodes { name } pageInfo { endCursor } } }"
    by_name = [{"field": "NAME", "direction": "ASC"}]
    cursor = (await gql(page, {"o": by_name}))["accounts"]["pageInfo"]["endCursor"]
    # the same ordering pages on
    assert (await gql(page, {"o": by_name, "a": cursor}))["accounts"]["nodes"] == [{"name": "B"}]
    # another ordering, direction or list refuses the cursor
    for other in ([{"field": "NAME", "direction": "DESC"}], [{"field": "CITY", "direction": "ASC"}]):
        body = await gql(page, {"o": other, "a": cursor}, errors=True)
        assert codes(body) == ["INVALID_PAGINATION"], (other, body)
    contacts = "query($a: String) { contacts(first: 1, after: $a) { nodes { lastName } pageInfo { endCursor } } }"
    contact_cursor = (await gql(contacts))["contacts"]["pageInfo"]["endCursor"]
    body = await gql(page, {"o": None, "a": contact_cursor}, errors=True)
    assert codes(body) == ["INVALID_PAGINATION"], body
    body = await gql(contacts, {"a": cursor}, errors=True)
    assert codes(body) == ["INVALID_PAGINATION"], body
