"""Quote and QuoteItem."""

from __future__ import annotations

import datetime as dt

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import Convertible, timeline_field
from crm_graphql.api.types.common import LineItem, SalesDocument, is_deleted, list_field, number_field, ref_field


@strawberry.type(name="Quote", description="A priced offer to an account, usually for an opportunity.")
class QuoteType(SalesDocument, Convertible):
    revision: int = strawberry.field(description="Revision number; a revision keeps the quote number.")
    name: str = strawberry.field(description="Quote name.")
    status: e.QuoteStatus = strawberry.field(description="DRAFT, SENT, ACCEPTED or REJECTED.")
    is_active: bool = strawberry.field(description="The opportunity's active quote (its amount comes from it).")
    valid_from: dt.date | None = strawberry.field(
        description="First day the offer holds; null when not set (documents then print no start). Not after validUntil."
    )
    valid_until: dt.date | None = strawberry.field(
        description="Last day the offer holds; null when open-ended (documents then print no end date)."
    )
    description: str | None = strawberry.field(description="Notes for the customer.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    contact = ref_field("Contact", "contact_id", description="The customer's contact.")
    opportunity = ref_field("Opportunity", "opportunity_id", description="The opportunity it was made for.")
    pricebook = ref_field("Pricebook", "pricebook_id", description="The price book its items are priced from.")
    owner = ref_field("User", "owner_id", description="The salesperson.")
    items = list_field("QuoteItem", fk="quote_id", description="The lines.")
    activities = list_field("Activity", fk="quote_id", description="Activities logged on this quote.")
    documents = list_field("Document", fk="quote_id", description="Documents rendered from this quote.")
    timeline = timeline_field("Quote")
    is_type_of = model_type(m.Quote)

    @field(description="Read-only: accepted, superseded by a revision, or its opportunity is closed.")
    @staticmethod
    async def is_locked(root: m.Quote, info: Info) -> bool:
        if root.status == e.QuoteStatus.ACCEPTED or root.superseded_at is not None:
            return True
        opportunity = await info.context.load(m.Opportunity, root.opportunity_id)
        return opportunity is not None and opportunity.status != e.OpportunityStatus.OPEN


@strawberry.type(name="QuoteItem", description="A line of a quote.")
class QuoteItemType(LineItem):
    weight = number_field("weight", "For bundle lines: the component's weight in the split.", nullable=True)
    quote = ref_field("Quote", "quote_id", description="The quote this line is on.", required=True)
    bundle = ref_field("Bundle", "bundle_id", description="The bundle this line is a component of.")
    is_type_of = model_type(m.QuoteItem)
