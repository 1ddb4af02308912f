"""Quote and opportunity-item domain mutations (pricing lives in services.quotes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, given, idempotency_field, mutation, out, ref
from crm_graphql.api.types.pipeline import OpportunityItemType, OpportunityType
from crm_graphql.api.types.quotes import QuoteItemType, QuoteType
from crm_graphql.services import quotes as svc

_UNSET: Any = strawberry.UNSET


@strawberry.input(description="A new priced line: from the price book when productId is given, else manual.")
class NewLineItemInput:
    product_id: int | None = ref(
        "Product", "The product; its price comes from the document's price book and currency.", default=None
    )
    quantity: Optional[Decimal] = strawberry.field(default=None, description="Greater than 0 (default 1).")
    unit: Optional[str] = strawberry.field(default=None, description="Unit (default: the product's default unit).")
    unit_price: Optional[Decimal] = strawberry.field(
        default=None, description="Overrides the price book price (up to 4 decimals)."
    )
    discount_percent: Optional[Decimal] = strawberry.field(default=None, description="Line discount, 0..100.")
    tax_rate: Optional[Decimal] = strawberry.field(default=None, description="Tax rate in percent (default 0).")
    name: Optional[str] = strawberry.field(default=None, description="Line name (required without productId).")
    description: Optional[str] = strawberry.field(default=None, description="Line description.")


# --- inputs and payloads ---------------------------------------------------------------------


@strawberry.input(description="Make a quote from an opportunity, copying its items, account and contact.")
class CreateQuoteFromOpportunityInput:
    opportunity_id: int = ref("Opportunity", "The opportunity to make the quote from.")
    pricebook_id: int | None = ref("Pricebook", "Default: the opportunity's.", default=None)
    currency: Optional[str] = strawberry.field(default=None, description="Default: the opportunity's currency.")
    name: Optional[str] = strawberry.field(default=None, description="Default: the opportunity's title.")
    valid_until: Optional[dt.date] = strawberry.field(
        default=None, description="Last day the quote is valid (default: no end date); it is valid from today."
    )
    idempotency_key: Optional[str] = idempotency_field()


@strawberry.type(description="Result of createQuoteFromOpportunity.")
class CreateQuoteFromOpportunityPayload(Payload):
    quote: m.Quote | None = out(
        "The new DRAFT quote with copies of the opportunity's items; null when refused.", of=QuoteType
    )
    opportunity: m.Opportunity | None = out(
        "The opportunity after the quote was made from it; null when refused.", of=OpportunityType
    )


@strawberry.input(description="Add price book lines (or manual lines without productId) to a quote.")
class AddQuoteItemsInput:
    quote_id: int = ref("Quote", "The quote to add the lines to.")
    items: list[NewLineItemInput] = strawberry.field(description="At most 250 lines.")


@strawberry.type(description="Result of addQuoteItems.")
class AddQuoteItemsPayload(Payload):
    quote: m.Quote | None = out(
        "The quote after the lines were added, with its new totals; null when refused.", of=QuoteType
    )
    items: list[m.QuoteItem] | None = out("The new lines, in input order; null when refused.", of=list[QuoteItemType])


@strawberry.input(description="Add a line without a product to a quote.")
class AddManualQuoteItemInput:
    quote_id: int = ref("Quote", "The quote to add the line to.")
    name: str = strawberry.field(description="Line name (at most 200 characters).")
    unit_price: Decimal = strawberry.field(description="Price per unit; up to 4 decimals.")
    quantity: Optional[Decimal] = strawberry.field(default=None, description="Default 1.")
    unit: Optional[str] = strawberry.field(default=None, description='Unit (default "pcs").')
    discount_percent: Optional[Decimal] = strawberry.field(
        default=None, description="Line discount, 0..100 (default 0)."
    )
    tax_rate: Optional[Decimal] = strawberry.field(default=None, description="Tax rate in percent (default 0).")
    description: Optional[str] = strawberry.field(default=None, description="Line description.")


@strawberry.type(description="Result of addManualQuoteItem.")
class AddManualQuoteItemPayload(Payload):
    quote: m.Quote | None = out(
        "The quote after the line was added, with its new totals; null when refused.", of=QuoteType
    )
    item: m.QuoteItem | None = out("The new line; null when refused.", of=QuoteItemType)


@strawberry.input(description="Put a bundle on a quote: its price split over its components by weight.")
class AddBundleToQuoteInput:
    quote_id: int = ref("Quote", "The quote to add the bundle to.")
    bundle_id: int = ref("Bundle", "An active bundle of the quote's price book with a price in the quote's currency.")
    quantity: Optional[Decimal] = strawberry.field(default=None, description="How many bundles (default 1).")
    tax_rate: Optional[Decimal] = strawberry.field(default=None, description="Tax rate of the component lines.")


@strawberry.type(description="Result of addBundleToQuote.")
class AddBundleToQuotePayload(Payload):
    quote: m.Quote | None = out(
        "The quote after the bundle was added, with its new totals; null when refused.", of=QuoteType
    )
    items: list[m.QuoteItem] | None = out(
        "The new component lines, one per bundle component; null when refused.", of=list[QuoteItemType]
    )


@strawberry.input(name="LineChanges", description="The changeable fields of a priced line.")
class _LineChanges:
    """Shared by UpdateQuoteItemInput and UpdateOpportunityItemInput (not itself in the schema),
    which declare ``id`` as a line of their own type (it keeps this first place)."""

    id: int = ref("QuoteItem", "The line to change.")
    version: Optional[int] = strawberry.field(
        default=_UNSET, description="The version you read; if the line changed since, CONFLICT (omit to skip)."
    )
    quantity: Optional[Decimal] = strawberry.field(default=_UNSET, description="New quantity, greater than 0.")
    unit_price: Optional[Decimal] = strawberry.field(
        default=_UNSET, description="New price per unit; up to 4 decimals."
    )
    discount_percent: Optional[Decimal] = strawberry.field(default=_UNSET, description="New line discount, 0..100.")
    tax_rate: Optional[Decimal] = strawberry.field(default=_UNSET, description="New tax rate in percent.")
    name: Optional[str] = strawberry.field(default=_UNSET, description="New line name; cannot be empty.")
    description: Optional[str] = strawberry.field(default=_UNSET, description="New line description.")


@strawberry.input(description="Change a line; omitted fields stay. Bundle lines: only taxRate, name, description.")
class UpdateQuoteItemInput(_LineChanges):
    id: int = ref("QuoteItem", "The line to change.")


@strawberry.type(description="Result of updateQuoteItem.")
class UpdateQuoteItemPayload(Payload):
    quote: m.Quote | None = out("The quote after the change, with its new totals; null when refused.", of=QuoteType)
    item: m.QuoteItem | None = out("The line after the change; null when refused.", of=QuoteItemType)


@strawberry.input(description="Remove a line (a bundle line removes its whole bundle).")
class RemoveQuoteItemInput:
    id: int = ref("QuoteItem", "The quote line to remove.")


@strawberry.type(description="Result of removeQuoteItem.")
class RemoveQuoteItemPayload(Payload):
    quote: m.Quote | None = out("The quote after the removal, with its new totals; null when refused.", of=QuoteType)


@strawberry.input(description="Add or replace the rounding line so the total is a multiple of roundTo.")
class RoundQuoteTotalInput:
    quote_id: int = ref("Quote", "The quote whose total to round.")
    round_to: Decimal = strawberry.field(
        description='Round the total to the nearest multiple of this (half-up), e.g. "0.05" or "1".'
    )


@strawberry.type(description="Result of roundQuoteTotal; item is null when the total was already round.")
class RoundQuoteTotalPayload(Payload):
    quote: m.Quote | None = out(
        "The quote after rounding, its total a multiple of roundTo; null when refused.", of=QuoteType
    )
    item: m.QuoteItem | None = out(
        "The rounding line; null when the total was already round or when refused.", of=QuoteItemType
    )


@strawberry.input(description="Reprice a quote in another currency (all or nothing).")
class ChangeQuoteCurrencyInput:
    quote_id: int = ref("Quote", "The quote to reprice.")
    currency: str = strawberry.field(description='The new ISO 4217 currency code, e.g. "USD".')


@strawberry.input(description="Copy a quote with all its items into a new DRAFT quote.")
class DuplicateQuoteInput:
    quote_id: int = ref("Quote", "The quote to copy.")
    idempotency_key: Optional[str] = idempotency_field(
        "1 to 200 characters; repeating a call with the same key and input returns the first copy."
    )


@strawberry.input(description="The quote the operation applies to.")
class QuoteIdInput:
    quote_id: int = ref("Quote", "The quote's ID.")


@strawberry.type(description="Result of a quote operation.")
class QuotePayload(Payload):
    quote: m.Quote | None = out(
        "The quote after the operation (for duplicateQuote: the new copy); null when refused.", of=QuoteType
    )


@strawberry.type(description="Result of reviseQuote: the new revision and the one it supersedes.")
class ReviseQuotePayload(Payload):
    quote: m.Quote | None = out("The new DRAFT revision (same number, revision + 1); null when refused.", of=QuoteType)
    previous: m.Quote | None = out("The revision it supersedes, now read-only; null when refused.", of=QuoteType)


@strawberry.type(description="Result of setActiveQuote.")
class SetActiveQuotePayload(Payload):
    quote: m.Quote | None = out("The quote, now its opportunity's active quote; null when refused.", of=QuoteType)
    opportunity: m.Opportunity | None = out(
        "The opportunity after the change, its amount now from this quote; null when refused.", of=OpportunityType
    )


@strawberry.input(description="Add products of interest (priced from the opportunity's price book) or manual lines.")
class AddOpportunityItemsInput:
    opportunity_id: int = ref("Opportunity", "The opportunity to add the items to.")
    items: list[NewLineItemInput] = strawberry.field(description="At most 250 lines.")


@strawberry.type(description="Result of addOpportunityItems.")
class AddOpportunityItemsPayload(Payload):
    opportunity: m.Opportunity | None = out(
        "The opportunity after the items were added, with its new amount; null when refused.", of=OpportunityType
    )
    items: list[m.OpportunityItem] | None = out(
        "The new items, in input order; null when refused.", of=list[OpportunityItemType]
    )


@strawberry.input(description="Change an opportunity item; omitted fields stay.")
class UpdateOpportunityItemInput(_LineChanges):
    id: int = ref("OpportunityItem", "The line to change.")


@strawberry.type(description="Result of updateOpportunityItem.")
class UpdateOpportunityItemPayload(Payload):
    opportunity: m.Opportunity | None = out(
        "The opportunity after the change, with its new amount; null when refused.", of=OpportunityType
    )
    item: m.OpportunityItem | None = out("The item after the change; null when refused.", of=OpportunityItemType)


@strawberry.input(description="Remove an opportunity item.")
class RemoveOpportunityItemInput:
    id: int = ref("OpportunityItem", "The opportunity item to remove.")


@strawberry.type(description="Result of removeOpportunityItem.")
class RemoveOpportunityItemPayload(Payload):
    opportunity: m.Opportunity | None = out(
        "The opportunity after the removal, with its new amount; null when refused.", of=OpportunityType
    )


# Separate GraphQL names per operation, same shape.
@strawberry.type(description="Result of changeQuoteCurrency.")
class ChangeQuoteCurrencyPayload(QuotePayload):
    pass


@strawberry.type(description="Result of duplicateQuote.")
class DuplicateQuotePayload(QuotePayload):
    pass


@strawberry.type(description="Result of sendQuote.")
class SendQuotePayload(QuotePayload):
    pass


@strawberry.type(description="Result of acceptQuote.")
class AcceptQuotePayload(QuotePayload):
    pass


@strawberry.type(description="Result of rejectQuote.")
class RejectQuotePayload(QuotePayload):
    pass


@strawberry.input(description="The quote to revise.")
class ReviseQuoteInput(QuoteIdInput):
    pass


@strawberry.input(description="The quote to make its opportunity's active one.")
class SetActiveQuoteInput(QuoteIdInput):
    pass


@strawberry.input(description="The quote to send.")
class SendQuoteInput(QuoteIdInput):
    pass


@strawberry.input(description="The quote to accept.")
class AcceptQuoteInput(QuoteIdInput):
    pass


@strawberry.input(description="The quote to reject.")
class RejectQuoteInput(QuoteIdInput):
    pass


def _lines(items: list[NewLineItemInput]) -> list[svc.NewLine]:
    return [
        svc.NewLine(
            product_id=item.product_id,
            quantity=item.quantity,
            unit=item.unit,
            unit_price=item.unit_price,
            discount_percent=item.discount_percent,
            tax_rate=item.tax_rate,
            name=item.name,
            description=item.description,
        )
        for item in items or []
    ]


def _changes(input: _LineChanges) -> tuple[dict[str, Any], int | None]:
    """The fields to change (the ones given, but ``id`` and ``version``), and ``version``."""
    raw = given(input)
    raw.pop("id", None)
    version = raw.pop("version", None)
    return raw, version


@strawberry.type
class Mutation:
    @mutation(
        on="Quote",
        description="Make a quote from an opportunity (its first quote becomes active).",
        input_doc="The opportunity and the new quote's options.",
    )
    async def create_quote_from_opportunity(
        self, info: Info, input: CreateQuoteFromOpportunityInput
    ) -> CreateQuoteFromOpportunityPayload:
        quote, opp = await svc.create_quote_from_opportunity(
            info.context.actor,
            input.opportunity_id,
            pricebook_id=input.pricebook_id,
            currency=input.currency,
            name=input.name,
            valid_until=input.valid_until,
            idempotency_key=input.idempotency_key,
        )
        return CreateQuoteFromOpportunityPayload(quote=quote, opportunity=opp)

    @mutation(
        on="Quote",
        description="Add lines priced from the quote's price book in its currency.",
        input_doc="The quote and the lines to add.",
    )
    async def add_quote_items(self, info: Info, input: AddQuoteItemsInput) -> AddQuoteItemsPayload:
        quote, items = await svc.add_quote_items(info.context.actor, input.quote_id, _lines(input.items))
        return AddQuoteItemsPayload(quote=quote, items=items)

    @mutation(
        on="Quote", description="Add a line without a product.", input_doc="The quote and the manual line to add."
    )
    async def add_manual_quote_item(self, info: Info, input: AddManualQuoteItemInput) -> AddManualQuoteItemPayload:
        line = svc.NewLine(
            quantity=input.quantity,
            unit=input.unit,
            unit_price=input.unit_price,
            discount_percent=input.discount_percent,
            tax_rate=input.tax_rate,
            name=input.name,
            description=input.description,
        )
        quote, item = await svc.add_manual_quote_item(info.context.actor, input.quote_id, line)
        return AddManualQuoteItemPayload(quote=quote, item=item)

    @mutation(
        on="Quote",
        description="Add a bundle: component lines splitting its price exactly by weight.",
        input_doc="The quote, the bundle and how many.",
    )
    async def add_bundle_to_quote(self, info: Info, input: AddBundleToQuoteInput) -> AddBundleToQuotePayload:
        quote, items = await svc.add_bundle_to_quote(
            info.context.actor, input.quote_id, input.bundle_id, input.quantity, input.tax_rate
        )
        return AddBundleToQuotePayload(quote=quote, items=items)

    @mutation(
        on="Quote",
        description="Change a quote line (bundle lines keep their split price: LOCKED).",
        input_doc="The line and the fields to change.",
    )
    async def update_quote_item(self, info: Info, input: UpdateQuoteItemInput) -> UpdateQuoteItemPayload:
        raw, version = _changes(input)
        item = await svc.update_quote_item(info.context.actor, input.id, raw, version)
        return UpdateQuoteItemPayload(item=item, quote=await svc.quote_of(item))

    @mutation(
        on="Quote",
        description="Remove a quote line (a bundle line removes its whole bundle).",
        input_doc="The line to remove.",
    )
    async def remove_quote_item(self, info: Info, input: RemoveQuoteItemInput) -> RemoveQuoteItemPayload:
        return RemoveQuoteItemPayload(quote=await svc.remove_quote_item(info.context.actor, input.id))

    @mutation(
        on="Quote",
        description="Add or replace the rounding line (no tax, no discount).",
        input_doc="The quote and the multiple to round its total to.",
    )
    async def round_quote_total(self, info: Info, input: RoundQuoteTotalInput) -> RoundQuoteTotalPayload:
        quote, item = await svc.round_quote_total(info.context.actor, input.quote_id, input.round_to)
        return RoundQuoteTotalPayload(quote=quote, item=item)

    @mutation(
        on="Quote",
        description="Reprice the quote in another currency; refused as a whole if any price lacks.",
        input_doc="The quote and its new currency.",
    )
    async def change_quote_currency(self, info: Info, input: ChangeQuoteCurrencyInput) -> ChangeQuoteCurrencyPayload:
        quote = await svc.change_quote_currency(info.context.actor, input.quote_id, input.currency)
        return ChangeQuoteCurrencyPayload(quote=quote)

    @mutation(
        on="Quote", description="Copy a quote into a new DRAFT quote with a new number.", input_doc="The quote to copy."
    )
    async def duplicate_quote(self, info: Info, input: DuplicateQuoteInput) -> DuplicateQuotePayload:
        quote = await svc.duplicate_quote(info.context.actor, input.quote_id, idempotency_key=input.idempotency_key)
        return DuplicateQuotePayload(quote=quote)

    @mutation(
        on="Quote",
        description="New DRAFT revision (same number); the old one becomes read-only.",
        input_doc="The quote to revise.",
    )
    async def revise_quote(self, info: Info, input: ReviseQuoteInput) -> ReviseQuotePayload:
        quote, previous = await svc.revise_quote(info.context.actor, input.quote_id)
        return ReviseQuotePayload(quote=quote, previous=previous)

    @mutation(
        on="Quote",
        description="Make the quote its opportunity's active quote (its net total is the amount).",
        input_doc="The quote to make active.",
    )
    async def set_active_quote(self, info: Info, input: SetActiveQuoteInput) -> SetActiveQuotePayload:
        quote, opp = await svc.set_active_quote(info.context.actor, input.quote_id)
        return SetActiveQuotePayload(quote=quote, opportunity=opp)

    @mutation(on="Quote", description="DRAFT -> SENT.", input_doc="The quote to send.")
    async def send_quote(self, info: Info, input: SendQuoteInput) -> SendQuotePayload:
        return SendQuotePayload(quote=await svc.transition(info.context.actor, input.quote_id, "send"))

    @mutation(
        on="Quote", description="DRAFT or SENT -> ACCEPTED (read-only from then on).", input_doc="The quote to accept."
    )
    async def accept_quote(self, info: Info, input: AcceptQuoteInput) -> AcceptQuotePayload:
        return AcceptQuotePayload(quote=await svc.transition(info.context.actor, input.quote_id, "accept"))

    @mutation(on="Quote", description="DRAFT or SENT -> REJECTED.", input_doc="The quote to reject.")
    async def reject_quote(self, info: Info, input: RejectQuoteInput) -> RejectQuotePayload:
        return RejectQuotePayload(quote=await svc.transition(info.context.actor, input.quote_id, "reject"))

    @mutation(
        on="Opportunity",
        description="Add products of interest to an opportunity (its amount follows them).",
        input_doc="The opportunity and the items to add.",
    )
    async def add_opportunity_items(self, info: Info, input: AddOpportunityItemsInput) -> AddOpportunityItemsPayload:
        opp, items = await svc.add_opportunity_items(info.context.actor, input.opportunity_id, _lines(input.items))
        return AddOpportunityItemsPayload(opportunity=opp, items=items)

    @mutation(
        on="Opportunity", description="Change an opportunity item.", input_doc="The item and the fields to change."
    )
    async def update_opportunity_item(
        self, info: Info, input: UpdateOpportunityItemInput
    ) -> UpdateOpportunityItemPayload:
        raw, version = _changes(input)
        item = await svc.update_opportunity_item(info.context.actor, input.id, raw, version)
        opportunity = await svc.opportunity_of(item)
        return UpdateOpportunityItemPayload(item=item, opportunity=opportunity)

    @mutation(on="Opportunity", description="Remove an opportunity item.", input_doc="The item to remove.")
    async def remove_opportunity_item(
        self, info: Info, input: RemoveOpportunityItemInput
    ) -> RemoveOpportunityItemPayload:
        return RemoveOpportunityItemPayload(opportunity=await svc.remove_opportunity_item(info.context.actor, input.id))
