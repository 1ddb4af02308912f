from __future__ import annotations

from decimal import Decimal

from tortoise import fields

from crm_graphql.enums import ProductKind
from crm_graphql.models.base import Entity, FixedDecimalField, MoneyField, SoftDeletable


class Product(SoftDeletable):
    name = fields.CharField(max_length=200, db_index=True)
    #: SKU, unique.
    code = fields.CharField(max_length=64, unique=True)
    description = fields.TextField(null=True)
    is_active = fields.BooleanField(default=True)
    kind = fields.CharEnumField(ProductKind, max_length=16, default=ProductKind.ONE_TIME)
    #: Term of a TIME_BASED product (licence, support...), in months.
    term_months = fields.IntField(null=True)
    default_unit = fields.CharField(max_length=20, default="pcs")

    class Meta:
        table = "products"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "name", "id"),)


class Pricebook(SoftDeletable):
    name = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    is_active = fields.BooleanField(default=True)
    version_label = fields.CharField(max_length=50, null=True)
    supersedes: fields.ForeignKeyNullableRelation[Pricebook] = fields.ForeignKeyField(
        "models.Pricebook", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    supersedes_id: int | None

    class Meta:
        table = "pricebooks"


class PricebookEntry(Entity):
    pricebook: fields.ForeignKeyRelation[Pricebook] = fields.ForeignKeyField(
        "models.Pricebook", db_index=True, related_name="entries"
    )
    pricebook_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", db_index=True, related_name="prices"
    )
    product_id: int
    currency = fields.CharField(max_length=3)
    unit = fields.CharField(max_length=20, default="pcs")
    unit_price = MoneyField()
    #: An entry in use is deactivated instead of deleted.
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "pricebook_entries"
        unique_together = (("pricebook", "product", "currency", "unit"),)


class Bundle(SoftDeletable):
    pricebook: fields.ForeignKeyRelation[Pricebook] = fields.ForeignKeyField(
        "models.Pricebook", db_index=True, related_name="bundles"
    )
    pricebook_id: int
    name = fields.CharField(max_length=200)
    code = fields.CharField(max_length=64, unique=True)
    description = fields.TextField(null=True)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "bundles"


class BundleItem(Entity):
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", db_index=True, related_name="items"
    )
    bundle_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", db_index=True, related_name=False
    )
    product_id: int
    position = fields.IntField(default=0)
    quantity = MoneyField()
    #: Share of the bundle price this component carries, relative to the others.
    weight = MoneyField()

    class Meta:
        table = "bundle_items"


class BundlePrice(Entity):
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", db_index=True, related_name="prices"
    )
    bundle_id: int
    currency = fields.CharField(max_length=3)
    price = MoneyField()

    class Meta:
        table = "bundle_prices"
        unique_together = (("bundle", "currency"),)


class ExchangeRate(Entity):
    """1 unit of ``currency`` = ``rate`` units of the base currency."""

    currency = fields.CharField(max_length=3, unique=True)
    rate: fields.Field[Decimal] = FixedDecimalField(10)

    class Meta:
        table = "exchange_rates"
