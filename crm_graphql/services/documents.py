"""Render a quote into a document from a template with ``{{token}}`` placeholders.

Tokens: ``{{customer.name}}``, ``{{customer.address}}``, ``{{customer.vatNumber}}``,
``{{contact.name}}``, ``{{quote.number}}``, ``{{quote.revision}}``, ``{{quote.name}}``,
``{{quote.validFrom}}``, ``{{quote.validUntil}}``, ``{{currency}}``, ``{{items}}`` (one line
per item: name, quantity, unit, unit price, line total), ``{{totals.subtotal}}``,
``{{totals.discount}}``, ``{{totals.net}}``, ``{{totals.tax}}``, ``{{totals.total}}``.
An unknown token is refused when the template is saved, so rendering never guesses.
The document is kept, attached to the quote's opportunity, and lands on both timelines.
"""

from __future__ import annotations

import html
import re
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.errors import Invalid, NotFound
from crm_graphql.services import access, permissions, timeline

TOKEN = re.compile(r"\{\{\s*([a-zA-Z][\w.]*)\s*\}\}")
TOKENS = frozenset({
    "customer.name", "customer.address", "customer.vatNumber", "contact.name", "quote.number",
    "quote.revision", "quote.name", "quote.validFrom", "quote.validUntil", "currency", "items",
    "totals.subtotal", "totals.discount", "totals.net", "totals.tax", "totals.total",
})  # fmt: skip
CONTENT_TYPES = frozenset({"text/markdown", "text/html", "text/plain"})
DEFAULT_TEMPLATE = """# Quote {{quote.number}} (revision {{quote.revision}})

**{{customer.name}}**
{{customer.address}}

{{quote.name}}, valid from {{quote.validFrom}} until {{quote.validUntil}}.

{{items}}

| | {{currency}} |
|---|---:|
| Subtotal | {{totals.subtotal}} |
| Discount | {{totals.discount}} |
| Net | {{totals.net}} |
| Tax | {{totals.tax}} |
| **Total** | **{{totals.total}}** |
"""


def check_template(body: str, content_type: str) -> None:
    unknown = sorted({t for t in TOKEN.findall(body)} - TOKENS)
    if unknown:
        raise Invalid(f"Unknown tokens: {', '.join(unknown)}. Known: {', '.join(sorted(TOKENS))}.", ("input", "body"))
    if content_type not in CONTENT_TYPES:
        raise Invalid(f"contentType is one of {', '.join(sorted(CONTENT_TYPES))}.", ("input", "contentType"))


async def template_before_create(conn: BaseDBAsyncClient, actor: Any, data: dict[str, Any]) -> None:
    data["content_type"] = data.get("content_type") or "text/markdown"
    check_template(data["body"], data["content_type"])


async def template_before_update(conn: BaseDBAsyncClient, actor: Any, row: Any, data: dict[str, Any]) -> None:
    check_template(data.get("body") or row.body, data.get("content_type") or row.content_type)


def _items_block(items: list[Any], currency: str, content_type: str) -> str:
    rows = [
        (i.name, money.plain(i.quantity), i.unit, money.format_price(i.unit_price, currency),
         money.format_amount(i.line_total, currency))
        for i in items
    ]  # fmt: skip
    if content_type == "text/markdown":
        head = "| Item | Quantity | Unit | Unit price | Total |\n|---|---:|---|---:|---:|"
        return "\n".join([head, *(f"| {' | '.join(r)} |" for r in rows)])
    return "\n".join("  ".join(r) for r in rows)


def _address(account: Any) -> str:
    parts = [account.street, " ".join(p for p in (account.postal_code, account.city) if p), account.country]
    return ", ".join(p for p in parts if p)


async def render_quote_document(actor: Any, *, quote_id: int, template_id: int | None) -> m.Document:
    """Render and store the document; raises NotFound (nothing is written then)."""
    permissions.authorize(actor, "renderQuoteDocument", "Quote")
    async with in_transaction() as conn:
        quote = await access.load_for_write(conn, actor, m.Quote, quote_id, ("input", "quoteId"))
        template = None
        if template_id is not None:
            template = await m.DocumentTemplate.filter(id=template_id).using_db(conn).first()
            if template is None:
                raise NotFound("No DocumentTemplate with this id.", ("input", "templateId"))
        body = template.body if template else DEFAULT_TEMPLATE
        content_type = template.content_type if template else "text/markdown"
        account = await m.Account.get(id=quote.account_id).using_db(conn)
        contact = await m.Contact.filter(id=quote.contact_id).using_db(conn).first() if quote.contact_id else None
        items = await m.QuoteItem.filter(quote_id=quote.id).using_db(conn).order_by("position", "id")
        cur = quote.currency
        values = {
            "customer.name": account.name, "customer.address": _address(account),
            "customer.vatNumber": account.vat_number or "",
            "contact.name": " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else "",
            "quote.number": quote.number, "quote.revision": str(quote.revision), "quote.name": quote.name,
            "quote.validFrom": quote.valid_from.isoformat() if quote.valid_from else "",
            "quote.validUntil": quote.valid_until.isoformat() if quote.valid_until else "",
            "currency": cur,
            "totals.subtotal": money.format_amount(quote.subtotal, cur),
            "totals.discount": money.format_amount(quote.discount_total, cur),
            "totals.net": money.format_amount(quote.net_total, cur),
            "totals.tax": money.format_amount(quote.tax_total, cur),
            "totals.total": money.format_amount(quote.total, cur),
        }  # fmt: skip
        escape = html.escape if content_type == "text/html" else (lambda s: s)
        items_block = _items_block(items, cur, content_type)

        def substitute(match: re.Match[str]) -> str:
            token = match.group(1)
            return items_block if token == "items" else escape(values.get(token, ""))

        document = await m.Document.create(
            using_db=conn, name=f"Quote {quote.number}-{quote.revision}", content_type=content_type,
            content=TOKEN.sub(substitute, body), quote_id=quote.id, opportunity_id=quote.opportunity_id,
            template_id=template.id if template else None,
        )  # fmt: skip
        await timeline.record(conn, quote, "DOCUMENT_RENDERED", actor, {"document": document})
        if quote.opportunity_id is not None:
            opportunity = await m.Opportunity.get(id=quote.opportunity_id).using_db(conn)
            await timeline.record(conn, opportunity, "DOCUMENT_RENDERED", actor, {"document": document})
    return document
