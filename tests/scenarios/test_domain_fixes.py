"""Scenarios for issue 9 (domain fixes), through the GraphQL API over HTTP, written from
DOMAIN.md sections 1, 3, 4, 5, 6 and 10: each refusal asserts the exact userErrors and
re-reads that nothing changed (versions, rows, timeline length)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from factories import ERR, call, create, mutation, user_error
from quoting import SET_RATE

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id

LINE = "name quantity unitPrice lineTotal source currency"
OPP = f"""id version currency amount amountSource manualAmount probability expectedRevenue status closeDate closedAt
  lostReason pricebook {{ id }} stage {{ name }} account {{ id name type }} contact {{ id }}
  items(first: 50) {{ nodes {{ {LINE} }} }}"""
QUOTE = f"""id version currency status subtotal discountTotal netTotal taxTotal roundingTotal total pricebook {{ id }}
  items(first: 50) {{ nodes {{ {LINE} }} }}"""
TIMELINE = "timeline(first: 100) { totalCount nodes { kind changes { field oldValue newValue } } }"
READ_OPP = f"query($id: ID!) {{ opportunity(id: $id) {{ {OPP} {TIMELINE} }} }}"
READ_QUOTE = f"query($id: ID!) {{ quote(id: $id) {{ {QUOTE} {TIMELINE} }} }}"
STAGES = "{ stages { id name position probability kind } }"


UPDATE_OPP = mutation("updateOpportunity", f"opportunity {{ {OPP} }}")
ADD_OPP_ITEMS = mutation("addOpportunityItems", f"opportunity {{ {OPP} }}")
UPDATE_QUOTE = mutation("updateQuote", f"quote {{ {QUOTE} }}")
ADD_ITEMS = mutation("addQuoteItems", f"quote {{ {QUOTE} }}")
ADD_MANUAL = mutation("addManualQuoteItem", f"quote {{ {QUOTE} }}")
ADD_BUNDLE = mutation("addBundleToQuote", f"quote {{ {QUOTE} }}")
UPDATE_ITEM = mutation("updateQuoteItem", f"quote {{ {QUOTE} }}")
ROUND = mutation("roundQuoteTotal", f"quote {{ {QUOTE} }}")
CHANGE_CURRENCY = mutation("changeQuoteCurrency", f"quote {{ {QUOTE} }}")
FROM_OPP = mutation("createQuoteFromOpportunity", f"quote {{ {QUOTE} }} opportunity {{ {OPP} }}")
TO_ORDER = mutation("convertQuoteToOrder", f"salesOrder {{ id {QUOTE.replace('pricebook { id }', '')} }}")
TO_INVOICE = mutation("convertQuoteToInvoice", "invoice { id netTotal roundingTotal total }")
ORDER_TO_INVOICE = mutation("convertOrderToInvoice", "invoice { id netTotal roundingTotal total }")
OPP_TO_INVOICE = mutation("createInvoiceFromOpportunity", "invoice { id netTotal }")
VOID = f"mutation($input: InvoiceIdInput!) {{ voidInvoice(input: $input) {{ invoice {{ id status }} {ERR} }} }}"
WIN = mutation("winOpportunity", f"opportunity {{ {OPP} }} contracts {{ value currency }}")
LOSE = mutation("loseOpportunity", f"opportunity {{ {OPP} }}")
REOPEN = mutation("reopenOpportunity", f"opportunity {{ {OPP} }}")
MOVE = mutation("moveOpportunityToStage", f"opportunity {{ {OPP} }}")
CREATE_STAGE = mutation("createStage", "stage { id name position }")
UPDATE_STAGE = mutation("updateStage", "stage { id name position }")
DELETE_STAGE = mutation("deleteStage", "deletedId")
REORDER = mutation("reorderStages", "stages { name position }")
QUALIFY = mutation(
    "qualifyLead",
    f"lead {{ status }} account {{ id name type firstName lastName }} contact {{ id account {{ id }} }} "
    f"opportunity {{ {OPP} }}",
)


async def read_opp(gql: Any, gid: str) -> Any:
    return (await gql(READ_OPP, {"id": gid}))["opportunity"]


async def read_quote(gql: Any, gid: str) -> Any:
    return (await gql(READ_QUOTE, {"id": gid}))["quote"]


def changes_of(node: dict[str, Any], field: str) -> list[tuple[str | None, str | None]]:
    """(old, new) of every timeline change of ``field``, oldest first."""
    found = []
    for event in reversed(node["timeline"]["nodes"]):
        found += [(c["oldValue"], c["newValue"]) for c in event["changes"] if c["field"] == field]
    return found


async def catalog(gql: Any) -> dict[str, str]:
    """Books Standard and Partner; Laptop Pro 14 (1499.00 EUR, 1650.00 USD in Standard;
    1274.15 EUR in Partner), Dock (89.90 EUR in Standard only), an account."""
    w = {"account": await create(gql, "Account", {"name": "Globex"})}
    w["standard"] = await create(gql, "Pricebook", {"name": "Standard"})
    w["partner"] = await create(gql, "Pricebook", {"name": "Partner"})
    w["laptop"] = await create(gql, "Product", {"name": "Laptop Pro 14", "code": "LAP-14"})
    w["dock"] = await create(gql, "Product", {"name": "Dock", "code": "DOCK"})
    for book, product, currency, price in (
        ("standard", "laptop", "EUR", "1499.00"),
        ("standard", "laptop", "USD", "1650.00"),
        ("partner", "laptop", "EUR", "1274.15"),
        ("standard", "dock", "EUR", "89.90"),
    ):
        entry = {"pricebookId": w[book], "productId": w[product], "currency": currency, "unitPrice": price}
        await create(gql, "PricebookEntry", entry)
    return w


async def deal(gql: Any, w: dict[str, str], **values: Any) -> str:
    fields = {"title": "Fleet", "accountId": w["account"], "currency": "EUR", "pricebookId": w["standard"]}
    return await create(gql, "Opportunity", {**fields, **values})


# --- 1. changing an opportunity's currency -----------------------------------------------------


async def test_currency_change_reprices_book_items_and_converts_manual_ones(gql: Any) -> None:
    # given a EUR deal with a price-book item and a manual item, and 1 USD = 0.9 EUR
    w = await catalog(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    o = await deal(gql, w)
    items = [{"productId": w["laptop"]}, {"name": "Rollout", "unitPrice": "6890.00"}]
    added = (await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": items}))["opportunity"]
    assert (added["amount"], added["currency"]) == ("8389.00", "EUR")

    # when it changes to USD
    moved = (await call(gql, UPDATE_OPP, {"id": o, "currency": "USD"}))["opportunity"]

    # then the book item takes its USD entry, the manual one is converted, the amount follows
    lines = [(i["name"], i["unitPrice"], i["lineTotal"], i["source"], i["currency"]) for i in moved["items"]["nodes"]]
    assert lines == [
        ("Laptop Pro 14", "1650.00", "1650.00", "PRICEBOOK", "USD"),
        ("Rollout", "7655.5556", "7655.56", "MANUAL", "USD"),  # 6890.00 / 0.9
    ]
    assert (moved["currency"], moved["amount"], moved["amountSource"]) == ("USD", "9305.56", "ITEMS")
    assert await read_opp(gql, o) == {**moved, "timeline": (await read_opp(gql, o))["timeline"]}
    assert changes_of(await read_opp(gql, o), "amount")[-1] == ("8389.00", "9305.56")


async def test_currency_change_converts_a_manual_budget(gql: Any) -> None:
    w = await catalog(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    o = await deal(gql, w, manualAmount="6890.00", probability=50)
    moved = (await call(gql, UPDATE_OPP, {"id": o, "currency": "USD"}))["opportunity"]
    assert (moved["manualAmount"], moved["amount"], moved["expectedRevenue"]) == ("7655.56", "7655.56", "3827.78")
    assert moved["amountSource"] == "MANUAL"


async def test_currency_change_refused_when_a_product_lacks_a_price(gql: Any) -> None:
    # given a EUR deal with the Dock, which has no USD price
    w = await catalog(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    o = await deal(gql, w)
    await call(
        gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"productId": w["laptop"]}, {"productId": w["dock"]}]}
    )
    before = await read_opp(gql, o)

    # when it changes to USD: refused, naming the product, nothing changed
    await call(
        gql,
        UPDATE_OPP,
        {"id": o, "currency": "USD"},
        [user_error("input.currency", "NOT_IN_PRICEBOOK", "No price in USD for: Dock (DOCK).")],
    )
    assert await read_opp(gql, o) == before
    assert await m.OpportunityItem.filter(currency="USD").count() == 0


async def test_currency_change_without_a_rate_is_missing_exchange_rate(gql: Any) -> None:
    w = await catalog(gql)
    o = await deal(gql, w, manualAmount="100.00")
    await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"name": "Setup", "unitPrice": "40.00"}]})
    before = await read_opp(gql, o)
    await call(
        gql,
        UPDATE_OPP,
        {"id": o, "currency": "GBP"},
        [
            user_error(
                "input.currency",
                "MISSING_EXCHANGE_RATE",
                "No exchange rate for GBP: set one with setExchangeRate first.",
            )
        ],
    )
    assert await read_opp(gql, o) == before


async def test_active_quote_in_another_currency_is_converted_right_after_the_change(gql: Any) -> None:
    # given a EUR deal whose active quote is in USD (1 USD = 0.9 EUR)
    w = await catalog(gql)
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.9"})
    o = await deal(gql, w)
    q = (await call(gql, FROM_OPP, {"opportunityId": o, "currency": "USD"}))["quote"]["id"]
    quote = (await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["laptop"], "quantity": "2"}]}))[
        "quote"
    ]
    assert quote["netTotal"] == "3300.00"
    assert (await read_opp(gql, o))["amount"] == "2970.00"  # 3300.00 USD x 0.9

    # when the deal moves to USD, its amount is the quote's net total at once (never relabelled)
    moved = (await call(gql, UPDATE_OPP, {"id": o, "currency": "USD"}))["opportunity"]
    assert (moved["currency"], moved["amount"], moved["amountSource"]) == ("USD", "3300.00", "QUOTE")
    # and back to EUR: converted again
    back = (await call(gql, UPDATE_OPP, {"id": o, "currency": "EUR"}))["opportunity"]
    assert (back["currency"], back["amount"]) == ("EUR", "2970.00")
    # a new rate reaches the converted amount right away
    await call(gql, SET_RATE, {"currency": "USD", "rate": "0.8"})
    assert (await read_opp(gql, o))["amount"] == "2640.00"


# --- 2. switching the price book -----------------------------------------------------------------


async def test_switching_a_quotes_price_book_reprices_its_lines(gql: Any) -> None:
    # given a quote from the Standard book with an overridden laptop price and a manual line
    w = await catalog(gql)
    o = await deal(gql, w)
    q = (await call(gql, FROM_OPP, {"opportunityId": o}))["quote"]["id"]
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["laptop"], "unitPrice": "1400.00"}]})
    await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Setup", "unitPrice": "50.00"})

    # when it switches to the Partner book
    switched = (await call(gql, UPDATE_QUOTE, {"id": q, "pricebookId": w["partner"]}))["quote"]

    # then the laptop takes the partner price (the override is replaced), the manual line stays
    lines = [(i["name"], i["unitPrice"], i["lineTotal"], i["source"]) for i in switched["items"]["nodes"]]
    assert lines == [("Laptop Pro 14", "1274.15", "1274.15", "PRICEBOOK"), ("Setup", "50.00", "50.00", "MANUAL")]
    assert (switched["pricebook"]["id"], switched["netTotal"], switched["total"]) == (
        w["partner"],
        "1324.15",
        "1324.15",
    )
    assert (await read_opp(gql, o))["amount"] == "1324.15"


async def test_switching_a_quotes_price_book_is_all_or_nothing(gql: Any) -> None:
    w = await catalog(gql)
    q = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["standard"]})
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["laptop"]}, {"productId": w["dock"]}]})
    before = await read_quote(gql, q)
    await call(
        gql,
        UPDATE_QUOTE,
        {"id": q, "pricebookId": w["partner"]},
        [
            user_error(
                "input.pricebookId",
                "NOT_IN_PRICEBOOK",
                "The new price book has no active price in EUR for: Dock (DOCK).",
            )
        ],
    )
    assert await read_quote(gql, q) == before


async def test_a_quote_with_a_bundle_cannot_switch_price_book(gql: Any) -> None:
    w = await catalog(gql)
    kit = await create(gql, "Bundle", {"pricebookId": w["standard"], "name": "Office kit", "code": "KIT"})
    await create(gql, "BundleItem", {"bundleId": kit, "productId": w["laptop"], "quantity": "1"})
    await call(gql, mutation("setBundlePrice", "bundle { id }"), {"bundleId": kit, "currency": "EUR", "price": "1500"})
    q = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["standard"]})
    await call(gql, ADD_BUNDLE, {"quoteId": q, "bundleId": kit})
    before = await read_quote(gql, q)
    await call(
        gql,
        UPDATE_QUOTE,
        {"id": q, "pricebookId": w["partner"]},
        [
            user_error(
                "input.pricebookId",
                "INVALID_TRANSITION",
                "A document with bundle lines cannot switch price book: remove bundle Office kit (KIT) first.",
            )
        ],
    )
    assert await read_quote(gql, q) == before


async def test_switching_an_opportunitys_price_book_reprices_its_items(gql: Any) -> None:
    w = await catalog(gql)
    o = await deal(gql, w)
    await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"productId": w["laptop"], "quantity": "2"}]})
    switched = (await call(gql, UPDATE_OPP, {"id": o, "pricebookId": w["partner"]}))["opportunity"]
    assert [(i["unitPrice"], i["lineTotal"]) for i in switched["items"]["nodes"]] == [("1274.15", "2548.30")]
    assert switched["amount"] == "2548.30"
    # back to Standard with a Dock that Partner lacks: the switch to Partner is refused
    await call(gql, UPDATE_OPP, {"id": o, "pricebookId": w["standard"]})
    await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"productId": w["dock"]}]})
    before = await read_opp(gql, o)
    await call(
        gql,
        UPDATE_OPP,
        {"id": o, "pricebookId": w["partner"]},
        [
            user_error(
                "input.pricebookId",
                "NOT_IN_PRICEBOOK",
                "The new price book has no active price in EUR for: Dock (DOCK).",
            )
        ],
    )
    assert await read_opp(gql, o) == before


# --- 3. a sale is invoiced once --------------------------------------------------------------------


async def quoted_deal(gql: Any) -> dict[str, str]:
    w = await catalog(gql)
    w["opp"] = await deal(gql, w)
    w["quote"] = (await call(gql, FROM_OPP, {"opportunityId": w["opp"]}))["quote"]["id"]
    await call(gql, ADD_ITEMS, {"quoteId": w["quote"], "items": [{"productId": w["laptop"]}]})
    return w


async def test_quote_order_invoice_then_quote_to_invoice_is_already_converted(gql: Any) -> None:
    w = await quoted_deal(gql)
    order = (await call(gql, TO_ORDER, {"quoteId": w["quote"]}))["salesOrder"]["id"]
    await call(gql, ORDER_TO_INVOICE, {"salesOrderId": order})
    before = await read_quote(gql, w["quote"])
    await call(
        gql,
        TO_INVOICE,
        {"quoteId": w["quote"]},
        [user_error("input.quoteId", "ALREADY_CONVERTED", "This quote was converted to an invoice already.")],
    )
    await call(
        gql,
        OPP_TO_INVOICE,
        {"opportunityId": w["opp"]},
        [
            user_error(
                "input.opportunityId",
                "ALREADY_CONVERTED",
                "The active quote Q-00001 (or its order) was invoiced already.",
            )
        ],
    )
    assert await m.Invoice.all().count() == 1
    assert await read_quote(gql, w["quote"]) == before


async def test_quote_invoice_then_its_order_cannot_be_invoiced(gql: Any) -> None:
    w = await quoted_deal(gql)
    order = (await call(gql, TO_ORDER, {"quoteId": w["quote"]}))["salesOrder"]["id"]
    invoice = (await call(gql, TO_INVOICE, {"quoteId": w["quote"]}))["invoice"]["id"]
    await call(
        gql,
        ORDER_TO_INVOICE,
        {"salesOrderId": order},
        [user_error("input.salesOrderId", "ALREADY_CONVERTED", "This order was invoiced already.")],
    )
    assert await m.Invoice.all().count() == 1
    # a VOID invoice releases the sale: it can be invoiced again, once
    await call(gql, VOID, {"invoiceId": invoice})
    await call(gql, ORDER_TO_INVOICE, {"salesOrderId": order})
    await call(
        gql,
        TO_INVOICE,
        {"quoteId": w["quote"]},
        [user_error("input.quoteId", "ALREADY_CONVERTED", "This quote was converted to an invoice already.")],
    )
    assert await m.Invoice.all().count() == 2


async def test_quote_invoiced_before_it_was_ordered_leaves_its_order_unbillable(gql: Any) -> None:
    w = await quoted_deal(gql)
    await call(gql, TO_INVOICE, {"quoteId": w["quote"]})
    order = (await call(gql, TO_ORDER, {"quoteId": w["quote"]}))["salesOrder"]["id"]
    await call(
        gql,
        ORDER_TO_INVOICE,
        {"salesOrderId": order},
        [
            user_error(
                "input.salesOrderId", "ALREADY_CONVERTED", "The quote this order was made from was invoiced already."
            )
        ],
    )
    assert await m.Invoice.all().count() == 1


async def test_invoice_from_opportunity_items_stays_repeatable(gql: Any) -> None:
    w = await catalog(gql)
    o = await deal(gql, w)
    await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"productId": w["dock"]}]})
    one = await call(gql, OPP_TO_INVOICE, {"opportunityId": o})
    two = await call(gql, OPP_TO_INVOICE, {"opportunityId": o})
    assert one["invoice"]["id"] != two["invoice"]["id"] and two["invoice"]["netTotal"] == "89.90"


async def test_racing_conversions_of_one_sale_invoice_it_once(gql: Any) -> None:
    # given a quote with an order, invoiced concurrently through the quote, its order and its deal
    w = await quoted_deal(gql)
    order = (await call(gql, TO_ORDER, {"quoteId": w["quote"]}))["salesOrder"]["id"]

    # when the three conversions race
    bodies = await asyncio.gather(
        gql(TO_INVOICE, {"input": {"quoteId": w["quote"]}}),
        gql(ORDER_TO_INVOICE, {"input": {"salesOrderId": order}}),
        gql(OPP_TO_INVOICE, {"input": {"opportunityId": w["opp"]}}),
    )

    # then exactly one invoices, the others are ALREADY_CONVERTED, one invoice exists
    payloads = [next(iter(b.values())) for b in bodies]
    done = [p for p in payloads if not p["userErrors"]]
    refused = [e["code"] for p in payloads for e in p["userErrors"]]
    assert len(done) == 1 and refused == ["ALREADY_CONVERTED", "ALREADY_CONVERTED"]
    assert await m.Invoice.all().count() == 1


# --- 4. a missing exchange rate ------------------------------------------------------------------


async def test_change_quote_currency_without_a_rate_is_missing_exchange_rate(gql: Any) -> None:
    # given the active EUR quote of a EUR deal, priced from a book with USD prices: no USD rate
    w = await quoted_deal(gql)
    before = await read_quote(gql, w["quote"])
    opp_before = await read_opp(gql, w["opp"])

    # when its currency changes to USD, the deal's amount would need the USD rate
    await call(
        gql,
        CHANGE_CURRENCY,
        {"quoteId": w["quote"], "currency": "USD"},
        [
            user_error(
                "input.currency",
                "MISSING_EXCHANGE_RATE",
                "No exchange rate for USD: set one with setExchangeRate first.",
            )
        ],
    )

    # then nothing changed
    assert await read_quote(gql, w["quote"]) == before
    assert await read_opp(gql, w["opp"]) == opp_before


async def test_quote_in_gbp_for_a_eur_deal_without_a_rate_is_missing_exchange_rate(gql: Any) -> None:
    w = await catalog(gql)
    o = await deal(gql, w, manualAmount="500.00")
    await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"name": "Audit", "unitPrice": "500.00"}]})
    before = await read_opp(gql, o)
    await call(
        gql,
        FROM_OPP,
        {"opportunityId": o, "currency": "GBP"},
        [
            user_error(
                "input.currency",
                "MISSING_EXCHANGE_RATE",
                "No exchange rate for GBP: set one with setExchangeRate first.",
            )
        ],
    )
    assert await m.Quote.all().count() == 0
    assert await read_opp(gql, o) == before
    # with a rate it works: the manual line converted, the amount converted back
    await call(gql, SET_RATE, {"currency": "GBP", "rate": "1.1628"})
    made = await call(gql, FROM_OPP, {"opportunityId": o, "currency": "GBP"})
    assert [(i["unitPrice"], i["lineTotal"]) for i in made["quote"]["items"]["nodes"]] == [("429.9966", "430.00")]
    assert (made["opportunity"]["amount"], made["opportunity"]["amountSource"]) == ("500.00", "QUOTE")


# --- 5. stage positions ---------------------------------------------------------------------------


async def stages(gql: Any) -> list[tuple[str, int]]:
    return [(s["name"], s["position"]) for s in (await gql(STAGES))["stages"]]


async def test_create_stage_goes_after_the_last_open_stage_or_inserts(gql: Any) -> None:
    await call(gql, CREATE_STAGE, {"name": "Demo", "probability": 60})
    assert await stages(gql) == [
        ("Prospecting", 1),
        ("Qualification", 2),
        ("Proposal", 3),
        ("Negotiation", 4),
        ("Demo", 5),
        ("Closed Won", 6),
        ("Closed Lost", 7),
    ]
    await call(gql, CREATE_STAGE, {"name": "Discovery", "probability": 15, "position": 2})
    assert await stages(gql) == [
        ("Prospecting", 1),
        ("Discovery", 2),
        ("Qualification", 3),
        ("Proposal", 4),
        ("Negotiation", 5),
        ("Demo", 6),
        ("Closed Won", 7),
        ("Closed Lost", 8),
    ]
    # a position past the open stages lands after the last one: WON and LOST stay last
    await call(gql, CREATE_STAGE, {"name": "Legal", "probability": 90, "position": 99})
    assert [n for n, _ in await stages(gql)][-3:] == ["Legal", "Closed Won", "Closed Lost"]
    before = await stages(gql)
    await call(
        gql,
        CREATE_STAGE,
        {"name": "Zero", "position": 0},
        [user_error("input.position", "INVALID", "position starts at 1.")],
    )
    assert await stages(gql) == before


async def test_update_stage_position_moves_and_shifts(gql: Any) -> None:
    negotiation = to_global_id("Stage", (await m.Stage.get(name="Negotiation")).id)
    await call(gql, UPDATE_STAGE, {"id": negotiation, "position": 1})
    assert await stages(gql) == [
        ("Negotiation", 1),
        ("Prospecting", 2),
        ("Qualification", 3),
        ("Proposal", 4),
        ("Closed Won", 5),
        ("Closed Lost", 6),
    ]
    await call(gql, UPDATE_STAGE, {"id": negotiation, "position": 9})
    assert await stages(gql) == [
        ("Prospecting", 1),
        ("Qualification", 2),
        ("Proposal", 3),
        ("Negotiation", 4),
        ("Closed Won", 5),
        ("Closed Lost", 6),
    ]


async def test_delete_stage_gives_moved_deals_the_replacement_probability(gql: Any) -> None:
    # given a deal in Proposal (50 %) with a budget of 1000.00
    w = await catalog(gql)
    proposal = to_global_id("Stage", (await m.Stage.get(name="Proposal")).id)
    negotiation = to_global_id("Stage", (await m.Stage.get(name="Negotiation")).id)
    o = await deal(gql, w, stageId=proposal, manualAmount="1000.00")

    # when Proposal is deleted with Negotiation as its replacement
    await call(gql, DELETE_STAGE, {"id": proposal, "replacementStageId": negotiation})

    # then the deal is in Negotiation at 75 %, and the positions close the gap
    after = await read_opp(gql, o)
    assert (after["stage"]["name"], after["probability"], after["expectedRevenue"]) == ("Negotiation", 75, "750.00")
    assert changes_of(after, "probability") == [("50", "75")]
    assert await stages(gql) == [
        ("Prospecting", 1),
        ("Qualification", 2),
        ("Negotiation", 3),
        ("Closed Won", 4),
        ("Closed Lost", 5),
    ]


async def test_reorder_stages_takes_the_full_list_from_stages(gql: Any) -> None:
    listed = (await gql(STAGES))["stages"]
    ids = {s["name"]: s["id"] for s in listed}
    order = ["Qualification", "Prospecting", "Negotiation", "Proposal", "Closed Won", "Closed Lost"]
    done = await call(gql, REORDER, {"stageIds": [ids[n] for n in order]})
    assert [(s["name"], s["position"]) for s in done["stages"]] == [(n, i) for i, n in enumerate(order, start=1)]
    before = await stages(gql)
    await call(
        gql,
        REORDER,
        {"stageIds": [ids[n] for n in ["Closed Lost", *order[:4], "Closed Won"]]},
        [user_error("input.stageIds.0", "LOCKED", "The WON and LOST stages cannot be moved: they stay last.")],
    )
    assert await stages(gql) == before


# --- 6. a lead without a company becomes a deal --------------------------------------------------


async def test_qualify_with_a_contact_and_no_account_makes_a_person_account(gql: Any) -> None:
    lead = await create(gql, "Lead", {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"})
    done = await call(gql, QUALIFY, {"leadId": lead, "contact": {"create": {}}, "opportunity": {"title": "Ada's deal"}})
    account, contact, opp = done["account"], done["contact"], done["opportunity"]
    assert (account["type"], account["name"], account["firstName"], account["lastName"]) == (
        "PERSON",
        "Ada Lovelace",
        "Ada",
        "Lovelace",
    )
    assert opp["account"]["id"] == account["id"] and opp["contact"]["id"] == contact["id"]
    assert contact["account"]["id"] == account["id"] and done["lead"]["status"] == "QUALIFIED"


async def test_qualify_with_a_linked_contact_uses_the_contacts_account(gql: Any) -> None:
    employer = await create(gql, "Account", {"name": "Initech"})
    contact = await create(gql, "Contact", {"firstName": "Bob", "lastName": "Slydell", "accountId": employer})
    lead = await create(gql, "Lead", {"firstName": "Bob", "lastName": "Slydell"})
    done = await call(gql, QUALIFY, {"leadId": lead, "contact": {"existingId": contact}, "opportunity": {}})
    assert done["account"]["id"] == employer == done["opportunity"]["account"]["id"]
    assert await m.Account.all().count() == 1


# --- 9. timeline: amount and probability, no no-op changes ---------------------------------------


async def test_amount_and_probability_changes_are_recorded_whatever_changed_them(gql: Any) -> None:
    # given a deal with a budget
    w = await catalog(gql)
    o = await deal(gql, w, manualAmount="1378.00")
    proposal = to_global_id("Stage", (await m.Stage.get(name="Proposal")).id)

    # when an item, the active quote and a stage change it
    await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"productId": w["dock"]}]})
    q = (await call(gql, FROM_OPP, {"opportunityId": o}))["quote"]["id"]
    await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["laptop"]}]})
    await call(gql, MOVE, {"opportunityId": o, "stageId": proposal})

    # then each change is on the timeline with its old and new value
    after = await read_opp(gql, o)
    assert changes_of(after, "amount") == [("1378.00", "89.90"), ("89.90", "1588.90")]
    assert changes_of(after, "probability") == [("10", "50")]


async def test_a_change_to_an_equal_number_is_no_change(gql: Any) -> None:
    w = await catalog(gql)
    o = await deal(gql, w, manualAmount="1378.00", probability=100)
    before = await read_opp(gql, o)
    same = (await call(gql, UPDATE_OPP, {"id": o, "manualAmount": "1378", "probability": 100}))["opportunity"]
    assert same["version"] == before["version"]
    titled = await call(gql, UPDATE_OPP, {"id": o, "title": "Renamed"})
    after = await read_opp(gql, o)
    assert after["timeline"]["totalCount"] == before["timeline"]["totalCount"] + 1
    assert after["timeline"]["nodes"][0]["changes"] == [{"field": "title", "oldValue": "Fleet", "newValue": "Renamed"}]
    assert titled["opportunity"]["expectedRevenue"] == "1378.00"


# --- 10. closing ---------------------------------------------------------------------------------


async def test_lose_reopen_win_keeps_no_lost_reason(gql: Any) -> None:
    w = await catalog(gql)
    o = await deal(gql, w)
    lost = (await call(gql, LOSE, {"opportunityId": o, "reason": "Price too high"}))["opportunity"]
    assert (lost["status"], lost["lostReason"]) == ("LOST", "Price too high")
    reopened = (await call(gql, REOPEN, {"opportunityId": o}))["opportunity"]
    assert (reopened["status"], reopened["lostReason"], reopened["closedAt"]) == ("OPEN", None, None)
    won = (await call(gql, WIN, {"opportunityId": o}))["opportunity"]
    assert (won["status"], won["lostReason"]) == ("WON", None)


def at_midnight(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def test_closing_keeps_the_given_close_date(gql: Any) -> None:
    w = await catalog(gql)
    won = (await call(gql, WIN, {"opportunityId": await deal(gql, w), "closeDate": "2024-03-15"}))["opportunity"]
    assert won["closeDate"] == "2024-03-15"
    assert at_midnight(won["closedAt"]) == dt.datetime(2024, 3, 15, tzinfo=dt.UTC)
    lost = (await call(gql, LOSE, {"opportunityId": await deal(gql, w), "closeDate": "2024-02-29"}))["opportunity"]
    assert (lost["closeDate"], at_midnight(lost["closedAt"])) == ("2024-02-29", dt.datetime(2024, 2, 29, tzinfo=dt.UTC))
    lost_stage = to_global_id("Stage", (await m.Stage.get(name="Closed Lost")).id)
    moved = await call(
        gql, MOVE, {"opportunityId": await deal(gql, w), "stageId": lost_stage, "closeDate": "2023-12-31"}
    )
    assert (moved["opportunity"]["status"], moved["opportunity"]["closeDate"]) == ("LOST", "2023-12-31")
    assert at_midnight(moved["opportunity"]["closedAt"]) == dt.datetime(2023, 12, 31, tzinfo=dt.UTC)
    # without a date: today (UTC), at midnight
    today = dt.datetime.now(dt.UTC).date()
    plain = (await call(gql, WIN, {"opportunityId": await deal(gql, w)}))["opportunity"]
    assert plain["closeDate"] == today.isoformat()
    assert at_midnight(plain["closedAt"]) == dt.datetime.combine(today, dt.time(0, 0), dt.UTC)


# --- 11. the rounding line is reported apart -----------------------------------------------------


async def test_rounding_is_reported_apart_and_stays_out_of_net_totals(gql: Any) -> None:
    # given the worked example (100.00 at 21 % tax, 10 % document discount) rounded to whole euros
    w = await catalog(gql)
    o = await deal(gql, w)
    q = (await call(gql, FROM_OPP, {"opportunityId": o}))["quote"]["id"]
    await call(gql, ADD_MANUAL, {"quoteId": q, "name": "Service", "unitPrice": "100.00", "taxRate": "21"})
    await call(gql, UPDATE_QUOTE, {"id": q, "discountPercent": "10"})

    # when it is rounded
    rounded = (await call(gql, ROUND, {"quoteId": q, "roundTo": "1"}))["quote"]

    # then the rounding is its own total: neither subtotal nor netTotal includes it
    totals = [rounded[k] for k in ("subtotal", "discountTotal", "netTotal", "taxTotal", "roundingTotal", "total")]
    assert totals == ["100.00", "10.00", "90.00", "18.90", "0.10", "109.00"]
    assert (await read_opp(gql, o))["amount"] == "90.00"
    # conversions copy it; the order and invoice keep the same totals
    order = (await call(gql, TO_ORDER, {"quoteId": q}))["salesOrder"]
    assert [order[k] for k in ("netTotal", "roundingTotal", "total")] == ["90.00", "0.10", "109.00"]
    invoice = (await call(gql, ORDER_TO_INVOICE, {"salesOrderId": order["id"]}))["invoice"]
    assert [invoice[k] for k in ("netTotal", "roundingTotal", "total")] == ["90.00", "0.10", "109.00"]
    # and a won deal's contracts share the net total only (the manual line makes none here)
    won = await call(gql, WIN, {"opportunityId": o})
    assert won["opportunity"]["amount"] == "90.00"


# --- found walking DOMAIN.md ---------------------------------------------------------------------


async def test_a_quote_without_a_price_book_takes_product_lines_by_hand(gql: Any) -> None:
    # DOMAIN.md 4: manual items (no product, or no price book) are allowed
    w = await catalog(gql)
    q = await create(gql, "Quote", {"accountId": w["account"], "currency": "EUR"})
    priced = await call(gql, ADD_ITEMS, {"quoteId": q, "items": [{"productId": w["laptop"], "unitPrice": "1350.00"}]})
    line = priced["quote"]["items"]["nodes"][0]
    assert (line["name"], line["unitPrice"], line["source"], priced["quote"]["total"]) == (
        "Laptop Pro 14",
        "1350.00",
        "MANUAL",
        "1350.00",
    )
    # without a price there is nothing to take: NOT_IN_PRICEBOOK, nothing added
    before = await read_quote(gql, q)
    await call(
        gql,
        ADD_ITEMS,
        {"quoteId": q, "items": [{"productId": w["dock"]}]},
        [
            user_error(
                "input.items.0.productId",
                "NOT_IN_PRICEBOOK",
                "There is no price book to price products from: give the line a unitPrice.",
            )
        ],
    )
    assert await read_quote(gql, q) == before


COMPLETE = mutation("completeActivity", "activity { id isDone }")
LOG = mutation("logActivity", "activity { id }")
CANCEL_CONTRACT = f"""mutation($input: ContractIdInput!) {{ cancelContract(input: $input) {{
  contract {{ id status }} {ERR} }} }}"""


async def test_completing_an_activity_and_cancelling_a_contract_are_on_the_timeline(gql: Any) -> None:
    # DOMAIN.md 9: every write is recorded on the timeline with who did it
    w = await catalog(gql)
    o = await deal(gql, w)
    activity = (await call(gql, LOG, {"type": "CALL", "subject": "Kick-off", "opportunityId": o}))["activity"]["id"]
    await call(gql, COMPLETE, {"activityId": activity})
    await call(gql, ADD_OPP_ITEMS, {"opportunityId": o, "items": [{"productId": w["laptop"]}]})
    contract = (await call(gql, WIN, {"opportunityId": o}))["contracts"]
    contract_id = (await m.Contract.get()).id
    assert contract == [{"value": "1499.00", "currency": "EUR"}]
    await call(gql, CANCEL_CONTRACT, {"contractId": to_global_id("Contract", contract_id)})
    query = "query($id: ID!) { opportunity(id: $id) { timeline(first: 50) { nodes { kind actor { id } } } } }"
    events = (await gql(query, {"id": o}))["opportunity"]["timeline"]["nodes"]
    kinds = [e["kind"] for e in events]
    assert "ACTIVITY_DONE" in kinds and "CONTRACT_CANCELLED" in kinds
    assert all(e["actor"] is not None for e in events if e["kind"] in ("ACTIVITY_DONE", "CONTRACT_CANCELLED"))
