"""Partner assignment: ``assignToPartner`` and ``unassignFromPartner`` (DOMAIN.md 8)."""

from typing import Annotated, Any, Optional

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import decode_id, decode_optional, make_payload, run
from crm_graphql.api.types.common import lazy
from crm_graphql.services import partners, permissions

_LEAD = "The lead (give exactly one of leadId and opportunityId)."
_OPP = "The opportunity (give exactly one of leadId and opportunityId)."


@strawberry.input(description="Assign a lead or an opportunity to a partner account.")
class AssignToPartnerInput:
    lead_id: Optional[strawberry.ID] = strawberry.field(default=None, description=_LEAD)
    opportunity_id: Optional[strawberry.ID] = strawberry.field(default=None, description=_OPP)
    partner_account_id: strawberry.ID = strawberry.field(description="An account marked isPartner.")


@strawberry.input(description="Take a lead or an opportunity away from its partner.")
class UnassignFromPartnerInput:
    lead_id: Optional[strawberry.ID] = strawberry.field(default=None, description=_LEAD)
    opportunity_id: Optional[strawberry.ID] = strawberry.field(default=None, description=_OPP)


_FIELDS = {
    "lead": (Optional[lazy("Lead")], "The lead, when one was given."),
    "opportunity": (Optional[lazy("Opportunity")], "The opportunity, when one was given."),
}
AssignToPartnerPayload = make_payload("AssignToPartnerPayload", _FIELDS, "Result of assignToPartner.")
UnassignFromPartnerPayload = make_payload("UnassignFromPartnerPayload", _FIELDS, "Result of unassignFromPartner.")


def _ids(input: Any) -> tuple[int | None, int | None]:
    return (
        decode_optional(input.lead_id, "Lead", ("input", "leadId")),
        decode_optional(input.opportunity_id, "Opportunity", ("input", "opportunityId")),
    )


def _payload(row: Any) -> dict[str, Any]:
    return {"lead": row if isinstance(row, m.Lead) else None,
            "opportunity": row if isinstance(row, m.Opportunity) else None}  # fmt: skip


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Assign a lead or an opportunity to a partner (admins, managers, its owner).")
    async def assign_to_partner(
        self, info: Info, input: Annotated[AssignToPartnerInput, strawberry.argument(description="Record, partner.")]
    ) -> AssignToPartnerPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "assignToPartner", "Opportunity")  # role first
            lead, opp = _ids(input)
            partner = decode_id(input.partner_account_id, "Account", ("input", "partnerAccountId"))
            return _payload(await partners.assign_to_partner(info.context.user, lead, opp, partner))

        return await run(AssignToPartnerPayload, call)

    @strawberry.mutation(description="Take a lead or an opportunity away from its partner.")
    async def unassign_from_partner(
        self, info: Info, input: Annotated[UnassignFromPartnerInput, strawberry.argument(description="The record.")]
    ) -> UnassignFromPartnerPayload:  # type: ignore[valid-type]
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "unassignFromPartner", "Opportunity")
            lead, opp = _ids(input)
            return _payload(await partners.unassign_from_partner(info.context.user, lead, opp))

        return await run(UnassignFromPartnerPayload, call)
