"""Business roles on a deal: ``addOpportunityContactRole``, ``removeOpportunityContactRole``."""

from typing import Annotated, Any, Optional

import strawberry

from crm_graphql import enums as e
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import decode_id, make_payload, run
from crm_graphql.api.types.common import lazy
from crm_graphql.services import contact_roles, permissions


@strawberry.input(description="Give a contact a business role on a deal.")
class AddOpportunityContactRoleInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The deal.")
    contact_id: strawberry.ID = strawberry.field(description="A contact of any account you can see.")
    role: e.ContactRoleKind = strawberry.field(description="The role.")
    description: Optional[str] = strawberry.field(default=None, description="Notes (at most 500 characters).")
    is_primary: Optional[bool] = strawberry.field(
        default=False, description="Make it the deal's primary role (the previous primary one stops being it)."
    )


AddOpportunityContactRolePayload = make_payload(
    "AddOpportunityContactRolePayload",
    {"contact_role": (lazy("OpportunityContactRole"), "The new role."),
     "opportunity": (lazy("Opportunity"), "The deal.")},
    "Result of addOpportunityContactRole.",
)  # fmt: skip


@strawberry.input(description="Take a business role off a deal.")
class RemoveOpportunityContactRoleInput:
    id: strawberry.ID = strawberry.field(description="The OpportunityContactRole.")


RemoveOpportunityContactRolePayload = make_payload(
    "RemoveOpportunityContactRolePayload",
    {"opportunity": (lazy("Opportunity"), "The deal.")},
    "Result of removeOpportunityContactRole.",
)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Give a contact a business role on a deal (DECISION_MAKER, ECONOMIC_BUYER...).")
    async def add_opportunity_contact_role(
        self, info: Info, input: Annotated[AddOpportunityContactRoleInput, strawberry.argument(description="Role.")]
    ) -> AddOpportunityContactRolePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "addOpportunityContactRole", "Opportunity")  # role first
            opp = decode_id(input.opportunity_id, "Opportunity", ("input", "opportunityId"))
            contact = decode_id(input.contact_id, "Contact", ("input", "contactId"))
            row, opportunity = await contact_roles.add_contact_role(
                info.context.user, opp, contact, e.ContactRoleKind(input.role), input.description,
                bool(input.is_primary),
            )  # fmt: skip
            return {"contact_role": row, "opportunity": opportunity}

        return await run(AddOpportunityContactRolePayload, call)

    @strawberry.mutation(description="Take a business role off a deal.")
    async def remove_opportunity_contact_role(
        self, info: Info, input: Annotated[RemoveOpportunityContactRoleInput, strawberry.argument(description="Role.")]
    ) -> RemoveOpportunityContactRolePayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "removeOpportunityContactRole", "Opportunity")
            pk = decode_id(input.id, "OpportunityContactRole", ("input", "id"))
            return {"opportunity": await contact_roles.remove_contact_role(info.context.user, pk)}

        return await run(RemoveOpportunityContactRolePayload, call)
