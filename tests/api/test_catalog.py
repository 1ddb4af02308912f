"""Catalog operations through the HTTP API: copies, bundle prices, moving bundles,
exchange rates, permissions, and price book entries in use."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, create, user_error
from quoting import ADD_ITEMS, SET_BUNDLE_PRICE, SET_RATE, world

from crm_graphql.enums import Role

COPY_PRODUCT = f"""mutation($input: CopyProductInput!) {{ copyProduct(input: $input) {{
  product {{ id code name prices {{ nodes {{ currency unitPrice }} }} }} {ERR} }} }}"""
BUNDLE = (
    "id version code pricebook { id } items { nodes { product { id } quantity weight } } "
    "prices { nodes { currency price } }"
)
COPY_BUNDLE = f"mutation($input: CopyBundleInput!) {{ copyBundle(input: $input) {{ bundle {{ {BUNDLE} }} {ERR} }} }}"
MOVE_BUNDLE = f"mutation($input: MoveBundleInput!) {{ moveBundle(input: $input) {{ bundle {{ {BUNDLE} }} {ERR} }} }}"
SET_PRICE = f"""mutation($input: SetBundlePriceInput!) {{ setBundlePrice(input: $input) {{
  bundle {{ {BUNDLE} }} {ERR} }} }}"""
READ_BUNDLE = f"query($id: ID!) {{ bundle(id: $id) {{ {BUNDLE} }} }}"
RATES = "{ exchangeRates { currency rate } }"


async def test_copy_product_gets_unique_code_and_prices(gql) -> None:
    w = await world(gql)
    first = (await call(gql, COPY_PRODUCT, {"productId": w["A"]}))["product"]
    second = (await call(gql, COPY_PRODUCT, {"productId": w["A"]}))["product"]
    assert (first["code"], second["code"]) == ("A-COPY", "A-COPY2")
    assert sorted(p["currency"] for p in first["prices"]["nodes"]) == ["EUR", "USD"]
    # the copy is sellable at once
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": first["id"]}]})


async def test_bundle_price_copy_and_move(gql) -> None:
    w = await world(gql)
    b = await create(gql, "Bundle", {"pricebookId": w["book"], "name": "Kit", "code": "KIT"})
    await create(gql, "BundleItem", {"bundleId": b, "productId": w["A"], "quantity": "2", "weight": "3"})
    await create(gql, "BundleItem", {"bundleId": b, "productId": w["C"], "quantity": "1"})
    await call(gql, SET_PRICE, {"bundleId": b, "currency": "EUR", "price": "99.00"})
    upserted = (await call(gql, SET_PRICE, {"bundleId": b, "currency": "EUR", "price": "89.90"}))["bundle"]
    assert upserted["prices"]["nodes"] == [{"currency": "EUR", "price": "89.90"}]
    before = await gql(READ_BUNDLE, {"id": b})
    for values, errors in (
        (
            {"currency": "XYZ", "price": "1"},
            [user_error("input.currency", "INVALID", "'XYZ' is not an ISO 4217 currency code.")],
        ),
        ({"currency": "EUR", "price": "-1"}, [user_error("input.price", "INVALID", "price cannot be negative.")]),
        (
            {"currency": "JPY", "price": "10.5"},
            [user_error("input.price", "INVALID", "A bundle price in JPY has at most 0 decimals.")],
        ),
    ):
        await call(gql, SET_PRICE, {"bundleId": b, **values}, errors)
    assert await gql(READ_BUNDLE, {"id": b}) == before
    copy = (await call(gql, COPY_BUNDLE, {"bundleId": b}))["bundle"]
    assert copy["code"] == "KIT-COPY"
    assert copy["items"] == before["bundle"]["items"] and copy["prices"] == before["bundle"]["prices"]
    # the other book lacks C: refused, nothing moved
    await create(
        gql,
        "PricebookEntry",
        {"pricebookId": w["other_book"], "productId": w["A"], "currency": "EUR", "unitPrice": "1"},
    )
    await call(
        gql,
        MOVE_BUNDLE,
        {"bundleId": b, "pricebookId": w["other_book"]},
        [user_error("input.pricebookId", "NOT_IN_PRICEBOOK", "The target price book has no price for: Product C (C).")],
    )
    assert await gql(READ_BUNDLE, {"id": b}) == before
    await create(
        gql,
        "PricebookEntry",
        {"pricebookId": w["other_book"], "productId": w["C"], "currency": "USD", "unitPrice": "1"},
    )
    moved = (await call(gql, MOVE_BUNDLE, {"bundleId": b, "pricebookId": w["other_book"]}))["bundle"]
    assert moved["pricebook"]["id"] == w["other_book"] and moved["version"] > before["bundle"]["version"]


async def test_exchange_rates(gql) -> None:
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.92"})
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9123"})
    await call(
        gql,
        SET_RATE,
        {"currency": "EUR", "rate": "1"},
        [user_error("input.currency", "INVALID", "EUR is the base currency: its rate is always 1.")],
    )
    await call(
        gql,
        SET_RATE,
        {"currency": "XYZ", "rate": "1"},
        [user_error("input.currency", "INVALID", "'XYZ' is not an ISO 4217 currency code.")],
    )
    await call(
        gql,
        SET_RATE,
        {"currency": "GBP", "rate": "0"},
        [user_error("input.rate", "INVALID", "rate must be positive, with at most 10 decimal places.")],
    )
    assert (await gql(RATES))["exchangeRates"] == [{"currency": "USD", "rate": "0.9123"}]


async def test_catalog_needs_admin_or_manager(gql, actors) -> None:
    w = await world(gql)
    rep = gql.as_(actors[Role.SALES_REP])
    forbidden = [user_error("input", "FORBIDDEN", "Only admins and managers manage the catalog, stages and users.")]
    await call(rep, SET_RATE, {"currency": "USD", "rate": "2"}, forbidden)
    await call(rep, COPY_PRODUCT, {"productId": w["A"]}, forbidden)
    assert (await gql(RATES))["exchangeRates"] == []
    manager = gql.as_(actors[Role.MANAGER])
    await call(manager, SET_RATE, {"currency": "USD", "rate": "2"})


ENTRIES = "query($id: ID!) { pricebook(id: $id) { entries { nodes { id currency product { id } } } } }"
DELETE_ENTRY = """mutation($input: DeletePricebookEntryInput!) { deletePricebookEntry(input: $input) {
  deletedId pricebookEntry { isActive } userErrors { code } } }"""


async def entry_of(gql: Any, book: str, product: str, currency: str) -> str:
    """The id of the price book's entry for ``product`` in ``currency``."""
    entries = (await gql(ENTRIES, {"id": book}))["pricebook"]["entries"]["nodes"]
    return next(e["id"] for e in entries if e["product"]["id"] == product and e["currency"] == currency)


async def deleting_deactivates(gql: Any, entry: str) -> None:
    """Deleting the entry deletes nothing: it answers the entry inactive, and it reads inactive."""
    data = await gql(DELETE_ENTRY, {"input": {"id": entry}})
    assert data["deletePricebookEntry"] == {"deletedId": None, "pricebookEntry": {"isActive": False}, "userErrors": []}
    again = await gql("query($id: ID!) { node(id: $id) { ... on PricebookEntry { isActive } } }", {"id": entry})
    assert again["node"] == {"isActive": False}


async def test_price_in_use_is_deactivated_not_deleted(gql) -> None:
    w = await world(gql)
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["A"]}]})
    entry = await entry_of(gql, w["book"], w["A"], "EUR")
    await deleting_deactivates(gql, entry)
    assert SET_BUNDLE_PRICE


async def test_price_used_by_a_bundle_is_deactivated_not_deleted(gql) -> None:
    w = await world(gql)
    b = await create(gql, "Bundle", {"pricebookId": w["book"], "name": "Kit", "code": "KIT"})
    await create(gql, "BundleItem", {"bundleId": b, "productId": w["C"], "quantity": "1"})
    entry = await entry_of(gql, w["book"], w["C"], "USD")
    await deleting_deactivates(gql, entry)
