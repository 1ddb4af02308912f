"""Catalog domain mutations: copy products and bundles, bundle prices, moving bundles,
exchange rates (ADMIN or MANAGER)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, mutation, out, ref
from crm_graphql.api.types.catalog import BundleType, ExchangeRateType, ProductType
from crm_graphql.services import catalog as svc


@strawberry.input(description="The product to copy (with its active prices); the copy's code gets -COPY.")
class CopyProductInput:
    product_id: int = ref("Product", "The product to copy.")


@strawberry.type(description="Result of copyProduct.")
class CopyProductPayload(Payload):
    product: m.Product | None = out(
        "The new copy, with its own code and the original's active prices; null when refused.", of=ProductType
    )


@strawberry.input(description="Set (add or replace) a bundle's price in one currency.")
class SetBundlePriceInput:
    bundle_id: int = ref("Bundle", "The bundle to price.")
    currency: str = strawberry.field(description='ISO 4217 currency code of the price, e.g. "EUR".')
    price: Decimal = strawberry.field(
        description="The bundle's total price in that currency; at most the currency's minor units (2 for EUR)."
    )


@strawberry.type(description="Result of setBundlePrice.")
class SetBundlePricePayload(Payload):
    bundle: m.Bundle | None = out("The bundle after its price was set; null when refused.", of=BundleType)


@strawberry.input(description="The bundle to copy with its components and prices.")
class CopyBundleInput:
    bundle_id: int = ref("Bundle", "The bundle to copy.")


@strawberry.type(description="Result of copyBundle.")
class CopyBundlePayload(Payload):
    bundle: m.Bundle | None = out(
        "The new copy (code with a -COPY suffix) with the original's components and prices; null when refused.",
        of=BundleType,
    )


@strawberry.input(description="Move a bundle to another price book (every component needs an entry there).")
class MoveBundleInput:
    bundle_id: int = ref("Bundle", "The bundle to move.")
    pricebook_id: int = ref("Pricebook", "The target price book; it needs an active entry for every component.")


@strawberry.type(description="Result of moveBundle.")
class MoveBundlePayload(Payload):
    bundle: m.Bundle | None = out(
        "The bundle after the move, now in the target price book; null when refused.", of=BundleType
    )


@strawberry.input(description="1 unit of currency = rate units of the base currency.")
class SetExchangeRateInput:
    currency: str = strawberry.field(description='ISO 4217 currency code, e.g. "USD"; not the base currency.')
    rate: Decimal = strawberry.field(
        description="Units of the base currency that 1 unit of currency is worth; > 0, up to 10 decimals."
    )


@strawberry.type(description="Result of setExchangeRate.")
class SetExchangeRatePayload(Payload):
    exchange_rate: m.ExchangeRate | None = out(
        "The currency's exchange rate after it was set; null when refused.", of=ExchangeRateType
    )


@strawberry.type
class Mutation:
    @mutation(
        on="Product",
        description="Copy a product (code gets a unique -COPY suffix) with its active prices.",
        input_doc="The product to copy.",
    )
    async def copy_product(self, info: Info, input: CopyProductInput) -> CopyProductPayload:
        return CopyProductPayload(product=await svc.copy_product(info.context.actor, input.product_id))

    @mutation(
        on="BundlePrice",
        description="Set a bundle's price in a currency (upsert).",
        input_doc="The bundle, the currency and the price.",
    )
    async def set_bundle_price(self, info: Info, input: SetBundlePriceInput) -> SetBundlePricePayload:
        bundle = await svc.set_bundle_price(info.context.actor, input.bundle_id, input.currency, input.price)
        return SetBundlePricePayload(bundle=bundle)

    @mutation(on="Bundle", description="Copy a bundle with its components and prices.", input_doc="The bundle to copy.")
    async def copy_bundle(self, info: Info, input: CopyBundleInput) -> CopyBundlePayload:
        return CopyBundlePayload(bundle=await svc.copy_bundle(info.context.actor, input.bundle_id))

    @mutation(
        on="Bundle",
        description="Move a bundle to another price book.",
        input_doc="The bundle and the target price book.",
    )
    async def move_bundle(self, info: Info, input: MoveBundleInput) -> MoveBundlePayload:
        return MoveBundlePayload(bundle=await svc.move_bundle(info.context.actor, input.bundle_id, input.pricebook_id))

    @mutation(
        on="ExchangeRate",
        description="Set the exchange rate of a currency (upsert; not the base currency).",
        input_doc="The currency and its rate.",
    )
    async def set_exchange_rate(self, info: Info, input: SetExchangeRateInput) -> SetExchangeRatePayload:
        rate = await svc.set_exchange_rate(info.context.actor, input.currency, input.rate)
        return SetExchangeRatePayload(exchange_rate=rate)
