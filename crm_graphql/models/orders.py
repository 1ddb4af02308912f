from __future__ import annotations

from tortoise import fields

from crm_graphql.enums import InvoiceStatus, SalesOrderStatus
from crm_graphql.models.lines import DocumentTotals, LineItem


class SalesOrder(DocumentTotals):
    number = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200, null=True)
    account = fields.ForeignKeyField("models.Account", db_index=True, related_name="sales_orders")
    contact = fields.ForeignKeyField("models.Contact", db_index=True, null=True, related_name=False)
    opportunity = fields.ForeignKeyField("models.Opportunity", db_index=True, null=True, related_name=False)
    quote = fields.ForeignKeyField("models.Quote", db_index=True, null=True, related_name=False)
    owner = fields.ForeignKeyField("models.User", db_index=True, null=True, related_name=False)
    status = fields.CharEnumField(SalesOrderStatus, max_length=10, default=SalesOrderStatus.CONFIRMED)
    #: Claimed once by convertOrderToInvoice.
    invoiced_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sales_orders"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)


class SalesOrderItem(LineItem):
    sales_order = fields.ForeignKeyField("models.SalesOrder", db_index=True, related_name="items")

    class Meta:
        table = "sales_order_items"


class Invoice(DocumentTotals):
    number = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200, null=True)
    account = fields.ForeignKeyField("models.Account", db_index=True, related_name="invoices")
    contact = fields.ForeignKeyField("models.Contact", db_index=True, null=True, related_name=False)
    opportunity = fields.ForeignKeyField("models.Opportunity", db_index=True, null=True, related_name=False)
    quote = fields.ForeignKeyField("models.Quote", db_index=True, null=True, related_name=False)
    sales_order = fields.ForeignKeyField("models.SalesOrder", db_index=True, null=True, related_name=False)
    owner = fields.ForeignKeyField("models.User", db_index=True, null=True, related_name=False)
    status = fields.CharEnumField(InvoiceStatus, max_length=8, default=InvoiceStatus.DRAFT)
    due_date = fields.DateField(null=True)
    issued_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invoices"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)


class InvoiceItem(LineItem):
    invoice = fields.ForeignKeyField("models.Invoice", db_index=True, related_name="items")

    class Meta:
        table = "invoice_items"
