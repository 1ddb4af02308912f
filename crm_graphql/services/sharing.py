"""Restricting an opportunity to a list of users (DOMAIN.md 8).

A restricted opportunity is visible to its owner and to the users listed here, and so are
its quotes, orders, invoices and contracts (services.access applies it everywhere).
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.errors import NotFound, raise_all
from crm_graphql.models.base import flat_values
from crm_graphql.services import access, crud, timeline


async def set_opportunity_access(
    actor: Actor, *, opportunity_id: int, user_ids: list[int], is_restricted: bool | None
) -> m.Opportunity:
    """Replace the opportunity's access list (and restriction flag when given).

    Raises NotFound (opportunity hidden or missing, unknown user), Forbidden (a
    sales rep changing someone else's deal); nothing is written when it raises.
    """
    async with in_transaction() as conn:
        opportunity = await access.load_for_write(
            conn, actor, m.Opportunity, opportunity_id, ("input", "opportunityId")
        )
        access.ensure_may_assign(actor, opportunity, ("input", "opportunityId"))
        wanted = list(dict.fromkeys(user_ids))
        found: set[Any] = set(
            await flat_values(m.User.filter(id__in=wanted).using_db(conn).values_list("id", flat=True))
        )
        raise_all(
            [
                NotFound("No User with this id.", ("input", "userIds", str(i)))
                for i, uid in enumerate(wanted)
                if uid not in found
            ]
        )
        before = sorted(
            await flat_values(
                m.OpportunityAccess.filter(opportunity_id=opportunity.id)
                .using_db(conn)
                .values_list("user_id", flat=True)
            )
        )
        await m.OpportunityAccess.filter(opportunity_id=opportunity.id).using_db(conn).delete()
        await m.OpportunityAccess.bulk_create(
            [m.OpportunityAccess(opportunity_id=opportunity.id, user_id=uid) for uid in wanted], using_db=conn
        )
        users = {
            side: [timeline.reference("User", uid) for uid in ids]
            for side, ids in (("old", before), ("new", sorted(wanted)))
        }
        changes: dict[str, Any] = {"accessUserIds": users}
        values: dict[str, Any] = {}
        if is_restricted is not None and is_restricted != opportunity.is_restricted:
            changes["isRestricted"] = {"old": opportunity.is_restricted, "new": is_restricted}
            values["is_restricted"] = is_restricted
        await crud.save(conn, opportunity, values)
        await timeline.record(conn, opportunity, "ACCESS_CHANGED", actor, {"changes": changes})
    return opportunity
