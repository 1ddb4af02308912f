"""Conversions between sales documents, and their status changes.

quote -> order, quote -> invoice, order -> invoice (once-only, claimed with a conditional
UPDATE on ``ordered_at`` / ``invoiced_at``), opportunity -> invoice (repeatable from its own
items; once per sale when it invoices the active quote),
quote -> opportunity (once-only: a quote without one), contract -> upsell opportunity.
Each is one service and one transaction: items and totals copied to the cent, lineage and
timeline events on both ends (fanned out to the account); nothing is written when it raises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import (
    ContractKind,
    ContractStatus,
    ConversionKind,
    InvoiceStatus,
    OpportunityStatus,
    QuoteStatus,
    SalesOrderStatus,
)
from crm_graphql.errors import AlreadyConverted, InvalidTransition
from crm_graphql.models.lines import LINE_FIELDS
from crm_graphql.services import access, amounts, crud, idempotency, lineage, numbering, timeline

TOTAL_FIELDS = (
    "currency",
    "discount_percent",
    "subtotal",
    "discount_total",
    "net_total",
    "tax_total",
    "rounding_total",
    "total",
)
_CONVERTIBLE_QUOTE = (QuoteStatus.DRAFT, QuoteStatus.SENT, QuoteStatus.ACCEPTED)


M = TypeVar("M", bound=Model)
#: A document with a status lifecycle (orders, invoices).
D = TypeVar("D", m.SalesOrder, m.Invoice)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def copy_items(conn: BaseDBAsyncClient, items: Sequence[Any], model: type[Model], **parent: int) -> list[Any]:
    """Copy lines into another document, field by field."""
    rows = [model(**parent, **{f: getattr(item, f) for f in LINE_FIELDS}) for item in items]
    if rows:
        await model.bulk_create(rows, using_db=conn)
    return rows


def totals_of_document(doc: Any) -> dict[str, Any]:
    return {f: getattr(doc, f) for f in TOTAL_FIELDS}


async def _visible(conn: BaseDBAsyncClient, actor: Actor, model: type[M], pk: int, path: tuple[str, ...]) -> M:
    """The record a conversion acts on: converting someone else's record changes it too."""
    return await access.load_for_write(conn, actor, model, pk, path)


async def _quote_items(conn: BaseDBAsyncClient, quote_id: int) -> list[m.QuoteItem]:
    return list(await m.QuoteItem.filter(quote_id=quote_id).using_db(conn).order_by("position", "id"))


async def _claim_quote(conn: BaseDBAsyncClient, actor: Actor, quote: m.Quote, stamp: str, what: str) -> None:
    """Claim the quote for a once-only conversion and leave it ACCEPTED."""
    path = ("input", "quoteId")
    if quote.status not in _CONVERTIBLE_QUOTE:
        raise InvalidTransition(f"A {quote.status} quote cannot be converted.", path)
    if quote.superseded_at is not None:
        raise InvalidTransition("A superseded revision cannot be converted.", path)
    if getattr(quote, stamp) is not None:
        raise AlreadyConverted(f"This quote was converted to {what} already.", path)
    await _check_sale(conn, quote, path)
    now = _now()
    claimed = await (
        m.Quote.filter(id=quote.id, status__in=_CONVERTIBLE_QUOTE, **{f"{stamp}__isnull": True})
        .using_db(conn)
        .update(status=QuoteStatus.ACCEPTED, version=F("version") + 1, updated_at=now, **{stamp: now})
    )
    if not claimed:
        raise AlreadyConverted(f"This quote was converted to {what} already.", path)
    if quote.status != QuoteStatus.ACCEPTED:
        await timeline.record(
            conn,
            quote,
            "STATUS_CHANGED",
            actor,
            {"changes": {"status": {"old": quote.status, "new": QuoteStatus.ACCEPTED}}},
        )


