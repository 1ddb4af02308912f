"""End-to-end pricing scenarios written from DOMAIN.md sections 1, 2, 4 and 10 and the
Easy Project help pages: money, catalog, bundles, quotes, the active quote, currencies."""

from __future__ import annotations

import asyncio
from typing import Any

from factories import call, create, mutation, on_database, priced_products, user_error
from quoting import (
    ACCEPT,
    ADD_BUNDLE,
    ADD_ITEMS,
    ADD_MANUAL,
    CHANGE_CURRENCY,
    DELETE_QUOTE,
    DUPLICATE,
    QUOTE,
    REVISE,
    ROUND,
    SEND,
    SET_ACTIVE,
    SET_BUNDLE_PRICE,
    SET_RATE,
    UPDATE_ITEM,
    UPDATE_QUOTE,
    read_quote,
)

from crm_graphql.enums import Role

READ_OPP = """query($id: ID!) { opportunity(id: $id) { id version currency amount amountSource
  activeQuote { id } } }"""


FROM_OPP = mutation(
    "createQuoteFromOpportunity",
    f"quote {{ {QUOTE} contact {{ id }} account {{ id }} }} opportunity {{ id amount amountSource }}",
)
CREATE_QUOTE = mutation("createQuote", f"quote {{ {QUOTE} }}")
BUNDLE = (
    "id code pricebook { id } items { nodes { product { id } quantity weight } } prices { nodes { currency price } }"
)
COPY_BUNDLE = mutation("copyBundle", f"bundle {{ {BUNDLE} }}")
MOVE_BUNDLE = mutation("moveBundle", f"bundle {{ {BUNDLE} }}")
DELETE_ENTRY = mutation("deletePricebookEntry", "")


async def codes(gql: Any, query: str, values: dict[str, Any]) -> list[str]:
    data = await gql(query, {"input": values})
    return [e["code"] for e in next(iter(data.values()))["userErrors"]]


async def read_opp(gql: Any, opp_id: str) -> Any:
    return (await gql(READ_OPP, {"id": opp_id}))["opportunity"]


def totals(quote: dict[str, Any]) -> tuple[str, ...]:
    return tuple(quote[k] for k in ("subtotal", "discountTotal", "netTotal", "taxTotal", "total"))


async def shop(gql: Any) -> dict[str, str]:
    """Account + contact, price book "Standard": P1 100.00 EUR / 120.00 USD, P2 40.00 EUR /
    50.00 USD, P3 19.99 EUR only, PJ 1500 JPY, PK 12.345 KWD; an EUR opportunity."""
    w: dict[str, str] = {}
    w["account"] = await create(gql, "Account", {"name": "Globex"})
    w["contact"] = await create(gql, "Contact", {"firstName": "Ann", "lastName": "Lee", "accountId": w["account"]})
    w["book"] = await create(gql, "Pricebook", {"name": "Standard"})
    prices = {
        "P1": [("EUR", "100.00"), ("USD", "120.00")],
        "P2": [("EUR", "40.00"), ("USD", "50.00")],
        "P3": [("EUR", "19.99")],
        "PJ": [("JPY", "1500")],
        "PK": [("KWD", "12.345")],
    }
    w |= await priced_products(gql, w["book"], prices, "Item")
    w["opp"] = await create(
        gql,
        "Opportunity",
        {
            "title": "Big deal",
            "accountId": w["account"],
            "contactId": w["contact"],
            "currency": "EUR",
            "pricebookId": w["book"],
        },
    )
    return w


async def new_quote(gql: Any, w: dict[str, str], currency: str = "EUR", **extra: Any) -> str:
    return await create(
        gql, "Quote", {"accountId": w["account"], "pricebookId": w["book"], "currency": currency, **extra}
    )


async def kit(gql: Any, w: dict[str, str], price: str, weights: tuple[str, ...], currency: str = "EUR") -> str:
    b = await create(gql, "Bundle", {"pricebookId": w["book"], "name": "Kit", "code": f"K{len(weights)}-{price}"})
    for product, weight in zip(("P1", "P2", "P3"), weights, strict=False):
        await create(gql, "BundleItem", {"bundleId": b, "productId": w[product], "quantity": "1", "weight": weight})
    await call(gql, SET_BUNDLE_PRICE, {"bundleId": b, "currency": currency, "price": price})
    return b


# --- section 1: money -------------------------------------------------------------------


async def test_worked_example_100_at_21_percent_with_10_percent_document_discount(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w, discountPercent="10")
    payload = await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"], "taxRate": "21"}]})
    assert totals(payload["quote"]) == ("100.00", "10.00", "90.00", "18.90", "108.90")
    assert totals(await read_quote(gql, q)) == ("100.00", "10.00", "90.00", "18.90", "108.90")


