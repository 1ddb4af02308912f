"""Activities, the timeline, and lineage (``Convertible``)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Optional

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from tortoise.expressions import Q

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api import connection as conn
from crm_graphql.api.context import Info
from crm_graphql.api.relay import MODELS, Node, model_type, resolve_model_type, type_name_of
from crm_graphql.api.types.common import _PAGE_ARGS, Entity, lazy, ref_field
from crm_graphql.services import access


@strawberry.type(name="Activity", description="A call, e-mail, meeting, task or note attached to a record.")
class ActivityType(Entity):
    type: e.ActivityType = strawberry.field(description="What kind of activity.")
    subject: str = strawberry.field(description="Short summary.")
    description: str | None = strawberry.field(description="Details.")
    due_at: dt.datetime | None = strawberry.field(description="When it is due.")
    is_done: bool = strawberry.field(description="Completed.")
    done_at: dt.datetime | None = strawberry.field(description="When it was completed.")
    assignee = ref_field("User", "assignee_id", description="Who does it.")
    account = ref_field("Account", "account_id", description="The account it belongs to.")
    opportunity = ref_field("Opportunity", "opportunity_id", description="The opportunity it belongs to.")
    lead = ref_field("Lead", "lead_id", description="The lead it belongs to.")
    contact = ref_field("Contact", "contact_id", description="The contact it belongs to.")
    quote = ref_field("Quote", "quote_id", description="The quote it belongs to.")
    is_type_of = model_type(m.Activity)


@strawberry.type(description="One changed field: its old and new value, as text.")
class FieldChange:
    field: str = strawberry.field(description="The field's API name.")
    old_value: str | None = strawberry.field(description="Value before the change.")
    new_value: str | None = strawberry.field(description="Value after the change.")


@strawberry.type(name="TimelineEvent", description="One event in a record's history.")
class TimelineEventType(Node):
    kind: str = strawberry.field(
        description="CREATED, UPDATED, DELETED, RESTORED, STAGE_CHANGED, CONVERTED, WON, LOST, REOPENED, ACTIVITY..."
    )
    created_at: dt.datetime = strawberry.field(description="When it happened.")
    subject_type: str = strawberry.field(description="Type of the record the event is about.")
    actor = ref_field("User", "actor_id", description="Who did it.")
    is_type_of = model_type(m.TimelineEvent)

    @strawberry.field(description="Event details (conversion targets, reasons...).")
    def data(root: Any) -> JSON:
        return {k: v for k, v in (root.data or {}).items() if k != "changes"}

    @strawberry.field(description="Fields changed by an update, with old and new values.")
    def changes(root: Any) -> list[FieldChange]:
        raw = (root.data or {}).get("changes") or {}
        return [
            FieldChange(field=k, old_value=_text(v.get("old")), new_value=_text(v.get("new"))) for k, v in raw.items()
        ]

    @strawberry.field(description="The record the event is about (null when hidden or purged).")
    async def subject(root: Any, info: Info) -> Optional[Node]:
        return await info.context.load(MODELS[root.subject_type], root.subject_id)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _timeline_loader(info: Info, page: conn.Page, type_name: str) -> DataLoader[int, Any]:
    ctx = info.context
    key = ("timeline", type_name, page)
    loader = ctx._loaders.get(key)
    if loader is not None:
        return loader
    keys = conn.sort_keys(conn.SPECS["TimelineEvent"], None)

    async def load(ids: Sequence[int]) -> list[Any]:
        wanted = list(set(ids))
        where = Q(subject_type=type_name, subject_id__in=wanted)
        if type_name == "Account":
            where |= Q(account_id__in=wanted)
        qs = m.TimelineEvent.filter(where)
        if page.cursor is not None:
            qs = qs.filter(conn.keyset_q(m.TimelineEvent, keys, page.cursor, not page.backward))
        rows = await conn.ordered(qs, keys, not page.backward)
        hidden = await _hidden_subjects(ctx.user, rows)
        grouped: dict[int, list[Any]] = defaultdict(list)
        totals: dict[int, int] = defaultdict(int)
        for row in rows:
            if (row.subject_type, row.subject_id) in hidden:
                continue
            owner = row.subject_id if row.subject_type == type_name and row.subject_id in ids else row.account_id
            totals[owner] += 1
            if len(grouped[owner]) <= page.limit:
                grouped[owner].append(row)

        def page_for(pid: int) -> Any:
            async def count() -> int:
                return totals[pid] if page.cursor is None else await _count_all(pid)

            return conn.make_connection(grouped.get(pid, []) if page.limit else [], page, keys, count)

        async def _count_all(pid: int) -> int:
            where_one = Q(subject_type=type_name, subject_id=pid)
            if type_name == "Account":
                where_one |= Q(account_id=pid)
            rows_all = await m.TimelineEvent.filter(where_one)
            hidden_all = await _hidden_subjects(ctx.user, rows_all)
            return sum((r.subject_type, r.subject_id) not in hidden_all for r in rows_all)

        return [page_for(pid) for pid in ids]

    loader = ctx._loaders[key] = DataLoader(load_fn=load)
    return loader


async def _hidden_subjects(user: Any, rows: Sequence[Any]) -> set[tuple[str, int]]:
    """Subjects of fanned-out events that this user may not see (one query per type)."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_type[row.subject_type].add(row.subject_id)
    hidden: set[tuple[str, int]] = set()
    for type_name, ids in by_type.items():
        if type_name == "Account" and len(ids) == 1:
            continue
        model = MODELS[type_name]
        seen = set(
            await access.scoped(model, user, include_deleted=True).filter(id__in=list(ids)).values_list("id", flat=True)
        )
        hidden |= {(type_name, i) for i in ids - seen}
    return hidden


