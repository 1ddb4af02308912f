"""Repricing a document's lines (quote or opportunity items) when its currency or price book
changes (DOMAIN.md 3 and 4), all or nothing.

- Price-book lines take their entry in the (new) book and the (new) currency; an override
  is replaced. A product without an active entry there: ``NOT_IN_PRICEBOOK`` naming every
  such product.
- Bundle lines are split again from the bundle's price in the new currency; a document
  with bundle lines cannot switch price book (``INVALID_TRANSITION`` naming the bundle).
- Manual and rounding lines are converted with exchange rates when the currency changes
  (``MISSING_EXCHANGE_RATE`` naming the currency without a rate); discounts are kept.

``reprice`` computes every new value (or raises) before anything is written; ``apply``
writes them. Decision: switching to no price book, or to an inactive one, prices no
price-book line (each is named in ``NOT_IN_PRICEBOOK``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.enums import LineItemSource
from crm_graphql.errors import Invalid, InvalidTransition, NotInPricebook
from crm_graphql.services import amounts, crud, pricing

Path = tuple[str, ...]
Change = tuple[Any, dict[str, Any]]


def product_label(product: Any) -> str:
    return f"{product.name} ({product.code})"


def _bundle_label(bundle: Any) -> str:
    return f"bundle {bundle.name} ({bundle.code})" if bundle is not None else "a deleted bundle"


async def reprice(
    conn: BaseDBAsyncClient,
    items: Sequence[Any],
    *,
    old: str,
    new: str,
    old_book: int | None,
    new_book: int | None,
    currency_path: Path,
    book_path: Path | None = None,
) -> list[Change]:
    """New values of ``items`` moved from (``old``, ``old_book``) to (``new``, ``new_book``);
    nothing is written here. Raises InvalidTransition, NotInPricebook, MissingExchangeRate,
    Invalid (a bundle changed since it was added)."""
    switching = new_book != old_book
    path = book_path if switching and book_path is not None else currency_path
    groups: dict[str, list[Any]] = {}
    for item in items:
        if item.source == LineItemSource.BUNDLE and item.bundle_group:
            groups.setdefault(item.bundle_group, []).append(item)
    if switching and groups:
        bundle_ids = {lines[0].bundle_id for lines in groups.values()}
        bundles = {b.id: b for b in await m.Bundle.filter(id__in=list(bundle_ids)).using_db(conn)}
        names = sorted({_bundle_label(bundles.get(lines[0].bundle_id)) for lines in groups.values()})
        raise InvalidTransition(
            f"A document with bundle lines cannot switch price book: remove {', '.join(names)} first.", path
        )
    book = None
    if new_book is not None:
        book = await m.Pricebook.filter(id=new_book).using_db(conn).first()
        if switching and book is not None and (not book.is_active or book.deleted_at is not None):
            book = None  # an inactive price book prices nothing new
    missing: list[str] = []
    changes: list[Change] = []
    by_rate: list[Any] = []
    for item in items:
        if item.source == LineItemSource.PRICEBOOK:
            product = await m.Product.filter(id=item.product_id).using_db(conn).first()
            entry = None
            if book is not None and product is not None:
                entry = (
                    await m.PricebookEntry.filter(
                        pricebook_id=book.id,
                        product_id=item.product_id,
                        currency=new,
                        unit=item.unit,
                        is_active=True,
                    )
                    .using_db(conn)
                    .first()
                )
            if entry is None:
                missing.append(product_label(product) if product else item.name)
                continue
            changes.append(
                (
                    item,
                    {
                        "currency": new,
                        "unit_price": entry.unit_price,
                        "pricebook_entry_id": entry.id,
                        "line_total": pricing.line_total(item.quantity, entry.unit_price, item.discount_percent, new),
                    },
                )
            )
        elif item.source == LineItemSource.BUNDLE and item.bundle_group:
            continue
        elif new != old:
            by_rate.append(item)
    if new != old:
        for lines in groups.values():
            bundle = await m.Bundle.filter(id=lines[0].bundle_id).using_db(conn).first()
            price = None
            if bundle is not None:
                price = await m.BundlePrice.filter(bundle_id=bundle.id, currency=new).using_db(conn).first()
            if bundle is None or price is None:
                missing.append(_bundle_label(bundle))
                continue
            components = await m.BundleItem.filter(bundle_id=bundle.id).using_db(conn).order_by("position", "id")
            count = _bundle_count(lines, components)
            if count is None:
                raise Invalid(
                    f"Bundle {bundle.code} changed since it was added to this document: remove it and add it again.",
                    path,
                )
            total = money.round_money(price.price * count, new)
            parts = pricing.allocate(total, [ln.weight or Decimal(0) for ln in lines], new)
            for line, part in zip(lines, parts, strict=True):
                changes.append(
                    (
                        line,
                        {
                            "currency": new,
                            "line_total": part,
                            "unit_price": pricing.unit_price_from_total(part, line.quantity),
                        },
                    )
                )
    if missing:
        if switching:
            message = f"The new price book has no active price in {new} for: {', '.join(missing)}."
        else:
            message = f"No price in {new} for: {', '.join(missing)}."
        raise NotInPricebook(message, path)
    if by_rate:
        rates = await amounts.rates(conn)
        for item in by_rate:  # manual and rounding lines: exchange rates
            if item.source == LineItemSource.ROUNDING:
                total = amounts.convert(item.line_total, old, new, rates, money.minor_units(new), currency_path)
                changes.append((item, {"currency": new, "unit_price": total, "line_total": total}))
            else:
                unit_price = amounts.convert(item.unit_price, old, new, rates, pricing.PRICE_PLACES, currency_path)
                changes.append(
                    (
                        item,
                        {
                            "currency": new,
                            "unit_price": unit_price,
                            "line_total": pricing.line_total(item.quantity, unit_price, item.discount_percent, new),
                        },
                    )
                )
    return changes


def _bundle_count(lines: Sequence[Any], components: Sequence[Any]) -> Decimal | None:
    """How many bundles a group of component lines stands for (None if it no longer matches)."""
    if len(lines) != len(components) or not components:
        return None
    counts: set[Decimal] = {line.quantity / comp.quantity for line, comp in zip(lines, components, strict=True)}
    if len(counts) != 1 or any(ln.product_id != c.product_id for ln, c in zip(lines, components, strict=True)):
        return None
    return counts.pop()


async def apply(conn: BaseDBAsyncClient, changes: Sequence[Change]) -> None:
    for item, values in changes:
        await crud.save(conn, item, values)