async def _check_sale(conn: BaseDBAsyncClient, quote: m.Quote, path: tuple[str, ...]) -> None:
    """What a quote conversion may turn into a sale (DOMAIN.md 3, 5): something to sell (an
    empty quote is refused like ``createInvoiceFromOpportunity`` with nothing to bill), not a
    sale whose order was cancelled, and, once its opportunity is closed, only the sale it
    closed with: a won deal's active quote (its other quotes are read-only alternatives), and
    nothing of a lost deal."""
    if not await m.QuoteItem.filter(quote_id=quote.id).using_db(conn).exists():
        raise InvalidTransition("The quote has no items to convert.", path)
    cancelled = m.SalesOrder.filter(quote_id=quote.id, status=SalesOrderStatus.CANCELLED).using_db(conn)
    if await cancelled.exists():
        raise InvalidTransition("The order made from this quote was cancelled: the sale is cancelled.", path)
    if quote.opportunity_id is None:
        return
    opp = await m.Opportunity.filter(id=quote.opportunity_id).using_db(conn).first()
    if opp is None or opp.status == OpportunityStatus.OPEN:
        return
    if opp.status == OpportunityStatus.LOST:
        raise InvalidTransition("The opportunity of this quote was lost: it has no sale to convert.", path)
    if not quote.is_active:
        raise InvalidTransition(
            "The opportunity was won with its active quote: only that quote can be converted.", path
        )


async def _claim_sale(conn: BaseDBAsyncClient, quote_id: int, path: tuple[str, ...], message: str) -> None:
    """A sale is invoiced once (DOMAIN.md 5): every way of invoicing it (quote -> invoice,
    its order -> invoice, opportunity -> invoice of its active quote) claims the quote's
    ``invoiced_at`` with one conditional UPDATE, so of two racing conversions exactly one
    wins, on SQLite and PostgreSQL alike. The quote row is always claimed before its order
    row, so two conversions never wait on each other in opposite orders."""
    now = _now()
    claimed = await (
        m.Quote.filter(id=quote_id, invoiced_at__isnull=True).using_db(conn).update(invoiced_at=now, updated_at=now)
    )
    if not claimed:
        raise AlreadyConverted(message, path)


async def _claim_order_of(conn: BaseDBAsyncClient, quote_id: int) -> None:
    """Mark the live order made from an invoiced quote as invoiced too (its sale is billed)."""
    now = _now()
    await (
        m.SalesOrder.filter(quote_id=quote_id, invoiced_at__isnull=True, status__not=SalesOrderStatus.CANCELLED)
        .using_db(conn)
        .update(invoiced_at=now, version=F("version") + 1, updated_at=now)
    )


async def release_sale(conn: BaseDBAsyncClient, invoice: Any) -> None:
    """A VOID invoice releases its sale: the quote and order it billed can be invoiced again
    (unless another live invoice still bills them)."""
    live = m.Invoice.filter(status__not=InvoiceStatus.VOID, deleted_at__isnull=True).exclude(id=invoice.id)
    if invoice.quote_id is not None and not await live.filter(quote_id=invoice.quote_id).using_db(conn).exists():
        await m.Quote.filter(id=invoice.quote_id).using_db(conn).update(invoiced_at=None)
        await m.SalesOrder.filter(quote_id=invoice.quote_id).using_db(conn).update(invoiced_at=None)
    if (
        invoice.sales_order_id is not None
        and not await live.filter(sales_order_id=invoice.sales_order_id).using_db(conn).exists()
    ):
        await m.SalesOrder.filter(id=invoice.sales_order_id).using_db(conn).update(invoiced_at=None)


def _owner(actor: Actor, source: Any) -> Any:
    return getattr(source, "owner_id", None) or getattr(actor, "id", None)


async def convert_quote_to_order(
    actor: Actor, quote_id: int, *, idempotency_key: str | None = None
) -> tuple[m.SalesOrder, m.Quote]:
    """Turn a draft, sent or accepted quote into a confirmed sales order (the quote ends ACCEPTED).

    Raises NotFound, InvalidTransition (rejected or superseded quote), AlreadyConverted,
    IdempotencyKeyReused; nothing is written when it raises.
    """
    raw = {"quoteId": quote_id}
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "convertQuoteToOrder", idempotency_key, raw)
        if prior is not None:
            return await m.SalesOrder.get(id=prior["salesOrder"], using_db=conn), await m.Quote.get(
                id=prior["quote"], using_db=conn
            )
        quote = await _visible(conn, actor, m.Quote, quote_id, ("input", "quoteId"))
        await _claim_quote(conn, actor, quote, "ordered_at", "an order")
        order = await m.SalesOrder.create(
            using_db=conn,
            number=await numbering.next_number(conn, "SO"),
            name=quote.name,
            account_id=quote.account_id,
            contact_id=quote.contact_id,
            opportunity_id=quote.opportunity_id,
            quote_id=quote.id,
            owner_id=_owner(actor, quote),
            status=SalesOrderStatus.CONFIRMED,
            **totals_of_document(quote),
        )
        await copy_items(conn, await _quote_items(conn, quote.id), m.SalesOrderItem, sales_order_id=order.id)
        await lineage.link(conn, quote, order, ConversionKind.QUOTE_TO_ORDER)
        await timeline.record(
            conn, order, "CREATED", actor, {"from": "Quote", "quote": timeline.ref(quote, number=quote.number)}
        )
        await timeline.record(
            conn,
            quote,
            "CONVERTED",
            actor,
            {"to": "SalesOrder", "salesOrder": timeline.ref(order, number=order.number)},
        )
        result = {"salesOrder": order.id, "quote": quote.id}
        await idempotency.remember(conn, actor, "convertQuoteToOrder", idempotency_key, raw, result)
        quote = await m.Quote.get(id=quote.id, using_db=conn)
    return order, quote


