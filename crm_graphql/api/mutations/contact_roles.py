"""Business roles on a deal: ``addOpportunityContactRole``, ``removeOpportunityContactRole``."""

from __future__ import annotations

from typing import Optional

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, mutation, out, ref
from crm_graphql.api.types.pipeline import OpportunityContactRoleType, OpportunityType
from crm_graphql.services import contact_roles


@strawberry.input(description="Give a contact a business role on a deal.")
class AddOpportunityContactRoleInput:
    opportunity_id: int = ref("Opportunity", "The deal.")
    contact_id: int = ref("Contact", "A contact of any account you can see.")
    role: e.ContactRoleKind = strawberry.field(description="The role.")
    description: Optional[str] = strawberry.field(default=None, description="Notes (at most 500 characters).")
    is_primary: Optional[bool] = strawberry.field(
        default=False, description="Make it the deal's primary role (the previous primary one stops being it)."
    )


@strawberry.type(description="Result of addOpportunityContactRole.")
class AddOpportunityContactRolePayload(Payload):
    contact_role: m.OpportunityContactRole | None = out("The new role.", of=OpportunityContactRoleType)
    opportunity: m.Opportunity | None = out("The deal.", of=OpportunityType)


@strawberry.input(description="Take a business role off a deal.")
class RemoveOpportunityContactRoleInput:
    id: int = ref("OpportunityContactRole", "The OpportunityContactRole.")


@strawberry.type(description="Result of removeOpportunityContactRole.")
class RemoveOpportunityContactRolePayload(Payload):
    opportunity: m.Opportunity | None = out("The deal.", of=OpportunityType)


@strawberry.type
class Mutation:
    @mutation(
        on="Opportunity",
        description="Give a contact a business role on a deal (DECISION_MAKER, ECONOMIC_BUYER...).",
        input_doc="Role.",
    )
    async def add_opportunity_contact_role(
        self, info: Info, input: AddOpportunityContactRoleInput
    ) -> AddOpportunityContactRolePayload:
        row, opportunity = await contact_roles.add_contact_role(
            info.context.actor,
            input.opportunity_id,
            input.contact_id,
            e.ContactRoleKind(input.role),
            input.description,
            bool(input.is_primary),
        )
        return AddOpportunityContactRolePayload(contact_role=row, opportunity=opportunity)

    @mutation(on="Opportunity", description="Take a business role off a deal.", input_doc="Role.")
    async def remove_opportunity_contact_role(
        self, info: Info, input: RemoveOpportunityContactRoleInput
    ) -> RemoveOpportunityContactRolePayload:
        opportunity = await contact_roles.remove_contact_role(info.context.actor, input.id)
        return RemoveOpportunityContactRolePayload(opportunity=opportunity)
