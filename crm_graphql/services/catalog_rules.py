"""Catalog rules applied to plain CRUD writes: products, price book entries, bundles."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import ProductKind
from crm_graphql.errors import Duplicate, Invalid, Required
from crm_graphql.services.crud import DEACTIVATE

Data = dict[str, Any]


def _check_term(kind: Any, term: Any) -> None:
    if kind == ProductKind.TIME_BASED and not term:
        raise Required("A TIME_BASED product needs termMonths.", ("input", "termMonths"))


def _one_time_term(data: Data) -> None:
    """DOMAIN.md 2: a term belongs to TIME_BASED products; a ONE_TIME product has none."""
    if data.get("term_months") is not None:
        raise Invalid("Only a TIME_BASED product has termMonths.", ("input", "termMonths"))


async def product_check(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    kind = data.get("kind") or ProductKind.ONE_TIME
    _check_term(kind, data.get("term_months"))
    if kind == ProductKind.ONE_TIME:
        _one_time_term(data)


async def product_check_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Product, data: Data) -> None:
    kind = data.get("kind", row.kind)
    _check_term(kind, data.get("term_months", row.term_months))
    if kind == ProductKind.ONE_TIME:
        _one_time_term(data)
        if row.term_months is not None:
            data["term_months"] = None  # becoming ONE_TIME drops the term


async def entry_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    data["unit"] = data.get("unit") or "pcs"
    taken = m.PricebookEntry.filter(
        pricebook_id=data["pricebook_id"],
        product_id=data["product_id"],
        currency=data["currency"],
        unit=data["unit"],
    ).using_db(conn)
    if await taken.exists():
        raise Duplicate(
            "This price book already prices this product in this currency and unit.", ("input", "productId")
        )


async def entry_in_use(conn: BaseDBAsyncClient, entry_id: int) -> bool:
    return (
        await m.QuoteItem.filter(pricebook_entry_id=entry_id).using_db(conn).exists()
        or await m.OpportunityItem.filter(pricebook_entry_id=entry_id).using_db(conn).exists()
    )


async def entry_used_by_bundle(conn: BaseDBAsyncClient, entry: m.PricebookEntry) -> bool:
    """A live bundle of the entry's price book has the entry's product as a component."""
    return (
        await m.BundleItem.filter(
            product_id=entry.product_id, bundle__pricebook_id=entry.pricebook_id, bundle__deleted_at__isnull=True
        )
        .using_db(conn)
        .exists()
    )


async def entry_before_delete(conn: BaseDBAsyncClient, actor: Actor, row: m.PricebookEntry) -> str | None:
    """DOMAIN.md 4: a price that a quote or bundle uses is deactivated, not deleted."""
    if await entry_in_use(conn, row.id) or await entry_used_by_bundle(conn, row):
        return DEACTIVATE
    return None


async def bundle_item_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    if data.get("weight") is None:
        data["weight"] = 1
    if data["weight"] < 0:
        raise Invalid("weight cannot be negative.", ("input", "weight"))
