"""Lead."""

from __future__ import annotations

import datetime as dt

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import Convertible, timeline_field
from crm_graphql.api.types.common import Entity, is_deleted, list_field, ref_field
from crm_graphql.api.types.splits import LeadShareType, lead_shares_loader


@strawberry.type(
    name="Lead", description="A prospect not yet qualified: qualify it into an account, contact and opportunity."
)
class LeadType(Entity, Convertible):
    first_name: str | None = strawberry.field(
        description="Given name of the person; null when not known or after anonymizeLead."
    )
    last_name: str | None = strawberry.field(description="Family name of the person; null after anonymizeLead.")
    company: str | None = strawberry.field(description="Company name (becomes the account).")
    title: str | None = strawberry.field(description="Job title.")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    source: str | None = strawberry.field(description="Where the lead came from.")
    description: str | None = strawberry.field(description="Notes.")
    status: e.LeadStatus = strawberry.field(description="NEW, WORKING, QUALIFIED or DISQUALIFIED.")
    is_archived: bool = strawberry.field(description="Archived leads stay out of working lists.")
    disqualified_reason: str | None = strawberry.field(description="Why it was disqualified.")
    anonymized_at: dt.datetime | None = strawberry.field(description="When personal fields were erased.")
    qualified_at: dt.datetime | None = strawberry.field(description="When it was qualified.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    owner = ref_field("User", "owner_id", description="The user working the lead.")
    partner = ref_field("Account", "partner_id", description="The partner account the lead is assigned to.")
    campaign = ref_field("Campaign", "campaign_id", description="The campaign it came from.")
    converted_account = ref_field("Account", "converted_account_id", description="The account it became.")
    converted_contact = ref_field("Contact", "converted_contact_id", description="The contact it became.")
    converted_opportunity = ref_field(
        "Opportunity", "converted_opportunity_id", description="The opportunity it became."
    )
    activities = list_field("Activity", fk="lead_id", description="Activities logged on this lead.")
    timeline = timeline_field("Lead")
    is_type_of = model_type(m.Lead)

    @field(
        description="Users sharing the lead (given by a lead split rule), in order; their percents add up to 100. "
        "Qualifying the lead makes them the new deal's revenue splits. Empty: the lead is not split yet."
    )
    @staticmethod
    async def shares(root: m.Lead, info: Info) -> list[LeadShareType]:
        return await lead_shares_loader(info).load(root.id)

    @field(description="Qualified leads are read-only.")
    @staticmethod
    def is_locked(root: m.Lead) -> bool:
        return root.status == e.LeadStatus.QUALIFIED
