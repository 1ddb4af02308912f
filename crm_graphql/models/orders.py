from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from crm_graphql.enums import InvoiceStatus, SalesOrderStatus
from crm_graphql.models.lines import DocumentTotals, LineItem

if TYPE_CHECKING:
    from crm_graphql.models.accounts import Account, Contact
    from crm_graphql.models.pipeline import Opportunity
    from crm_graphql.models.quotes import Quote
    from crm_graphql.models.users import User


class SalesOrder(DocumentTotals):
    number = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200, null=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, related_name="sales_orders"
    )
    account_id: int
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", db_index=True, null=True, related_name=False
    )
    contact_id: int | None
    opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, null=True, related_name=False
    )
    opportunity_id: int | None
    quote: fields.ForeignKeyNullableRelation[Quote] = fields.ForeignKeyField(
        "models.Quote", db_index=True, null=True, related_name=False
    )
    quote_id: int | None
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None
    status = fields.CharEnumField(SalesOrderStatus, max_length=10, default=SalesOrderStatus.CONFIRMED)
    #: Claimed once by convertOrderToInvoice.
    invoiced_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sales_orders"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)


class SalesOrderItem(LineItem):
    sales_order: fields.ForeignKeyRelation[SalesOrder] = fields.ForeignKeyField(
        "models.SalesOrder", db_index=True, related_name="items"
    )
    sales_order_id: int

    class Meta:
        table = "sales_order_items"


class Invoice(DocumentTotals):
    number = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200, null=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, related_name="invoices"
    )
    account_id: int
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", db_index=True, null=True, related_name=False
    )
    contact_id: int | None
    opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, null=True, related_name=False
    )
    opportunity_id: int | None
    quote: fields.ForeignKeyNullableRelation[Quote] = fields.ForeignKeyField(
        "models.Quote", db_index=True, null=True, related_name=False
    )
    quote_id: int | None
    sales_order: fields.ForeignKeyNullableRelation[SalesOrder] = fields.ForeignKeyField(
        "models.SalesOrder", db_index=True, null=True, related_name=False
    )
    sales_order_id: int | None
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None
    status = fields.CharEnumField(InvoiceStatus, max_length=8, default=InvoiceStatus.DRAFT)
    due_date = fields.DateField(null=True)
    issued_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invoices"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)


class InvoiceItem(LineItem):
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", db_index=True, related_name="items"
    )
    invoice_id: int

    class Meta:
        table = "invoice_items"
