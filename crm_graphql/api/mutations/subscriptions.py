"""Subscriptions over graphql-transport-ws: ``timelineEvent`` and ``opportunityChanged``.

Both follow the timeline table (committed events only, so a rolled-back write never
notifies), which also makes them work across several worker processes on PostgreSQL.
Every event is checked against the subscriber's visibility before it is delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from tortoise.expressions import Q

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.filters import SPECS, to_q
from crm_graphql.api.relay import MODELS, MalformedId, from_global_id
from crm_graphql.api.types.activity import TimelineEventType
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.services import access, users

OpportunityFilter = SPECS["Opportunity"].filter_input
POLL_SECONDS = 0.25
BATCH = 200


async def _user(info: Info) -> Any:
    ctx = info.context
    if ctx.user is not None:
        return ctx.user
    params = ctx.connection_params if isinstance(ctx.connection_params, dict) else {}
    header = params.get("Authorization") or params.get("authorization") or ""
    scheme, _, token = str(header).partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        ctx.user = await users.authenticate(token.strip())
    if ctx.user is None:
        raise GraphQLError("Send an API token in the connection_init payload.", extensions={"code": "UNAUTHENTICATED"})
    return ctx.user


async def _last_event_id() -> int:
    last = await m.TimelineEvent.all().order_by("-id").first()
    return last.id if last else 0


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="New timeline events, of one record (and, for an account, of its deals and documents) or of all."
    )
    async def timeline_event(
        self,
        info: Info,
        subject_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only events of this record (an account includes its deals and documents)."
            ),
        ] = None,
    ) -> AsyncGenerator[TimelineEventType, None]:
        user = await _user(info)
        where = Q()
        if subject_id is not None:
            try:
                type_name, pk = from_global_id(subject_id)
            except MalformedId:
                return
            if not await access.scoped(MODELS[type_name], user).filter(id=pk).exists():
                return
            where = Q(subject_type=type_name, subject_id=pk)
            if type_name == "Account":
                where |= Q(account_id=pk)
        last = await _last_event_id()
        while True:
            await asyncio.sleep(POLL_SECONDS)
            events = await m.TimelineEvent.filter(where, id__gt=last).order_by("id").limit(BATCH)
            if not events:
                continue
            last = events[-1].id
            # the events' visibility is services.access's, like every other read of them
            shown = await access.scoped(m.TimelineEvent, user).filter(id__in=[e.id for e in events])
            for event in shown:
                yield event  # type: ignore[misc]

    @strawberry.subscription(description="Opportunities as they change (matching the filter, if given).")
    async def opportunity_changed(
        self,
        info: Info,
        filter: Annotated[
            OpportunityFilter | None, strawberry.argument(description="Only opportunities matching this.")
        ] = None,
    ) -> AsyncGenerator[OpportunityType, None]:
        user = await _user(info)
        last = await _last_event_id()
        while True:
            await asyncio.sleep(POLL_SECONDS)
            events = await m.TimelineEvent.filter(subject_type="Opportunity", id__gt=last).order_by("id").limit(BATCH)
            if not events:
                continue
            last = events[-1].id
            ids = list(dict.fromkeys(e.subject_id for e in events))
            rows = await access.scoped(m.Opportunity, user).filter(to_q("Opportunity", filter, user), id__in=ids)
            by_id = {r.id: r for r in rows}
            for pk in ids:
                if pk in by_id:
                    yield by_id[pk]  # type: ignore[misc]
