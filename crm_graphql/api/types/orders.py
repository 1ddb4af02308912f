"""SalesOrder, Invoice and their items."""

from __future__ import annotations

import datetime as dt

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import Convertible, timeline_field
from crm_graphql.api.types.common import LineItem, SalesDocument, list_field, ref_field


@strawberry.type(name="SalesOrder", description="A confirmed order, made from a quote.")
class SalesOrderType(SalesDocument, Convertible):
    name: str | None = strawberry.field(description="Order name.")
    status: e.SalesOrderStatus = strawberry.field(description="CONFIRMED, FULFILLED or CANCELLED.")
    contact = ref_field("Contact", "contact_id", description="The customer's contact.")
    opportunity = ref_field(
        "Opportunity",
        "opportunity_id",
        description="The deal it was sold on (its quote's opportunity when converted); null without one.",
    )
    quote = ref_field("Quote", "quote_id", description="The quote it was made from.")
    owner = ref_field("User", "owner_id", description="The salesperson.")
    items = list_field("SalesOrderItem", fk="sales_order_id", description="The lines, copied from the quote.")
    invoices = list_field("Invoice", fk="sales_order_id", description="Invoices made from this order.")
    timeline = timeline_field("SalesOrder")
    is_type_of = model_type(m.SalesOrder)


@strawberry.type(name="SalesOrderItem", description="A line of a sales order.")
class SalesOrderItemType(LineItem):
    sales_order = ref_field("SalesOrder", "sales_order_id", description="The order.", required=True)
    is_type_of = model_type(m.SalesOrderItem)


@strawberry.type(name="Invoice", description="A bill to an account.")
class InvoiceType(SalesDocument, Convertible):
    name: str | None = strawberry.field(description="Invoice name.")
    status: e.InvoiceStatus = strawberry.field(description="DRAFT, ISSUED, PAID or VOID.")
    due_date: dt.date | None = strawberry.field(description="Payment due date.")
    issued_at: dt.datetime | None = strawberry.field(description="When it was issued.")
    paid_at: dt.datetime | None = strawberry.field(description="When it was paid.")
    contact = ref_field("Contact", "contact_id", description="The customer's contact.")
    opportunity = ref_field(
        "Opportunity",
        "opportunity_id",
        description="The deal it bills (from the opportunity, quote or order it was made from); null without one.",
    )
    quote = ref_field("Quote", "quote_id", description="The quote it was made from.")
    sales_order = ref_field("SalesOrder", "sales_order_id", description="The order it was made from.")
    owner = ref_field("User", "owner_id", description="The salesperson.")
    items = list_field("InvoiceItem", fk="invoice_id", description="The lines.")
    timeline = timeline_field("Invoice")
    is_type_of = model_type(m.Invoice)


@strawberry.type(name="InvoiceItem", description="A line of an invoice.")
class InvoiceItemType(LineItem):
    invoice = ref_field("Invoice", "invoice_id", description="The invoice this line is on.", required=True)
    is_type_of = model_type(m.InvoiceItem)
