"""The whole funnel: lead -> account + contact + opportunity -> quote -> order -> invoice."""

from __future__ import annotations

from typing import Any

from converting import (
    CONVERT_ORDER_TO_INVOICE,
    CONVERT_QUOTE_TO_ORDER,
    QUALIFY,
    add_lines,
    lead,
    product,
    strip_items,
    totals,
)
from factories import call

FROM_OPP = """mutation($input: CreateQuoteFromOpportunityInput!) { createQuoteFromOpportunity(input: $input) {
  quote { id } userErrors { field message code } } }"""


async def test_lead_to_invoice_lineage_holds_all_five(gql: Any) -> None:
    lid = await lead(gql)
    q = await call(
        gql, QUALIFY, {"leadId": lid, "account": {"create": {}}, "contact": {"create": {}}, "opportunity": {}}
    )
    opp = q["opportunity"]["id"]
    made = await call(gql, FROM_OPP, {"opportunityId": opp})
    quote = made["quote"]["id"]
    await add_lines(quote, [(await product("laptop"), "2", "1234.56"), (None, "1", "10")], discount="7.5")
    order = (await call(gql, CONVERT_QUOTE_TO_ORDER, {"quoteId": quote}))["salesOrder"]
    invoice = (await call(gql, CONVERT_ORDER_TO_INVOICE, {"salesOrderId": order["id"]}))["invoice"]
    assert strip_items(invoice) == strip_items(order) and totals(invoice) == totals(order)
    nodes = {e["from"]["id"] for e in invoice["lineage"]} | {e["to"]["id"] for e in invoice["lineage"]}
    assert {lid, opp, quote, order["id"], invoice["id"]} <= nodes
    kinds = {e["kind"] for e in invoice["lineage"]}
    assert {"LEAD_TO_OPPORTUNITY", "OPPORTUNITY_TO_QUOTE", "QUOTE_TO_ORDER", "ORDER_TO_INVOICE"} <= kinds
