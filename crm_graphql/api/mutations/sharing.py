"""setOpportunityAccess, and the access list on Opportunity."""

from __future__ import annotations

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, mutation, out, ref, refs
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.services import sharing


@strawberry.input(description="Who may see a restricted opportunity (besides its owner).")
class SetOpportunityAccessInput:
    opportunity_id: int = ref("Opportunity", "Global ID of the opportunity.")
    user_ids: list[int] = refs("User", "Global IDs of the users granted access; replaces the current list.")
    is_restricted: bool | None = strawberry.field(
        default=None, description="Restrict (true) or open (false) the opportunity; omitted: unchanged."
    )


@strawberry.type(description="Result of setOpportunityAccess.")
class SetOpportunityAccessPayload(Payload):
    opportunity: m.Opportunity | None = out(
        "The opportunity with its new access list; null when refused.", of=OpportunityType
    )


@strawberry.type
class Mutation:
    @mutation(
        on="Opportunity",
        description="Set the users a restricted opportunity is visible to (with its documents).",
        input_doc="The access list.",
    )
    async def set_opportunity_access(self, info: Info, input: SetOpportunityAccessInput) -> SetOpportunityAccessPayload:
        opportunity = await sharing.set_opportunity_access(
            info.context.actor,
            opportunity_id=input.opportunity_id,
            user_ids=input.user_ids,
            is_restricted=input.is_restricted,
        )
        return SetOpportunityAccessPayload(opportunity=opportunity)
