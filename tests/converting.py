"""Pipeline and conversion operations shared by the API tests: the conversion and win
mutations, a deal with a quote and lines (``deal``), lead qualification (``QUALIFY``, ``lead``),
row counts and document totals to compare."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from factories import ERR, create, pk
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.enums import LineItemSource, ProductKind
from crm_graphql.services import amounts, pricing

LINE = "name quantity unitPrice discountPercent taxRate lineTotal source currency position product { id }"
TOTALS = "currency discountPercent subtotal discountTotal netTotal taxTotal total"


LINEAGE = "origin { id } derivatives { id } lineage { from { id } to { id } kind }"
TIMELINE = "timeline(first: 50) { nodes { kind } }"


DOC = f"id number {TOTALS} items(first: 100) {{ nodes {{ {LINE} }} }} {LINEAGE} {TIMELINE}"
CONVERT_QUOTE_TO_ORDER = f"""mutation ConvertQuoteToOrder($input: ConvertQuoteToOrderInput!) {{
  convertQuoteToOrder(input: $input) {{ salesOrder {{ {DOC} status quote {{ id }} }} quote {{ id status version }}
  {ERR} }} }}"""
CONVERT_ORDER_TO_INVOICE = f"""mutation ConvertOrderToInvoice($input: ConvertOrderToInvoiceInput!) {{
  convertOrderToInvoice(input: $input) {{ invoice {{ {DOC} status salesOrder {{ id }} }} salesOrder {{ id }} {ERR} }} }}"""
WIN = f"""mutation WinOpportunity($input: WinOpportunityInput!) {{ winOpportunity(input: $input) {{
  opportunity {{ id status probability closeDate closedAt isLocked stage {{ name }} }}
  contracts {{ id number kind status startDate endDate value quantity currency product {{ id }} }} {ERR} }} }}"""


async def product(code: str, kind: ProductKind = ProductKind.ONE_TIME, term: int | None = None) -> m.Product:
    found = await m.Product.filter(code=code).first()
    return found or await m.Product.create(name=code.title(), code=code, kind=kind, term_months=term)


async def add_lines(quote_gid: str, lines: list[tuple[m.Product | None, str, str]], discount: str = "0") -> None:
    """Add (product, quantity, unit price) lines to a quote through the ORM and store its totals."""
    async with in_transaction() as conn:
        quote = await m.Quote.get(id=pk(quote_gid)).using_db(conn)
        quote.discount_percent = Decimal(discount)
        await m.Quote.filter(id=quote.id).using_db(conn).update(discount_percent=Decimal(discount))
        for position, (prod, qty, price) in enumerate(lines):
            await m.QuoteItem.create(
                using_db=conn,
                quote_id=quote.id,
                position=position,
                currency=quote.currency,
                product_id=prod.id if prod else None,
                name=prod.name if prod else "Manual work",
                quantity=Decimal(qty),
                unit_price=Decimal(price),
                tax_rate=Decimal("19"),
                line_total=pricing.line_total(Decimal(qty), Decimal(price), Decimal(0), quote.currency),
                source=LineItemSource.PRICEBOOK if prod else LineItemSource.MANUAL,
            )
        await amounts.recompute_quote(conn, quote)


async def deal(
    gql: Any, lines: list[tuple[m.Product | None, str, str]] | None = None, discount: str = "0"
) -> dict[str, str]:
    """An account, an opportunity and its (active) quote with lines; their global ids."""
    account = await create(gql, "Account", {"name": "Acme"})
    opportunity = await create(gql, "Opportunity", {"title": "Big deal", "accountId": account})
    quote = await create(gql, "Quote", {"opportunityId": opportunity})
    if lines is None:
        lines = [(await product("laptop"), "2", "999.99"), (await product("mouse"), "3", "19.99"), (None, "1", "0.01")]
    await add_lines(quote, lines, discount)
    return {"account": account, "opportunity": opportunity, "quote": quote}


async def counts() -> dict[str, int]:
    return {
        "orders": await m.SalesOrder.all().count(),
        "order_items": await m.SalesOrderItem.all().count(),
        "invoices": await m.Invoice.all().count(),
        "invoice_items": await m.InvoiceItem.all().count(),
        "events": await m.TimelineEvent.all().count(),
        "links": await m.LineageLink.all().count(),
        "opportunities": await m.Opportunity.all().count(),
        "contracts": await m.Contract.all().count(),
    }


def strip_items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc["items"]["nodes"])


def totals(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in TOTALS.split()}


LEAD_FIELDS = "id status qualifiedAt isLocked firstName lastName email phone title company anonymizedAt isArchived"


QUALIFY = f"""mutation QualifyLead($input: QualifyLeadInput!) {{ qualifyLead(input: $input) {{
  lead {{ {LEAD_FIELDS} convertedAccount {{ id }} convertedContact {{ id }} convertedOpportunity {{ id }}
    derivatives {{ id }} }}
  account {{ id name type email phone origin {{ id }} }}
  contact {{ id firstName lastName email phone title account {{ id }} origin {{ id }} }}
  opportunity {{ id title currency stage {{ name }} account {{ id }} contact {{ id }} origin {{ id }} }} {ERR} }} }}"""


async def lead(gql: Any, **values: Any) -> str:
    base = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "company": "Analytical Ltd",
        "email": "ada@example.com",
        "phone": "+44 1",
        "title": "CTO",
        "source": "Web",
    }
    return await create(gql, "Lead", {**base, **values})
