"""Catalog operations beyond plain CRUD: copying products and bundles, bundle prices,
moving bundles between price books, exchange rates.

Decisions: ``copyProduct`` copies the product's active price book entries too (a copy is
usually a variant sold at the same prices); copies get a code with a unique ``-COPY``
suffix (``-COPY``, ``-COPY2``, ...). Bundle prices are totals, so they carry at most the
currency's minor units.
"""

from __future__ import annotations

from decimal import Decimal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.errors import Invalid, NotInPricebook
from crm_graphql.services import access, amounts, config, crud
from crm_graphql.services.quotes import check_currency, check_number

_CODE_LENGTH = 64


async def unique_code(conn: BaseDBAsyncClient, model: type[Model], code: str) -> str:
    """``code-COPY``, then ``code-COPY2``, ``code-COPY3``... whichever is free (deleted rows count)."""
    n = 1
    while True:
        suffix = "-COPY" if n == 1 else f"-COPY{n}"
        candidate = code[: _CODE_LENGTH - len(suffix)] + suffix
        if not await model.filter(code=candidate).using_db(conn).exists():
            return candidate
        n += 1


async def copy_product(actor: Actor, product_id: int) -> m.Product:
    async with in_transaction() as conn:
        source = await access.load_for_write(conn, actor, m.Product, product_id, ("input", "productId"))
        product = await m.Product.create(
            using_db=conn,
            name=source.name,
            code=await unique_code(conn, m.Product, source.code),
            description=source.description,
            is_active=source.is_active,
            kind=source.kind,
            term_months=source.term_months,
            default_unit=source.default_unit,
        )
        for entry in await m.PricebookEntry.filter(product_id=source.id, is_active=True).using_db(conn):
            await m.PricebookEntry.create(
                using_db=conn,
                pricebook_id=entry.pricebook_id,
                product_id=product.id,
                currency=entry.currency,
                unit=entry.unit,
                unit_price=entry.unit_price,
            )
    return product


async def _bundle(conn: BaseDBAsyncClient, actor: Actor, bundle_id: int) -> m.Bundle:
    return await access.load_for_write(conn, actor, m.Bundle, bundle_id, ("input", "bundleId"))


async def set_bundle_price(actor: Actor, bundle_id: int, currency: str | None, price: Decimal | None) -> m.Bundle:
    async with in_transaction() as conn:
        bundle = await _bundle(conn, actor, bundle_id)
        code = check_currency(currency, ("input", "currency"))
        if price is None:
            raise Invalid("price is required.", ("input", "price"))
        error = check_number(price, "price", ("input", "price"), "price")
        if error is not None:
            raise error
        if money.decimal_places(price) > money.minor_units(code):
            raise Invalid(
                f"A bundle price in {code} has at most {money.minor_units(code)} decimals.", ("input", "price")
            )
        row = await m.BundlePrice.filter(bundle_id=bundle.id, currency=code).using_db(conn).first()
        if row is None:
            await m.BundlePrice.create(using_db=conn, bundle_id=bundle.id, currency=code, price=price)
        else:
            await crud.save(conn, row, {"price": price})
        await crud.save(conn, bundle, {})
    return bundle


async def copy_bundle(actor: Actor, bundle_id: int) -> m.Bundle:
    async with in_transaction() as conn:
        source = await _bundle(conn, actor, bundle_id)
        bundle = await m.Bundle.create(
            using_db=conn,
            pricebook_id=source.pricebook_id,
            name=source.name,
            code=await unique_code(conn, m.Bundle, source.code),
            description=source.description,
            is_active=source.is_active,
        )
        for item in await m.BundleItem.filter(bundle_id=source.id).using_db(conn).order_by("position", "id"):
            await m.BundleItem.create(
                using_db=conn,
                bundle_id=bundle.id,
                product_id=item.product_id,
                position=item.position,
                quantity=item.quantity,
                weight=item.weight,
            )
        for price in await m.BundlePrice.filter(bundle_id=source.id).using_db(conn):
            await m.BundlePrice.create(using_db=conn, bundle_id=bundle.id, currency=price.currency, price=price.price)
    return bundle


async def move_bundle(actor: Actor, bundle_id: int, pricebook_id: int) -> m.Bundle:
    async with in_transaction() as conn:
        bundle = await _bundle(conn, actor, bundle_id)
        path = ("input", "pricebookId")
        await access.load_visible(conn, actor, m.Pricebook, pricebook_id, path)
        missing = []
        for item in await m.BundleItem.filter(bundle_id=bundle.id).using_db(conn).order_by("position", "id"):
            priced = (
                await m.PricebookEntry.filter(pricebook_id=pricebook_id, product_id=item.product_id, is_active=True)
                .using_db(conn)
                .exists()
            )
            if not priced:
                product = await m.Product.get(id=item.product_id, using_db=conn)
                missing.append(f"{product.name} ({product.code})")
        if missing:
            raise NotInPricebook(f"The target price book has no price for: {', '.join(missing)}.", path)
        await crud.save(conn, bundle, {"pricebook_id": pricebook_id})
    return bundle


async def set_exchange_rate(actor: Actor, currency: str | None, rate: Decimal | None) -> m.ExchangeRate:
    async with in_transaction() as conn:
        code = check_currency(currency, ("input", "currency"))
        if code == config.BASE_CURRENCY:
            raise Invalid(f"{code} is the base currency: its rate is always 1.", ("input", "currency"))
        if rate is None or money.decimal_places(rate) > 10 or rate <= 0 or rate >= 100_000_000:
            raise Invalid("rate must be positive, with at most 10 decimal places.", ("input", "rate"))
        row = await m.ExchangeRate.filter(currency=code).using_db(conn).first()
        if row is None:
            row = await m.ExchangeRate.create(using_db=conn, currency=code, rate=rate)
        else:
            await crud.save(conn, row, {"rate": rate})
        # open deals whose amount converts an active quote through this rate follow it at once
        await amounts.refresh_converted(conn, code, actor)
    return row