async def test_several_lines_different_tax_rates_and_line_discounts(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    items = [
        {"productId": w["P1"], "quantity": "3", "discountPercent": "5", "taxRate": "21"},  # 285.00
        {"productId": w["P2"], "quantity": "1.5", "discountPercent": "12.5", "taxRate": "7"},  # 52.50
        {"productId": w["P3"], "quantity": "7", "taxRate": "0"},  # 139.93
    ]
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": items})
    quote = (await call(gql, UPDATE_QUOTE, {"id": q, "discountPercent": "3.5"}))["quote"]
    assert [i["lineTotal"] for i in quote["items"]["nodes"]] == ["285.00", "52.50", "139.93"]
    # subtotal 477.43; discount round(16.71005)=16.71; tax: 285*0.965*0.21=57.75525->57.76,
    # 52.5*0.965*0.07=3.546375->3.55, 0 -> 61.31; total 477.43-16.71+61.31 = 522.03
    assert totals(quote) == ("477.43", "16.71", "460.72", "61.31", "522.03")


async def test_line_tax_rate_defaults_to_zero(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    payload = await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}]})
    assert payload["items"][0]["taxRate"] in ("0", "0.00")
    assert payload["quote"]["taxTotal"] == "0.00" and payload["quote"]["total"] == "100.00"


async def test_jpy_quote_rounds_to_whole_yen(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w, "JPY", discountPercent="10")
    payload = await call(
        gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["PJ"], "quantity": "3", "taxRate": "8"}]}
    )
    # 4500; discount 450; tax 4500*0.9*0.08 = 324; total 4374
    assert totals(payload["quote"]) == ("4500", "450", "4050", "324", "4374")
    manual = await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Fee", "unitPrice": "0.5", "quantity": "1"})
    assert manual["item"]["lineTotal"] == "1"  # 0.5 -> 1 half-up


async def test_kwd_quote_has_three_decimals(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w, "KWD")
    payload = await call(
        gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["PK"], "quantity": "0.5", "taxRate": "5"}]}
    )
    # 6.1725 -> 6.173 (half-up); tax 0.30865 -> 0.309
    assert payload["items"][0]["lineTotal"] == "6.173"
    assert totals(payload["quote"]) == ("6.173", "0.000", "6.173", "0.309", "6.482")


async def test_five_decimal_unit_price_is_refused_not_rounded(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    before = await read_quote(gql, q)
    await call(
        gql,
        ADD_MANUAL,
        {"quoteId": q, "name": "Odd", "unitPrice": "1.23456"},
        [user_error("input.unitPrice", "INVALID", "unitPrice has more than 4 decimal places.")],
    )
    assert await read_quote(gql, q) == before
    assert await codes(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"], "unitPrice": "1.23456"}]}) == [
        "INVALID"
    ]
    # a price book entry with 5 decimals is refused too
    await create(
        gql,
        "PricebookEntry",
        {"pricebookId": w["book"], "productId": w["P3"], "currency": "USD", "unitPrice": "1.23456"},
        [user_error("input.unitPrice", "INVALID", "unitPrice has more than 4 decimal places.")],
    )
    # a 4-decimal price is kept as given
    ok = await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Fine", "unitPrice": "1.2345", "quantity": "2"})
    assert (ok["item"]["unitPrice"], ok["item"]["lineTotal"]) == ("1.2345", "2.47")


async def test_quantity_and_discount_bounds(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    before = await read_quote(gql, q)
    for item, field in (
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "1.00001"}, "quantity"),
        ({"discountPercent": "100.01"}, "discountPercent"),
        ({"discountPercent": "-0.01"}, "discountPercent"),
    ):
        data = await gql(ADD_ITEMS, {"input": {"quoteId": q, "items": [{"productId": w["P1"], **item}]}})
        errors = data["addQuoteItems"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(["input", "items", "0", field], "INVALID")], item
    assert await read_quote(gql, q) == before
    # 100 % is allowed
    free = await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"], "discountPercent": "100"}]})
    assert free["items"][0]["lineTotal"] == "0.00"
    # a document discount over 100 is refused
    assert await codes(gql, UPDATE_QUOTE, {"id": q, "discountPercent": "100.01"}) == ["INVALID"]