async def _invoice(
    conn: BaseDBAsyncClient,
    actor: Actor,
    source: Any,
    items: Sequence[Any],
    totals: dict[str, Any],
    due_date: dt.date | None,
    **refs: Any,
) -> m.Invoice:
    invoice = await m.Invoice.create(
        using_db=conn,
        number=await numbering.next_number(conn, "INV"),
        name=getattr(source, "name", None) or getattr(source, "title", None),
        account_id=source.account_id,
        contact_id=source.contact_id,
        owner_id=_owner(actor, source),
        status=InvoiceStatus.DRAFT,
        due_date=due_date,
        **refs,
        **totals,
    )
    await copy_items(conn, items, m.InvoiceItem, invoice_id=invoice.id)
    return invoice


async def convert_quote_to_invoice(
    actor: Actor, quote_id: int, due_date: dt.date | None = None, *, idempotency_key: str | None = None
) -> tuple[m.Invoice, m.Quote]:
    """Invoice a draft, sent or accepted quote once (the quote ends ACCEPTED).

    Raises NotFound, InvalidTransition, AlreadyConverted, IdempotencyKeyReused; nothing is
    written when it raises.
    """
    raw = {"quoteId": quote_id, "dueDate": due_date}
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "convertQuoteToInvoice", idempotency_key, raw)
        if prior is not None:
            return await m.Invoice.get(id=prior["invoice"], using_db=conn), await m.Quote.get(
                id=prior["quote"], using_db=conn
            )
        quote = await _visible(conn, actor, m.Quote, quote_id, ("input", "quoteId"))
        await _claim_quote(conn, actor, quote, "invoiced_at", "an invoice")
        await _claim_order_of(conn, quote.id)
        invoice = await _invoice(
            conn,
            actor,
            quote,
            await _quote_items(conn, quote.id),
            totals_of_document(quote),
            due_date,
            opportunity_id=quote.opportunity_id,
            quote_id=quote.id,
        )
        await lineage.link(conn, quote, invoice, ConversionKind.QUOTE_TO_INVOICE)
        await timeline.record(
            conn, invoice, "CREATED", actor, {"from": "Quote", "quote": timeline.ref(quote, number=quote.number)}
        )
        await timeline.record(
            conn, quote, "CONVERTED", actor, {"to": "Invoice", "invoice": timeline.ref(invoice, number=invoice.number)}
        )
        result = {"invoice": invoice.id, "quote": quote.id}
        await idempotency.remember(conn, actor, "convertQuoteToInvoice", idempotency_key, raw, result)
        quote = await m.Quote.get(id=quote.id, using_db=conn)
    return invoice, quote


