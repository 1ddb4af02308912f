"""Business roles on an opportunity (DOMAIN.md 11): a contact of any visible account takes a
role on a deal, with an optional description; at most one role is primary; the same contact
and role appear once per deal. A won or lost deal is locked (DOMAIN.md 3)."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import ContactRoleKind, OpportunityStatus
from crm_graphql.errors import Duplicate, Invalid, Locked
from crm_graphql.services import access, timeline

_OPP = ("input", "opportunityId")


def _open(opp: m.Opportunity, path: tuple[str, ...]) -> None:
    if opp.status != OpportunityStatus.OPEN:
        raise Locked("This opportunity is closed: reopen it to edit.", path)


async def add_contact_role(
    actor: Actor, opportunity_id: int, contact_id: int, role: ContactRoleKind, description: str | None, is_primary: bool
) -> tuple[m.OpportunityContactRole, Any]:
    """Raises NotFound, Forbidden, Locked (closed deal), Invalid (description too long),
    Duplicate (the contact has this role on the deal already); nothing is written when it raises."""
    async with in_transaction() as conn:
        opp = await access.load_for_write(conn, actor, m.Opportunity, opportunity_id, _OPP)
        _open(opp, _OPP)
        contact = await access.load_visible(conn, actor, m.Contact, contact_id, ("input", "contactId"))
        description = (description or "").strip() or None
        if description is not None and len(description) > 500:
            raise Invalid("description is too long (at most 500 characters).", ("input", "description"))
        taken = m.OpportunityContactRole.filter(opportunity_id=opp.id, contact_id=contact.id, role=role)
        if await taken.using_db(conn).exists():
            raise Duplicate("This contact has this role on the deal already.", ("input", "role"))
        if is_primary:
            await (
                m.OpportunityContactRole.filter(opportunity_id=opp.id, is_primary=True)
                .using_db(conn)
                .update(is_primary=False)
            )
        row = await m.OpportunityContactRole.create(
            opportunity_id=opp.id,
            contact_id=contact.id,
            role=role,
            description=description,
            is_primary=is_primary,
            using_db=conn,
        )
        # the role is a fact of the contact's reference: hidden with the contact (DOMAIN.md 6)
        await timeline.record(
            conn, opp, "CONTACT_ROLE_ADDED", actor, {"contact": timeline.ref(contact, role=role.value)}
        )
        return row, opp


async def remove_contact_role(actor: Actor, role_id: int) -> m.Opportunity:
    """Raises NotFound, Forbidden, Locked (closed deal); returns the opportunity."""
    async with in_transaction() as conn:
        row = await access.load_for_write(conn, actor, m.OpportunityContactRole, role_id, ("input", "id"))
        opp = await m.Opportunity.get(id=row.opportunity_id, using_db=conn)
        _open(opp, ("input", "id"))
        await m.OpportunityContactRole.filter(id=row.id).using_db(conn).delete()
        contact = await m.Contact.filter(id=row.contact_id).using_db(conn).first()
        role = row.role.value if hasattr(row.role, "value") else row.role
        data: dict[str, Any] = {"contact": timeline.ref(contact, role=role)}
        await timeline.record(conn, opp, "CONTACT_ROLE_REMOVED", actor, data)
        return opp
