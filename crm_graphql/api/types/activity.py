"""Activities, the timeline, and lineage (``Convertible``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Optional

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from tortoise.models import Model

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api import batch
from crm_graphql.api import connection as conn
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.filters import SPECS
from crm_graphql.api.relay import MODELS, Node, model_type, resolve_model_type, to_global_id, type_name_of
from crm_graphql.api.types.common import _PAGE_ARGS, Entity, lazy, ref_field
from crm_graphql.services import event_upgrade, loaders, timeline


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

    @field(
        description="Event details (conversion targets, reasons...). Other records are named as "
        '`{"id": <global ID>, ...}` with what the event says about them, or null when you may not see them.'
    )
    @staticmethod
    async def data(root: m.TimelineEvent, info: Info) -> JSON:
        data = await _presented(root, info)
        return JSON({k: v for k, v in data.items() if k != "changes"})

    @field(
        description="Fields changed by an update, with old and new values (a reference as its global ID, "
        "null when you may not see the record)."
    )
    @staticmethod
    async def changes(root: m.TimelineEvent, info: Info) -> list[FieldChange]:
        raw = (await _presented(root, info)).get("changes") or {}
        return [
            FieldChange(field=k, old_value=_text(v.get("old")), new_value=_text(v.get("new")))
            for k, v in raw.items()
            if isinstance(v, dict)
        ]

    @field(description="The record the event is about (null when hidden or purged).", graphql_type=Optional[Node])
    @staticmethod
    async def subject(root: m.TimelineEvent, info: Info) -> Model | None:
        row: Model | None = await info.context.load(MODELS[root.subject_type], root.subject_id)
        return row


async def _presented(root: Any, info: Info) -> dict[str, Any]:
    """The event's data as this viewer may read it (services.timeline decides; the request's
    loaders batch the visibility checks of every reference in the response)."""
    data = event_upgrade.upgrade(root.kind, root.subject_type, root.data)
    refs = [r for r in dict.fromkeys(timeline.references(data)) if r[0] in MODELS]
    rows = await asyncio.gather(*(info.context.load(MODELS[t], pk) for t, pk in refs))
    shown = {r for r, row in zip(refs, rows, strict=True) if row is not None}
    presented: dict[str, Any] = timeline.present(data, lambda t, pk: (t, pk) in shown, to_global_id)
    return presented


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict) and "id" in value:
        return str(value["id"])
    if isinstance(value, list | dict):
        return json.dumps([_text(v) for v in value] if isinstance(value, list) else value)
    return str(value)


def _timeline_loader(info: Info, page: conn.Page, type_name: str) -> DataLoader[int, Any]:
    """Pages of the timelines of many records in one windowed SELECT (``first + 1`` events
    each, limited in SQL); which events, and their visibility: ``loaders.timeline_events``."""
    ctx = info.context
    key = ("timeline", type_name, page)
    loader = ctx._loaders.get(key)
    if loader is not None:
        return loader
    keys = conn.sort_keys(SPECS["TimelineEvent"], None)
    events = m.TimelineEvent
    if type_name == "Account":  # an account's own events and those of its deals and documents
        partition = f"COALESCE({batch.column(events, 'account_id')}, {batch.column(events, 'subject_id')})"
    else:
        partition = batch.column(events, "subject_id")

    async def count(ids: Sequence[int]) -> list[int]:
        counts = await batch.grouped_counts(loaders.timeline_events(ctx.user, type_name, ids), partition)
        return [counts.get(i, 0) for i in ids]

    counter: DataLoader[int, int] = DataLoader(load_fn=count)

    async def load(ids: Sequence[int]) -> list[Any]:
        qs = loaders.timeline_events(ctx.user, type_name, ids)
        if page.cursor is not None:
            qs = qs.filter(conn.keyset_q(events, keys, page.cursor, not page.backward))
        grouped = await batch.windowed(qs, partition, keys, not page.backward, page.limit + 1) if page.limit else {}

        def page_for(pid: int) -> Any:
            async def total() -> int:
                return int(await counter.load(pid))

            return conn.make_connection(grouped.get(pid, []), page, keys, total)

        return [page_for(pid) for pid in ids]

    loader = ctx._loaders[key] = DataLoader(load_fn=load)
    return loader


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

    @field(name="from", description="The origin.", graphql_type=Node)
    async def from_(self, info: Info) -> Model:
        row: Model = await info.context.load(MODELS[self._source[0]], self._source[1])
        return row

    @field(description="What was made from it.", graphql_type=Node)
    async def to(self, info: Info) -> Model:
        row: Model = await info.context.load(MODELS[self._target[0]], self._target[1])
        return row


def _links_loader(info: Info, direction: str) -> DataLoader[tuple[str, int], list[Any]]:
    ctx = info.context
    key = ("links", direction)
    loader = ctx._loaders.get(key)
    if loader is None:
        type_col, id_col = ("target_type", "target_id") if direction == "in" else ("source_type", "source_id")

        async def load(keys: Sequence[tuple[str, int]]) -> list[list[Any]]:
            found: dict[tuple[str, int], list[Any]] = defaultdict(list)
            for link in await loaders.lineage_links(ctx.user, type_col, id_col, keys):
                found[(getattr(link, type_col), getattr(link, id_col))].append(link)
            return [found.get(k, []) for k in keys]

        loader = ctx._loaders[key] = DataLoader(load_fn=load)
    return loader


def _edge(link: Any) -> LineageEdge:
    return LineageEdge(
        kind=link.kind,
        at=link.created_at,
        _source=(link.source_type, link.source_id),
        _target=(link.target_type, link.target_id),
    )


def _end(link: Any, side: str) -> tuple[str, int]:
    return (link.source_type, link.source_id) if side == "source" else (link.target_type, link.target_id)


@strawberry.interface(description="A record that conversions create or consume: it knows its lineage.")
class Convertible:
    @field(description="The record this one was made from, if any.")
    async def origin(root: Any, info: Info) -> Optional[Node]:
        links = await _links_loader(info, "in").load((type_name_of(root), root.id))
        return await info.context.load(MODELS[links[0].source_type], links[0].source_id) if links else None

    @field(description="Records made from this one.")
    async def derivatives(root: Any, info: Info) -> list[Node]:
        links = await _links_loader(info, "out").load((type_name_of(root), root.id))
        return list(
            await asyncio.gather(*(info.context.load(MODELS[t], pk) for t, pk in (_end(lk, "target") for lk in links)))
        )

    @field(description="Every conversion upstream and downstream of this record, oldest first.")
    async def lineage(root: Any, info: Info) -> list[LineageEdge]:
        start = (type_name_of(root), root.id)
        seen_links: dict[int, Any] = {}
        for direction, side in (("in", "source"), ("out", "target")):
            frontier, visited = [start], {start}
            while frontier:
                found = await _links_loader(info, direction).load_many(frontier)
                frontier = []
                for link in (lk for links in found for lk in links):
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