async def convert_order_to_invoice(
    actor: Actor, sales_order_id: int, due_date: dt.date | None = None, *, idempotency_key: str | None = None
) -> tuple[m.Invoice, m.SalesOrder]:
    """Invoice a confirmed or fulfilled order once.

    Raises NotFound, InvalidTransition (cancelled order), AlreadyConverted,
    IdempotencyKeyReused; nothing is written when it raises.
    """
    raw = {"salesOrderId": sales_order_id, "dueDate": due_date}
    path = ("input", "salesOrderId")
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "convertOrderToInvoice", idempotency_key, raw)
        if prior is not None:
            return await m.Invoice.get(id=prior["invoice"], using_db=conn), await m.SalesOrder.get(
                id=prior["salesOrder"], using_db=conn
            )
        order = await _visible(conn, actor, m.SalesOrder, sales_order_id, path)
        if order.status == SalesOrderStatus.CANCELLED:
            raise InvalidTransition("A cancelled order cannot be invoiced.", path)
        if order.invoiced_at is not None:
            raise AlreadyConverted("This order was invoiced already.", path)
        if order.quote_id is not None:
            await _claim_sale(conn, order.quote_id, path, "The quote this order was made from was invoiced already.")
        now = _now()
        claimed = await (
            m.SalesOrder.filter(id=order.id, invoiced_at__isnull=True, status__not=SalesOrderStatus.CANCELLED)
            .using_db(conn)
            .update(invoiced_at=now, version=F("version") + 1, updated_at=now)
        )
        if not claimed:
            raise AlreadyConverted("This order was invoiced already.", path)
        items = await m.SalesOrderItem.filter(sales_order_id=order.id).using_db(conn).order_by("position", "id")
        invoice = await _invoice(
            conn,
            actor,
            order,
            items,
            totals_of_document(order),
            due_date,
            opportunity_id=order.opportunity_id,
            quote_id=order.quote_id,
            sales_order_id=order.id,
        )
        await lineage.link(conn, order, invoice, ConversionKind.ORDER_TO_INVOICE)
        await timeline.record(
            conn,
            invoice,
            "CREATED",
            actor,
            {"from": "SalesOrder", "salesOrder": timeline.ref(order, number=order.number)},
        )
        await timeline.record(
            conn, order, "CONVERTED", actor, {"to": "Invoice", "invoice": timeline.ref(invoice, number=invoice.number)}
        )
        result = {"invoice": invoice.id, "salesOrder": order.id}
        await idempotency.remember(conn, actor, "convertOrderToInvoice", idempotency_key, raw, result)
        order = await m.SalesOrder.get(id=order.id, using_db=conn)
    return invoice, order


async def create_invoice_from_opportunity(
    actor: Actor, opportunity_id: int, due_date: dt.date | None = None, *, idempotency_key: str | None = None
) -> tuple[m.Invoice, m.Opportunity]:
    """Invoice an opportunity: the active quote's lines and totals (once per sale: refused
    once that quote or its order has a live invoice), else its own items (repeatable).

    Raises NotFound, InvalidTransition (lost deal, nothing to invoice), AlreadyConverted,
    IdempotencyKeyReused; nothing is written when it raises.
    """
    raw = {"opportunityId": opportunity_id, "dueDate": due_date}
    path = ("input", "opportunityId")
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "createInvoiceFromOpportunity", idempotency_key, raw)
        if prior is not None:
            return await m.Invoice.get(id=prior["invoice"], using_db=conn), await m.Opportunity.get(
                id=prior["opportunity"], using_db=conn
            )
        opp = await _visible(conn, actor, m.Opportunity, opportunity_id, path)
        if opp.status == OpportunityStatus.LOST:
            raise InvalidTransition("A lost opportunity cannot be invoiced.", path)
        quote = (
            await m.Quote.filter(opportunity_id=opp.id, is_active=True, deleted_at__isnull=True).using_db(conn).first()
        )
        if quote is not None:
            items: Sequence[Any] = await _quote_items(conn, quote.id)
            totals = totals_of_document(quote)
        else:
            items = await m.OpportunityItem.filter(opportunity_id=opp.id).using_db(conn).order_by("position", "id")
            totals = {
                "currency": opp.currency,
                "discount_percent": Decimal(0),
                **amounts.totals_values(amounts.totals_of(items, Decimal(0), opp.currency)),
            }
        if not items:
            raise InvalidTransition("The opportunity has no items and no active quote to invoice.", path)
        if quote is not None:
            cancelled = m.SalesOrder.filter(quote_id=quote.id, status=SalesOrderStatus.CANCELLED).using_db(conn)
            if await cancelled.exists():
                raise InvalidTransition(
                    f"The order made from the active quote {quote.number} was cancelled: the sale is cancelled.", path
                )
            await _claim_sale(
                conn, quote.id, path, f"The active quote {quote.number} (or its order) was invoiced already."
            )
            await _claim_order_of(conn, quote.id)
        invoice = await _invoice(
            conn,
            actor,
            opp,
            items,
            totals,
            due_date,
            opportunity_id=opp.id,
            quote_id=quote.id if quote is not None else None,
        )
        await lineage.link(conn, opp, invoice, ConversionKind.OPPORTUNITY_TO_INVOICE)
        await timeline.record(conn, invoice, "CREATED", actor, {"from": "Opportunity", "opportunity": opp})
        await timeline.record(
            conn, opp, "CONVERTED", actor, {"to": "Invoice", "invoice": timeline.ref(invoice, number=invoice.number)}
        )
        result = {"invoice": invoice.id, "opportunity": opp.id}
        await idempotency.remember(conn, actor, "createInvoiceFromOpportunity", idempotency_key, raw, result)
    return invoice, opp


