"""Conversion mutations (quote -> order / invoice / opportunity, order -> invoice,
opportunity -> invoice, contract -> upsell) and order, invoice and contract status changes."""

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Optional

import strawberry

from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import decode_id, decode_optional, make_payload, run
from crm_graphql.api.types.common import lazy
from crm_graphql.services import contracts, permissions
from crm_graphql.services import conversions as svc

QuoteT = lazy("Quote")
OpportunityT = lazy("Opportunity")
SalesOrderT = lazy("SalesOrder")
InvoiceT = lazy("Invoice")
ContractT = lazy("Contract")

_KEY_DOC = "1 to 200 characters; repeating a call with the same key and input returns the first result."
_DUE_DOC = "Payment due date of the invoice."


def _key() -> Any:
    return strawberry.field(default=None, description=_KEY_DOC)


def _auth(info: Info, operation: str, type_name: str) -> Any:
    actor = info.context.user
    permissions.authorize(actor, operation, type_name)
    return actor


@strawberry.input(description="Turn a DRAFT, SENT or ACCEPTED quote into a sales order (once).")
class ConvertQuoteToOrderInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote.")
    idempotency_key: Optional[str] = _key()


ConvertQuoteToOrderPayload = make_payload(
    "ConvertQuoteToOrderPayload",
    {"sales_order": (SalesOrderT, "The new CONFIRMED order with copies of the quote's items and totals."),
     "quote": (QuoteT, "The quote, now ACCEPTED.")},
    "Result of convertQuoteToOrder.",
)  # fmt: skip


@strawberry.input(
    description="Invoice a DRAFT, SENT or ACCEPTED quote (once per sale: refused once the quote or its order has a "
    "live invoice)."
)
class ConvertQuoteToInvoiceInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote.")
    due_date: Optional[dt.date] = strawberry.field(default=None, description=_DUE_DOC)
    idempotency_key: Optional[str] = _key()


ConvertQuoteToInvoicePayload = make_payload(
    "ConvertQuoteToInvoicePayload",
    {"invoice": (InvoiceT, "The new DRAFT invoice with copies of the quote's items and totals."),
     "quote": (QuoteT, "The quote, now ACCEPTED.")},
    "Result of convertQuoteToInvoice.",
)  # fmt: skip


@strawberry.input(
    description="Invoice a sales order (once per sale: refused once the order or its quote has a live invoice)."
)
class ConvertOrderToInvoiceInput:
    sales_order_id: strawberry.ID = strawberry.field(description="The order (not CANCELLED).")
    due_date: Optional[dt.date] = strawberry.field(default=None, description=_DUE_DOC)
    idempotency_key: Optional[str] = _key()


ConvertOrderToInvoicePayload = make_payload(
    "ConvertOrderToInvoicePayload",
    {"invoice": (InvoiceT, "The new DRAFT invoice with copies of the order's items and totals."),
     "sales_order": (SalesOrderT, "The invoiced order.")},
    "Result of convertOrderToInvoice.",
)  # fmt: skip


@strawberry.input(
    description="Invoice an opportunity: its active quote's lines (once per sale, like convertQuoteToInvoice), "
    "else its own items (repeatable)."
)
class CreateInvoiceFromOpportunityInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity (not LOST).")
    due_date: Optional[dt.date] = strawberry.field(default=None, description=_DUE_DOC)
    idempotency_key: Optional[str] = _key()


CreateInvoiceFromOpportunityPayload = make_payload(
    "CreateInvoiceFromOpportunityPayload",
    {"invoice": (InvoiceT, "The new DRAFT invoice."), "opportunity": (OpportunityT, "The invoiced opportunity.")},
    "Result of createInvoiceFromOpportunity.",
)


@strawberry.input(description="Make an opportunity for a quote that has none (once); the quote becomes active.")
class CreateOpportunityFromQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote (without an opportunity).")
    title: Optional[str] = strawberry.field(default=None, description="Default: the quote's name.")
    stage_id: Optional[strawberry.ID] = strawberry.field(default=None, description="Default: the default stage.")
    idempotency_key: Optional[str] = _key()


CreateOpportunityFromQuotePayload = make_payload(
    "CreateOpportunityFromQuotePayload",
    {"opportunity": (OpportunityT, "The new opportunity; the quote is its active quote."),
     "quote": (QuoteT, "The quote, now linked.")},
    "Result of createOpportunityFromQuote.",
)  # fmt: skip


@strawberry.input(description="A new opportunity from an active time-based contract (repeatable).")
class CreateUpsellOpportunityInput:
    contract_id: strawberry.ID = strawberry.field(description="The contract (TIME_BASED).")
    title: Optional[str] = strawberry.field(default=None, description='Default: "Upsell: <contract name>".')
    idempotency_key: Optional[str] = _key()


