"""Quote and opportunity-item domain mutations (pricing lives in services.quotes)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Optional

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.errors import UserError
from crm_graphql.api.mutations.base import decode_id, decode_optional, given, run
from crm_graphql.api.types.common import lazy
from crm_graphql.errors import DomainError, raise_all
from crm_graphql.services import permissions
from crm_graphql.services import quotes as svc

QuoteT = lazy("Quote")
QuoteItemT = lazy("QuoteItem")
OpportunityT = lazy("Opportunity")
OpportunityItemT = lazy("OpportunityItem")

_UNSET: Any = strawberry.UNSET


def _errors() -> Any:
    return strawberry.field(default_factory=list, description="Why the input was refused; empty on success.")


@strawberry.input(description="A new priced line: from the price book when productId is given, else manual.")
class NewLineItemInput:
    product_id: Optional[strawberry.ID] = strawberry.field(
        default=None, description="The product; its price comes from the document's price book and currency."
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


def _lines(items: list[NewLineItemInput]) -> list[svc.NewLine]:
    out = []
    errors: list[DomainError] = []
    for i, item in enumerate(items or []):
        try:
            pid = decode_optional(item.product_id, "Product", ("input", "items", str(i), "productId"))
        except DomainError as exc:
            errors.append(exc)
            continue
        out.append(svc.NewLine(
            product_id=pid, quantity=item.quantity, unit=item.unit, unit_price=item.unit_price,
            discount_percent=item.discount_percent, tax_rate=item.tax_rate, name=item.name,
            description=item.description,
        ))  # fmt: skip
    raise_all(errors)
    return out


# --- inputs and payloads ---------------------------------------------------------------------


@strawberry.input(description="Make a quote from an opportunity, copying its items, account and contact.")
class CreateQuoteFromOpportunityInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity to make the quote from.")
    pricebook_id: Optional[strawberry.ID] = strawberry.field(default=None, description="Default: the opportunity's.")
    currency: Optional[str] = strawberry.field(default=None, description="Default: the opportunity's currency.")
    name: Optional[str] = strawberry.field(default=None, description="Default: the opportunity's title.")
    valid_until: Optional[dt.date] = strawberry.field(
        default=None, description="Last day the quote is valid (default: no end date); it is valid from today."
    )
    idempotency_key: Optional[str] = strawberry.field(
        default=None,
        description="1 to 200 characters; repeating a call with the same key and input returns the first result.",
    )


@strawberry.type(description="Result of createQuoteFromOpportunity.")
class CreateQuoteFromOpportunityPayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The new DRAFT quote with copies of the opportunity's items; null when refused."
    )
    opportunity: Optional[OpportunityT] = strawberry.field(
        default=None, description="The opportunity after the quote was made from it; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Add price book lines (or manual lines without productId) to a quote.")
class AddQuoteItemsInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote to add the lines to.")
    items: list[NewLineItemInput] = strawberry.field(description="At most 250 lines.")


@strawberry.type(description="Result of addQuoteItems.")
class AddQuoteItemsPayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The quote after the lines were added, with its new totals; null when refused."
    )
    items: Optional[list[QuoteItemT]] = strawberry.field(
        default=None, description="The new lines, in input order; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Add a line without a product to a quote.")
class AddManualQuoteItemInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote to add the line to.")
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
class AddManualQuoteItemPayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The quote after the line was added, with its new totals; null when refused."
    )
    item: Optional[QuoteItemT] = strawberry.field(default=None, description="The new line; null when refused.")
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Put a bundle on a quote: its price split over its components by weight.")
class AddBundleToQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote to add the bundle to.")
    bundle_id: strawberry.ID = strawberry.field(
        description="An active bundle of the quote's price book with a price in the quote's currency."
    )
    quantity: Optional[Decimal] = strawberry.field(default=None, description="How many bundles (default 1).")
    tax_rate: Optional[Decimal] = strawberry.field(default=None, description="Tax rate of the component lines.")


@strawberry.type(description="Result of addBundleToQuote.")
class AddBundleToQuotePayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The quote after the bundle was added, with its new totals; null when refused."
    )
    items: Optional[list[QuoteItemT]] = strawberry.field(
        default=None, description="The new component lines, one per bundle component; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(name="LineChanges", description="The changeable fields of a priced line.")
class _LineChanges:
    """Shared by UpdateQuoteItemInput and UpdateOpportunityItemInput (not itself in the schema)."""

    id: strawberry.ID = strawberry.field(description="The line to change.")
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
    pass


@strawberry.type(description="Result of updateQuoteItem.")
class UpdateQuoteItemPayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The quote after the change, with its new totals; null when refused."
    )
    item: Optional[QuoteItemT] = strawberry.field(
        default=None, description="The line after the change; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Remove a line (a bundle line removes its whole bundle).")
class RemoveQuoteItemInput:
    id: strawberry.ID = strawberry.field(description="The quote line to remove.")


@strawberry.type(description="Result of removeQuoteItem.")
class RemoveQuoteItemPayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The quote after the removal, with its new totals; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Add or replace the rounding line so the total is a multiple of roundTo.")
class RoundQuoteTotalInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote whose total to round.")
    round_to: Decimal = strawberry.field(
        description='Round the total to the nearest multiple of this (half-up), e.g. "0.05" or "1".'
    )


@strawberry.type(description="Result of roundQuoteTotal; item is null when the total was already round.")
class RoundQuoteTotalPayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The quote after rounding, its total a multiple of roundTo; null when refused."
    )
    item: Optional[QuoteItemT] = strawberry.field(
        default=None, description="The rounding line; null when the total was already round or when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Reprice a quote in another currency (all or nothing).")
class ChangeQuoteCurrencyInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote to reprice.")
    currency: str = strawberry.field(description='The new ISO 4217 currency code, e.g. "USD".')


@strawberry.input(description="Copy a quote with all its items into a new DRAFT quote.")
class DuplicateQuoteInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote to copy.")
    idempotency_key: Optional[str] = strawberry.field(
        default=None,
        description="1 to 200 characters; repeating a call with the same key and input returns the first copy.",
    )


@strawberry.input(description="The quote the operation applies to.")
class QuoteIdInput:
    quote_id: strawberry.ID = strawberry.field(description="The quote's ID.")


@strawberry.type(description="Result of a quote operation.")
class QuotePayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None,
        description="The quote after the operation (for duplicateQuote: the new copy); null when refused.",
    )
    user_errors: list[UserError] = _errors()


@strawberry.type(description="Result of reviseQuote: the new revision and the one it supersedes.")
class ReviseQuotePayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The new DRAFT revision (same number, revision + 1); null when refused."
    )
    previous: Optional[QuoteT] = strawberry.field(
        default=None, description="The revision it supersedes, now read-only; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.type(description="Result of setActiveQuote.")
class SetActiveQuotePayload:
    quote: Optional[QuoteT] = strawberry.field(
        default=None, description="The quote, now its opportunity's active quote; null when refused."
    )
    opportunity: Optional[OpportunityT] = strawberry.field(
        default=None, description="The opportunity after the change, its amount now from this quote; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Add products of interest (priced from the opportunity's price book) or manual lines.")
class AddOpportunityItemsInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The opportunity to add the items to.")
    items: list[NewLineItemInput] = strawberry.field(description="At most 250 lines.")


@strawberry.type(description="Result of addOpportunityItems.")
class AddOpportunityItemsPayload:
    opportunity: Optional[OpportunityT] = strawberry.field(
        default=None, description="The opportunity after the items were added, with its new amount; null when refused."
    )
    items: Optional[list[OpportunityItemT]] = strawberry.field(
        default=None, description="The new items, in input order; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Change an opportunity item; omitted fields stay.")
class UpdateOpportunityItemInput(_LineChanges):
    pass


@strawberry.type(description="Result of updateOpportunityItem.")
class UpdateOpportunityItemPayload:
    opportunity: Optional[OpportunityT] = strawberry.field(
        default=None, description="The opportunity after the change, with its new amount; null when refused."
    )
    item: Optional[OpportunityItemT] = strawberry.field(
        default=None, description="The item after the change; null when refused."
    )
    user_errors: list[UserError] = _errors()


@strawberry.input(description="Remove an opportunity item.")
class RemoveOpportunityItemInput:
    id: strawberry.ID = strawberry.field(description="The opportunity item to remove.")


@strawberry.type(description="Result of removeOpportunityItem.")
class RemoveOpportunityItemPayload:
    opportunity: Optional[OpportunityT] = strawberry.field(
        default=None, description="The opportunity after the removal, with its new amount; null when refused."
    )
    user_errors: list[UserError] = _errors()


# Separate GraphQL names per operation, same shape.
ChangeQuoteCurrencyPayload = strawberry.type(
    type("ChangeQuoteCurrencyPayload", (QuotePayload,), {}), description="Result of changeQuoteCurrency."
)
DuplicateQuotePayload = strawberry.type(
    type("DuplicateQuotePayload", (QuotePayload,), {}), description="Result of duplicateQuote."
)
SendQuotePayload = strawberry.type(type("SendQuotePayload", (QuotePayload,), {}), description="Result of sendQuote.")
AcceptQuotePayload = strawberry.type(
    type("AcceptQuotePayload", (QuotePayload,), {}), description="Result of acceptQuote."
)
RejectQuotePayload = strawberry.type(
    type("RejectQuotePayload", (QuotePayload,), {}), description="Result of rejectQuote."
)
ReviseQuoteInput = strawberry.input(type("ReviseQuoteInput", (QuoteIdInput,), {}), description="The quote to revise.")
SetActiveQuoteInput = strawberry.input(
    type("SetActiveQuoteInput", (QuoteIdInput,), {}), description="The quote to make its opportunity's active one."
)
SendQuoteInput = strawberry.input(type("SendQuoteInput", (QuoteIdInput,), {}), description="The quote to send.")
AcceptQuoteInput = strawberry.input(type("AcceptQuoteInput", (QuoteIdInput,), {}), description="The quote to accept.")
RejectQuoteInput = strawberry.input(type("RejectQuoteInput", (QuoteIdInput,), {}), description="The quote to reject.")


def _item_raw(input_obj: Any) -> tuple[dict[str, Any], int | None]:
    raw = given(input_obj)
    raw.pop("id", None)
    version = raw.pop("version", None)
    return raw, version


def _quote_id(value: Any) -> int:
    return decode_id(value, "Quote", ("input", "quoteId"))


def _auth(info: Info, operation: str, type_name: str = "Quote") -> Any:
    actor = info.context.user
    permissions.authorize(actor, operation, type_name)
    return actor


async def _transition(info: Info, input: Any, payload: Any, action: str) -> Any:
    async def call() -> dict[str, Any]:
        actor = _auth(info, f"{action}Quote")
        return {"quote": await svc.transition(actor, _quote_id(input.quote_id), action)}

    return await run(payload, call)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Make a quote from an opportunity (its first quote becomes active).")
    async def create_quote_from_opportunity(
        self,
        info: Info,
        input: Annotated[
            CreateQuoteFromOpportunityInput,
            strawberry.argument(description="The opportunity and the new quote's options."),
        ],
    ) -> CreateQuoteFromOpportunityPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "createQuoteFromOpportunity")
            opp_id = decode_id(input.opportunity_id, "Opportunity", ("input", "opportunityId"))
            book = decode_optional(input.pricebook_id, "Pricebook", ("input", "pricebookId"))
            quote, opp = await svc.create_quote_from_opportunity(
                actor, opp_id, pricebook_id=book, currency=input.currency, name=input.name,
                valid_until=input.valid_until, idempotency_key=input.idempotency_key,
            )  # fmt: skip
            return {"quote": quote, "opportunity": opp}

        return await run(CreateQuoteFromOpportunityPayload, call)

    @strawberry.mutation(description="Add lines priced from the quote's price book in its currency.")
    async def add_quote_items(
        self,
        info: Info,
        input: Annotated[AddQuoteItemsInput, strawberry.argument(description="The quote and the lines to add.")],
    ) -> AddQuoteItemsPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "addQuoteItems")
            quote, items = await svc.add_quote_items(actor, _quote_id(input.quote_id), _lines(input.items))
            return {"quote": quote, "items": items}

        return await run(AddQuoteItemsPayload, call)

    @strawberry.mutation(description="Add a line without a product.")
    async def add_manual_quote_item(
        self,
        info: Info,
        input: Annotated[
            AddManualQuoteItemInput, strawberry.argument(description="The quote and the manual line to add.")
        ],
    ) -> AddManualQuoteItemPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "addManualQuoteItem")
            line = svc.NewLine(
                quantity=input.quantity, unit=input.unit, unit_price=input.unit_price,
                discount_percent=input.discount_percent, tax_rate=input.tax_rate, name=input.name,
                description=input.description,
            )  # fmt: skip
            quote, item = await svc.add_manual_quote_item(actor, _quote_id(input.quote_id), line)
            return {"quote": quote, "item": item}

        return await run(AddManualQuoteItemPayload, call)

    @strawberry.mutation(description="Add a bundle: component lines splitting its price exactly by weight.")
    async def add_bundle_to_quote(
        self,
        info: Info,
        input: Annotated[AddBundleToQuoteInput, strawberry.argument(description="The quote, the bundle and how many.")],
    ) -> AddBundleToQuotePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "addBundleToQuote")
            quote_id = _quote_id(input.quote_id)
            bundle_id = decode_id(input.bundle_id, "Bundle", ("input", "bundleId"))
            quote, items = await svc.add_bundle_to_quote(actor, quote_id, bundle_id, input.quantity, input.tax_rate)
            return {"quote": quote, "items": items}

        return await run(AddBundleToQuotePayload, call)

    @strawberry.mutation(description="Change a quote line (bundle lines keep their split price: LOCKED).")
    async def update_quote_item(
        self,
        info: Info,
        input: Annotated[UpdateQuoteItemInput, strawberry.argument(description="The line and the fields to change.")],
    ) -> UpdateQuoteItemPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "updateQuoteItem")
            raw, version = _item_raw(input)
            item = await svc.update_quote_item(
                actor, decode_id(input.id, "QuoteItem", ("input", "id")), raw, version
            )  # fmt: skip
            return {"item": item, "quote": await _reload_quote(item.quote_id)}

        return await run(UpdateQuoteItemPayload, call)

    @strawberry.mutation(description="Remove a quote line (a bundle line removes its whole bundle).")
    async def remove_quote_item(
        self, info: Info, input: Annotated[RemoveQuoteItemInput, strawberry.argument(description="The line to remove.")]
    ) -> RemoveQuoteItemPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "removeQuoteItem")
            return {"quote": await svc.remove_quote_item(actor, decode_id(input.id, "QuoteItem", ("input", "id")))}

        return await run(RemoveQuoteItemPayload, call)

    @strawberry.mutation(description="Add or replace the rounding line (no tax, no discount).")
    async def round_quote_total(
        self,
        info: Info,
        input: Annotated[
            RoundQuoteTotalInput, strawberry.argument(description="The quote and the multiple to round its total to.")
        ],
    ) -> RoundQuoteTotalPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "roundQuoteTotal")
            quote, item = await svc.round_quote_total(actor, _quote_id(input.quote_id), input.round_to)
            return {"quote": quote, "item": item}

        return await run(RoundQuoteTotalPayload, call)

    @strawberry.mutation(description="Reprice the quote in another currency; refused as a whole if any price lacks.")
    async def change_quote_currency(
        self,
        info: Info,
        input: Annotated[ChangeQuoteCurrencyInput, strawberry.argument(description="The quote and its new currency.")],
    ) -> ChangeQuoteCurrencyPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "changeQuoteCurrency")
            return {"quote": await svc.change_quote_currency(actor, _quote_id(input.quote_id), input.currency)}

        return await run(ChangeQuoteCurrencyPayload, call)

    @strawberry.mutation(description="Copy a quote into a new DRAFT quote with a new number.")
    async def duplicate_quote(
        self, info: Info, input: Annotated[DuplicateQuoteInput, strawberry.argument(description="The quote to copy.")]
    ) -> DuplicateQuotePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "duplicateQuote")
            quote = await svc.duplicate_quote(actor, _quote_id(input.quote_id), idempotency_key=input.idempotency_key)
            return {"quote": quote}

        return await run(DuplicateQuotePayload, call)

    @strawberry.mutation(description="New DRAFT revision (same number); the old one becomes read-only.")
    async def revise_quote(
        self, info: Info, input: Annotated[ReviseQuoteInput, strawberry.argument(description="The quote to revise.")]
    ) -> ReviseQuotePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "reviseQuote")
            quote, previous = await svc.revise_quote(actor, _quote_id(input.quote_id))
            return {"quote": quote, "previous": previous}

        return await run(ReviseQuotePayload, call)

    @strawberry.mutation(description="Make the quote its opportunity's active quote (its net total is the amount).")
    async def set_active_quote(
        self,
        info: Info,
        input: Annotated[SetActiveQuoteInput, strawberry.argument(description="The quote to make active.")],
    ) -> SetActiveQuotePayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "setActiveQuote")
            quote, opp = await svc.set_active_quote(actor, _quote_id(input.quote_id))
            return {"quote": quote, "opportunity": opp}

        return await run(SetActiveQuotePayload, call)

    @strawberry.mutation(description="DRAFT -> SENT.")
    async def send_quote(
        self, info: Info, input: Annotated[SendQuoteInput, strawberry.argument(description="The quote to send.")]
    ) -> SendQuotePayload:
        return await _transition(info, input, SendQuotePayload, "send")

    @strawberry.mutation(description="DRAFT or SENT -> ACCEPTED (read-only from then on).")
    async def accept_quote(
        self, info: Info, input: Annotated[AcceptQuoteInput, strawberry.argument(description="The quote to accept.")]
    ) -> AcceptQuotePayload:
        return await _transition(info, input, AcceptQuotePayload, "accept")

    @strawberry.mutation(description="DRAFT or SENT -> REJECTED.")
    async def reject_quote(
        self, info: Info, input: Annotated[RejectQuoteInput, strawberry.argument(description="The quote to reject.")]
    ) -> RejectQuotePayload:
        return await _transition(info, input, RejectQuotePayload, "reject")

    @strawberry.mutation(description="Add products of interest to an opportunity (its amount follows them).")
    async def add_opportunity_items(
        self,
        info: Info,
        input: Annotated[
            AddOpportunityItemsInput, strawberry.argument(description="The opportunity and the items to add.")
        ],
    ) -> AddOpportunityItemsPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "addOpportunityItems", "Opportunity")
            opp_id = decode_id(input.opportunity_id, "Opportunity", ("input", "opportunityId"))
            opp, items = await svc.add_opportunity_items(actor, opp_id, _lines(input.items))
            return {"opportunity": opp, "items": items}

        return await run(AddOpportunityItemsPayload, call)

    @strawberry.mutation(description="Change an opportunity item.")
    async def update_opportunity_item(
        self,
        info: Info,
        input: Annotated[
            UpdateOpportunityItemInput, strawberry.argument(description="The item and the fields to change.")
        ],
    ) -> UpdateOpportunityItemPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "updateOpportunityItem", "Opportunity")
            raw, version = _item_raw(input)
            pk = decode_id(input.id, "OpportunityItem", ("input", "id"))
            item = await svc.update_opportunity_item(actor, pk, raw, version)
            return {"item": item, "opportunity": await _reload_opportunity(item.opportunity_id)}

        return await run(UpdateOpportunityItemPayload, call)

    @strawberry.mutation(description="Remove an opportunity item.")
    async def remove_opportunity_item(
        self,
        info: Info,
        input: Annotated[RemoveOpportunityItemInput, strawberry.argument(description="The item to remove.")],
    ) -> RemoveOpportunityItemPayload:
        async def call() -> dict[str, Any]:
            actor = _auth(info, "removeOpportunityItem", "Opportunity")
            pk = decode_id(input.id, "OpportunityItem", ("input", "id"))
            return {"opportunity": await svc.remove_opportunity_item(actor, pk)}

        return await run(RemoveOpportunityItemPayload, call)


async def _reload_quote(pk: int) -> Any:
    return await m.Quote.filter(id=pk).first()


async def _reload_opportunity(pk: int) -> Any:
    return await m.Opportunity.filter(id=pk).first()
