"""Conversions end to end over HTTP: items and totals copied to the cent, lineage from both
ends, timelines (and the account's), atomicity, idempotency, status changes. The conversion
documents and ``deal`` live in tests/converting.py, shared with the other pipeline test modules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from converting import (
    CONVERT_ORDER_TO_INVOICE,
    CONVERT_QUOTE_TO_ORDER,
    DOC,
    LINEAGE,
    TIMELINE,
    WIN,
    add_lines,
    counts,
    deal,
    product,
    strip_items,
    totals,
)
from factories import ERR, call, create, pk, user_error

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import LineItemSource, ProductKind

CONVERT_QUOTE_TO_INVOICE = f"""mutation ConvertQuoteToInvoice($input: ConvertQuoteToInvoiceInput!) {{
  convertQuoteToInvoice(input: $input) {{ invoice {{ {DOC} status dueDate }} quote {{ id status }} {ERR} }} }}"""
CREATE_INVOICE_FROM_OPPORTUNITY = f"""mutation CreateInvoiceFromOpportunity($input: CreateInvoiceFromOpportunityInput!) {{
  createInvoiceFromOpportunity(input: $input) {{ invoice {{ {DOC} }} opportunity {{ id }} {ERR} }} }}"""
CREATE_OPPORTUNITY_FROM_QUOTE = f"""mutation CreateOpportunityFromQuote($input: CreateOpportunityFromQuoteInput!) {{
  createOpportunityFromQuote(input: $input) {{ opportunity {{ id title amount amountSource activeQuote {{ id }}
  {LINEAGE} {TIMELINE} }} quote {{ id isActive opportunity {{ id }} }} {ERR} }} }}"""
CREATE_UPSELL_OPPORTUNITY = f"""mutation CreateUpsellOpportunity($input: CreateUpsellOpportunityInput!) {{
  createUpsellOpportunity(input: $input) {{ opportunity {{ id title account {{ id }} {LINEAGE} }}
  contract {{ id {LINEAGE} }} {ERR} }} }}"""
STATUS = {
    "fulfillOrder": ("SalesOrderIdInput", "salesOrder"),
    "cancelOrder": ("SalesOrderIdInput", "salesOrder"),
    "issueInvoice": ("InvoiceIdInput", "invoice"),
    "markInvoicePaid": ("InvoiceIdInput", "invoice"),
    "voidInvoice": ("InvoiceIdInput", "invoice"),
    "cancelContract": ("ContractIdInput", "contract"),
}
READ_ACCOUNT_TIMELINE = (
    "query($id: ID!) { account(id: $id) { timeline(first: 100) { nodes { kind subject { id } } } } }"
)


READ_QUOTE = f"query($id: ID!) {{ quote(id: $id) {{ {DOC} status version }} }}"


async def read_quote(gql: Any, gid: str) -> Any:
    return (await gql(READ_QUOTE, {"id": gid}))["quote"]


async def account_events(gql: Any, account: str) -> list[tuple[str, str]]:
    nodes = (await gql(READ_ACCOUNT_TIMELINE, {"id": account}))["account"]["timeline"]["nodes"]
    return [(n["kind"], n["subject"]["id"] if n["subject"] else None) for n in nodes]


# --- quote -> order ------------------------------------------------------------------------------


async def test_quote_to_order_copies_items_totals_lineage_and_timelines(gql: Any) -> None:
    # given
    ids = await deal(gql, discount="10")
    quote = await read_quote(gql, ids["quote"])
    # when
    payload = await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": ids["quote"]})
    # then
    order = payload["salesOrder"]
    assert order["number"] == "SO-00001" and order["status"] == "CONFIRMED"
    assert strip_items(order) == strip_items(quote) and len(strip_items(order)) == 3
    assert totals(order) == totals(quote)
    assert order["netTotal"] == "1853.96"  # (1999.98 + 59.97 + 0.01) - 10 %
    assert payload["quote"]["status"] == "ACCEPTED"
    assert order["origin"] == {"id": ids["quote"]} and order["quote"] == {"id": ids["quote"]}
    after = await read_quote(gql, ids["quote"])
    assert after["derivatives"] == [{"id": order["id"]}]
    edge = {"from": {"id": ids["quote"]}, "to": {"id": order["id"]}, "kind": "QUOTE_TO_ORDER"}
    assert edge in order["lineage"] and edge in after["lineage"]
    assert {"kind": "CREATED"} in order["timeline"]["nodes"]
    assert {"kind": "CONVERTED"} in after["timeline"]["nodes"]
    events = await account_events(gql, ids["account"])
    assert ("CREATED", order["id"]) in events and ("CONVERTED", ids["quote"]) in events


async def test_quote_to_order_twice_is_already_converted_and_changes_nothing(gql: Any) -> None:
    # given
    ids = await deal(gql)
    await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": ids["quote"]})
    before, quote = await counts(), await read_quote(gql, ids["quote"])
    # when
    payload = await call(
        gql,
        CONVERT_QUOTE_TO_ORDER,
        {"quoteId": ids["quote"]},
        [user_error("input.quoteId", "ALREADY_CONVERTED", "This quote was converted to an order already.")],
    )
    # then
    assert payload["salesOrder"] is None
    assert await counts() == before
    assert (await read_quote(gql, ids["quote"]))["version"] == quote["version"]


async def test_rejected_quote_is_invalid_transition(gql: Any) -> None:
    ids = await deal(gql)
    await m.Quote.filter(id=pk(ids["quote"])).update(status="REJECTED")
    before = await counts()
    for query, values in ((CONVERT_QUOTE_TO_ORDER, {}), (CONVERT_QUOTE_TO_INVOICE, {})):
        await call(
            gql,
            query,
            {"quoteId": ids["quote"], **values},
            [user_error("input.quoteId", "INVALID_TRANSITION", "A REJECTED quote cannot be converted.")],
        )
    assert await counts() == before


async def test_unknown_and_malformed_quote_ids(gql: Any) -> None:
    await call(
        gql,
        CONVERT_QUOTE_TO_ORDER,
        {"quoteId": to_global_id("Quote", 999)},
        [user_error("input.quoteId", "NOT_FOUND", "No Quote with this id.")],
    )
    await call(
        gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": "nope"}, [user_error("input.quoteId", "INVALID", "Malformed id.")]
    )


# --- atomicity -----------------------------------------------------------------------------------


async def test_failure_after_the_first_insert_leaves_no_trace(gql: Any, monkeypatch: Any) -> None:
    # given
    from crm_graphql.services import lineage

    ids = await deal(gql)
    before, quote = await counts(), await read_quote(gql, ids["quote"])

    async def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(lineage, "link", boom)
    # when
    body = await gql(CONVERT_QUOTE_TO_ORDER, {"input": {"quoteId": ids["quote"]}}, errors=True)
    # then
    assert body["errors"][0]["message"] == "Unexpected error."
    assert await counts() == before
    after = await read_quote(gql, ids["quote"])
    assert (after["status"], after["version"]) == (quote["status"], quote["version"])
    assert await m.Sequence.filter(name="SO", value__gt=0).count() == 0
    monkeypatch.undo()
    payload = await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": ids["quote"]})
    assert payload["salesOrder"]["number"] == "SO-00001"


async def test_timeline_failure_rolls_back_an_invoice(gql: Any, monkeypatch: Any) -> None:
    from crm_graphql.services import timeline

    ids = await deal(gql)
    before = await counts()

    async def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(timeline, "record", boom)
    body = await gql(CONVERT_QUOTE_TO_INVOICE, {"input": {"quoteId": ids["quote"]}}, errors=True)
    assert body["errors"][0]["message"] == "Unexpected error."
    assert await counts() == before
    assert (await m.Quote.get(id=pk(ids["quote"]))).invoiced_at is None


# --- idempotency ---------------------------------------------------------------------------------


async def test_idempotency_key_replays_refuses_other_input_and_no_key_is_already_converted(gql: Any) -> None:
    ids = await deal(gql)
    other = await deal(gql)
    first = await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": ids["quote"], "idempotencyKey": "k1"})
    before = await counts()
    again = await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": ids["quote"], "idempotencyKey": "k1"})
    assert again["salesOrder"]["id"] == first["salesOrder"]["id"]
    assert await counts() == before
    await call(
        gql,
        CONVERT_QUOTE_TO_ORDER,
        {"quoteId": other["quote"], "idempotencyKey": "k1"},
        [
            user_error(
                "input.idempotencyKey", "IDEMPOTENCY_KEY_REUSED", "This idempotency key was used with other input."
            )
        ],
    )
    await call(
        gql,
        CONVERT_QUOTE_TO_ORDER,
        {"quoteId": ids["quote"]},
        [user_error("input.quoteId", "ALREADY_CONVERTED", "This quote was converted to an order already.")],
    )
    assert await counts() == before


# --- quote -> invoice, order -> invoice, opportunity -> invoice ----------------------------------


async def test_quote_to_invoice(gql: Any) -> None:
    ids = await deal(gql, discount="5")
    quote = await read_quote(gql, ids["quote"])
    payload = await call(gql, CONVERT_QUOTE_TO_INVOICE, {"quoteId": ids["quote"], "dueDate": "2026-12-31"})
    invoice = payload["invoice"]
    assert (invoice["number"], invoice["status"], invoice["dueDate"]) == ("INV-00001", "DRAFT", "2026-12-31")
    assert strip_items(invoice) == strip_items(quote) and totals(invoice) == totals(quote)
    assert invoice["origin"] == {"id": ids["quote"]}
    after = await read_quote(gql, ids["quote"])
    assert after["status"] == "ACCEPTED" and after["derivatives"] == [{"id": invoice["id"]}]
    assert {"from": {"id": ids["quote"]}, "to": {"id": invoice["id"]}, "kind": "QUOTE_TO_INVOICE"} in after["lineage"]
    assert {"kind": "CREATED"} in invoice["timeline"]["nodes"]
    assert ("CREATED", invoice["id"]) in await account_events(gql, ids["account"])
    before = await counts()
    await call(
        gql,
        CONVERT_QUOTE_TO_INVOICE,
        {"quoteId": ids["quote"]},
        [user_error("input.quoteId", "ALREADY_CONVERTED", "This quote was converted to an invoice already.")],
    )
    assert await counts() == before


async def test_order_to_invoice_and_cancelled_order(gql: Any) -> None:
    ids = await deal(gql, discount="2.5")
    order = (await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": ids["quote"]}))["salesOrder"]
    payload = await call(gql, CONVERT_ORDER_TO_INVOICE, {"salesOrderId": order["id"]})
    invoice = payload["invoice"]
    assert strip_items(invoice) == strip_items(order) and totals(invoice) == totals(order)
    assert invoice["origin"] == {"id": order["id"]} and invoice["salesOrder"] == {"id": order["id"]}
    edge = {"from": {"id": order["id"]}, "to": {"id": invoice["id"]}, "kind": "ORDER_TO_INVOICE"}
    assert edge in invoice["lineage"]
    assert {"from": {"id": ids["quote"]}, "to": {"id": order["id"]}, "kind": "QUOTE_TO_ORDER"} in invoice["lineage"]
    read = await gql(f"query($id: ID!) {{ salesOrder(id: $id) {{ {LINEAGE} {TIMELINE} }} }}", {"id": order["id"]})
    assert read["salesOrder"]["derivatives"] == [{"id": invoice["id"]}]
    assert {"kind": "CONVERTED"} in read["salesOrder"]["timeline"]["nodes"]
    before = await counts()
    await call(
        gql,
        CONVERT_ORDER_TO_INVOICE,
        {"salesOrderId": order["id"]},
        [user_error("input.salesOrderId", "ALREADY_CONVERTED", "This order was invoiced already.")],
    )
    assert await counts() == before
    # a cancelled order cannot be invoiced
    other = await deal(gql)
    order2 = (await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": other["quote"]}))["salesOrder"]
    q = f"mutation($input: SalesOrderIdInput!) {{ cancelOrder(input: $input) {{ salesOrder {{ status }} {ERR} }} }}"
    assert (await call(gql, q, {"salesOrderId": order2["id"]}))["salesOrder"]["status"] == "CANCELLED"
    before = await counts()
    await call(
        gql,
        CONVERT_ORDER_TO_INVOICE,
        {"salesOrderId": order2["id"]},
        [user_error("input.salesOrderId", "INVALID_TRANSITION", "A cancelled order cannot be invoiced.")],
    )
    assert await counts() == before


async def test_invoice_from_opportunity_copies_the_active_quote_once(gql: Any) -> None:
    ids = await deal(gql, discount="10")
    quote = await read_quote(gql, ids["quote"])
    first = (await call(gql, CREATE_INVOICE_FROM_OPPORTUNITY, {"opportunityId": ids["opportunity"]}))["invoice"]
    assert strip_items(first) == strip_items(quote) and totals(first) == totals(quote)
    assert first["origin"] == {"id": ids["opportunity"]}
    # the active quote's sale is billed: a second invoice of it is refused (DOMAIN.md 5)
    refused = await gql(CREATE_INVOICE_FROM_OPPORTUNITY, {"input": {"opportunityId": ids["opportunity"]}})
    assert [e["code"] for e in refused["createInvoiceFromOpportunity"]["userErrors"]] == ["ALREADY_CONVERTED"]
    read = await gql(
        f"query($id: ID!) {{ opportunity(id: $id) {{ {LINEAGE} {TIMELINE} }} }}", {"id": ids["opportunity"]}
    )
    assert {"id": first["id"]} in read["opportunity"]["derivatives"]
    assert {"kind": "CONVERTED"} in read["opportunity"]["timeline"]["nodes"]


async def test_invoice_from_opportunity_items_without_quote(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Solo"})
    opp = await create(gql, "Opportunity", {"title": "Items only", "accountId": account})
    laptop = await product("laptop")
    await m.OpportunityItem.create(
        opportunity_id=pk(opp),
        position=0,
        currency="EUR",
        product_id=laptop.id,
        name="Laptop",
        quantity=Decimal(3),
        unit_price=Decimal("333.33"),
        line_total=Decimal("999.99"),
        tax_rate=Decimal(19),
        source=LineItemSource.PRICEBOOK,
    )
    invoice = (await call(gql, CREATE_INVOICE_FROM_OPPORTUNITY, {"opportunityId": opp}))["invoice"]
    assert (invoice["netTotal"], invoice["taxTotal"], invoice["total"]) == ("999.99", "190.00", "1189.99")
    assert [i["lineTotal"] for i in strip_items(invoice)] == ["999.99"]
    empty = await create(gql, "Opportunity", {"title": "Nothing", "accountId": account})
    await call(
        gql,
        CREATE_INVOICE_FROM_OPPORTUNITY,
        {"opportunityId": empty},
        [
            user_error(
                "input.opportunityId",
                "INVALID_TRANSITION",
                "The opportunity has no items and no active quote to invoice.",
            )
        ],
    )


# --- quote -> opportunity, contract -> upsell -----------------------------------------------------


async def test_opportunity_from_quote_once(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Loose"})
    quote = await create(gql, "Quote", {"accountId": account, "name": "Loose quote"})
    await add_lines(quote, [(await product("laptop"), "1", "1000")])
    payload = await call(gql, CREATE_OPPORTUNITY_FROM_QUOTE, {"quoteId": quote})
    opp = payload["opportunity"]
    assert (opp["title"], opp["amount"], opp["amountSource"]) == ("Loose quote", "1000.00", "QUOTE")
    assert opp["activeQuote"] == {"id": quote} and opp["origin"] == {"id": quote}
    assert payload["quote"] == {"id": quote, "isActive": True, "opportunity": {"id": opp["id"]}}
    assert {"kind": "CREATED_FROM_QUOTE"} in opp["timeline"]["nodes"]
    assert (await read_quote(gql, quote))["derivatives"] == [{"id": opp["id"]}]
    before = await counts()
    await call(
        gql,
        CREATE_OPPORTUNITY_FROM_QUOTE,
        {"quoteId": quote},
        [user_error("input.quoteId", "ALREADY_CONVERTED", "This quote belongs to an opportunity already.")],
    )
    assert await counts() == before


async def test_upsell_from_time_based_contract_only(gql: Any) -> None:
    support = await product("support", ProductKind.TIME_BASED, 12)
    laptop = await product("laptop")
    ids = await deal(gql, [(support, "1", "1200"), (laptop, "1", "800")])
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2026-01-15"})
    by_kind = {c["kind"]: c for c in won["contracts"]}
    payload = await call(gql, CREATE_UPSELL_OPPORTUNITY, {"contractId": by_kind["TIME_BASED"]["id"]})
    opp = payload["opportunity"]
    assert opp["title"] == "Upsell: Support" and opp["account"] == {"id": ids["account"]}
    assert opp["origin"] == {"id": by_kind["TIME_BASED"]["id"]}
    assert payload["contract"]["derivatives"] == [{"id": opp["id"]}]
    assert {
        "from": {"id": by_kind["TIME_BASED"]["id"]},
        "to": {"id": opp["id"]},
        "kind": "CONTRACT_TO_OPPORTUNITY",
    } in opp["lineage"]
    again = await call(gql, CREATE_UPSELL_OPPORTUNITY, {"contractId": by_kind["TIME_BASED"]["id"], "title": "More"})
    assert again["opportunity"]["title"] == "More"
    before = await counts()
    await call(
        gql,
        CREATE_UPSELL_OPPORTUNITY,
        {"contractId": by_kind["ONE_TIME"]["id"]},
        [user_error("input.contractId", "INVALID_TRANSITION", "Only a time-based contract can be upsold.")],
    )
    assert await counts() == before


# --- status changes ------------------------------------------------------------------------------


async def status(gql: Any, op: str, gid: str, errors: list[dict[str, Any]] | None = None) -> Any:
    input_type, field = STATUS[op]
    id_field = {"salesOrder": "salesOrderId", "invoice": "invoiceId", "contract": "contractId"}[field]
    q = f"mutation($input: {input_type}!) {{ {op}(input: $input) {{ {field} {{ id status }} {ERR} }} }}"
    return (await call(gql, q, {id_field: gid}, errors))[field]


async def test_order_invoice_and_contract_status_changes(gql: Any) -> None:
    ids = await deal(gql)
    order = (await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": ids["quote"]}))["salesOrder"]
    assert (await status(gql, "fulfillOrder", order["id"]))["status"] == "FULFILLED"
    await status(
        gql,
        "cancelOrder",
        order["id"],
        [user_error("input.salesOrderId", "INVALID_TRANSITION", "A FULFILLED SalesOrder cannot become CANCELLED.")],
    )
    invoice = (await call(gql, CONVERT_ORDER_TO_INVOICE, {"salesOrderId": order["id"]}))["invoice"]
    await status(
        gql,
        "markInvoicePaid",
        invoice["id"],
        [user_error("input.invoiceId", "INVALID_TRANSITION", "A DRAFT Invoice cannot become PAID.")],
    )
    assert (await status(gql, "issueInvoice", invoice["id"]))["status"] == "ISSUED"
    assert (await status(gql, "markInvoicePaid", invoice["id"]))["status"] == "PAID"
    await status(
        gql,
        "voidInvoice",
        invoice["id"],
        [user_error("input.invoiceId", "INVALID_TRANSITION", "A PAID Invoice cannot become VOID.")],
    )
    row = await m.Invoice.get(id=pk(invoice["id"]))
    assert row.issued_at is not None and row.paid_at is not None
    other = await deal(gql, [(await product("pc"), "1", "10")])
    won = await call(gql, WIN, {"opportunityId": other["opportunity"]})
    contract = won["contracts"][0]["id"]
    assert (await status(gql, "cancelContract", contract))["status"] == "CANCELLED"
    await status(
        gql,
        "cancelContract",
        contract,
        [user_error("input.contractId", "INVALID_TRANSITION", "A CANCELLED contract cannot be cancelled.")],
    )


async def test_read_only_user_cannot_convert(gql: Any, actors: Any) -> None:
    from crm_graphql.enums import Role

    ids = await deal(gql)
    before = await counts()
    await call(
        gql.as_(actors[Role.READ_ONLY]),
        CONVERT_QUOTE_TO_ORDER,
        {"quoteId": ids["quote"]},
        [user_error("input", "FORBIDDEN", "Your role may only read.")],
    )
    assert await counts() == before