CreateUpsellOpportunityPayload = make_payload(
    "CreateUpsellOpportunityPayload",
    {"opportunity": (OpportunityT, "The new opportunity."), "contract": (ContractT, "The contract it came from.")},
    "Result of createUpsellOpportunity.",
)


@strawberry.input(description="The sales order to act on.")
class SalesOrderIdInput:
    sales_order_id: strawberry.ID = strawberry.field(description="The order.")


@strawberry.input(description="The invoice to act on.")
class InvoiceIdInput:
    invoice_id: strawberry.ID = strawberry.field(description="The invoice.")


@strawberry.input(description="The contract to act on.")
class ContractIdInput:
    contract_id: strawberry.ID = strawberry.field(description="The contract.")


def _payload(name: str, field: str, t: Any, what: str) -> Any:
    return make_payload(f"{name}Payload", {field: (t, what)}, f"Result of {name[0].lower()}{name[1:]}.")


FulfillOrderPayload = _payload("FulfillOrder", "sales_order", SalesOrderT, "The order, now FULFILLED.")
CancelOrderPayload = _payload("CancelOrder", "sales_order", SalesOrderT, "The order, now CANCELLED.")
IssueInvoicePayload = _payload("IssueInvoice", "invoice", InvoiceT, "The invoice, now ISSUED.")
MarkInvoicePaidPayload = _payload("MarkInvoicePaid", "invoice", InvoiceT, "The invoice, now PAID.")
VoidInvoicePayload = _payload("VoidInvoice", "invoice", InvoiceT, "The invoice, now VOID.")
CancelContractPayload = _payload("CancelContract", "contract", ContractT, "The contract, now CANCELLED.")


