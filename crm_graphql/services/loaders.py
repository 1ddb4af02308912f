"""The batch reads behind the API's DataLoaders: every record of one level of a response in
one statement, visibility applied here (services.access), never in the API.

Each function takes the actor and the parent keys of a level and returns the rows, in the
order the API shows them (the API groups them per parent), or, where the API pages or
windows them (timelines, next activities), the visible query set. Children read under a parent the
actor already sees follow the parent (``access.RULES``: ``child_of`` / ``unrestricted``):
where the rule is the parent's, the parent's visibility is implied and not repeated in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.services import access, timeline

M = TypeVar("M", bound=Model)


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


def timeline_events(actor: Actor | None, type_name: str, ids: Iterable[int]) -> QuerySet[m.TimelineEvent]:
    """The events on the timelines of these records of ``type_name``, for the API to page.

    A record's own events need no check: the record itself was visible to get here. An
    account's timeline also holds the events of its deals and documents (``timeline.FANS_OUT``),
    minus those whose subject the actor may not see (a restricted deal's)."""
    wanted = _keys(ids)
    own = Q(subject_type=type_name, subject_id__in=wanted)
    if type_name != "Account":
        return m.TimelineEvent.filter(own)
    fanned = [model for model in access.EVENT_SUBJECTS if model.__name__ in timeline.FANS_OUT]
    visible = Q(subject_type="Account") | access.visible_events(actor, fanned)
    return m.TimelineEvent.filter((own | Q(account_id__in=wanted)) & visible)


async def lineage_links(
    actor: Actor | None, type_column: str, id_column: str, keys: Iterable[tuple[str, int]]
) -> list[m.LineageLink]:
    """The lineage links whose (``type_column``, ``id_column``) end is one of ``keys``, oldest
    first; both ends visible, decided in SQL by services.access."""
    grouped: dict[str, list[int]] = defaultdict(list)
    for type_name, pk in keys:
        grouped[type_name].append(pk)
    where = Q()
    for i, (type_name, pks) in enumerate(grouped.items()):
        end: dict[str, Any] = {type_column: type_name, f"{id_column}__in": pks}
        q = Q(**end)
        where = q if i == 0 else where | q
    return await access.scoped(m.LineageLink, actor).filter(where).order_by("created_at", "id")


def open_activities(actor: Actor | None, opportunity_ids: Iterable[int]) -> QuerySet[m.Activity]:
    """The visible open activities with a due date of the deals, for the API to window."""
    return access.scoped(m.Activity, actor).filter(
        opportunity_id__in=_keys(opportunity_ids), is_done=False, due_at__isnull=False
    )


async def is_visible(actor: Actor | None, model: type[Model], pk: int) -> bool:
    """Whether the actor sees the row (one EXISTS)."""
    return await access.scoped(model, actor).filter(id=pk).exists()


async def visible_among(actor: Actor | None, model: type[M], where: Q, ids: Iterable[int]) -> list[M]:
    """The rows among ``ids`` that the actor sees and ``where`` keeps."""
    return await access.scoped(model, actor).filter(where, id__in=list(ids))


async def by_ids(actor: Actor | None, model: type[M], ids: Iterable[int], *, include_deleted: bool = False) -> list[M]:
    """The visible rows of ``model`` among ``ids`` (soft-deleted ones too with
    ``include_deleted``: a relation keeps showing its deleted target, flagged)."""
    return await access.scoped(model, actor, include_deleted=include_deleted).filter(id__in=_keys(ids))


def matching(actor: Actor | None, model: type[M], where: Q, *, include_deleted: bool = False) -> QuerySet[M]:
    """The visible rows of ``model`` that ``where`` (a list filter) keeps, for the API to page."""
    return access.scoped(model, actor, include_deleted=include_deleted).filter(where)


async def children_where(
    actor: Actor | None, model: type[M], fk: str, where: dict[str, Any], parent_ids: Iterable[int]
) -> list[M]:
    """The visible rows of ``model`` under the parents that match ``where`` (``Opportunity.activeQuote``)."""
    return await access.scoped(model, actor).filter(**where, **{f"{fk}__in": _keys(parent_ids)})