def timeline_field(type_name: str) -> Any:
    async def resolver(
        root: Any, info: Info, first: Any = None, after: Any = None, last: Any = None, before: Any = None
    ) -> Any:
        page = conn.Page.from_args(first, after, last, before)
        return await _timeline_loader(info, page, type_name).load(root.id)

    resolver.__annotations__ = {"root": Any, "info": Info, **_PAGE_ARGS, "return": conn.Connection[TimelineEventType]}
    description = "History of this record, newest first" + (
        " (with the events of its opportunities, quotes, orders and invoices)." if type_name == "Account" else "."
    )
    return strawberry.field(resolver=resolver, description=description)


# --- lineage --------------------------------------------------------------------------------


@strawberry.type(description="One conversion: `from` was converted into `to`.")
class LineageEdge:
    kind: e.ConversionKind = strawberry.field(description="Which conversion.")
    at: dt.datetime = strawberry.field(description="When it happened.")
    _source: strawberry.Private[tuple[str, int]]
    _target: strawberry.Private[tuple[str, int]]

    @strawberry.field(name="from", description="The origin.")
    async def from_(self, info: Info) -> Node:
        return await info.context.load(MODELS[self._source[0]], self._source[1])  # type: ignore[no-any-return]

    @strawberry.field(description="What was made from it.")
    async def to(self, info: Info) -> Node:
        return await info.context.load(MODELS[self._target[0]], self._target[1])  # type: ignore[no-any-return]


def _links_loader(info: Info, direction: str) -> DataLoader[tuple[str, int], list[Any]]:
    ctx = info.context
    key = ("links", direction)
    loader = ctx._loaders.get(key)
    if loader is None:
        type_col, id_col = ("target_type", "target_id") if direction == "in" else ("source_type", "source_id")

        async def load(keys: Sequence[tuple[str, int]]) -> list[list[Any]]:
            where = Q()
            for i, (type_name, ids) in enumerate(_group(keys).items()):
                q = Q(**{type_col: type_name, f"{id_col}__in": ids})
                where = q if i == 0 else where | q
            found: dict[tuple[str, int], list[Any]] = defaultdict(list)
            for link in await m.LineageLink.filter(where).order_by("created_at", "id"):
                found[(getattr(link, type_col), getattr(link, id_col))].append(link)
            return [found.get(k, []) for k in keys]

        loader = ctx._loaders[key] = DataLoader(load_fn=load)
    return loader


def _group(keys: Sequence[tuple[str, int]]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for type_name, pk in keys:
        grouped[type_name].append(pk)
    return grouped


def _edge(link: Any) -> LineageEdge:
    return LineageEdge(
        kind=link.kind, at=link.created_at,
        _source=(link.source_type, link.source_id), _target=(link.target_type, link.target_id),
    )  # fmt: skip


def _end(link: Any, side: str) -> tuple[str, int]:
    return (link.source_type, link.source_id) if side == "source" else (link.target_type, link.target_id)


async def _visible_edges(info: Info, links: Sequence[Any], side: str) -> list[Any]:
    """The links whose ``side`` end the user may see (loads gathered: one query per type)."""
    ends = [_end(link, side) for link in links]
    rows = await asyncio.gather(*(info.context.load(MODELS[t], pk) for t, pk in ends))
    return [link for link, row in zip(links, rows, strict=True) if row is not None]


@strawberry.interface(description="A record that conversions create or consume: it knows its lineage.")
class Convertible:
    @strawberry.field(description="The record this one was made from, if any.")
    async def origin(root: Any, info: Info) -> Optional[Node]:
        links = await _links_loader(info, "in").load((type_name_of(root), root.id))
        links = await _visible_edges(info, links, "source")
        return await info.context.load(MODELS[links[0].source_type], links[0].source_id) if links else None

    @strawberry.field(description="Records made from this one.")
    async def derivatives(root: Any, info: Info) -> list[Node]:
        links = await _links_loader(info, "out").load((type_name_of(root), root.id))
        links = await _visible_edges(info, links, "target")
        return list(
            await asyncio.gather(*(info.context.load(MODELS[t], pk) for t, pk in (_end(lk, "target") for lk in links)))
        )

    @strawberry.field(description="Every conversion upstream and downstream of this record, oldest first.")
    async def lineage(root: Any, info: Info) -> list[LineageEdge]:
        start = (type_name_of(root), root.id)
        seen_links: dict[int, Any] = {}
        for direction, side in (("in", "source"), ("out", "target")):
            frontier, visited = [start], {start}
            while frontier:
                batches = await _links_loader(info, direction).load_many(frontier)
                frontier = []
                for link in await _visible_edges(info, [lk for batch in batches for lk in batch], side):
                    seen_links[link.id] = link
                    nxt = _end(link, side)
                    if nxt not in visited:
                        visited.add(nxt)
                        frontier.append(nxt)
        return [_edge(link) for link in sorted(seen_links.values(), key=lambda lk: (lk.created_at, lk.id))]

    @classmethod
    def resolve_type(cls, obj: Any, *_: Any) -> str | None:
        return resolve_model_type(obj)


__all__ = ["ActivityType", "Convertible", "LineageEdge", "TimelineEventType", "lazy", "timeline_field"]
