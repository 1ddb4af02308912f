"""Catalog domain mutations: copy products and bundles, bundle prices, moving bundles,
exchange rates (ADMIN or MANAGER)."""

from decimal import Decimal
from typing import Annotated, Any, Optional

import strawberry

from crm_graphql.api.context import Info
from crm_graphql.api.errors import UserError
from crm_graphql.api.mutations.base import decode_id, run
from crm_graphql.api.types.common import lazy
from crm_graphql.services import catalog as svc
from crm_graphql.services import permissions

ProductT = lazy("Product")
BundleT = lazy("Bundle")
ExchangeRateT = lazy("ExchangeRate")


def _errors() -> Any:
    return strawberry.field(default_factory=list, description="Why the input was refused; empty on success.")


@strawberry.input(description="The product to copy (with its active prices); the copy's code gets -COPY.")
class CopyProductInput:
    product_id: strawberry.ID = strawberry.field(description="The product to copy.")


@strawberry.type(description="Result of copyProduct.")
class CopyProductPayload:
    product: Optional[ProductT] = strawberry.field(
        default=None, description="The new copy, with its own code and the original's active prices; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Set (add or replace) a bundle's price in one currency.")
class SetBundlePriceInput:
    bundle_id: strawberry.ID = strawberry.field(description="The bundle to price.")
    currency: str = strawberry.field(description='ISO 4217 currency code of the price, e.g. "EUR".')
    price: Decimal = strawberry.field(
        description="The bundle's total price in that currency; at most the currency's minor units (2 for EUR)."
    )


@strawberry.type(description="Result of setBundlePrice.")
class SetBundlePricePayload:
    bundle: Optional[BundleT] = strawberry.field(
        default=None, description="The bundle after its price was set; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="The bundle to copy with its components and prices.")
class CopyBundleInput:
    bundle_id: strawberry.ID = strawberry.field(description="The bundle to copy.")


@strawberry.type(description="Result of copyBundle.")
class CopyBundlePayload:
    bundle: Optional[BundleT] = strawberry.field(
        default=None,
        description="The new copy (code with a -COPY suffix) with the original's components and prices; null when refused.",
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Move a bundle to another price book (every component needs an entry there).")
class MoveBundleInput:
    bundle_id: strawberry.ID = strawberry.field(description="The bundle to move.")
    pricebook_id: strawberry.ID = strawberry.field(
        description="The target price book; it needs an active entry for every component."
    )


@strawberry.type(description="Result of moveBundle.")
class MoveBundlePayload:
    bundle: Optional[BundleT] = strawberry.field(
        default=None, description="The bundle after the move, now in the target price book; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="1 unit of currency = rate units of the base currency.")
class SetExchangeRateInput:
    currency: str = strawberry.field(description='ISO 4217 currency code, e.g. "USD"; not the base currency.')
    rate: Decimal = strawberry.field(
        description="Units of the base currency that 1 unit of currency is worth; > 0, up to 10 decimals."
    )


@strawberry.type(description="Result of setExchangeRate.")
class SetExchangeRatePayload:
    exchange_rate: Optional[ExchangeRateT] = strawberry.field(
        default=None, description="The currency's exchange rate after it was set; null when refused."
    )
    user_errors: list[UserError] = _errors()


def _auth(info: Info, operation: str, type_name: str) -> Any:
    actor = info.context.user
    permissions.authorize(actor, operation, type_name)
    return actor


def _bundle_id(value: Any) -> int:
    return decode_id(value, "Bundle", ("input", "bundleId"))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Copy a product (code gets a unique -COPY suffix) with its active prices.")
    async def copy_product(
        self, info: Info, input: Annotated[CopyProductInput, strawberry.argument(description="The product to copy.")]
    ) -> CopyProductPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "copyProduct", "Product")
            pk = decode_id(input.product_id, "Product", ("input", "productId"))
            return {"product": await svc.copy_product(actor, pk)}

        return await run(CopyProductPayload, call)

    @strawberry.mutation(description="Set a bundle's price in a currency (upsert).")
    async def set_bundle_price(
        self,
        info: Info,
        input: Annotated[
            SetBundlePriceInput, strawberry.argument(description="The bundle, the currency and the price.")
        ],
    ) -> SetBundlePricePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "setBundlePrice", "BundlePrice")
            bundle = await svc.set_bundle_price(actor, _bundle_id(input.bundle_id), input.currency, input.price)
            return {"bundle": bundle}

        return await run(SetBundlePricePayload, call)

    @strawberry.mutation(description="Copy a bundle with its components and prices.")
    async def copy_bundle(
        self, info: Info, input: Annotated[CopyBundleInput, strawberry.argument(description="The bundle to copy.")]
    ) -> CopyBundlePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "copyBundle", "Bundle")
            return {"bundle": await svc.copy_bundle(actor, _bundle_id(input.bundle_id))}

        return await run(CopyBundlePayload, call)

    @strawberry.mutation(description="Move a bundle to another price book.")
    async def move_bundle(
        self,
        info: Info,
        input: Annotated[MoveBundleInput, strawberry.argument(description="The bundle and the target price book.")],
    ) -> MoveBundlePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "moveBundle", "Bundle")
            book = decode_id(input.pricebook_id, "Pricebook", ("input", "pricebookId"))
            return {"bundle": await svc.move_bundle(actor, _bundle_id(input.bundle_id), book)}

        return await run(MoveBundlePayload, call)

    @strawberry.mutation(description="Set the exchange rate of a currency (upsert; not the base currency).")
    async def set_exchange_rate(
        self,
        info: Info,
        input: Annotated[SetExchangeRateInput, strawberry.argument(description="The currency and its rate.")],
    ) -> SetExchangeRatePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "setExchangeRate", "ExchangeRate")
            return {"exchange_rate": await svc.set_exchange_rate(actor, input.currency, input.rate)}

        return await run(SetExchangeRatePayload, call)