async def create_opportunity_from_quote(
    actor: Actor,
    quote_id: int,
    title: str | None = None,
    stage_id: int | None = None,
    *,
    idempotency_key: str | None = None,
) -> tuple[m.Opportunity, m.Quote]:
    """Make an opportunity for a quote that has none; the quote becomes its active quote.

    Raises NotFound, AlreadyConverted (the quote has an opportunity), field errors of the new
    opportunity, IdempotencyKeyReused; nothing is written when it raises.
    """
    raw = {"quoteId": quote_id, "title": title, "stageId": stage_id}
    path = ("input", "quoteId")
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "createOpportunityFromQuote", idempotency_key, raw)
        if prior is not None:
            return await m.Opportunity.get(id=prior["opportunity"], using_db=conn), await m.Quote.get(
                id=prior["quote"], using_db=conn
            )
        quote = await _visible(conn, actor, m.Quote, quote_id, path)
        if quote.opportunity_id is not None:
            raise AlreadyConverted("This quote belongs to an opportunity already.", path)
        values: dict[str, Any] = {
            "title": title if title is not None else quote.name,
            "account_id": quote.account_id,
            "currency": quote.currency,
            "owner_id": _owner(actor, quote),
        }
        for key, value in (
            ("contact_id", quote.contact_id),
            ("pricebook_id", quote.pricebook_id),
            ("stage_id", stage_id),
        ):
            if value is not None:
                values[key] = value
        opp = await crud.create_in(conn, actor, "Opportunity", values)
        claimed = await (
            m.Quote.filter(id=quote.id, opportunity_id__isnull=True)
            .using_db(conn)
            .update(opportunity_id=opp.id, is_active=True, version=F("version") + 1, updated_at=_now())
        )
        if not claimed:
            raise AlreadyConverted("This quote belongs to an opportunity already.", path)
        await amounts.refresh_opportunity(conn, opp.id, actor, path)
        await lineage.link(conn, quote, opp, ConversionKind.QUOTE_TO_OPPORTUNITY)
        await timeline.record(
            conn, opp, "CREATED_FROM_QUOTE", actor, {"quote": timeline.ref(quote, number=quote.number)}
        )
        await timeline.record(conn, quote, "CONVERTED", actor, {"to": "Opportunity", "opportunity": opp})
        result = {"opportunity": opp.id, "quote": quote.id}
        await idempotency.remember(conn, actor, "createOpportunityFromQuote", idempotency_key, raw, result)
        opp = await m.Opportunity.get(id=opp.id, using_db=conn)
        quote = await m.Quote.get(id=quote.id, using_db=conn)
    return opp, quote


