"""Quotes through the HTTP API: totals to the cent, life cycle, currency, duplicate, revise,
the active quote and the opportunity amount. The quote documents and ``world`` live in
tests/quoting.py, shared with the other pricing test modules."""

from __future__ import annotations

from factories import ERR, call, create, user_error
from quoting import (
    ACCEPT,
    ADD_ITEMS,
    ADD_MANUAL,
    CHANGE_CURRENCY,
    DELETE_QUOTE,
    DUPLICATE,
    QUOTE,
    REVISE,
    SEND,
    SET_ACTIVE,
    SET_RATE,
    UPDATE_ITEM,
    UPDATE_QUOTE,
    read_opp,
    read_quote,
    totals,
    world,
)

FROM_OPP = f"""mutation($input: CreateQuoteFromOpportunityInput!) {{ createQuoteFromOpportunity(input: $input) {{
  quote {{ {QUOTE} }} opportunity {{ id amount amountSource }} {ERR} }} }}"""
REJECT = f"mutation($input: RejectQuoteInput!) {{ rejectQuote(input: $input) {{ quote {{ {QUOTE} }} {ERR} }} }}"


async def test_worked_example_from_domain(gql) -> None:
    # given a quote with one 100.00 line at 21 % tax
    w = await world(gql)
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["A"], "taxRate": "21"}]})
    # when a 10 % document discount is set through the plain updateQuote
    quote = (await call(gql, UPDATE_QUOTE, {"id": w["quote"], "discountPercent": "10"}))["quote"]
    # then the totals follow DOMAIN.md 1 exactly, and are stored
    expected = {
        "subtotal": "100.00",
        "discountTotal": "10.00",
        "netTotal": "90.00",
        "taxTotal": "18.90",
        "total": "108.90",
    }
    assert totals(quote) == expected
    assert totals(await read_quote(gql, w["quote"])) == expected
    filtered = await gql('{ quotes(filter: { total: { eq: "108.90" } }) { totalCount } }')
    assert filtered["quotes"]["totalCount"] == 1


async def test_half_cents_round_half_up(gql) -> None:
    # given price-book prices 0.125 and 2.675 and a manual 1.005 line (as quantity x price)
    w = await world(gql)
    payload = await call(
        gql,
        ADD_ITEMS,
        {
            "quoteId": w["quote"],
            "items": [
                {"productId": w["B"]},
                {"productId": w["C"]},
                {"name": "Odd", "quantity": "0.5", "unitPrice": "2.01"},
            ],
        },
    )
    # then each line rounds half-up
    assert [i["lineTotal"] for i in payload["items"]] == ["0.13", "2.68", "1.01"]
    assert [i["unitPrice"] for i in payload["items"]] == ["0.125", "2.675", "2.01"]
    assert payload["quote"]["subtotal"] == "3.82"
    assert payload["quote"]["total"] == "3.82"


async def test_jpy_quote_has_no_minor_units(gql) -> None:
    w = await world(gql)
    quote = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["book"], "currency": "JPY"})
    payload = await call(
        gql,
        ADD_ITEMS,
        {
            "quoteId": quote,
            "items": [{"productId": w["J"], "quantity": "3", "taxRate": "10", "discountPercent": "12.5"}],
        },
    )
    # 3 x 1000 x 0.875 = 2625; tax 262.5 -> 263
    assert payload["items"][0]["lineTotal"] == "2625"
    assert totals(payload["quote"]) == {
        "subtotal": "2625",
        "discountTotal": "0",
        "netTotal": "2625",
        "taxTotal": "263",
        "total": "2888",
    }


async def test_three_decimal_unit_price(gql) -> None:
    w = await world(gql)
    payload = await call(
        gql,
        ADD_ITEMS,
        {"quoteId": w["quote"], "items": [{"productId": w["A"], "unitPrice": "19.995", "quantity": "3"}]},
    )
    assert payload["items"][0]["unitPrice"] == "19.995"
    assert payload["items"][0]["lineTotal"] == "59.99"  # 59.985 -> 59.99
    assert payload["items"][0]["source"] == "PRICEBOOK"


