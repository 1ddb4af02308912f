"""Partner assignment (DOMAIN.md 8): a lead or an opportunity is assigned to a partner account,
whose PARTNER users then see and work on it (``services.access`` enforces what they see)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import LeadStatus, OpportunityStatus, Role
from crm_graphql.errors import Forbidden, Invalid, Locked
from crm_graphql.services import access, crud, permissions, timeline

_WHO = permissions.PARTNER_REFUSED["assignToPartner"]


async def _target(
    conn: BaseDBAsyncClient, actor: Actor, lead_id: int | None, opportunity_id: int | None
) -> m.Lead | m.Opportunity:
    """The lead or the opportunity (exactly one), visible, open, and the actor's to assign."""
    if (lead_id is None) == (opportunity_id is None):
        raise Invalid("Give exactly one of leadId and opportunityId.", ("input",))
    row: m.Lead | m.Opportunity
    if lead_id is not None:
        row = await access.load_visible(conn, actor, m.Lead, lead_id, ("input", "leadId"))
        if row.status == LeadStatus.QUALIFIED or row.anonymized_at is not None:
            raise Locked("A qualified or anonymized lead is read-only.", ("input", "leadId"))
        path = ("input", "leadId")
    else:
        assert opportunity_id is not None
        row = await access.load_visible(conn, actor, m.Opportunity, opportunity_id, ("input", "opportunityId"))
        if row.status != OpportunityStatus.OPEN:
            raise Locked("This opportunity is closed: reopen it to edit.", ("input", "opportunityId"))
        path = ("input", "opportunityId")
    # roles that may not assign at all are refused before (permissions.PARTNER_REFUSED): here, ownership
    if getattr(actor, "role", None) == Role.SALES_REP and row.owner_id != actor.id:
        raise Forbidden(_WHO, path)
    return row


async def _assign(
    actor: Actor, lead_id: int | None, opportunity_id: int | None, partner_id: int | None
) -> m.Lead | m.Opportunity:
    async with in_transaction() as conn:
        row = await _target(conn, actor, lead_id, opportunity_id)
        if partner_id is not None:
            path = ("input", "partnerAccountId")
            partner = await access.load_visible(conn, actor, m.Account, partner_id, path)
            if not partner.is_partner:
                raise Invalid("The account is no partner: mark it isPartner first.", path)
        if row.partner_id != partner_id:
            change = timeline.changes({"partner": row.partner_id}, {"partner": partner_id}, {"partner": "Account"})
            await crud.save(conn, row, {"partner_id": partner_id})
            kind = "PARTNER_ASSIGNED" if partner_id is not None else "PARTNER_UNASSIGNED"
            await timeline.record(conn, row, kind, actor, {"changes": change})
        return row


async def assign_to_partner(
    actor: Actor, lead_id: int | None, opportunity_id: int | None, partner_id: int
) -> m.Lead | m.Opportunity:
    """Assign a lead or an opportunity to a partner account. Raises Invalid (not exactly one
    target; the account is no partner), NotFound, Forbidden (a PARTNER or READ_ONLY user, or a
    sales rep who does not own the record), Locked (qualified lead, closed deal)."""
    return await _assign(actor, lead_id, opportunity_id, partner_id)


async def unassign_from_partner(
    actor: Actor, lead_id: int | None, opportunity_id: int | None
) -> m.Lead | m.Opportunity:
    """Take a lead or an opportunity away from its partner (same refusals as assigning)."""
    return await _assign(actor, lead_id, opportunity_id, None)