async def create_upsell_opportunity(
    actor: Actor, contract_id: int, title: str | None = None, *, idempotency_key: str | None = None
) -> tuple[m.Opportunity, m.Contract]:
    """A new opportunity for an active time-based contract's account (repeatable).

    Raises NotFound, InvalidTransition (one-time or cancelled contract), IdempotencyKeyReused;
    nothing is written when it raises.
    """
    raw = {"contractId": contract_id, "title": title}
    path = ("input", "contractId")
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "createUpsellOpportunity", idempotency_key, raw)
        if prior is not None:
            return await m.Opportunity.get(id=prior["opportunity"], using_db=conn), await m.Contract.get(
                id=prior["contract"], using_db=conn
            )
        contract = await _visible(conn, actor, m.Contract, contract_id, path)
        if contract.kind != ContractKind.TIME_BASED:
            raise InvalidTransition("Only a time-based contract can be upsold.", path)
        if contract.status == ContractStatus.CANCELLED:
            raise InvalidTransition("A cancelled contract cannot be upsold.", path)
        source = await m.Opportunity.filter(id=contract.opportunity_id).using_db(conn).first()
        values: dict[str, Any] = {
            "title": title if title is not None else f"Upsell: {contract.name}",
            "account_id": contract.account_id,
            "currency": contract.currency,
            "owner_id": contract.owner_id or getattr(actor, "id", None),
        }
        if source is not None and source.contact_id is not None:
            values["contact_id"] = source.contact_id
        opp = await crud.create_in(conn, actor, "Opportunity", values)
        await m.Opportunity.filter(id=opp.id).using_db(conn).update(origin_contract_id=contract.id)
        await lineage.link(conn, contract, opp, ConversionKind.CONTRACT_TO_OPPORTUNITY)
        await timeline.record(
            conn, opp, "CREATED_FROM_CONTRACT", actor, {"contract": timeline.ref(contract, number=contract.number)}
        )
        result = {"opportunity": opp.id, "contract": contract.id}
        await idempotency.remember(conn, actor, "createUpsellOpportunity", idempotency_key, raw, result)
        opp = await m.Opportunity.get(id=opp.id, using_db=conn)
    return opp, contract


# --- status changes -----------------------------------------------------------------------------


async def _transition(
    actor: Actor,
    model: type[D],
    pk: int,
    path: tuple[str, ...],
    allowed: Sequence[Any],
    new: Any,
    kind: str,
    after: Callable[[BaseDBAsyncClient, Any], Awaitable[None]] | None = None,
    **stamps: Any,
) -> D:
    async with in_transaction() as conn:
        row = await _visible(conn, actor, model, pk, path)
        now = _now()
        claimed = await (
            model.filter(id=row.id, status__in=list(allowed))
            .using_db(conn)
            .update(status=new, version=F("version") + 1, updated_at=now, **dict.fromkeys(stamps, now))
        )
        if not claimed:
            raise InvalidTransition(f"A {row.status} {model.__name__} cannot become {new}.", path)
        await timeline.record(conn, row, kind, actor, {"changes": {"status": {"old": row.status, "new": new}}})
        if after is not None:
            await after(conn, row)
        return await model.get(id=row.id, using_db=conn)


async def fulfill_order(actor: Actor, pk: int) -> m.SalesOrder:
    """CONFIRMED -> FULFILLED. Raises NotFound, InvalidTransition."""
    return await _transition(
        actor,
        m.SalesOrder,
        pk,
        ("input", "salesOrderId"),
        [SalesOrderStatus.CONFIRMED],
        SalesOrderStatus.FULFILLED,
        "FULFILLED",
    )


async def cancel_order(actor: Actor, pk: int) -> m.SalesOrder:
    """CONFIRMED -> CANCELLED. Raises NotFound, InvalidTransition."""
    return await _transition(
        actor,
        m.SalesOrder,
        pk,
        ("input", "salesOrderId"),
        [SalesOrderStatus.CONFIRMED],
        SalesOrderStatus.CANCELLED,
        "CANCELLED",
    )


async def issue_invoice(actor: Actor, pk: int) -> m.Invoice:
    """DRAFT -> ISSUED. Raises NotFound, InvalidTransition."""
    return await _transition(
        actor,
        m.Invoice,
        pk,
        ("input", "invoiceId"),
        [InvoiceStatus.DRAFT],
        InvoiceStatus.ISSUED,
        "ISSUED",
        issued_at=True,
    )


async def mark_invoice_paid(actor: Actor, pk: int) -> m.Invoice:
    """ISSUED -> PAID. Raises NotFound, InvalidTransition."""
    return await _transition(
        actor, m.Invoice, pk, ("input", "invoiceId"), [InvoiceStatus.ISSUED], InvoiceStatus.PAID, "PAID", paid_at=True
    )


async def void_invoice(actor: Actor, pk: int) -> m.Invoice:
    """DRAFT or ISSUED -> VOID; the sale it billed can be invoiced again. Raises NotFound, InvalidTransition."""
    return await _transition(
        actor,
        m.Invoice,
        pk,
        ("input", "invoiceId"),
        [InvoiceStatus.DRAFT, InvoiceStatus.ISSUED],
        InvoiceStatus.VOID,
        "VOIDED",
        after=release_sale,
    )
