"""Partner assignment: ``assignToPartner`` and ``unassignFromPartner`` (DOMAIN.md 8)."""

from __future__ import annotations

from typing import Any

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, mutation, out, ref
from crm_graphql.api.types.leads import LeadType
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.services import partners

_LEAD = "The lead (give exactly one of leadId and opportunityId)."
_OPP = "The opportunity (give exactly one of leadId and opportunityId)."


@strawberry.input(description="Assign a lead or an opportunity to a partner account.")
class AssignToPartnerInput:
    lead_id: int | None = ref("Lead", _LEAD, default=None)
    opportunity_id: int | None = ref("Opportunity", _OPP, default=None)
    partner_account_id: int = ref("Account", "An account marked isPartner.")


@strawberry.input(description="Take a lead or an opportunity away from its partner.")
class UnassignFromPartnerInput:
    lead_id: int | None = ref("Lead", _LEAD, default=None)
    opportunity_id: int | None = ref("Opportunity", _OPP, default=None)


@strawberry.type(description="Result of assignToPartner.")
class AssignToPartnerPayload(Payload):
    lead: m.Lead | None = out("The lead, when one was given.", of=LeadType)
    opportunity: m.Opportunity | None = out("The opportunity, when one was given.", of=OpportunityType)


@strawberry.type(description="Result of unassignFromPartner.")
class UnassignFromPartnerPayload(Payload):
    lead: m.Lead | None = out("The lead, when one was given.", of=LeadType)
    opportunity: m.Opportunity | None = out("The opportunity, when one was given.", of=OpportunityType)


def _touched(row: Any) -> dict[str, Any]:
    return {
        "lead": row if isinstance(row, m.Lead) else None,
        "opportunity": row if isinstance(row, m.Opportunity) else None,
    }


@strawberry.type
class Mutation:
    @mutation(
        on="Opportunity",
        description="Assign a lead or an opportunity to a partner (admins, managers, its owner).",
        input_doc="Record, partner.",
    )
    async def assign_to_partner(self, info: Info, input: AssignToPartnerInput) -> AssignToPartnerPayload:
        row = await partners.assign_to_partner(
            info.context.actor, input.lead_id, input.opportunity_id, input.partner_account_id
        )
        return AssignToPartnerPayload(**_touched(row))

    @mutation(
        on="Opportunity", description="Take a lead or an opportunity away from its partner.", input_doc="The record."
    )
    async def unassign_from_partner(self, info: Info, input: UnassignFromPartnerInput) -> UnassignFromPartnerPayload:
        row = await partners.unassign_from_partner(info.context.actor, input.lead_id, input.opportunity_id)
        return UnassignFromPartnerPayload(**_touched(row))
