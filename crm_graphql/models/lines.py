"""Abstract pieces shared by the four line-item tables and the three sales documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from crm_graphql.enums import LineItemSource
from crm_graphql.models.base import Entity, MoneyField, SoftDeletable

if TYPE_CHECKING:
    from crm_graphql.models.catalog import Bundle, Product


#: What a line copied to another document carries, field by field (its lineTotal is never
#: recomputed on the way).
LINE_FIELDS = (
    "position",
    "currency",
    "product_id",
    "name",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "line_total",
    "source",
    "bundle_id",
    "bundle_group",
    "weight",
)


class LineItem(Entity):
    """A priced line: what ``LineItem`` in the API shows, copied between documents."""

    position = fields.IntField(default=0)
    #: The document's currency, copied so amounts format without loading the document.
    currency = fields.CharField(max_length=3)
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", db_index=True, null=True, related_name=False
    )
    product_id: int | None
    name = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    quantity = MoneyField()
    unit = fields.CharField(max_length=20, default="pcs")
    #: Up to four decimals. For bundle lines: lineTotal / quantity shown to 4 places.
    unit_price = MoneyField()
    discount_percent = MoneyField(default=0)
    tax_rate = MoneyField(default=0)
    #: Rounded to the currency minor units, authoritative for bundle lines.
    line_total = MoneyField()
    source = fields.CharEnumField(LineItemSource, max_length=16, default=LineItemSource.MANUAL)
    bundle: fields.ForeignKeyNullableRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", db_index=True, null=True, related_name=False
    )
    bundle_id: int | None
    #: Lines added by one addBundleToQuote call share a group id.
    bundle_group = fields.CharField(max_length=36, null=True)
    #: The component weight the bundle split used.
    weight = MoneyField(null=True)

    class Meta:
        abstract = True


class DocumentTotals(SoftDeletable):
    """Totals stored on the document (recomputed from items on every change) so they
    filter and sort in SQL."""

    currency = fields.CharField(max_length=3)
    #: The document discount, in percent.
    discount_percent = MoneyField(default=0)
    subtotal = MoneyField(default=0)
    discount_total = MoneyField(default=0)
    net_total = MoneyField(default=0)
    tax_total = MoneyField(default=0)
    #: Sum of the rounding lines: part of ``total`` only (no revenue, not in ``net_total``).
    #: The database default lets the column be added to tables that hold documents already.
    rounding_total = MoneyField(default=0, db_default=0)
    total = MoneyField(default=0)

    class Meta:
        abstract = True