async def _status(
    info: Info, payload: Any, operation: str, type_name: str, raw_id: Any, path: str, field: str,
    action: Callable[[Any, int], Awaitable[Any]],
) -> Any:  # fmt: skip
    async def call() -> dict[str, Any]:
        actor = _auth(info, operation, type_name)
        return {field: await action(actor, decode_id(raw_id, type_name, ("input", path)))}

    return await run(payload, call)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Turn a quote into a confirmed sales order (the quote ends ACCEPTED).")
    async def convert_quote_to_order(
        self, info: Info, input: Annotated[ConvertQuoteToOrderInput, strawberry.argument(description="The quote.")]
    ) -> ConvertQuoteToOrderPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "convertQuoteToOrder", "SalesOrder")
            pk = decode_id(input.quote_id, "Quote", ("input", "quoteId"))
            order, quote = await svc.convert_quote_to_order(actor, pk, idempotency_key=input.idempotency_key)
            return {"sales_order": order, "quote": quote}

        return await run(ConvertQuoteToOrderPayload, call)

    @strawberry.mutation(description="Invoice a quote (the quote ends ACCEPTED).")
    async def convert_quote_to_invoice(
        self, info: Info, input: Annotated[ConvertQuoteToInvoiceInput, strawberry.argument(description="The quote.")]
    ) -> ConvertQuoteToInvoicePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "convertQuoteToInvoice", "Invoice")
            pk = decode_id(input.quote_id, "Quote", ("input", "quoteId"))
            invoice, quote = await svc.convert_quote_to_invoice(
                actor, pk, input.due_date, idempotency_key=input.idempotency_key
            )
            return {"invoice": invoice, "quote": quote}

        return await run(ConvertQuoteToInvoicePayload, call)

    @strawberry.mutation(description="Invoice a sales order.")
    async def convert_order_to_invoice(
        self, info: Info, input: Annotated[ConvertOrderToInvoiceInput, strawberry.argument(description="The order.")]
    ) -> ConvertOrderToInvoicePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "convertOrderToInvoice", "Invoice")
            pk = decode_id(input.sales_order_id, "SalesOrder", ("input", "salesOrderId"))
            invoice, order = await svc.convert_order_to_invoice(
                actor, pk, input.due_date, idempotency_key=input.idempotency_key
            )
            return {"invoice": invoice, "sales_order": order}

        return await run(ConvertOrderToInvoicePayload, call)

    @strawberry.mutation(description="Invoice an opportunity (its active quote, else its items).")
    async def create_invoice_from_opportunity(
        self,
        info: Info,
        input: Annotated[CreateInvoiceFromOpportunityInput, strawberry.argument(description="The opportunity.")],
    ) -> CreateInvoiceFromOpportunityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "createInvoiceFromOpportunity", "Invoice")
            pk = decode_id(input.opportunity_id, "Opportunity", ("input", "opportunityId"))
            invoice, opp = await svc.create_invoice_from_opportunity(
                actor, pk, input.due_date, idempotency_key=input.idempotency_key
            )
            return {"invoice": invoice, "opportunity": opp}

        return await run(CreateInvoiceFromOpportunityPayload, call)

    @strawberry.mutation(description="Make an opportunity for a quote that has none.")
    async def create_opportunity_from_quote(
        self,
        info: Info,
        input: Annotated[CreateOpportunityFromQuoteInput, strawberry.argument(description="The quote.")],
    ) -> CreateOpportunityFromQuotePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "createOpportunityFromQuote", "Opportunity")
            pk = decode_id(input.quote_id, "Quote", ("input", "quoteId"))
            stage = decode_optional(input.stage_id, "Stage", ("input", "stageId"))
            opp, quote = await svc.create_opportunity_from_quote(
                actor, pk, input.title, stage, idempotency_key=input.idempotency_key
            )
            return {"opportunity": opp, "quote": quote}

        return await run(CreateOpportunityFromQuotePayload, call)

    @strawberry.mutation(description="A new (upsell) opportunity from a time-based contract.")
    async def create_upsell_opportunity(
        self,
        info: Info,
        input: Annotated[CreateUpsellOpportunityInput, strawberry.argument(description="The contract.")],
    ) -> CreateUpsellOpportunityPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            actor = _auth(info, "createUpsellOpportunity", "Opportunity")
            pk = decode_id(input.contract_id, "Contract", ("input", "contractId"))
            opp, contract = await svc.create_upsell_opportunity(
                actor, pk, input.title, idempotency_key=input.idempotency_key
            )
            return {"opportunity": opp, "contract": contract}

        return await run(CreateUpsellOpportunityPayload, call)

    @strawberry.mutation(description="CONFIRMED -> FULFILLED.")
    async def fulfill_order(
        self, info: Info, input: Annotated[SalesOrderIdInput, strawberry.argument(description="The order.")]
    ) -> FulfillOrderPayload:  # type: ignore[valid-type]
        return await _status(info, FulfillOrderPayload, "fulfillOrder", "SalesOrder", input.sales_order_id,
                             "salesOrderId", "sales_order", svc.fulfill_order)  # fmt: skip

    @strawberry.mutation(description="CONFIRMED -> CANCELLED.")
    async def cancel_order(
        self, info: Info, input: Annotated[SalesOrderIdInput, strawberry.argument(description="The order.")]
    ) -> CancelOrderPayload:  # type: ignore[valid-type]
        return await _status(info, CancelOrderPayload, "cancelOrder", "SalesOrder", input.sales_order_id,
                             "salesOrderId", "sales_order", svc.cancel_order)  # fmt: skip

    @strawberry.mutation(description="DRAFT -> ISSUED.")
    async def issue_invoice(
        self, info: Info, input: Annotated[InvoiceIdInput, strawberry.argument(description="The invoice.")]
    ) -> IssueInvoicePayload:  # type: ignore[valid-type]
        return await _status(info, IssueInvoicePayload, "issueInvoice", "Invoice", input.invoice_id, "invoiceId",
                             "invoice", svc.issue_invoice)  # fmt: skip

    @strawberry.mutation(description="ISSUED -> PAID.")
    async def mark_invoice_paid(
        self, info: Info, input: Annotated[InvoiceIdInput, strawberry.argument(description="The invoice.")]
    ) -> MarkInvoicePaidPayload:  # type: ignore[valid-type]
        return await _status(info, MarkInvoicePaidPayload, "markInvoicePaid", "Invoice", input.invoice_id,
                             "invoiceId", "invoice", svc.mark_invoice_paid)  # fmt: skip

    @strawberry.mutation(
        description="DRAFT or ISSUED -> VOID; the sale it billed (its quote or order) can be invoiced again."
    )
    async def void_invoice(
        self, info: Info, input: Annotated[InvoiceIdInput, strawberry.argument(description="The invoice.")]
    ) -> VoidInvoicePayload:  # type: ignore[valid-type]
        return await _status(info, VoidInvoicePayload, "voidInvoice", "Invoice", input.invoice_id, "invoiceId",
                             "invoice", svc.void_invoice)  # fmt: skip

    @strawberry.mutation(description="ACTIVE -> CANCELLED.")
    async def cancel_contract(
        self, info: Info, input: Annotated[ContractIdInput, strawberry.argument(description="The contract.")]
    ) -> CancelContractPayload:  # type: ignore[valid-type]
        return await _status(info, CancelContractPayload, "cancelContract", "Contract", input.contract_id,
                             "contractId", "contract", contracts.cancel_contract)  # fmt: skip
