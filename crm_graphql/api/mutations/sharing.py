"""setOpportunityAccess, and the access list on Opportunity."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from crm_graphql.api.context import Info
from crm_graphql.api.errors import UserError
from crm_graphql.api.mutations.base import decode_id, run
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.services import permissions, sharing


@strawberry.input(description="Who may see a restricted opportunity (besides its owner).")
class SetOpportunityAccessInput:
    opportunity_id: strawberry.ID = strawberry.field(description="Global ID of the opportunity.")
    user_ids: list[strawberry.ID] = strawberry.field(
        description="Global IDs of the users granted access; replaces the current list."
    )
    is_restricted: bool | None = strawberry.field(
        default=None, description="Restrict (true) or open (false) the opportunity; omitted: unchanged."
    )


@strawberry.type(description="Result of setOpportunityAccess.")
class SetOpportunityAccessPayload:
    opportunity: OpportunityType | None = strawberry.field(
        default=None, description="The opportunity with its new access list; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Set the users a restricted opportunity is visible to (with its documents).")
    async def set_opportunity_access(
        self,
        info: Info,
        input: Annotated[SetOpportunityAccessInput, strawberry.argument(description="The access list.")],
    ) -> SetOpportunityAccessPayload:
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "setOpportunityAccess", "Opportunity")
            opportunity_id = decode_id(input.opportunity_id, "Opportunity", ("input", "opportunityId"))
            user_ids = [decode_id(u, "User", ("input", "userIds", str(i))) for i, u in enumerate(input.user_ids)]
            opportunity = await sharing.set_opportunity_access(
                info.context.user, opportunity_id=opportunity_id, user_ids=user_ids, is_restricted=input.is_restricted
            )
            return {"opportunity": opportunity}

        return await run(SetOpportunityAccessPayload, call)