async def test_decimals_are_strings_never_exponent(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    payload = await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Round", "unitPrice": "100", "quantity": "1"})
    assert payload["item"]["lineTotal"] == "100.00"
    assert payload["quote"]["total"] == "100.00"
    tenth = await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Tiny", "unitPrice": "0.1"})
    assert tenth["item"]["lineTotal"] == "0.10"
    big = await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Big", "unitPrice": "1000000", "quantity": "100"})
    assert big["item"]["lineTotal"] == "100000000.00"
    zero = await new_quote(gql, w)
    assert totals(await read_quote(gql, zero)) == ("0.00", "0.00", "0.00", "0.00", "0.00")
    for value in (payload["item"]["quantity"], big["quote"]["total"], big["item"]["unitPrice"]):
        assert "E" not in value and "e" not in value, value


async def test_decimal_input_as_json_number_is_a_graphql_error(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    for bad in (100.5, 100, "NaN", "Infinity", "1e2", "abc"):
        body = await gql(ADD_MANUAL, {"input": {"quoteId": q, "name": "X", "unitPrice": bad}}, errors=True)
        assert body.get("errors"), (bad, body)
        assert body.get("data") is None, (bad, body)
        # a client error that says what is wrong, not a masked internal error
        assert body["errors"][0]["message"] != "Unexpected error.", (bad, body)
        assert body["errors"][0].get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", (bad, body)
        assert "unitPrice" in body["errors"][0]["message"], (bad, body)
    # an input field the type does not have (updateQuote has no currency: changeQuoteCurrency reprices)
    body = await gql(UPDATE_QUOTE, {"input": {"id": q, "currency": "USD"}}, errors=True)
    assert "data" not in body and "currency" in body["errors"][0]["message"]  # nothing executed
    assert (await read_quote(gql, q))["items"]["totalCount"] == 0


# --- exchange rates ----------------------------------------------------------------------


async def test_exchange_rates_query_and_set(gql, actors) -> None:
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.92"})
    again = await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    assert again["exchangeRate"] == {"currency": "USD", "rate": "0.9"}
    await call(gql, SET_RATE, {"currency": "GBP", "rate": "1.17"})
    rates = {r["currency"]: r["rate"] for r in (await gql("{ exchangeRates { currency rate } }"))["exchangeRates"]}
    assert rates["USD"] == "0.9" and rates["GBP"] == "1.17"
    assert await codes(gql, SET_RATE, {"currency": "XYZ", "rate": "1"}) == ["INVALID"]
    assert await codes(gql, SET_RATE, {"currency": "USD", "rate": "0"}) == ["INVALID"]
    assert await codes(gql, SET_RATE, {"currency": "USD", "rate": "-1"}) == ["INVALID"]
    assert await codes(gql.as_(actors[Role.SALES_REP]), SET_RATE, {"currency": "USD", "rate": "2"}) == ["FORBIDDEN"]
    rates = {r["currency"]: r["rate"] for r in (await gql("{ exchangeRates { currency rate } }"))["exchangeRates"]}
    assert rates["USD"] == "0.9"


async def test_manual_line_converted_through_the_base_to_four_places(gql) -> None:
    w = await shop(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    await call(gql, SET_RATE, {"currency": "GBP", "rate": "1.17"})
    q = await new_quote(gql, w, "USD")
    await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Setup", "unitPrice": "10.00"})
    # USD -> GBP through EUR: 10 * 0.9 / 1.17 = 7.692307... -> 7.6923 (4 places), line 7.69
    gbp = (await call(gql, CHANGE_CURRENCY, {"quoteId": q, "currency": "GBP"}))["quote"]
    line = gbp["items"]["nodes"][0]
    assert (line["unitPrice"], line["lineTotal"], line["currency"]) == ("7.6923", "7.69", "GBP")
    assert gbp["total"] == "7.69" and gbp["currency"] == "GBP"


# --- section 2: catalog ------------------------------------------------------------------


async def test_entry_unique_per_book_product_currency_unit(gql) -> None:
    w = await shop(gql)
    base = {"pricebookId": w["book"], "productId": w["P1"], "currency": "EUR", "unitPrice": "90"}
    data = await gql(mutation("createPricebookEntry", "pricebookEntry { id }"), {"input": base})
    assert [e["code"] for e in data["createPricebookEntry"]["userErrors"]] == ["DUPLICATE"]
    # another unit or another currency is a new entry
    await create(gql, "PricebookEntry", {**base, "unit": "box"})
    await create(gql, "PricebookEntry", {**base, "currency": "GBP"})
    other = await create(gql, "Pricebook", {"name": "Partner"})
    await create(gql, "PricebookEntry", {**base, "pricebookId": other})
    assert await codes(gql, mutation("createPricebookEntry", "pricebookEntry { id }"), {**base, "currency": "XXQ"}) == [
        "INVALID"
    ]


async def test_price_book_versions_and_same_product_different_prices(gql) -> None:
    w = await shop(gql)
    v2 = await create(gql, "Pricebook", {"name": "Standard 2025", "versionLabel": "2025", "supersedesId": w["book"]})
    await create(gql, "PricebookEntry", {"pricebookId": v2, "productId": w["P1"], "currency": "EUR", "unitPrice": "95"})
    book = await gql("query($id: ID!) { pricebook(id: $id) { versionLabel supersedes { id } } }", {"id": v2})
    assert book["pricebook"] == {"versionLabel": "2025", "supersedes": {"id": w["book"]}}
    q1 = await new_quote(gql, w)
    q2 = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": v2, "currency": "EUR"})
    a = await call(gql, ADD_ITEMS, {"quoteId": q1, "items": [{"productId": w["P1"]}]})
    b = await call(gql, ADD_ITEMS, {"quoteId": q2, "items": [{"productId": w["P1"]}]})
    assert (a["items"][0]["unitPrice"], b["items"][0]["unitPrice"]) == ("100.00", "95.00")


async def test_usd_only_price_and_eur_quote_is_not_in_pricebook(gql) -> None:
    w = await shop(gql)
    usd_only = await create(gql, "Product", {"name": "Imported", "code": "IMP"})
    await create(
        gql, "PricebookEntry", {"pricebookId": w["book"], "productId": usd_only, "currency": "USD", "unitPrice": "5"}
    )
    q = await new_quote(gql, w)
    before = await read_quote(gql, q)
    assert await codes(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": usd_only}]}) == ["NOT_IN_PRICEBOOK"]
    assert await read_quote(gql, q) == before
    # but a USD quote can have it
    usd = await new_quote(gql, w, "USD")
    assert (await call(gql, ADD_ITEMS, {"quoteId": usd, "items": [{"productId": usd_only}]}))["quote"]["total"] == (
        "5.00"
    )


async def test_inactive_entry_or_inactive_product_is_not_in_pricebook(gql) -> None:
    w = await shop(gql)
    entries = await gql(
        "query($id: ID!) { pricebook(id: $id) { entries(first: 100) { nodes { id currency product { id } } } } }",
        {"id": w["book"]},
    )
    entry = next(
        e["id"]
        for e in entries["pricebook"]["entries"]["nodes"]
        if e["product"]["id"] == w["P2"] and e["currency"] == "EUR"
    )
    await call(gql, mutation("updatePricebookEntry", ""), {"id": entry, "isActive": False})
    q = await new_quote(gql, w)
    assert await codes(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P2"]}]}) == ["NOT_IN_PRICEBOOK"]
    # an inactive price book sells nothing either
    await call(gql, mutation("updatePricebook", ""), {"id": w["book"], "isActive": False})
    assert await codes(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}]}) == ["NOT_IN_PRICEBOOK"]


async def test_used_entry_is_deactivated_not_deleted(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}]})
    entries = await gql(
        "query($id: ID!) { pricebook(id: $id) { entries(first: 100) { nodes { id currency product { id } } } } }",
        {"id": w["book"]},
    )
    nodes = entries["pricebook"]["entries"]["nodes"]
    used = next(e["id"] for e in nodes if e["product"]["id"] == w["P1"] and e["currency"] == "EUR")
    unused = next(e["id"] for e in nodes if e["product"]["id"] == w["P3"])
    await call(gql, DELETE_ENTRY, {"id": used})
    state = await gql("query($id: ID!) { node(id: $id) { ... on PricebookEntry { isActive } } }", {"id": used})
    assert state["node"] == {"isActive": False}
    await call(gql, DELETE_ENTRY, {"id": unused})
    assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": unused}))["node"] is None
    # the quote keeps its line and price
    assert totals(await read_quote(gql, q))[0] == "100.00"


