"""The batch reads behind the API's DataLoaders: every record of one level of a response in
one statement, visibility applied here (services.access), never in the API.

Each function takes the actor and the parent keys of a level and returns the rows, in the
order the API shows them; the API groups them per parent. Children read under a parent the
actor already sees follow the parent (``access.RULES``: ``child_of`` / ``unrestricted``):
where the rule is the parent's, the parent's visibility is implied and not repeated in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import Q

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.services import access


def _keys(ids: Iterable[int]) -> list[int]:
    return list(set(ids))


async def stages_of_pipelines(actor: Actor | None, pipeline_ids: Iterable[int]) -> list[m.Stage]:
    """The stages of the pipelines, in pipeline order (reference data every user reads)."""
    qs = access.scoped(m.Stage, actor).filter(pipeline_id__in=_keys(pipeline_ids))
    return await qs.order_by("position", "id")


async def access_grants(actor: Actor | None, opportunity_ids: Iterable[int]) -> list[m.OpportunityAccess]:
    """The access grants of deals the actor sees (a grant is visible with its deal:
    ``child_of("opportunity")``, implied by the parent level)."""
    return await m.OpportunityAccess.filter(opportunity_id__in=_keys(opportunity_ids)).order_by("id")


async def contact_roles(actor: Actor | None, column: str, ids: Iterable[int]) -> list[m.OpportunityContactRole]:
    """The visible contact roles whose ``column`` (opportunity_id or contact_id) is in ``ids``,
    the primary one first."""
    qs = access.scoped(m.OpportunityContactRole, actor)
    return await qs.filter(**{f"{column}__in": _keys(ids)}).order_by("-is_primary", "role", "id")


async def account_relations(actor: Actor | None, account_ids: Iterable[int]) -> list[m.AccountRelation]:
    """The visible relations touching the accounts, from either side."""
    wanted = _keys(account_ids)
    qs = access.scoped(m.AccountRelation, actor)
    return await qs.filter(Q(account_id__in=wanted) | Q(linked_id__in=wanted)).order_by("id")


async def lead_shares(actor: Actor | None, lead_ids: Iterable[int]) -> list[m.LeadShare]:
    """The visible shares of the leads, in order."""
    return await access.scoped(m.LeadShare, actor).filter(lead_id__in=_keys(lead_ids)).order_by("position", "id")


async def revenue_splits(actor: Actor | None, opportunity_ids: Iterable[int]) -> list[m.RevenueSplit]:
    """The visible revenue splits of the deals, in order."""
    qs = access.scoped(m.RevenueSplit, actor).filter(opportunity_id__in=_keys(opportunity_ids))
    return await qs.order_by("position", "id")
