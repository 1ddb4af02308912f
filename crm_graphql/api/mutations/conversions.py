"""Conversion mutations (quote -> order / invoice / opportunity, order -> invoice,
opportunity -> invoice, contract -> upsell) and order, invoice and contract status changes."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, idempotency_field, mutation, out, ref
from crm_graphql.api.types.contracts import ContractType
from crm_graphql.api.types.orders import InvoiceType, SalesOrderType
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.api.types.quotes import QuoteType
from crm_graphql.services import contracts
from crm_graphql.services import conversions as svc

_DUE_DOC = "Payment due date of the invoice."


@strawberry.input(description="Turn a DRAFT, SENT or ACCEPTED quote into a sales order (once).")
class ConvertQuoteToOrderInput:
    quote_id: int = ref("Quote", "The quote.")
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of convertQuoteToOrder.")
class ConvertQuoteToOrderPayload(Payload):
    sales_order: m.SalesOrder | None = out(
        "The new CONFIRMED order with copies of the quote's items and totals.", of=SalesOrderType
    )
    quote: m.Quote | None = out("The quote, now ACCEPTED.", of=QuoteType)


@strawberry.input(
    description="Invoice a DRAFT, SENT or ACCEPTED quote (once per sale: refused once the quote or its order has a "
    "live invoice)."
)
class ConvertQuoteToInvoiceInput:
    quote_id: int = ref("Quote", "The quote.")
    due_date: Optional[dt.date] = strawberry.field(default=None, description=_DUE_DOC)
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of convertQuoteToInvoice.")
class ConvertQuoteToInvoicePayload(Payload):
    invoice: m.Invoice | None = out(
        "The new DRAFT invoice with copies of the quote's items and totals.", of=InvoiceType
    )
    quote: m.Quote | None = out("The quote, now ACCEPTED.", of=QuoteType)


@strawberry.input(
    description="Invoice a sales order (once per sale: refused once the order or its quote has a live invoice)."
)
class ConvertOrderToInvoiceInput:
    sales_order_id: int = ref("SalesOrder", "The order (not CANCELLED).")
    due_date: Optional[dt.date] = strawberry.field(default=None, description=_DUE_DOC)
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of convertOrderToInvoice.")
class ConvertOrderToInvoicePayload(Payload):
    invoice: m.Invoice | None = out(
        "The new DRAFT invoice with copies of the order's items and totals.", of=InvoiceType
    )
    sales_order: m.SalesOrder | None = out("The invoiced order.", of=SalesOrderType)


@strawberry.input(
    description="Invoice an opportunity: its active quote's lines (once per sale, like convertQuoteToInvoice), "
    "else its own items (repeatable)."
)
class CreateInvoiceFromOpportunityInput:
    opportunity_id: int = ref("Opportunity", "The opportunity (not LOST).")
    due_date: Optional[dt.date] = strawberry.field(default=None, description=_DUE_DOC)
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of createInvoiceFromOpportunity.")
class CreateInvoiceFromOpportunityPayload(Payload):
    invoice: m.Invoice | None = out("The new DRAFT invoice.", of=InvoiceType)
    opportunity: m.Opportunity | None = out("The invoiced opportunity.", of=OpportunityType)


@strawberry.input(description="Make an opportunity for a quote that has none (once); the quote becomes active.")
class CreateOpportunityFromQuoteInput:
    quote_id: int = ref("Quote", "The quote (without an opportunity).")
    title: Optional[str] = strawberry.field(default=None, description="Default: the quote's name.")
    stage_id: int | None = ref("Stage", "Default: the default stage.", default=None)
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of createOpportunityFromQuote.")
class CreateOpportunityFromQuotePayload(Payload):
    opportunity: m.Opportunity | None = out("The new opportunity; the quote is its active quote.", of=OpportunityType)
    quote: m.Quote | None = out("The quote, now linked.", of=QuoteType)


@strawberry.input(description="A new opportunity from an active time-based contract (repeatable).")
class CreateUpsellOpportunityInput:
    contract_id: int = ref("Contract", "The contract (TIME_BASED).")
    title: Optional[str] = strawberry.field(default=None, description='Default: "Upsell: <contract name>".')
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of createUpsellOpportunity.")
class CreateUpsellOpportunityPayload(Payload):
    opportunity: m.Opportunity | None = out("The new opportunity.", of=OpportunityType)
    contract: m.Contract | None = out("The contract it came from.", of=ContractType)


@strawberry.input(description="The sales order to act on.")
class SalesOrderIdInput:
    sales_order_id: int = ref("SalesOrder", "The order.")


@strawberry.input(description="The invoice to act on.")
class InvoiceIdInput:
    invoice_id: int = ref("Invoice", "The invoice.")


@strawberry.input(description="The contract to act on.")
class ContractIdInput:
    contract_id: int = ref("Contract", "The contract.")


@strawberry.type(description="Result of fulfillOrder.")
class FulfillOrderPayload(Payload):
    sales_order: m.SalesOrder | None = out("The order, now FULFILLED.", of=SalesOrderType)


@strawberry.type(description="Result of cancelOrder.")
class CancelOrderPayload(Payload):
    sales_order: m.SalesOrder | None = out("The order, now CANCELLED.", of=SalesOrderType)


@strawberry.type(description="Result of issueInvoice.")
class IssueInvoicePayload(Payload):
    invoice: m.Invoice | None = out("The invoice, now ISSUED.", of=InvoiceType)


@strawberry.type(description="Result of markInvoicePaid.")
class MarkInvoicePaidPayload(Payload):
    invoice: m.Invoice | None = out("The invoice, now PAID.", of=InvoiceType)


@strawberry.type(description="Result of voidInvoice.")
class VoidInvoicePayload(Payload):
    invoice: m.Invoice | None = out("The invoice, now VOID.", of=InvoiceType)


@strawberry.type(description="Result of cancelContract.")
class CancelContractPayload(Payload):
    contract: m.Contract | None = out("The contract, now CANCELLED.", of=ContractType)


@strawberry.type
class Mutation:
    @mutation(
        on="SalesOrder",
        description="Turn a quote into a confirmed sales order (the quote ends ACCEPTED).",
        input_doc="The quote.",
    )
    async def convert_quote_to_order(self, info: Info, input: ConvertQuoteToOrderInput) -> ConvertQuoteToOrderPayload:
        order, quote = await svc.convert_quote_to_order(
            info.context.actor, input.quote_id, idempotency_key=input.idempotency_key
        )
        return ConvertQuoteToOrderPayload(sales_order=order, quote=quote)

    @mutation(on="Invoice", description="Invoice a quote (the quote ends ACCEPTED).", input_doc="The quote.")
    async def convert_quote_to_invoice(
        self, info: Info, input: ConvertQuoteToInvoiceInput
    ) -> ConvertQuoteToInvoicePayload:
        invoice, quote = await svc.convert_quote_to_invoice(
            info.context.actor, input.quote_id, input.due_date, idempotency_key=input.idempotency_key
        )
        return ConvertQuoteToInvoicePayload(invoice=invoice, quote=quote)

    @mutation(on="Invoice", description="Invoice a sales order.", input_doc="The order.")
    async def convert_order_to_invoice(
        self, info: Info, input: ConvertOrderToInvoiceInput
    ) -> ConvertOrderToInvoicePayload:
        invoice, order = await svc.convert_order_to_invoice(
            info.context.actor, input.sales_order_id, input.due_date, idempotency_key=input.idempotency_key
        )
        return ConvertOrderToInvoicePayload(invoice=invoice, sales_order=order)

    @mutation(
        on="Invoice",
        description="Invoice an opportunity (its active quote, else its items).",
        input_doc="The opportunity.",
    )
    async def create_invoice_from_opportunity(
        self, info: Info, input: CreateInvoiceFromOpportunityInput
    ) -> CreateInvoiceFromOpportunityPayload:
        invoice, opp = await svc.create_invoice_from_opportunity(
            info.context.actor, input.opportunity_id, input.due_date, idempotency_key=input.idempotency_key
        )
        return CreateInvoiceFromOpportunityPayload(invoice=invoice, opportunity=opp)

    @mutation(on="Opportunity", description="Make an opportunity for a quote that has none.", input_doc="The quote.")
    async def create_opportunity_from_quote(
        self, info: Info, input: CreateOpportunityFromQuoteInput
    ) -> CreateOpportunityFromQuotePayload:
        opp, quote = await svc.create_opportunity_from_quote(
            info.context.actor, input.quote_id, input.title, input.stage_id, idempotency_key=input.idempotency_key
        )
        return CreateOpportunityFromQuotePayload(opportunity=opp, quote=quote)

    @mutation(
        on="Opportunity",
        description="A new (upsell) opportunity from a time-based contract.",
        input_doc="The contract.",
    )
    async def create_upsell_opportunity(
        self, info: Info, input: CreateUpsellOpportunityInput
    ) -> CreateUpsellOpportunityPayload:
        opp, contract = await svc.create_upsell_opportunity(
            info.context.actor, input.contract_id, input.title, idempotency_key=input.idempotency_key
        )
        return CreateUpsellOpportunityPayload(opportunity=opp, contract=contract)

    @mutation(on="SalesOrder", description="CONFIRMED -> FULFILLED.", input_doc="The order.")
    async def fulfill_order(self, info: Info, input: SalesOrderIdInput) -> FulfillOrderPayload:
        return FulfillOrderPayload(sales_order=await svc.fulfill_order(info.context.actor, input.sales_order_id))

    @mutation(on="SalesOrder", description="CONFIRMED -> CANCELLED.", input_doc="The order.")
    async def cancel_order(self, info: Info, input: SalesOrderIdInput) -> CancelOrderPayload:
        return CancelOrderPayload(sales_order=await svc.cancel_order(info.context.actor, input.sales_order_id))

    @mutation(on="Invoice", description="DRAFT -> ISSUED.", input_doc="The invoice.")
    async def issue_invoice(self, info: Info, input: InvoiceIdInput) -> IssueInvoicePayload:
        return IssueInvoicePayload(invoice=await svc.issue_invoice(info.context.actor, input.invoice_id))

    @mutation(on="Invoice", description="ISSUED -> PAID.", input_doc="The invoice.")
    async def mark_invoice_paid(self, info: Info, input: InvoiceIdInput) -> MarkInvoicePaidPayload:
        return MarkInvoicePaidPayload(invoice=await svc.mark_invoice_paid(info.context.actor, input.invoice_id))

    @mutation(
        on="Invoice",
        description="DRAFT or ISSUED -> VOID; the sale it billed (its quote or order) can be invoiced again.",
        input_doc="The invoice.",
    )
    async def void_invoice(self, info: Info, input: InvoiceIdInput) -> VoidInvoicePayload:
        return VoidInvoicePayload(invoice=await svc.void_invoice(info.context.actor, input.invoice_id))

    @mutation(on="Contract", description="ACTIVE -> CANCELLED.", input_doc="The contract.")
    async def cancel_contract(self, info: Info, input: ContractIdInput) -> CancelContractPayload:
        return CancelContractPayload(contract=await contracts.cancel_contract(info.context.actor, input.contract_id))
