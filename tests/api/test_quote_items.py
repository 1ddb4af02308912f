"""Quote and opportunity lines through the HTTP API: every refusal leaves the quote as it
was; bundles split exactly; rounding lines; edits recompute the totals."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, create, user_error
from quoting import (
    ADD_BUNDLE,
    ADD_ITEMS,
    ADD_MANUAL,
    REMOVE_ITEM,
    ROUND,
    SET_BUNDLE_PRICE,
    UPDATE_ITEM,
    read_opp,
    read_quote,
    totals,
    world,
)


async def refused(gql: Any, quote_id: str, query: str, values: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    """The mutation answers exactly ``errors`` and the quote (totals, items, version) is unchanged."""
    before = await read_quote(gql, quote_id)
    await call(gql, query, values, errors)
    assert await read_quote(gql, quote_id) == before


async def test_add_items_refusals_change_nothing(gql) -> None:
    w = await world(gql)
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["A"]}]})
    q = w["quote"]
    # a product without an entry in the quote's currency
    await refused(
        gql,
        q,
        ADD_ITEMS,
        {"quoteId": q, "items": [{"productId": w["J"]}]},
        [
            user_error(
                "input.items.0.productId",
                "NOT_IN_PRICEBOOK",
                "Product J (J) has no active price in this price book in EUR per pcs.",
            )
        ],
    )
    # a product not in the price book at all
    stray = await create(gql, "Product", {"name": "Stray", "code": "S"})
    await refused(
        gql,
        q,
        ADD_ITEMS,
        {"quoteId": q, "items": [{"productId": w["A"]}, {"productId": stray}]},
        [
            user_error(
                "input.items.1.productId",
                "NOT_IN_PRICEBOOK",
                "Stray (S) has no active price in this price book in EUR per pcs.",
            )
        ],
    )
    # a currency the book lacks
    usd = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["book"], "currency": "GBP"})
    await refused(
        gql,
        usd,
        ADD_ITEMS,
        {"quoteId": usd, "items": [{"productId": w["A"]}]},
        [
            user_error(
                "input.items.0.productId",
                "NOT_IN_PRICEBOOK",
                "Product A (A) has no active price in this price book in GBP per pcs.",
            )
        ],
    )
    # a quote without a price book
    bare = await create(gql, "Quote", {"accountId": w["account"], "currency": "EUR"})
    await refused(
        gql,
        bare,
        ADD_ITEMS,
        {"quoteId": bare, "items": [{"productId": w["A"]}]},
        [
            user_error(
                "input.items.0.productId",
                "NOT_IN_PRICEBOOK",
                "There is no price book to price products from: give the line a unitPrice.",
            )
        ],
    )
    # quantity 0, negative, discount 101, five decimals: all reported at once
    await refused(
        gql,
        q,
        ADD_ITEMS,
        {
            "quoteId": q,
            "items": [
                {"productId": w["A"], "quantity": "0"},
                {"productId": w["A"], "quantity": "-1"},
                {"productId": w["A"], "discountPercent": "101"},
                {"productId": w["A"], "unitPrice": "1.00001"},
            ],
        },
        [
            user_error("input.items.0.quantity", "INVALID", "quantity must be greater than 0."),
            user_error("input.items.1.quantity", "INVALID", "quantity must be greater than 0."),
            user_error("input.items.2.discountPercent", "INVALID", "discountPercent must be between 0 and 100."),
            user_error("input.items.3.unitPrice", "INVALID", "unitPrice has more than 4 decimal places."),
        ],
    )
    # more than 250 lines
    await refused(
        gql,
        q,
        ADD_ITEMS,
        {"quoteId": q, "items": [{"productId": w["A"]}] * 251},
        [user_error("input.items", "INVALID", "At most 250 items per call.")],
    )
    # a malformed and a foreign id
    await refused(
        gql,
        q,
        ADD_ITEMS,
        {"quoteId": q, "items": [{"productId": "nope"}, {"productId": w["book"]}]},
        [
            user_error("input.items.0.productId", "INVALID", "Malformed id."),
            user_error("input.items.1.productId", "NOT_FOUND", "No Product with this id."),
        ],
    )


async def test_inactive_entry_is_not_in_pricebook(gql) -> None:
    w = await world(gql)
    entries = await gql(
        "query($id: ID!) { pricebook(id: $id) { entries { nodes { id product { id } } } } }", {"id": w["book"]}
    )
    entry = next(e["id"] for e in entries["pricebook"]["entries"]["nodes"] if e["product"]["id"] == w["C"])
    await gql(
        "mutation($id: ID!) { updatePricebookEntry(input: {id: $id, isActive: false}) { userErrors { code } } }",
        {"id": entry},
    )
    await refused(
        gql,
        w["quote"],
        ADD_ITEMS,
        {"quoteId": w["quote"], "items": [{"productId": w["C"]}]},
        [
            user_error(
                "input.items.0.productId",
                "NOT_IN_PRICEBOOK",
                "Product C (C) has no active price in this price book in EUR per pcs.",
            )
        ],
    )


async def bundle(gql: Any, w: dict[str, str], price: str, weights: tuple[str, ...] = ("1", "1")) -> str:
    b = await create(gql, "Bundle", {"pricebookId": w["book"], "name": "Kit", "code": f"KIT{len(weights)}{price}"})
    for product, weight in zip(("A", "C", "B"), weights, strict=False):
        await create(gql, "BundleItem", {"bundleId": b, "productId": w[product], "quantity": "1", "weight": weight})
    await call(gql, SET_BUNDLE_PRICE, {"bundleId": b, "currency": "EUR", "price": price})
    return b


async def test_bundle_split_is_exact_and_locked(gql) -> None:
    w = await world(gql)
    b = await bundle(gql, w, "100.01")
    payload = await call(gql, ADD_BUNDLE, {"quoteId": w["quote"], "bundleId": b})
    lines = payload["items"]
    assert [(i["lineTotal"], i["unitPrice"], i["source"], i["weight"]) for i in lines] == [
        ("50.01", "50.01", "BUNDLE", "1"),
        ("50.00", "50.00", "BUNDLE", "1"),
    ]
    assert payload["quote"]["subtotal"] == "100.01"
    # 3 bundles: 300.03 split 150.02 + 150.01, quantities 3
    three = (await call(gql, ADD_BUNDLE, {"quoteId": w["quote"], "bundleId": b, "quantity": "3"}))["items"]
    assert [(i["lineTotal"], i["quantity"], i["unitPrice"]) for i in three] == [
        ("150.02", "3", "50.0067"),
        ("150.01", "3", "50.0033"),
    ]
    # component prices, discounts and quantities are fixed by the split
    locked = "The {} of a bundle component cannot be edited: remove the bundle and add it again."
    await refused(
        gql,
        w["quote"],
        UPDATE_ITEM,
        {"id": lines[0]["id"], "unitPrice": "10"},
        [user_error("input.unitPrice", "LOCKED", locked.format("unitPrice"))],
    )
    await refused(
        gql,
        w["quote"],
        UPDATE_ITEM,
        {"id": lines[0]["id"], "discountPercent": "5", "quantity": "2"},
        [
            user_error("input.quantity", "LOCKED", locked.format("quantity")),
            user_error("input.discountPercent", "LOCKED", locked.format("discountPercent")),
        ],
    )
    # tax may change
    taxed = await call(gql, UPDATE_ITEM, {"id": lines[0]["id"], "taxRate": "20"})
    assert taxed["quote"]["taxTotal"] == "10.00"
    # removing one component removes its whole bundle
    after = (await call(gql, REMOVE_ITEM, {"id": lines[1]["id"]}))["quote"]
    assert after["items"]["totalCount"] == 2 and after["subtotal"] == "300.03" and after["taxTotal"] == "0.00"


async def test_bundle_refusals(gql) -> None:
    w = await world(gql)
    b = await bundle(gql, w, "10.00")
    usd = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["book"], "currency": "USD"})
    await refused(
        gql,
        usd,
        ADD_BUNDLE,
        {"quoteId": usd, "bundleId": b},
        [user_error("input.bundleId", "NOT_IN_PRICEBOOK", "Bundle KIT210.00 has no price in USD.")],
    )
    other = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["other_book"], "currency": "EUR"})
    await refused(
        gql,
        other,
        ADD_BUNDLE,
        {"quoteId": other, "bundleId": b},
        [
            user_error(
                "input.bundleId", "NOT_IN_PRICEBOOK", "Bundle KIT210.00 belongs to another price book than the quote's."
            )
        ],
    )
    await refused(
        gql,
        w["quote"],
        ADD_BUNDLE,
        {"quoteId": w["quote"], "bundleId": b, "quantity": "0"},
        [user_error("input.quantity", "INVALID", "quantity must be greater than 0.")],
    )


async def test_update_and_remove_items_recompute(gql) -> None:
    w = await world(gql)
    items = (
        await call(
            gql,
            ADD_ITEMS,
            {"quoteId": w["quote"], "items": [{"productId": w["A"]}, {"productId": w["C"], "quantity": "2"}]},
        )
    )["items"]
    updated = await call(
        gql,
        UPDATE_ITEM,
        {
            "id": items[0]["id"],
            "quantity": "1.5",
            "discountPercent": "10",
            "taxRate": "19",
            "version": items[0]["version"],
        },
    )
    assert updated["item"]["lineTotal"] == "135.00"
    assert totals(updated["quote"]) == {
        "subtotal": "140.35",
        "discountTotal": "0.00",
        "netTotal": "140.35",
        "taxTotal": "25.65",
        "total": "166.00",
    }
    # stale version
    await refused(
        gql,
        w["quote"],
        UPDATE_ITEM,
        {"id": items[0]["id"], "quantity": "3", "version": items[0]["version"]},
        [user_error("input.version", "CONFLICT", "This QuoteItem changed since you read it (version 2, you sent 1).")],
    )
    await refused(
        gql,
        w["quote"],
        UPDATE_ITEM,
        {"id": items[0]["id"], "quantity": "0"},
        [user_error("input.quantity", "INVALID", "quantity must be greater than 0.")],
    )
    removed = (await call(gql, REMOVE_ITEM, {"id": items[0]["id"]}))["quote"]
    assert removed["items"]["totalCount"] == 1 and removed["total"] == "5.35"
    manual = await call(
        gql,
        ADD_MANUAL,
        {"quoteId": w["quote"], "name": "Setup", "unitPrice": "12.345", "quantity": "2", "taxRate": "10"},
    )
    assert (manual["item"]["source"], manual["item"]["lineTotal"]) == ("MANUAL", "24.69")
    assert manual["quote"]["total"] == "32.51"  # 5.35 + 24.69 + 2.47 tax
    events = await gql(
        "query($id: ID!) { quote(id: $id) { timeline(first: 50) { nodes { kind } } } }", {"id": w["quote"]}
    )
    kinds = {e["kind"] for e in events["quote"]["timeline"]["nodes"]}
    assert {"ITEMS_ADDED", "ITEM_UPDATED", "ITEMS_REMOVED"} <= kinds


async def test_round_quote_total(gql) -> None:
    w = await world(gql)
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["C"], "taxRate": "21"}]})
    # 2.68 + 0.56 tax = 3.24 -> 3.00
    rounded = await call(gql, ROUND, {"quoteId": w["quote"], "roundTo": "0.50"})
    assert (rounded["item"]["source"], rounded["item"]["lineTotal"]) == ("ROUNDING", "-0.24")
    assert (rounded["quote"]["total"], rounded["quote"]["taxTotal"]) == ("3.00", "0.56")
    # rounding again replaces the single rounding line
    again = await call(gql, ROUND, {"quoteId": w["quote"], "roundTo": "5"})
    assert again["item"]["lineTotal"] == "1.76" and again["quote"]["total"] == "5.00"
    assert again["quote"]["items"]["totalCount"] == 2
    # the rounding line is not editable; a later item change keeps it (total no longer round)
    await refused(
        gql,
        w["quote"],
        UPDATE_ITEM,
        {"id": again["item"]["id"], "unitPrice": "1"},
        [
            user_error(
                "input.unitPrice",
                "LOCKED",
                "The unitPrice of a rounding line cannot be edited: remove the line and add it again.",
            )
        ],
    )
    more = await call(gql, ADD_MANUAL, {"quoteId": w["quote"], "name": "Extra", "unitPrice": "1.00"})
    assert more["quote"]["total"] == "6.00"
    await refused(
        gql,
        w["quote"],
        ROUND,
        {"quoteId": w["quote"], "roundTo": "0.001"},
        [
            user_error(
                "input.roundTo", "INVALID", "roundTo must be greater than 0 and a multiple of the smallest EUR unit."
            )
        ],
    )


async def test_opportunity_items(gql) -> None:
    w = await world(gql)
    add = f"""mutation($input: AddOpportunityItemsInput!) {{ addOpportunityItems(input: $input) {{
      opportunity {{ id amount amountSource expectedRevenue }} items {{ id lineTotal version }} {ERR} }} }}"""
    update = f"""mutation($input: UpdateOpportunityItemInput!) {{ updateOpportunityItem(input: $input) {{
      opportunity {{ amount amountSource }} item {{ lineTotal }} {ERR} }} }}"""
    remove = f"""mutation($input: RemoveOpportunityItemInput!) {{ removeOpportunityItem(input: $input) {{
      opportunity {{ amount amountSource }} {ERR} }} }}"""
    payload = await call(
        gql, add, {"opportunityId": w["opp"], "items": [{"productId": w["A"]}, {"productId": w["B"], "quantity": "3"}]}
    )
    assert payload["opportunity"]["amount"] == "100.38" and payload["opportunity"]["amountSource"] == "ITEMS"
    assert payload["opportunity"]["expectedRevenue"] == "10.04"  # Prospecting 10 %
    item = payload["items"][0]["id"]
    before = await read_opp(gql, w["opp"])
    await call(
        gql,
        add,
        {"opportunityId": w["opp"], "items": [{"productId": w["J"]}]},
        [
            user_error(
                "input.items.0.productId",
                "NOT_IN_PRICEBOOK",
                "Product J (J) has no active price in this price book in EUR per pcs.",
            )
        ],
    )
    assert await read_opp(gql, w["opp"]) == before
    changed = await call(gql, update, {"id": item, "unitPrice": "50"})
    assert (changed["item"]["lineTotal"], changed["opportunity"]["amount"]) == ("50.00", "50.38")
    gone = await call(gql, remove, {"id": item})
    assert gone["opportunity"]["amount"] == "0.38"


async def test_bundle_lines_split_again_on_currency_change(gql) -> None:
    from quoting import CHANGE_CURRENCY

    w = await world(gql)
    b = await bundle(gql, w, "100.01")
    await call(gql, ADD_BUNDLE, {"quoteId": w["quote"], "bundleId": b, "quantity": "2"})
    # no USD price for the bundle yet: refused, nothing changed
    await refused(
        gql,
        w["quote"],
        CHANGE_CURRENCY,
        {"quoteId": w["quote"], "currency": "USD"},
        [user_error("input.currency", "NOT_IN_PRICEBOOK", "No price in USD for: bundle Kit (KIT2100.01).")],
    )
    await call(gql, SET_BUNDLE_PRICE, {"bundleId": b, "currency": "USD", "price": "120.01"})
    usd = (await call(gql, CHANGE_CURRENCY, {"quoteId": w["quote"], "currency": "USD"}))["quote"]
    assert [i["lineTotal"] for i in usd["items"]["nodes"]] == ["120.01", "120.01"]
    assert usd["subtotal"] == "240.02"
    eur = (await call(gql, CHANGE_CURRENCY, {"quoteId": w["quote"], "currency": "EUR"}))["quote"]
    assert [i["lineTotal"] for i in eur["items"]["nodes"]] == ["100.01", "100.01"]