async def test_bundle_100_01_over_1_1_and_times_three(gql) -> None:
    w = await shop(gql)
    b = await kit(gql, w, "100.01", ("1", "1"))
    q = await new_quote(gql, w)
    one = await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b})
    assert [i["lineTotal"] for i in one["items"]] == ["50.01", "50.00"]
    assert all(i["source"] == "BUNDLE" for i in one["items"])
    three = await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b, "quantity": "3"})
    assert [i["lineTotal"] for i in three["items"]] == ["150.02", "150.01"]
    assert sum(float(i["lineTotal"]) for i in three["items"]) == 300.03
    assert three["quote"]["subtotal"] == "400.04"


async def test_bundle_weights_1_2_1(gql) -> None:
    w = await shop(gql)
    b = await kit(gql, w, "100.00", ("1", "2", "1"))
    q = await new_quote(gql, w)
    lines = (await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b}))["items"]
    assert [(i["lineTotal"], i["weight"]) for i in lines] == [("25.00", "1"), ("50.00", "2"), ("25.00", "1")]
    # 0.10 over 1:2:1: 0.025/0.05/0.025 -> floors 0.02/0.05/0.02, one cent left to the earliest
    # largest remainder (ties -> earliest component)
    b2 = await kit(gql, w, "0.10", ("1", "2", "1"))
    lines = (await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b2}))["items"]
    assert [i["lineTotal"] for i in lines] == ["0.03", "0.05", "0.02"]
    # 10.00 over 1:1:1 -> 3.34 + 3.33 + 3.33
    b3 = await kit(gql, w, "10.00", ("1", "1", "1"))
    lines = (await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b3}))["items"]
    assert [i["lineTotal"] for i in lines] == ["3.34", "3.33", "3.33"]


async def test_bundle_component_price_edit_is_locked(gql) -> None:
    w = await shop(gql)
    b = await kit(gql, w, "80.00", ("1", "1"))
    q = await new_quote(gql, w)
    lines = (await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b}))["items"]
    before = await read_quote(gql, q)
    assert await codes(gql, UPDATE_ITEM, {"id": lines[0]["id"], "unitPrice": "1"}) == ["LOCKED"]
    assert await codes(gql, UPDATE_ITEM, {"id": lines[1]["id"], "discountPercent": "10"}) == ["LOCKED"]
    assert await read_quote(gql, q) == before