async def test_lifecycle_and_accepted_quote_is_locked(gql) -> None:
    w = await world(gql)
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["A"]}]})
    # a draft cannot be... sent twice
    assert (await call(gql, SEND, {"quoteId": w["quote"]}))["quote"]["status"] == "SENT"
    await call(
        gql,
        SEND,
        {"quoteId": w["quote"]},
        [user_error("input.quoteId", "INVALID_TRANSITION", "The quote is SENT: only a DRAFT quote can be sent.")],
    )
    accepted = (await call(gql, ACCEPT, {"quoteId": w["quote"]}))["quote"]
    assert accepted["status"] == "ACCEPTED" and accepted["isLocked"] is True
    before = await read_quote(gql, w["quote"])
    item = before["items"]["nodes"][0]["id"]
    locked = [user_error("input.quoteId", "LOCKED", "An accepted quote is read-only.")]
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["A"]}]}, locked)
    await call(
        gql,
        UPDATE_ITEM,
        {"id": item, "quantity": "2"},
        [user_error("input.id", "LOCKED", "An accepted quote is read-only.")],
    )
    await call(
        gql,
        UPDATE_QUOTE,
        {"id": w["quote"], "discountPercent": "5"},
        [user_error("input.id", "LOCKED", "An accepted quote is read-only.")],
    )
    await call(
        gql,
        REJECT,
        {"quoteId": w["quote"]},
        [
            user_error(
                "input.quoteId",
                "INVALID_TRANSITION",
                "The quote is ACCEPTED: only a DRAFT or SENT quote can be rejected.",
            )
        ],
    )
    await call(
        gql,
        REVISE,
        {"quoteId": w["quote"]},
        [user_error("input.quoteId", "INVALID_TRANSITION", "An accepted quote cannot be revised.")],
    )
    assert await read_quote(gql, w["quote"]) == before


async def test_change_currency_round_trip_restores_entry_prices(gql) -> None:
    w = await world(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    await call(
        gql,
        ADD_ITEMS,
        {
            "quoteId": w["quote"],
            "items": [
                {"productId": w["A"], "unitPrice": "95", "discountPercent": "10"},
                {"productId": w["C"], "quantity": "2"},
            ],
        },
    )
    await call(gql, ADD_MANUAL, {"quoteId": w["quote"], "name": "Setup", "unitPrice": "9.00"})
    usd = (await call(gql, CHANGE_CURRENCY, {"quoteId": w["quote"], "currency": "USD"}))["quote"]
    lines = usd["items"]["nodes"]
    assert usd["currency"] == "USD"
    assert [(i["unitPrice"], i["lineTotal"], i["currency"]) for i in lines] == [
        ("110.00", "99.00", "USD"),
        ("3.00", "6.00", "USD"),
        ("10.00", "10.00", "USD"),
    ]  # 9 EUR / 0.9
    assert lines[0]["discountPercent"] == "10"
    eur = (await call(gql, CHANGE_CURRENCY, {"quoteId": w["quote"], "currency": "EUR"}))["quote"]
    assert [(i["unitPrice"], i["lineTotal"]) for i in eur["items"]["nodes"]] == [
        ("100.00", "90.00"),
        ("2.675", "5.35"),
        ("9.00", "9.00"),
    ]
    assert eur["subtotal"] == "104.35"


async def test_change_currency_refusals_leave_quote_untouched(gql) -> None:
    w = await world(gql)
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["A"]}, {"productId": w["B"]}]})
    before = await read_quote(gql, w["quote"])
    # B has no USD price
    await call(
        gql,
        CHANGE_CURRENCY,
        {"quoteId": w["quote"], "currency": "USD"},
        [user_error("input.currency", "NOT_IN_PRICEBOOK", "No price in USD for: Product B (B).")],
    )
    # unknown code
    await call(
        gql,
        CHANGE_CURRENCY,
        {"quoteId": w["quote"], "currency": "XYZ"},
        [user_error("input.currency", "INVALID", "'XYZ' is not an ISO 4217 currency code.")],
    )
    # manual line without an exchange rate
    other = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["book"], "currency": "EUR"})
    await call(gql, ADD_MANUAL, {"quoteId": other, "name": "Setup", "unitPrice": "9.00"})
    other_before = await read_quote(gql, other)
    await call(
        gql,
        CHANGE_CURRENCY,
        {"quoteId": other, "currency": "GBP"},
        [
            user_error(
                "input.currency",
                "MISSING_EXCHANGE_RATE",
                "No exchange rate for GBP: set one with setExchangeRate first.",
            )
        ],
    )
    assert await read_quote(gql, w["quote"]) == before
    assert await read_quote(gql, other) == other_before


