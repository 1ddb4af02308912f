"""Quote and opportunity-item operations: pricing lines from price books and bundles,
currency changes, duplicates, revisions, the active quote and the quote life cycle.

Every operation runs in one transaction and raises ``DomainError`` before anything is
kept. Totals are always recomputed on the server (``amounts.recompute_quote`` /
``amounts.refresh_opportunity``) from the stored lines.

Decisions (DOMAIN.md is silent on them):
- A rounding line (``roundQuoteTotal``) keeps its amount when other lines change later:
  the totals stay the exact sum of their parts, the total may no longer be round, and
  calling ``roundQuoteTotal`` again replaces the line. Rounding to a total that is
  already round removes the rounding line (the payload's ``item`` is then null).
- Bundle component lines are fixed by their split: unit price, discount and quantity
  are ``LOCKED``; tax rate, name and description may change. Removing one component
  removes the whole bundle (its ``bundle_group``).
- Rounding lines cannot be edited with ``updateQuoteItem`` (``LOCKED``); remove them or
  round again.
- A quote created from an opportunity in another currency or price book than the
  opportunity's goes through the same repricing as ``changeQuoteCurrency``.
- Item inputs without ``productId`` are manual lines (``name`` and ``unitPrice``
  required). Quantity defaults to 1; unit prices may not be negative.
- On a document without a price book (DOMAIN.md 4: "manual items (no product, or no price
  book) are allowed"), a product line with a ``unitPrice`` is a manual line that names its
  product; without a ``unitPrice`` it is ``NOT_IN_PRICEBOOK`` (there is no price to take).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.enums import ConversionKind, LineItemSource, OpportunityStatus, QuoteStatus
from crm_graphql.errors import (
    DomainError,
    Invalid,
    InvalidTransition,
    Locked,
    NotFound,
    NotInPricebook,
    Required,
    raise_all,
)
from crm_graphql.models.lines import LINE_FIELDS, LineItem
from crm_graphql.services import (
    access,
    amounts,
    crud,
    idempotency,
    numbering,
    pricing,
    quote_rules,
    repricing,
    timeline,
)

#: A line item model (QuoteItem, OpportunityItem, ...).
L = TypeVar("L", bound=LineItem)

Path = tuple[str, ...]

MAX_ITEMS = 250
_LIMIT = Decimal("100000000000000")
_HUNDRED = Decimal(100)
_ONE = Decimal(1)

_COPY_FIELDS = (*LINE_FIELDS, "pricebook_entry_id")


@dataclass
class NewLine:
    """One line of ``items`` in addQuoteItems / addOpportunityItems."""

    product_id: int | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_rate: Decimal | None = None
    name: str | None = None
    description: str | None = None


# --- validation -----------------------------------------------------------------------


def check_number(value: Decimal, kind: str, path: Path, label: str) -> DomainError | None:
    """``kind``: quantity (> 0), percent (0..100), rate (a tax rate, 0..100), price (>= 0)."""
    if money.decimal_places(value) > money.STORAGE_PLACES:
        return Invalid(f"{label} has more than {money.STORAGE_PLACES} decimal places.", path)
    if abs(value) >= _LIMIT:
        return Invalid(f"{label} is too large.", path)
    if kind == "quantity" and value <= 0:
        return Invalid(f"{label} must be greater than 0.", path)
    if kind == "percent" and not 0 <= value <= _HUNDRED:
        return Invalid(f"{label} must be between 0 and 100.", path)
    if kind in ("rate", "price") and value < 0:
        return Invalid(f"{label} cannot be negative.", path)
    if kind == "rate" and value > _HUNDRED:
        return Invalid(f"{label} is a percentage: at most 100.", path)
    return None


def check_currency(code: str | None, path: Path) -> str:
    if code is None or not code.strip():
        raise Required("currency is required.", path)
    code = code.strip()
    if not money.is_currency(code):
        raise Invalid(f"{code!r} is not an ISO 4217 currency code.", path)
    return code


def _numbers(line: NewLine, path: Path) -> list[DomainError]:
    checks = (
        ("quantity", line.quantity, "quantity"),
        ("unitPrice", line.unit_price, "price"),
        ("discountPercent", line.discount_percent, "percent"),
        ("taxRate", line.tax_rate, "rate"),
    )
    errors = []
    for name, value, kind in checks:
        if value is not None:
            error = check_number(value, kind, (*path, name), name)
            if error is not None:
                errors.append(error)
    return errors


def _text(value: str | None, path: Path, label: str, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"{label} is too long (at most {limit} characters).", path)
    return value or None


def _product_label(product: Any) -> str:
    return f"{product.name} ({product.code})"


# --- loading ----------------------------------------------------------------------------


async def _quote_for_write(
    conn: BaseDBAsyncClient, actor: Actor, quote_id: int, path: Path = ("input", "quoteId"), *, bump: bool = True
) -> m.Quote:
    """``bump``: the version bump that serializes concurrent edits (the caller bumps itself
    once it knows the edit changes something)."""
    quote = await access.load_for_write(conn, actor, m.Quote, quote_id, path)
    await quote_rules.ensure_editable(conn, quote, path)
    if bump:
        await crud.save(conn, quote, {})  # version bump; also serializes concurrent edits
    return quote


async def _opportunity_for_write(
    conn: BaseDBAsyncClient,
    actor: Actor,
    opportunity_id: int,
    path: Path = ("input", "opportunityId"),
    *,
    bump: bool = True,
) -> m.Opportunity:
    opp = await access.load_for_write(conn, actor, m.Opportunity, opportunity_id, path)
    if opp.status != OpportunityStatus.OPEN:
        raise Locked("The opportunity is closed: reopen it to edit it.", path)
    if bump:
        await crud.save(conn, opp, {})
    return opp


async def _item_for_write(conn: BaseDBAsyncClient, actor: Actor, model: type[L], item_id: int, path: Path) -> L:
    return await access.load_for_write(conn, actor, model, item_id, path)


async def _next_position(conn: BaseDBAsyncClient, model: type[LineItem], **parent: int) -> int:
    last = await model.filter(**parent).using_db(conn).order_by("-position").first()
    return 0 if last is None else last.position + 1


async def _items(conn: BaseDBAsyncClient, model: type[L], **parent: int) -> list[L]:
    return list(await model.filter(**parent).using_db(conn).order_by("position", "id"))


# --- pricing new lines ----------------------------------------------------------------------


async def price_lines(
    conn: BaseDBAsyncClient,
    actor: Actor,
    pricebook_id: int | None,
    currency: str,
    lines: Sequence[NewLine],
    base: Path = ("input", "items"),
    *,
    single: bool = False,
) -> list[dict[str, Any]]:
    """Values of new lines priced from ``pricebook_id`` in ``currency``; all errors at once.

    ``single``: one line given as the input itself (addManualQuoteItem): paths have no index.
    """
    if not lines:
        raise Required("items needs at least one line.", base)
    if len(lines) > MAX_ITEMS:
        raise Invalid(f"At most {MAX_ITEMS} items per call.", base)
    no_book = "There is no price book to price products from: give the line a unitPrice."
    bookless = pricebook_id is None  # DOMAIN.md 4: without a price book, items are entered by hand
    if pricebook_id is not None and any(line.product_id is not None for line in lines):
        book = await m.Pricebook.filter(id=pricebook_id).using_db(conn).first()
        if book is None or not book.is_active:
            pricebook_id, no_book = None, "The price book is not active: it prices no new lines."
    errors: list[DomainError] = []
    out: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        path = base if single else (*base, str(i))
        line_errors = _numbers(line, path)
        values: dict[str, Any] = {
            "currency": currency,
            "quantity": _ONE if line.quantity is None else line.quantity,
            "discount_percent": line.discount_percent or Decimal(0),
            "tax_rate": line.tax_rate or Decimal(0),
        }
        try:
            values["description"] = _text(line.description, (*path, "description"), "description", 100_000)
            name = _text(line.name, (*path, "name"), "name", 200)
            unit = _text(line.unit, (*path, "unit"), "unit", 20)
        except DomainError as exc:
            line_errors.append(exc)
            name = unit = None
        if line.product_id is None:
            if not name:
                line_errors.append(Required("A line without productId needs a name.", (*path, "name")))
            if line.unit_price is None:
                line_errors.append(Required("A line without productId needs a unitPrice.", (*path, "unitPrice")))
            values |= {
                "source": LineItemSource.MANUAL,
                "product_id": None,
                "pricebook_entry_id": None,
                "name": name,
                "unit": unit or "pcs",
                "unit_price": line.unit_price,
            }
        else:
            product_path = (*path, "productId")
            product = await access.get_visible(m.Product, actor, line.product_id, conn)
            if product is None:
                line_errors.append(NotFound("No Product with this id.", product_path))
            elif bookless and line.unit_price is not None:
                values |= {
                    "source": LineItemSource.MANUAL,
                    "product_id": product.id,
                    "pricebook_entry_id": None,
                    "name": name or product.name,
                    "unit": unit or product.default_unit or "pcs",
                    "unit_price": line.unit_price,
                }
            elif pricebook_id is None:
                line_errors.append(NotInPricebook(no_book, product_path))
            elif not product.is_active:
                line_errors.append(NotInPricebook(f"{_product_label(product)} is not active.", product_path))
            else:
                unit = unit or product.default_unit or "pcs"
                entry = (
                    await m.PricebookEntry.filter(
                        pricebook_id=pricebook_id, product_id=product.id, currency=currency, unit=unit, is_active=True
                    )
                    .using_db(conn)
                    .first()
                )
                if entry is None:
                    line_errors.append(
                        NotInPricebook(
                            f"{_product_label(product)} has no active price in this price book in {currency} per {unit}.",
                            product_path,
                        )
                    )
                else:
                    values |= {
                        "source": LineItemSource.PRICEBOOK,
                        "product_id": product.id,
                        "pricebook_entry_id": entry.id,
                        "name": name or product.name,
                        "unit": unit,
                        "unit_price": entry.unit_price if line.unit_price is None else line.unit_price,
                    }
        if line_errors:
            errors.extend(line_errors)
            continue
        values["line_total"] = pricing.line_total(
            values["quantity"], values["unit_price"], values["discount_percent"], currency
        )
        out.append(values)
    raise_all(errors)
    return out


async def _create_lines(
    conn: BaseDBAsyncClient, model: type[L], values: list[dict[str, Any]], **parent: int
) -> list[L]:
    position = await _next_position(conn, model, **parent)
    rows = []
    for offset, v in enumerate(values):
        rows.append(await model.create(using_db=conn, position=position + offset, **parent, **v))
    return rows


async def _copy_lines(conn: BaseDBAsyncClient, items: Sequence[LineItem], model: type[L], **parent: int) -> list[L]:
    groups: dict[str, str] = {}
    rows = []
    for it in items:
        values = {f: getattr(it, f) for f in _COPY_FIELDS}
        if it.bundle_group:
            values["bundle_group"] = groups.setdefault(it.bundle_group, str(uuid.uuid4()))
        rows.append(await model.create(using_db=conn, **parent, **values))
    return rows


# --- lineage --------------------------------------------------------------------------------


async def _link(conn: BaseDBAsyncClient, source: Any, target: Any, kind: ConversionKind) -> None:
    await m.LineageLink.create(
        using_db=conn,
        source_type=type(source).__name__,
        source_id=source.id,
        target_type=type(target).__name__,
        target_id=target.id,
        kind=kind,
    )


# --- quotes from opportunities, duplicates, revisions ---------------------------------------


async def create_quote_from_opportunity(
    actor: Actor,
    opportunity_id: int,
    *,
    pricebook_id: int | None = None,
    currency: str | None = None,
    name: str | None = None,
    valid_until: dt.date | None = None,
    idempotency_key: str | None = None,
) -> tuple[Any, Any]:
    raw = {
        "opportunityId": opportunity_id,
        "pricebookId": pricebook_id,
        "currency": currency,
        "name": name,
        "validUntil": valid_until,
    }
    async with in_transaction() as conn:
        operation = "createQuoteFromOpportunity"
        prior = await idempotency.replay(conn, actor, operation, idempotency_key, raw)
        if prior is not None:
            quote = await m.Quote.get(id=prior["quote"], using_db=conn)
            return quote, await m.Opportunity.get(id=quote.opportunity_id, using_db=conn)
        opp = await _opportunity_for_write(conn, actor, opportunity_id)
        errors: list[DomainError] = []
        if pricebook_id is not None and await access.get_visible(m.Pricebook, actor, pricebook_id, conn) is None:
            errors.append(NotFound("No Pricebook with this id.", ("input", "pricebookId")))
        try:
            currency = opp.currency if currency is None else check_currency(currency, ("input", "currency"))
            name = _text(name, ("input", "name"), "name", 200)
        except DomainError as exc:
            errors.append(exc)
        raise_all(errors)
        assert currency is not None
        book = pricebook_id if pricebook_id is not None else opp.pricebook_id
        has_active = (
            await m.Quote.filter(opportunity_id=opp.id, is_active=True, deleted_at__isnull=True).using_db(conn).exists()
        )
        quote = await m.Quote.create(
            using_db=conn,
            number=await numbering.next_number(conn, "Q"),
            revision=1,
            name=name or opp.title,
            account_id=opp.account_id,
            contact_id=opp.contact_id,
            opportunity_id=opp.id,
            pricebook_id=book,
            owner_id=getattr(actor, "id", None),
            currency=opp.currency,
            is_active=not has_active,
            valid_from=dt.date.today(),
            valid_until=valid_until,
            discount_percent=Decimal(0),
        )
        source_items = await _items(conn, m.OpportunityItem, opportunity_id=opp.id)
        copies = await _copy_lines(conn, source_items, m.QuoteItem, quote_id=quote.id)
        if currency != opp.currency or book != opp.pricebook_id:
            changes = await repricing.reprice(
                conn,
                copies,
                old=opp.currency,
                new=currency,
                old_book=opp.pricebook_id,
                new_book=book,
                currency_path=("input", "currency"),
                book_path=("input", "pricebookId"),
            )
            await repricing.apply(conn, changes)
            await crud.save(conn, quote, {"currency": currency})
        await amounts.recompute_quote(conn, quote, actor, ("input", "currency"))
        await _link(conn, opp, quote, ConversionKind.OPPORTUNITY_TO_QUOTE)
        await timeline.record(
            conn, quote, "CREATED", actor, {"from": "Opportunity", "opportunity": opp, "items": len(copies)}
        )
        await timeline.record(conn, opp, "QUOTE_CREATED", actor, {"quote": timeline.ref(quote, number=quote.number)})
        await idempotency.remember(conn, actor, operation, idempotency_key, raw, {"quote": quote.id})
        opp = await m.Opportunity.get(id=opp.id, using_db=conn)
    return quote, opp


_QUOTE_COPY = (
    "name",
    "account_id",
    "contact_id",
    "opportunity_id",
    "pricebook_id",
    "currency",
    "discount_percent",
    "valid_from",
    "valid_until",
    "description",
    "subtotal",
    "discount_total",
    "net_total",
    "tax_total",
    "rounding_total",
    "total",
)


async def duplicate_quote(actor: Actor, quote_id: int, *, idempotency_key: str | None = None) -> m.Quote:
    raw = {"quoteId": quote_id}
    async with in_transaction() as conn:
        operation = "duplicateQuote"
        prior = await idempotency.replay(conn, actor, operation, idempotency_key, raw)
        if prior is not None:
            return await m.Quote.get(id=prior["quote"], using_db=conn)
        source = await access.load_for_write(conn, actor, m.Quote, quote_id, ("input", "quoteId"))
        if source.opportunity_id is not None:
            opp = await m.Opportunity.get(id=source.opportunity_id, using_db=conn)
            if opp.status != OpportunityStatus.OPEN:
                raise Locked("The quote's opportunity is closed: reopen it to add quotes.", ("input", "quoteId"))
        quote = await m.Quote.create(
            using_db=conn,
            number=await numbering.next_number(conn, "Q"),
            revision=1,
            owner_id=getattr(actor, "id", None),
            status=QuoteStatus.DRAFT,
            is_active=False,
            **{f: getattr(source, f) for f in _QUOTE_COPY},
        )
        await _copy_lines(conn, await _items(conn, m.QuoteItem, quote_id=source.id), m.QuoteItem, quote_id=quote.id)
        await amounts.recompute_quote(conn, quote, actor, ("input", "quoteId"))
        await _link(conn, source, quote, ConversionKind.QUOTE_DUPLICATE)
        await timeline.record(
            conn, quote, "CREATED", actor, {"duplicateOf": timeline.ref(source, number=source.number)}
        )
        await timeline.record(conn, source, "DUPLICATED", actor, {"quote": timeline.ref(quote, number=quote.number)})
        await idempotency.remember(conn, actor, operation, idempotency_key, raw, {"quote": quote.id})
    return quote


async def revise_quote(actor: Actor, quote_id: int) -> tuple[m.Quote, m.Quote]:
    path: Path = ("input", "quoteId")
    async with in_transaction() as conn:
        previous = await access.load_for_write(conn, actor, m.Quote, quote_id, path)
        if previous.superseded_at is not None:
            raise InvalidTransition("Only the latest revision of a quote can be revised.", path)
        if previous.status == QuoteStatus.ACCEPTED:
            raise InvalidTransition("An accepted quote cannot be revised.", path)
        await quote_rules.ensure_editable(conn, previous, path)
        latest = await m.Quote.filter(number=previous.number).using_db(conn).order_by("-revision").first()
        assert latest is not None
        was_active = previous.is_active
        await crud.save(conn, previous, {"superseded_at": dt.datetime.now(dt.UTC), "is_active": False})
        quote = await m.Quote.create(
            using_db=conn,
            number=previous.number,
            revision=latest.revision + 1,
            owner_id=previous.owner_id,
            status=QuoteStatus.DRAFT,
            is_active=was_active,
            **{f: getattr(previous, f) for f in _QUOTE_COPY},
        )
        items = await _items(conn, m.QuoteItem, quote_id=previous.id)
        await _copy_lines(conn, items, m.QuoteItem, quote_id=quote.id)
        await amounts.recompute_quote(conn, quote, actor, ("input", "quoteId"))
        await _link(conn, previous, quote, ConversionKind.QUOTE_REVISION)
        await timeline.record(
            conn,
            quote,
            "CREATED",
            actor,
            {"revisionOf": timeline.ref(previous, number=previous.number), "revision": quote.revision},
        )
        await timeline.record(conn, previous, "REVISED", actor, {"revision": quote.revision})
    return quote, previous


async def set_active_quote(actor: Actor, quote_id: int) -> tuple[m.Quote, m.Opportunity]:
    path: Path = ("input", "quoteId")
    async with in_transaction() as conn:
        quote = await access.load_for_write(conn, actor, m.Quote, quote_id, path)
        if quote.opportunity_id is None:
            raise InvalidTransition("This quote has no opportunity to be active for.", path)
        if quote.superseded_at is not None:
            raise InvalidTransition("A superseded revision cannot become active.", path)
        # the active quote sets the deal's amount: changing it changes the opportunity
        opp = await access.load_for_write(conn, actor, m.Opportunity, quote.opportunity_id, path)
        if opp.status != OpportunityStatus.OPEN:
            raise Locked("The quote's opportunity is closed: reopen it to change its active quote.", path)
        if not quote.is_active:
            others = await m.Quote.filter(opportunity_id=opp.id, is_active=True).using_db(conn)
            for other in others:
                await crud.save(conn, other, {"is_active": False})
                await timeline.record(conn, other, "DEACTIVATED", actor)
            await crud.save(conn, quote, {"is_active": True})
            await timeline.record(conn, quote, "ACTIVATED", actor)
            await timeline.record(
                conn, opp, "ACTIVE_QUOTE_CHANGED", actor, {"quote": timeline.ref(quote, number=quote.number)}
            )
            await crud.save(conn, opp, {})
            await amounts.refresh_opportunity(conn, opp.id, actor, path)
        opp = await m.Opportunity.get(id=opp.id, using_db=conn)
    return quote, opp


_TRANSITIONS = {
    "send": ((QuoteStatus.DRAFT,), QuoteStatus.SENT, "SENT"),
    "accept": ((QuoteStatus.DRAFT, QuoteStatus.SENT), QuoteStatus.ACCEPTED, "ACCEPTED"),
    "reject": ((QuoteStatus.DRAFT, QuoteStatus.SENT), QuoteStatus.REJECTED, "REJECTED"),
}


async def transition(actor: Actor, quote_id: int, action: str) -> m.Quote:
    """sendQuote (DRAFT -> SENT), acceptQuote / rejectQuote (DRAFT or SENT -> ...)."""
    sources, target, kind = _TRANSITIONS[action]
    path: Path = ("input", "quoteId")
    async with in_transaction() as conn:
        quote = await access.load_for_write(conn, actor, m.Quote, quote_id, path)
        if quote.status not in sources:
            raise InvalidTransition(
                f"The quote is {quote.status.value}: only a {' or '.join(s.value for s in sources)} quote "
                f"can be {kind.lower()}.",
                path,
            )
        await quote_rules.ensure_editable(conn, quote, path)
        await crud.save(conn, quote, {"status": target})
        await timeline.record(conn, quote, kind, actor)
    return quote


# --- quote items --------------------------------------------------------------------------


async def add_quote_items(actor: Actor, quote_id: int, lines: Sequence[NewLine]) -> tuple[m.Quote, list[m.QuoteItem]]:
    async with in_transaction() as conn:
        quote = await _quote_for_write(conn, actor, quote_id)
        values = await price_lines(conn, actor, quote.pricebook_id, quote.currency, lines)
        items = await _create_lines(conn, m.QuoteItem, values, quote_id=quote.id)
        await amounts.recompute_quote(conn, quote, actor, ("input", "quoteId"))
        await timeline.record(conn, quote, "ITEMS_ADDED", actor, {"count": len(items)})
    return quote, items


async def add_manual_quote_item(actor: Actor, quote_id: int, line: NewLine) -> tuple[m.Quote, m.QuoteItem]:
    line.product_id = None
    async with in_transaction() as conn:
        quote = await _quote_for_write(conn, actor, quote_id)
        values = await price_lines(conn, actor, quote.pricebook_id, quote.currency, [line], ("input",), single=True)
        (item,) = await _create_lines(conn, m.QuoteItem, values, quote_id=quote.id)
        await amounts.recompute_quote(conn, quote, actor, ("input", "quoteId"))
        await timeline.record(conn, quote, "ITEMS_ADDED", actor, {"count": 1, "name": item.name})
    return quote, item


async def add_bundle_to_quote(
    actor: Actor, quote_id: int, bundle_id: int, quantity: Decimal | None = None, tax_rate: Decimal | None = None
) -> tuple[m.Quote, list[m.QuoteItem]]:
    quantity = _ONE if quantity is None else quantity
    async with in_transaction() as conn:
        quote = await _quote_for_write(conn, actor, quote_id)
        errors = [
            e
            for e in (
                check_number(quantity, "quantity", ("input", "quantity"), "quantity"),
                None if tax_rate is None else check_number(tax_rate, "rate", ("input", "taxRate"), "taxRate"),
            )
            if e is not None
        ]
        raise_all(errors)
        path: Path = ("input", "bundleId")
        bundle = await access.load_visible(conn, actor, m.Bundle, bundle_id, path)
        if not bundle.is_active:
            raise NotInPricebook(f"Bundle {bundle.code} is not active.", path)
        if quote.pricebook_id != bundle.pricebook_id:
            raise NotInPricebook(f"Bundle {bundle.code} belongs to another price book than the quote's.", path)
        price = await m.BundlePrice.filter(bundle_id=bundle.id, currency=quote.currency).using_db(conn).first()
        if price is None:
            raise NotInPricebook(f"Bundle {bundle.code} has no price in {quote.currency}.", path)
        components = await m.BundleItem.filter(bundle_id=bundle.id).using_db(conn).order_by("position", "id")
        if not components:
            raise Invalid(f"Bundle {bundle.code} has no components.", path)
        total = money.round_money(price.price * quantity, quote.currency)
        parts = pricing.allocate(total, [c.weight for c in components], quote.currency)
        group = str(uuid.uuid4())
        values = []
        for comp, part in zip(components, parts, strict=True):
            product = await m.Product.get(id=comp.product_id, using_db=conn)
            qty = comp.quantity * quantity
            if money.decimal_places(qty) > money.STORAGE_PLACES:
                raise Invalid("quantity x component quantity has more than 4 decimal places.", ("input", "quantity"))
            values.append(
                {
                    "currency": quote.currency,
                    "product_id": product.id,
                    "name": product.name,
                    "unit": product.default_unit or "pcs",
                    "quantity": qty,
                    "unit_price": pricing.unit_price_from_total(part, qty),
                    "discount_percent": Decimal(0),
                    "tax_rate": tax_rate or Decimal(0),
                    "line_total": part,
                    "source": LineItemSource.BUNDLE,
                    "bundle_id": bundle.id,
                    "bundle_group": group,
                    "weight": comp.weight,
                }
            )
        items = await _create_lines(conn, m.QuoteItem, values, quote_id=quote.id)
        await amounts.recompute_quote(conn, quote, actor, ("input", "quoteId"))
        await timeline.record(
            conn, quote, "BUNDLE_ADDED", actor, {"bundle": timeline.ref(bundle, code=bundle.code), "quantity": quantity}
        )
    return quote, items


_EDITABLE_NUMBERS = {"quantity": "quantity", "unit_price": "price", "discount_percent": "percent", "tax_rate": "rate"}


def _item_changes(item: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """Validated new values for a line from ``raw`` (python names; absent = unchanged)."""
    errors: list[DomainError] = []
    values: dict[str, Any] = {}
    fixed = item.source in (LineItemSource.BUNDLE, LineItemSource.ROUNDING)
    for name, value in raw.items():
        api = crud.camel(name)
        path = ("input", api)
        if name in _EDITABLE_NUMBERS:
            if (fixed and name != "tax_rate") or item.source == LineItemSource.ROUNDING:
                what = "bundle component" if item.source == LineItemSource.BUNDLE else "rounding line"
                errors.append(
                    Locked(
                        f"The {api} of a {what} cannot be edited: remove the "
                        f"{'bundle' if item.source == LineItemSource.BUNDLE else 'line'} and add it again.",
                        path,
                    )
                )
                continue
            if value is None:
                errors.append(Required(f"{api} cannot be empty.", path))
                continue
            error = check_number(value, _EDITABLE_NUMBERS[name], path, api)
            if error is not None:
                errors.append(error)
                continue
            values[name] = value
        elif name == "name":
            try:
                text = _text(value, path, api, 200)
            except DomainError as exc:
                errors.append(exc)
                continue
            if not text:
                errors.append(Required("name cannot be empty.", path))
                continue
            values[name] = text
        elif name == "description":
            values[name] = _text(value, path, api, 100_000)
    raise_all(errors)
    if not fixed and {"quantity", "unit_price", "discount_percent"} & values.keys():
        values["line_total"] = pricing.line_total(
            values.get("quantity", item.quantity),
            values.get("unit_price", item.unit_price),
            values.get("discount_percent", item.discount_percent),
            item.currency,
        )
    return values


async def update_quote_item(actor: Actor, item_id: int, raw: dict[str, Any], version: int | None = None) -> m.QuoteItem:
    async with in_transaction() as conn:
        item = await _item_for_write(conn, actor, m.QuoteItem, item_id, ("input", "id"))
        quote = await _quote_for_write(conn, actor, item.quote_id, ("input", "id"), bump=False)
        crud.check_version(item, version)
        values = _item_changes(item, raw)
        diff = timeline.changes({k: getattr(item, k) for k in values}, values)
        if not diff:  # DOMAIN.md 6: equal as numbers ("2.0000" and "2") is no change, not recorded
            return item
        await crud.save(conn, quote, {})
        await crud.save(conn, item, values)
        await amounts.recompute_quote(conn, quote, actor, ("input", "id"))
        await timeline.record(
            conn,
            quote,
            "ITEM_UPDATED",
            actor,
            {"item": timeline.ref(item, name=item.name), "changes": {crud.camel(k): v for k, v in diff.items()}},
        )
    return item


async def remove_quote_item(actor: Actor, item_id: int) -> m.Quote:
    async with in_transaction() as conn:
        item = await _item_for_write(conn, actor, m.QuoteItem, item_id, ("input", "id"))
        quote = await _quote_for_write(conn, actor, item.quote_id, ("input", "id"))
        if item.bundle_group:
            count = await m.QuoteItem.filter(quote_id=quote.id, bundle_group=item.bundle_group).using_db(conn).delete()
        else:
            count = await m.QuoteItem.filter(id=item.id).using_db(conn).delete()
        await amounts.recompute_quote(conn, quote, actor, ("input", "id"))
        await timeline.record(conn, quote, "ITEMS_REMOVED", actor, {"count": count, "name": item.name})
    return quote


async def round_quote_total(actor: Actor, quote_id: int, round_to: Decimal) -> tuple[m.Quote, m.QuoteItem | None]:
    async with in_transaction() as conn:
        quote = await _quote_for_write(conn, actor, quote_id)
        items = await _items(conn, m.QuoteItem, quote_id=quote.id)
        rest = [i for i in items if i.source != LineItemSource.ROUNDING]
        totals = amounts.totals_of(rest, quote.discount_percent, quote.currency)
        try:
            adjustment = pricing.rounding_adjustment(totals.total, round_to, quote.currency)
        except money.MoneyError:
            raise Invalid(
                f"roundTo must be greater than 0 and a multiple of the smallest {quote.currency} unit.",
                ("input", "roundTo"),
            ) from None
        await m.QuoteItem.filter(quote_id=quote.id, source=LineItemSource.ROUNDING).using_db(conn).delete()
        item = None
        if adjustment:
            (item,) = await _create_lines(
                conn,
                m.QuoteItem,
                [
                    {
                        "currency": quote.currency,
                        "name": "Rounding",
                        "quantity": _ONE,
                        "unit": "pcs",
                        "unit_price": adjustment,
                        "discount_percent": Decimal(0),
                        "tax_rate": Decimal(0),
                        "line_total": adjustment,
                        "source": LineItemSource.ROUNDING,
                    }
                ],
                quote_id=quote.id,
            )
        await amounts.recompute_quote(conn, quote, actor, ("input", "quoteId"))
        await timeline.record(conn, quote, "ROUNDED", actor, {"roundTo": round_to, "adjustment": adjustment})
    return quote, item


async def change_quote_currency(actor: Actor, quote_id: int, currency: str | None) -> m.Quote:
    async with in_transaction() as conn:
        quote = await _quote_for_write(conn, actor, quote_id)
        new = check_currency(currency, ("input", "currency"))
        old = quote.currency
        if new == old:
            return quote
        items = await _items(conn, m.QuoteItem, quote_id=quote.id)
        changes = await repricing.reprice(
            conn,
            items,
            old=old,
            new=new,
            old_book=quote.pricebook_id,
            new_book=quote.pricebook_id,
            currency_path=("input", "currency"),
        )
        await repricing.apply(conn, changes)
        await crud.save(conn, quote, {"currency": new})
        await amounts.recompute_quote(conn, quote, actor, ("input", "currency"))
        await timeline.record(conn, quote, "CURRENCY_CHANGED", actor, {"old": old, "new": new})
    return quote


# --- opportunity items ----------------------------------------------------------------------


async def add_opportunity_items(
    actor: Actor, opportunity_id: int, lines: Sequence[NewLine]
) -> tuple[m.Opportunity, list[m.OpportunityItem]]:
    async with in_transaction() as conn:
        opp = await _opportunity_for_write(conn, actor, opportunity_id)
        values = await price_lines(conn, actor, opp.pricebook_id, opp.currency, lines)
        items = await _create_lines(conn, m.OpportunityItem, values, opportunity_id=opp.id)
        await amounts.refresh_opportunity(conn, opp.id, actor)
        await timeline.record(conn, opp, "ITEMS_ADDED", actor, {"count": len(items)})
        opp = await m.Opportunity.get(id=opp.id, using_db=conn)
    return opp, items


async def update_opportunity_item(
    actor: Actor, item_id: int, raw: dict[str, Any], version: int | None = None
) -> m.OpportunityItem:
    async with in_transaction() as conn:
        item = await _item_for_write(conn, actor, m.OpportunityItem, item_id, ("input", "id"))
        opp = await _opportunity_for_write(conn, actor, item.opportunity_id, ("input", "id"), bump=False)
        crud.check_version(item, version)
        values = _item_changes(item, raw)
        diff = timeline.changes({k: getattr(item, k) for k in values}, values)
        if not diff:  # DOMAIN.md 6: equal as numbers ("2.0000" and "2") is no change, not recorded
            return item
        await crud.save(conn, opp, {})
        await crud.save(conn, item, values)
        await amounts.refresh_opportunity(conn, opp.id, actor)
        await timeline.record(
            conn,
            opp,
            "ITEM_UPDATED",
            actor,
            {"item": timeline.ref(item, name=item.name), "changes": {crud.camel(k): v for k, v in diff.items()}},
        )
    return item


async def remove_opportunity_item(actor: Actor, item_id: int) -> m.Opportunity:
    async with in_transaction() as conn:
        item = await _item_for_write(conn, actor, m.OpportunityItem, item_id, ("input", "id"))
        opp = await _opportunity_for_write(conn, actor, item.opportunity_id, ("input", "id"))
        if item.bundle_group:
            await (
                m.OpportunityItem.filter(opportunity_id=opp.id, bundle_group=item.bundle_group).using_db(conn).delete()
            )
        else:
            await m.OpportunityItem.filter(id=item.id).using_db(conn).delete()
        await amounts.refresh_opportunity(conn, opp.id, actor)
        await timeline.record(conn, opp, "ITEMS_REMOVED", actor, {"name": item.name})
        opp = await m.Opportunity.get(id=opp.id, using_db=conn)
    return opp


async def quote_of(item: m.QuoteItem) -> m.Quote | None:
    """The quote of a line the actor has just changed (through the write gate: visible to them)."""
    return await m.Quote.filter(id=item.quote_id).first()


async def opportunity_of(item: m.OpportunityItem) -> m.Opportunity | None:
    """The deal of an item the actor has just changed (through the write gate: visible to them)."""
    return await m.Opportunity.filter(id=item.opportunity_id).first()