async def test_copy_and_move_bundle(gql) -> None:
    w = await shop(gql)
    b = await kit(gql, w, "100.00", ("3", "1"))
    copy = (await call(gql, COPY_BUNDLE, {"bundleId": b}))["bundle"]
    assert copy["id"] != b and copy["code"] != "K2-100.00"
    assert [(i["quantity"], i["weight"]) for i in copy["items"]["nodes"]] == [("1", "3"), ("1", "1")]
    assert copy["prices"]["nodes"] == [{"currency": "EUR", "price": "100.00"}]
    other = await create(gql, "Pricebook", {"name": "Partner"})
    await create(
        gql, "PricebookEntry", {"pricebookId": other, "productId": w["P1"], "currency": "EUR", "unitPrice": "1"}
    )
    assert await codes(gql, MOVE_BUNDLE, {"bundleId": copy["id"], "pricebookId": other}) == ["NOT_IN_PRICEBOOK"]
    await create(
        gql, "PricebookEntry", {"pricebookId": other, "productId": w["P2"], "currency": "EUR", "unitPrice": "1"}
    )
    moved = (await call(gql, MOVE_BUNDLE, {"bundleId": copy["id"], "pricebookId": other}))["bundle"]
    assert moved["pricebook"] == {"id": other}
    original = await gql(f"query($id: ID!) {{ bundle(id: $id) {{ {BUNDLE} }} }}", {"id": b})
    assert original["bundle"]["pricebook"] == {"id": w["book"]}


# --- section 4: quotes -------------------------------------------------------------------


async def test_quote_numbers_unique_and_sequential_under_concurrency(gql) -> None:
    w = await shop(gql)
    bodies = await asyncio.gather(
        *(gql(CREATE_QUOTE, {"input": {"accountId": w["account"], "currency": "EUR"}}) for _ in range(10))
    )
    numbers = [b["createQuote"]["quote"]["number"] for b in bodies]
    assert len(set(numbers)) == 10
    ordered = sorted(numbers)
    first = await create(gql, "Quote", {"accountId": w["account"], "currency": "EUR"})
    after = (await read_quote(gql, first))["number"]
    assert after not in numbers and after > ordered[-1]
    assert all(b["createQuote"]["quote"]["revision"] == 1 for b in bodies)


async def test_first_quote_becomes_active_and_set_active_switches_amount(gql) -> None:
    w = await shop(gql)
    q1 = await new_quote(gql, w, opportunityId=w["opp"])
    q2 = await new_quote(gql, w, opportunityId=w["opp"])
    assert (await read_quote(gql, q1))["isActive"] is True
    assert (await read_quote(gql, q2))["isActive"] is False
    await call(gql, ADD_ITEMS, {"quoteId": q1, "items": [{"productId": w["P1"], "taxRate": "20"}]})
    await call(gql, ADD_ITEMS, {"quoteId": q2, "items": [{"productId": w["P2"]}]})
    opp = await read_opp(gql, w["opp"])
    assert (opp["amount"], opp["amountSource"], opp["activeQuote"]) == ("100.00", "QUOTE", {"id": q1})
    switched = await call(gql, SET_ACTIVE, {"quoteId": q2})
    assert switched["opportunity"]["amount"] == "40.00"
    assert (await read_quote(gql, q1))["isActive"] is False
    # deleting the active quote is IN_USE, the other can go
    assert await codes(gql, DELETE_QUOTE, {"id": q2}) == ["IN_USE"]
    await call(gql, DELETE_QUOTE, {"id": q1})
    assert (await read_opp(gql, w["opp"]))["amount"] == "40.00"


async def test_usd_opportunity_with_eur_active_quote_amount_converted(gql) -> None:
    w = await shop(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.8"})
    opp = await create(
        gql, "Opportunity", {"title": "US deal", "accountId": w["account"], "currency": "USD", "pricebookId": w["book"]}
    )
    q = await new_quote(gql, w, "EUR", opportunityId=opp, discountPercent="10")
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"], "taxRate": "21"}]})
    # net 90.00 EUR -> 112.50 USD
    o = await read_opp(gql, opp)
    assert (o["amount"], o["amountSource"], o["currency"]) == ("112.50", "QUOTE", "USD")


async def test_change_currency_missing_price_is_all_or_nothing(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}, {"productId": w["P3"]}]})
    before = await read_quote(gql, q)
    data = await gql(CHANGE_CURRENCY, {"input": {"quoteId": q, "currency": "USD"}})
    errors = data["changeQuoteCurrency"]["userErrors"]
    assert [e["code"] for e in errors] == ["NOT_IN_PRICEBOOK"]
    assert "P3" in errors[0]["message"]
    after = await read_quote(gql, q)
    assert after == before
    assert (after["currency"], after["version"], totals(after)) == ("EUR", before["version"], totals(before))


async def test_currency_round_trip_restores_entry_prices_and_keeps_discounts(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w, discountPercent="5")
    await call(
        gql,
        ADD_ITEMS,
        {
            "quoteId": q,
            "items": [
                {"productId": w["P1"], "unitPrice": "77", "discountPercent": "10"},
                {"productId": w["P2"], "quantity": "2", "taxRate": "19"},
            ],
        },
    )
    usd = (await call(gql, CHANGE_CURRENCY, {"quoteId": q, "currency": "USD"}))["quote"]
    assert [(i["unitPrice"], i["discountPercent"]) for i in usd["items"]["nodes"]] == [("120.00", "10"), ("50.00", "0")]
    assert usd["discountPercent"] == "5"
    eur = (await call(gql, CHANGE_CURRENCY, {"quoteId": q, "currency": "EUR"}))["quote"]
    assert [i["unitPrice"] for i in eur["items"]["nodes"]] == ["100.00", "40.00"]
    # 90 + 80 = 170; discount 8.50; tax 80*0.95*0.19 = 14.44
    assert totals(eur) == ("170.00", "8.50", "161.50", "14.44", "175.94")