async def test_duplicate_and_revise_keep_totals(gql) -> None:
    w = await world(gql)
    quote = (await call(gql, FROM_OPP, {"opportunityId": w["opp"]}))["quote"]
    await call(
        gql,
        ADD_ITEMS,
        {
            "quoteId": quote["id"],
            "items": [{"productId": w["A"], "taxRate": "21"}, {"productId": w["C"], "quantity": "3"}],
        },
    )
    await call(gql, UPDATE_QUOTE, {"id": quote["id"], "discountPercent": "7.5"})
    original = await read_quote(gql, quote["id"])
    assert original["isActive"] is True
    dup = (await call(gql, DUPLICATE, {"quoteId": quote["id"], "idempotencyKey": "k1"}))["quote"]
    assert totals(dup) == totals(original)
    assert dup["number"] != original["number"] and dup["status"] == "DRAFT" and dup["isActive"] is False
    assert dup["items"]["totalCount"] == 2
    again = (await call(gql, DUPLICATE, {"quoteId": quote["id"], "idempotencyKey": "k1"}))["quote"]
    assert again["id"] == dup["id"]
    await call(gql, SEND, {"quoteId": quote["id"]})
    revised = await call(gql, REVISE, {"quoteId": quote["id"]})
    new, previous = revised["quote"], revised["previous"]
    assert totals(new) == totals(original)
    assert (new["number"], new["revision"], new["status"], new["isActive"]) == (original["number"], 2, "DRAFT", True)
    assert previous["isActive"] is False and previous["isLocked"] is True
    # the superseded revision is read-only; the opportunity follows the new one
    await call(
        gql,
        ADD_ITEMS,
        {"quoteId": quote["id"], "items": [{"productId": w["A"]}]},
        [user_error("input.quoteId", "LOCKED", "A superseded revision is read-only.")],
    )
    opp = await read_opp(gql, w["opp"])
    assert opp["activeQuote"]["id"] == new["id"]
    assert (opp["amount"], opp["amountSource"]) == (new["netTotal"], "QUOTE")
    lineage = await gql(
        "query($id: ID!) { quote(id: $id) { lineage { kind from { id } to { id } } } }", {"id": new["id"]}
    )
    assert {"kind": "QUOTE_REVISION", "from": {"id": quote["id"]}, "to": {"id": new["id"]}} in (
        lineage["quote"]["lineage"]
    )


async def test_opportunity_amount_follows_items_then_active_quote(gql) -> None:
    w = await world(gql)
    add = f"""mutation($input: AddOpportunityItemsInput!) {{ addOpportunityItems(input: $input) {{
      opportunity {{ id amount amountSource }} items {{ id lineTotal }} {ERR} }} }}"""
    payload = await call(gql, add, {"opportunityId": w["opp"], "items": [{"productId": w["A"], "quantity": "2"}]})
    assert (payload["opportunity"]["amount"], payload["opportunity"]["amountSource"]) == ("200.00", "ITEMS")
    first = await call(gql, FROM_OPP, {"opportunityId": w["opp"], "name": "First"})
    assert first["quote"]["isActive"] is True and first["quote"]["items"]["totalCount"] == 1
    assert (first["opportunity"]["amount"], first["opportunity"]["amountSource"]) == ("200.00", "QUOTE")
    second = (await call(gql, FROM_OPP, {"opportunityId": w["opp"], "name": "Second"}))["quote"]
    assert second["isActive"] is False
    await call(gql, ADD_ITEMS, {"quoteId": second["id"], "items": [{"productId": w["C"]}]})
    active = await call(gql, SET_ACTIVE, {"quoteId": second["id"]})
    assert (active["opportunity"]["amount"], active["opportunity"]["amountSource"]) == ("202.68", "QUOTE")
    assert (await read_quote(gql, first["quote"]["id"]))["isActive"] is False
    # deleting the active quote is refused
    before = await read_quote(gql, second["id"])
    await call(
        gql,
        DELETE_QUOTE,
        {"id": second["id"]},
        [user_error("input.id", "IN_USE", "The active quote cannot be deleted: make another quote active first.")],
    )
    assert await read_quote(gql, second["id"]) == before
    # a quote without an opportunity cannot be active
    await call(
        gql,
        SET_ACTIVE,
        {"quoteId": w["quote"]},
        [user_error("input.quoteId", "INVALID_TRANSITION", "This quote has no opportunity to be active for.")],
    )
    # an active quote in USD counts converted into the opportunity's EUR
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.5"})
    usd = (await call(gql, FROM_OPP, {"opportunityId": w["opp"], "currency": "USD"}))["quote"]
    assert usd["currency"] == "USD" and usd["netTotal"] == "220.00"
    active = await call(gql, SET_ACTIVE, {"quoteId": usd["id"]})
    assert active["opportunity"]["amount"] == "110.00"


