"""Products, price books and their entries, bundles, exchange rates."""

from __future__ import annotations

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.common import Entity, is_deleted, list_field, number_field, price_field, ref_field


@strawberry.type(name="Product", description="Something sold: a one-time purchase or a time-based service.")
class ProductType(Entity):
    name: str = strawberry.field(description="Product name.")
    code: str = strawberry.field(description="Unique code (SKU).")
    description: str | None = strawberry.field(
        description="Free-text notes on the product (not copied onto lines); null when none."
    )
    is_active: bool = strawberry.field(description="Inactive products cannot be added to new documents.")
    kind: e.ProductKind = strawberry.field(description="ONE_TIME or TIME_BASED.")
    term_months: int | None = strawberry.field(description="Term of a TIME_BASED product, in months.")
    default_unit: str = strawberry.field(description="Default unit of measure.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    prices = list_field("PricebookEntry", fk="product_id", description="Its prices in every price book.")
    is_type_of = model_type(m.Product)


@strawberry.type(name="Pricebook", description="A price list: products priced per currency and unit.")
class PricebookType(Entity):
    name: str = strawberry.field(description="Price book name.")
    description: str | None = strawberry.field(description="Free-text notes on the price book; null when none.")
    is_active: bool = strawberry.field(description="Inactive price books cannot be used on new documents.")
    version_label: str | None = strawberry.field(description="Version label, e.g. 2026-H2.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    supersedes = ref_field("Pricebook", "supersedes_id", description="The earlier price book this version replaces.")
    entries = list_field("PricebookEntry", fk="pricebook_id", description="Its prices.")
    bundles = list_field("Bundle", fk="pricebook_id", description="Bundles sold from this price book.")
    is_type_of = model_type(m.Pricebook)


@strawberry.type(name="PricebookEntry", description="The price of one product in one price book, currency and unit.")
class PricebookEntryType(Entity):
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    unit: str = strawberry.field(description="Unit of measure.")
    is_active: bool = strawberry.field(description="Inactive entries cannot price new lines.")
    unit_price = price_field("unit_price", "Price per unit, up to four decimals.")
    pricebook = ref_field(
        "Pricebook", "pricebook_id", description="The price book this price belongs to.", required=True
    )
    product = ref_field("Product", "product_id", description="The product it prices.", required=True)
    is_type_of = model_type(m.PricebookEntry)


@strawberry.type(name="Bundle", description="Products sold together at one price, split over components by weight.")
class BundleType(Entity):
    name: str = strawberry.field(description="Bundle name.")
    code: str = strawberry.field(description="Unique code.")
    description: str | None = strawberry.field(description="Free-text notes on the bundle; null when none.")
    is_active: bool = strawberry.field(description="Inactive bundles cannot be added to quotes.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    pricebook = ref_field("Pricebook", "pricebook_id", description="The price book it belongs to.", required=True)
    items = list_field("BundleItem", fk="bundle_id", description="Its components.")
    prices = list_field("BundlePrice", fk="bundle_id", description="Its price in each currency.")
    is_type_of = model_type(m.Bundle)


@strawberry.type(name="BundleItem", description="A component of a bundle.")
class BundleItemType(Entity):
    position: int = strawberry.field(description="Order among the components.")
    quantity = number_field("quantity", "Quantity of the product in one bundle.")
    weight = number_field("weight", "Share of the bundle price this component carries, relative to the others.")
    bundle = ref_field("Bundle", "bundle_id", description="The bundle this component belongs to.", required=True)
    product = ref_field("Product", "product_id", description="The product the component is.", required=True)
    is_type_of = model_type(m.BundleItem)


@strawberry.type(name="BundlePrice", description="The price of a bundle in one currency.")
class BundlePriceType(Entity):
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    price = price_field("price", "Price of one bundle.")
    bundle = ref_field("Bundle", "bundle_id", description="The bundle this price is for.", required=True)
    is_type_of = model_type(m.BundlePrice)


@strawberry.type(name="ExchangeRate", description="1 unit of `currency` = `rate` units of the base currency.")
class ExchangeRateType(Entity):
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    rate = number_field(
        "rate", "Units of the base currency one unit of `currency` buys (up to 10 decimals).", places=10
    )
    is_type_of = model_type(m.ExchangeRate)