async def test_round_quote_total_to_one_and_to_five_cents(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P3"], "quantity": "3", "taxRate": "21"}]})
    # 59.97 + 12.59 = 72.56
    assert (await read_quote(gql, q))["total"] == "72.56"
    one = await call(gql, ROUND, {"quoteId": q, "roundTo": "1"})
    assert (one["item"]["lineTotal"], one["quote"]["total"], one["item"]["source"]) == ("0.44", "73.00", "ROUNDING")
    assert one["item"]["taxRate"] in ("0", "0.00") and one["quote"]["taxTotal"] == "12.59"
    five = await call(gql, ROUND, {"quoteId": q, "roundTo": "0.05"})
    assert (five["item"]["lineTotal"], five["quote"]["total"]) == ("-0.01", "72.55")
    assert five["quote"]["items"]["totalCount"] == 2
    # half-up: 72.575 is not reachable in cents; 72.525 -> 72.55 with 0.05
    assert await codes(gql, ROUND, {"quoteId": q, "roundTo": "0"}) == ["INVALID"]
    assert await codes(gql, ROUND, {"quoteId": q, "roundTo": "-1"}) == ["INVALID"]


async def test_round_quote_total_half_up_at_midpoint(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    await call(gql, ADD_MANUAL, {"quoteId": q, "name": "X", "unitPrice": "72.50"})
    one = await call(gql, ROUND, {"quoteId": q, "roundTo": "1"})
    assert (one["item"]["lineTotal"], one["quote"]["total"]) == ("0.50", "73.00")


async def test_duplicate_keeps_totals_new_number_draft_not_active(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w, opportunityId=w["opp"], discountPercent="10")
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"], "taxRate": "21"}]})
    await call(gql, SEND, {"quoteId": q})
    original = await read_quote(gql, q)
    dup = (await call(gql, DUPLICATE, {"quoteId": q}))["quote"]
    assert totals(dup) == totals(original) == ("100.00", "10.00", "90.00", "18.90", "108.90")
    assert (dup["status"], dup["isActive"], dup["revision"]) == ("DRAFT", False, 1)
    assert dup["number"] != original["number"]
    assert dup["items"]["totalCount"] == 1 and dup["items"]["nodes"][0]["id"] != original["items"]["nodes"][0]["id"]
    assert (await read_quote(gql, q))["isActive"] is True


async def test_revise_same_number_next_revision_takes_active_old_read_only(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w, opportunityId=w["opp"])
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}]})
    await call(gql, SEND, {"quoteId": q})
    revised = await call(gql, REVISE, {"quoteId": q})
    new, old = revised["quote"], revised["previous"]
    assert (new["number"], new["revision"], new["status"], new["isActive"]) == (old["number"], 2, "DRAFT", True)
    assert old["isActive"] is False and old["isLocked"] is True
    item = old["items"]["nodes"][0]["id"]
    assert await codes(gql, UPDATE_ITEM, {"id": item, "quantity": "2"}) == ["LOCKED"]
    assert await codes(gql, UPDATE_QUOTE, {"id": q, "name": "x"}) == ["LOCKED"]
    assert await codes(gql, ADD_MANUAL, {"quoteId": q, "name": "x", "unitPrice": "1"}) == ["LOCKED"]
    # revising the superseded revision again is refused; the new one can be revised
    assert await codes(gql, REVISE, {"quoteId": q}) != []
    third = (await call(gql, REVISE, {"quoteId": new["id"]}))["quote"]
    assert (third["number"], third["revision"]) == (old["number"], 3)
    found = await gql("query($n: String!) { quoteByNumber(number: $n) { id revision } }", {"n": old["number"]})
    assert found["quoteByNumber"] == {"id": third["id"], "revision": 3}
    assert (await read_opp(gql, w["opp"]))["activeQuote"] == {"id": third["id"]}


async def test_accepted_quote_is_read_only(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    item = (await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}]}))["items"][0]["id"]
    await call(gql, ACCEPT, {"quoteId": q})
    before = await read_quote(gql, q)
    assert await codes(gql, UPDATE_ITEM, {"id": item, "taxRate": "5"}) == ["LOCKED"]
    assert await codes(gql, ROUND, {"quoteId": q, "roundTo": "1"}) == ["LOCKED"]
    assert await codes(gql, CHANGE_CURRENCY, {"quoteId": q, "currency": "USD"}) == ["LOCKED"]
    assert await codes(gql, mutation("removeQuoteItem", ""), {"id": item}) == ["LOCKED"]
    assert await read_quote(gql, q) == before
    # duplicate still works: a new draft
    assert (await call(gql, DUPLICATE, {"quoteId": q}))["quote"]["status"] == "DRAFT"


