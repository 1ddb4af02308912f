"""Subscriptions: ``timelineEvent`` and ``opportunityChanged``.

Events come from ``services.live``: pushed after COMMIT (PostgreSQL NOTIFY, on every worker;
an in-process broadcast on SQLite), read once per worker and shared by every subscription.
Nothing polls. Each event is checked against the subscriber's visibility (services.access,
asked once per user and batch of events) before it is delivered, and read with fresh
DataLoaders (nothing cached from an earlier event). The WebSocket transport and the sharing
of one execution between identical subscriptions live in ``api.transport.websocket``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from graphql import GraphQLError

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.api.context import Info
from crm_graphql.api.fields import subscription
from crm_graphql.api.filters import SPECS, to_q
from crm_graphql.api.relay import MODELS, MalformedId, from_global_id
from crm_graphql.api.types.activity import TimelineEventType
from crm_graphql.api.types.pipeline import OpportunityType
from crm_graphql.services import live, loaders, timeline, users

if TYPE_CHECKING:
    OpportunityFilter = Any  # built at import from the filter spec (api/specs): no class mypy can read
else:
    OpportunityFilter = SPECS["Opportunity"].filter_input


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


async def _batches(info: Info) -> AsyncGenerator[live.Batch, None]:
    """Batches of committed events from now on; stops (flagging the context) when this
    subscription falls too far behind."""
    async with live.hub().listen(info.context.user) as listener:
        if info.context.on_listening is not None:
            info.context.on_listening()
        while True:
            batch = await listener.next()
            if batch is None:
                info.context.overflowed = True
                return
            yield batch


@strawberry.type
class Subscription:
    @subscription(
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
        wanted: set[tuple[str, int]] | None = None
        account_id: int | None = None
        if subject_id is not None:
            try:
                type_name, pk = from_global_id(subject_id)
            except MalformedId:
                return
            if not await loaders.is_visible(user, MODELS[type_name], pk):
                return
            wanted = {(type_name, pk)}
            if type_name == "Account":
                account_id = pk
        async with aclosing(_batches(info)) as batches:
            async for batch in batches:
                candidates = [
                    e
                    for e in batch.events
                    if wanted is None
                    or (e.subject_type, e.subject_id) in wanted
                    or (account_id is not None and e.account_id == account_id and e.subject_type in timeline.FANS_OUT)
                ]
                if not candidates:
                    continue
                for event in await batch.visible_events(user, candidates):
                    info.context.fresh_loaders()
                    yield event  # type: ignore[misc]  # a row: strawberry reads the GraphQL type from the annotation

    @subscription(description="Opportunities as they change (matching the filter, if given).")
    async def opportunity_changed(
        self,
        info: Info,
        filter: Annotated[
            OpportunityFilter | None, strawberry.argument(description="Only opportunities matching this.")
        ] = None,
    ) -> AsyncGenerator[OpportunityType, None]:
        # Not a generator itself: the token and the filter (bounds, values) are checked here,
        # at subscribe time, so a refusal is an `error` message before any event (a
        # generator's body would only run at the first event).
        user = await _user(info)
        to_q("Opportunity", filter, user)
        return _opportunity_changes(info, user, filter)


async def _opportunity_changes(info: Info, user: Actor | None, filter: Any) -> AsyncGenerator[OpportunityType, None]:
    async with aclosing(_batches(info)) as batches:
        async for batch in batches:
            ids = list(dict.fromkeys(e.subject_id for e in batch.events if e.subject_type == "Opportunity"))
            if not ids:
                continue
            rows = await loaders.visible_among(user, m.Opportunity, to_q("Opportunity", filter, user), ids)
            by_id = {r.id: r for r in rows}
            for pk in ids:
                if pk in by_id:
                    info.context.fresh_loaders()
                    yield by_id[pk]  # type: ignore[misc]  # a row: strawberry reads the GraphQL type from the annotation