async def test_quotes_of_a_closed_opportunity_are_locked(gql) -> None:
    from crm_graphql import models as m
    from crm_graphql.api.relay import from_global_id
    from crm_graphql.enums import OpportunityStatus

    w = await world(gql)
    quote = (await call(gql, FROM_OPP, {"opportunityId": w["opp"]}))["quote"]
    # the opportunity is lost (winOpportunity/loseOpportunity belong to the pipeline work)
    await m.Opportunity.filter(id=from_global_id(w["opp"])[1]).update(status=OpportunityStatus.LOST)
    before = await read_quote(gql, quote["id"])
    await call(
        gql,
        FROM_OPP,
        {"opportunityId": w["opp"]},
        [user_error("input.opportunityId", "LOCKED", "The opportunity is closed: reopen it to edit it.")],
    )
    closed = [user_error("input.quoteId", "LOCKED", "The quote's opportunity is closed: reopen it to edit.")]
    await call(gql, ADD_ITEMS, {"quoteId": quote["id"], "items": [{"productId": w["A"]}]}, closed)
    await call(gql, SEND, {"quoteId": quote["id"]}, closed)
    add = f"""mutation($input: AddOpportunityItemsInput!) {{ addOpportunityItems(input: $input) {{ {ERR} }} }}"""
    await call(
        gql,
        add,
        {"opportunityId": w["opp"], "items": [{"productId": w["A"]}]},
        [user_error("input.opportunityId", "LOCKED", "The opportunity is closed: reopen it to edit it.")],
    )
    assert await read_quote(gql, quote["id"]) == before
    assert (await read_opp(gql, w["opp"]))["items"]["totalCount"] == 0


async def test_read_only_role_is_forbidden(gql, actors) -> None:
    from crm_graphql.enums import Role

    w = await world(gql)
    ro = gql.as_(actors[Role.READ_ONLY])
    await call(
        ro,
        ADD_ITEMS,
        {"quoteId": w["quote"], "items": [{"productId": w["A"]}]},
        [user_error("input", "FORBIDDEN", "Your role may only read.")],
    )
    assert (await read_quote(gql, w["quote"]))["items"]["totalCount"] == 0


async def test_quote_from_opportunity_copies_items_and_links(gql) -> None:
    w = await world(gql)
    add = f"""mutation($input: AddOpportunityItemsInput!) {{ addOpportunityItems(input: $input) {{ {ERR} }} }}"""
    await call(
        gql,
        add,
        {
            "opportunityId": w["opp"],
            "items": [{"productId": w["A"], "discountPercent": "5"}, {"name": "Consulting", "unitPrice": "80"}],
        },
    )
    values = {"opportunityId": w["opp"], "name": "Offer", "validUntil": "2030-01-31", "idempotencyKey": "q-1"}
    first = await call(gql, FROM_OPP, values)
    quote = first["quote"]
    assert [(i["name"], i["lineTotal"], i["source"]) for i in quote["items"]["nodes"]] == [
        ("Product A", "95.00", "PRICEBOOK"),
        ("Consulting", "80.00", "MANUAL"),
    ]
    assert (quote["status"], quote["isActive"], quote["netTotal"]) == ("DRAFT", True, "175.00")
    # the same key returns the same quote; another input with it is refused
    assert (await call(gql, FROM_OPP, values))["quote"]["id"] == quote["id"]
    await call(
        gql,
        FROM_OPP,
        {**values, "name": "Other"},
        [
            user_error(
                "input.idempotencyKey", "IDEMPOTENCY_KEY_REUSED", "This idempotency key was used with other input."
            )
        ],
    )
    detail = await gql(
        """query($id: ID!) { quote(id: $id) { name validUntil account { id } opportunity { id }
           origin { id } timeline(first: 10) { nodes { kind } } } }""",
        {"id": quote["id"]},
    )
    assert detail["quote"]["origin"] == {"id": w["opp"]}
    assert (detail["quote"]["name"], detail["quote"]["validUntil"]) == ("Offer", "2030-01-31")
    assert detail["quote"]["account"]["id"] == w["account"]
    assert "CREATED" in {e["kind"] for e in detail["quote"]["timeline"]["nodes"]}
    opp = await gql(
        "query($id: ID!) { opportunity(id: $id) { timeline(first: 20) { nodes { kind } } } }", {"id": w["opp"]}
    )
    assert "QUOTE_CREATED" in {e["kind"] for e in opp["opportunity"]["timeline"]["nodes"]}
    # a currency without prices for every line is refused as a whole
    count = (await gql("{ quotes { totalCount } }"))["quotes"]["totalCount"]
    await call(
        gql,
        FROM_OPP,
        {"opportunityId": w["opp"], "currency": "JPY"},
        [user_error("input.currency", "NOT_IN_PRICEBOOK", "No price in JPY for: Product A (A).")],
    )
    assert (await gql("{ quotes { totalCount } }"))["quotes"]["totalCount"] == count