async def test_quote_from_opportunity_copies_items_currency_account_contact(gql) -> None:
    w = await shop(gql)
    add = mutation("addOpportunityItems", "opportunity { id }")
    await call(
        gql,
        add,
        {
            "opportunityId": w["opp"],
            "items": [
                {"productId": w["P1"], "quantity": "2", "discountPercent": "10", "taxRate": "21"},
                {"name": "Training", "unitPrice": "250.00"},
            ],
        },
    )
    payload = await call(gql, FROM_OPP, {"opportunityId": w["opp"]})
    quote = payload["quote"]
    assert quote["currency"] == "EUR"
    assert quote["account"] == {"id": w["account"]} and quote["contact"] == {"id": w["contact"]}
    assert [
        (i["name"], i["quantity"], i["discountPercent"], i["taxRate"], i["lineTotal"], i["source"])
        for i in quote["items"]["nodes"]
    ] == [("Item P1", "2", "10", "21", "180.00", "PRICEBOOK"), ("Training", "1", "0", "0", "250.00", "MANUAL")]
    assert quote["isActive"] is True and payload["opportunity"]["amount"] == "430.00"


async def test_manual_items_allowed_on_quote_without_pricebook(gql) -> None:
    w = await shop(gql)
    q = await create(gql, "Quote", {"accountId": w["account"], "currency": "USD"})
    payload = await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Consulting", "unitPrice": "150", "quantity": "2.5"})
    assert (payload["item"]["source"], payload["item"]["lineTotal"], payload["quote"]["total"]) == (
        "MANUAL",
        "375.00",
        "375.00",
    )
    assert await codes(gql, ADD_MANUAL, {"quoteId": q, "name": "", "unitPrice": "1"}) == ["REQUIRED"]


async def test_unknown_currency_on_quote_is_invalid(gql) -> None:
    w = await shop(gql)
    data = await gql(CREATE_QUOTE, {"input": {"accountId": w["account"], "currency": "EURO"}})
    assert [e["code"] for e in data["createQuote"]["userErrors"]] == ["INVALID"]
    data = await gql(CREATE_QUOTE, {"input": {"accountId": w["account"], "currency": "eur"}})
    assert data["createQuote"]["userErrors"] == [] or [e["code"] for e in data["createQuote"]["userErrors"]] == [
        "INVALID"
    ]


# --- more edges ----------------------------------------------------------------------------


async def test_update_item_five_decimals_and_bounds_refused(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    item = (await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}]}))["items"][0]["id"]
    before = await read_quote(gql, q)
    for values in ({"unitPrice": "1.23456"}, {"quantity": "0"}, {"quantity": "-1"}, {"discountPercent": "100.01"}):
        data = await gql(UPDATE_ITEM, {"input": {"id": item, **values}})
        field = next(iter(values))
        assert [(e["field"], e["code"]) for e in data["updateQuoteItem"]["userErrors"]] == [
            (["input", field], "INVALID")
        ], values
    assert await read_quote(gql, q) == before
    # an override on a price-book line is allowed and recomputes
    changed = await call(gql, UPDATE_ITEM, {"id": item, "unitPrice": "99.9999", "quantity": "3"})
    assert (changed["item"]["unitPrice"], changed["item"]["lineTotal"]) == ("99.9999", "300.00")


async def test_change_currency_of_active_quote_updates_opportunity_amount(gql) -> None:
    w = await shop(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.5"})
    q = await new_quote(gql, w, opportunityId=w["opp"])
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P1"]}]})
    assert (await read_opp(gql, w["opp"]))["amount"] == "100.00"
    await call(gql, CHANGE_CURRENCY, {"quoteId": q, "currency": "USD"})
    # 120.00 USD x 0.5 = 60.00 EUR
    assert (await read_opp(gql, w["opp"]))["amount"] == "60.00"


async def test_jpy_manual_line_converted_and_rounded_to_yen(gql) -> None:
    w = await shop(gql)
    await call(gql, SET_RATE, {"currency": "JPY", "rate": "0.0061"})
    q = await new_quote(gql, w)
    await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Fee", "unitPrice": "10.00", "quantity": "3"})
    jpy = (await call(gql, CHANGE_CURRENCY, {"quoteId": q, "currency": "JPY"}))["quote"]
    # 10 / 0.0061 = 1639.344262... -> 1639.3443; 3 x -> 4918.0329 -> 4918
    line = jpy["items"]["nodes"][0]
    assert (line["unitPrice"], line["lineTotal"]) == ("1639.3443", "4918")
    assert totals(jpy) == ("4918", "0", "4918", "0", "4918")


async def test_round_quote_total_in_jpy_to_hundreds(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w, "JPY")
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["PJ"], "taxRate": "10"}]})
    rounded = await call(gql, ROUND, {"quoteId": q, "roundTo": "100"})
    # 1500 + 150 = 1650 -> 1700 (half-up)
    assert (rounded["item"]["lineTotal"], rounded["quote"]["total"]) == ("50", "1700")
    assert await codes(gql, ROUND, {"quoteId": q, "roundTo": "0.5"}) == ["INVALID"]


async def test_duplicate_and_revise_keep_bundle_lines_locked(gql) -> None:
    w = await shop(gql)
    b = await kit(gql, w, "100.01", ("1", "1"))
    q = await new_quote(gql, w)
    await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b})
    dup = (await call(gql, DUPLICATE, {"quoteId": q}))["quote"]
    lines = dup["items"]["nodes"]
    assert [(i["lineTotal"], i["source"], i["weight"]) for i in lines] == [
        ("50.01", "BUNDLE", "1"),
        ("50.00", "BUNDLE", "1"),
    ]
    assert await codes(gql, UPDATE_ITEM, {"id": lines[0]["id"], "unitPrice": "1"}) == ["LOCKED"]
    rev = (await call(gql, REVISE, {"quoteId": q}))["quote"]
    assert totals(rev)[0] == "100.01"
    assert await codes(gql, UPDATE_ITEM, {"id": rev["items"]["nodes"][1]["id"], "discountPercent": "1"}) == ["LOCKED"]


async def test_bundle_price_five_decimals_refused_and_inactive_bundle(gql) -> None:
    w = await shop(gql)
    b = await kit(gql, w, "10.00", ("1", "1"))
    assert await codes(gql, SET_BUNDLE_PRICE, {"bundleId": b, "currency": "EUR", "price": "1.23456"}) == ["INVALID"]
    assert await codes(gql, SET_BUNDLE_PRICE, {"bundleId": b, "currency": "EUR", "price": "1.005"}) == ["INVALID"]
    await call(gql, mutation("updateBundle", ""), {"id": b, "isActive": False})
    q = await new_quote(gql, w)
    assert await codes(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": b}) != []
    assert (await read_quote(gql, q))["items"]["totalCount"] == 0


async def test_bundle_component_without_entry_in_quote_currency(gql) -> None:
    w = await shop(gql)
    # P3 has no USD entry, but the bundle has a USD price: component lines come from the bundle price
    b = await kit(gql, w, "30.00", ("1", "1", "1"), "USD")
    q = await new_quote(gql, w, "USD")
    data = await gql(ADD_BUNDLE, {"input": {"quoteId": q, "bundleId": b}})
    payload = data["addBundleToQuote"]
    if payload["userErrors"]:
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_IN_PRICEBOOK"]
    else:
        assert [i["lineTotal"] for i in payload["items"]] == ["10.00", "10.00", "10.00"]


async def test_deleted_and_restored_quote_keeps_number(gql) -> None:
    w = await shop(gql)
    q = await new_quote(gql, w)
    number = (await read_quote(gql, q))["number"]
    await call(gql, DELETE_QUOTE, {"id": q})
    await call(gql, mutation("restoreQuote", f"quote {{ {QUOTE} }}"), {"id": q})
    assert (await read_quote(gql, q))["number"] == number
    other = await new_quote(gql, w)
    assert (await read_quote(gql, other))["number"] != number


async def test_rounding_line_converted_on_currency_change(gql) -> None:
    w = await shop(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.8"})
    q = await new_quote(gql, w)
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["P3"]}]})
    await call(gql, ROUND, {"quoteId": q, "roundTo": "1"})  # 19.99 + 0.01
    usd = await call(
        gql,
        CHANGE_CURRENCY,
        {"quoteId": q, "currency": "USD"},
        [user_error("input.currency", "NOT_IN_PRICEBOOK", "No price in USD for: Item P3 (P3).")],
    )
    assert usd["quote"] is None
    await create(
        gql, "PricebookEntry", {"pricebookId": w["book"], "productId": w["P3"], "currency": "USD", "unitPrice": "25.00"}
    )
    usd = (await call(gql, CHANGE_CURRENCY, {"quoteId": q, "currency": "USD"}))["quote"]
    lines = usd["items"]["nodes"]
    # the rounding line 0.01 EUR / 0.8 = 0.0125 USD -> line 0.01
    assert [(i["source"], i["lineTotal"]) for i in lines] == [("PRICEBOOK", "25.00"), ("ROUNDING", "0.01")]


def test_import_pricebook_entries_all_or_nothing(tmp_path, capsys) -> None:
    from crm_graphql import cli
    from crm_graphql import models as mm

    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    books = tmp_path / "products.csv"
    books.write_text("name,code\nWidget,W-1\nGadget,G-1\n")
    assert cli.main(["import", "products", str(books), "--database", url]) == 0

    on_database(url, lambda: mm.Pricebook.create(name="Standard"))
    entries = tmp_path / "entries.csv"
    entries.write_text(
        "pricebook,product,currency,unitPrice\n"
        "Standard,W-1,EUR,10.00\n"
        "Standard,G-1,EUR,1.23456\n"
        "Standard,W-1,EUR,11.00\n"
        "Standard,NOPE,EUR,1\n"
        "Standard,G-1,XYZ,1\n"
    )
    assert cli.main(["import", "pricebook-entries", str(entries), "--database", url]) == 1
    err = capsys.readouterr().err
    assert "row 3, column unitPrice" in err
    assert "row 4" in err
    assert "row 5, column product" in err
    assert "row 6, column currency" in err
    assert "Nothing was imported." in err

    def count() -> int:
        return on_database(url, lambda: mm.PricebookEntry.all().count())

    assert count() == 0
    entries.write_text("pricebook,product,currency,unitPrice\nStandard,W-1,EUR,10.00\nStandard,G-1,JPY,1500\n")
    assert cli.main(["import", "pricebook-entries", str(entries), "--database", url]) == 0
    assert count() == 2
