"""Committed timeline events, pushed to the listeners of this process (subscriptions).

One ``Hub`` per worker process (per event loop) reads every new event once and hands the
same batch to all its listeners; nothing polls, and the database does no work at rest.

- PostgreSQL: a trigger (migration 0005) sends ``NOTIFY crm_timeline, '<event id>'`` in the
  transaction that inserts the event, so the notification arrives only after COMMIT, on
  every worker and host. The hub LISTENs on a dedicated asyncpg connection (outside the
  pool), gathers the ids that arrive together and fetches those events in one SELECT.
- SQLite (one process): ``timeline.record`` calls :func:`poke`. The hub then reads the events
  after the last one it has seen. Tortoise has no on-commit hook, but its SQLite client holds
  one lock for a whole transaction and every other statement waits for it: the read runs
  after the COMMIT (or rollback) of the writing transaction and sees committed rows only.

Listeners get batches through a bounded queue (``QUEUE_BATCHES``): one that cannot keep up
is marked ``overflowed`` and gets nothing more, so memory never grows with a slow reader.
The hub connects when its first listener arrives and disconnects when the last one leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.expressions import Case, When

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.models.base import flat_values
from crm_graphql.services import access

CHANNEL = "crm_timeline"
#: Batches a listener may have waiting before it counts as too slow.
QUEUE_BATCHES = 100
#: Events read in one SELECT.
FETCH_LIMIT = 500

log = logging.getLogger("crm_graphql.live")


@dataclass(eq=False)
class Batch:
    """Events that arrived together, shared by every listener of the process.

    Which of them each listening user may see is asked once per batch, for every user of
    the process at once: one statement (the users' ``access.visible_events`` conditions
    joined by UNION ALL), however many users and subscriptions there are.
    """

    events: list[m.TimelineEvent]
    users: Mapping[int, Actor | None] = field(default_factory=dict)
    _visible: asyncio.Future[dict[int, set[int]]] | None = None

    async def visible_events(self, user: Actor | None, events: list[m.TimelineEvent]) -> list[m.TimelineEvent]:
        """``events`` (of this batch) that ``user`` may see, by services.access."""
        uid = int(getattr(user, "id", 0))
        if self._visible is None:
            self._visible = asyncio.ensure_future(self._query({**self.users, uid: user}))
        visible = await asyncio.shield(self._visible)
        if uid not in visible:  # a user who started listening after the batch arrived
            visible.update(await self._query({uid: user}))
        shown = visible[uid]
        return [e for e in events if e.id in shown]

    async def _query(self, users: Mapping[int, Actor | None]) -> dict[int, set[int]]:
        subjects = {e.subject_type for e in self.events}
        models = [model for model in access.EVENT_SUBJECTS if model.__name__ in subjects]
        # text results: a bound integer in CASE ... THEN has no type on PostgreSQL
        columns = {
            f"visible_to_{uid}": Case(When(access.visible_events(user, models), then="y"), default="n")
            for uid, user in users.items()
        }
        rows = (
            await m.TimelineEvent.filter(id__in=[e.id for e in self.events]).annotate(**columns).values("id", *columns)
        )
        return {uid: {row["id"] for row in rows if row[f"visible_to_{uid}"] == "y"} for uid in users}


class Listener:
    def __init__(self, user: Actor | None = None) -> None:
        self.user = user
        self.queue: asyncio.Queue[Batch] = asyncio.Queue(maxsize=QUEUE_BATCHES)
        self.overflowed = False

    def offer(self, batch: Batch) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(batch)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self.queue.empty():  # free what it will never read
                self.queue.get_nowait()

    def abort(self) -> None:
        """Stop this listener now (the event feed was lost): ``next`` answers None."""
        self.overflowed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(Batch([]))

    async def next(self) -> Batch | None:
        """The next batch, or None once this listener fell too far behind."""
        if self.overflowed:
            return None
        batch = await self.queue.get()
        return None if self.overflowed else batch


class Hub:
    def __init__(self) -> None:
        self.listeners: set[Listener] = set()
        self._wake = asyncio.Event()
        self._pending: set[int] = set()
        self._last_id = 0
        self._task: asyncio.Task[None] | None = None
        self._pg: Any = None
        self._postgres = False
        self._starting: asyncio.Future[None] | None = None
        self._stopping: asyncio.Future[None] | None = None

    # --- listeners ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def listen(self, user: Actor | None = None) -> AsyncIterator[Listener]:
        """A listener for the events committed from now on (LISTEN is active on return);
        ``user``: whose visibility the batches should have ready."""
        listener = Listener(user)
        self.listeners.add(listener)
        try:
            await self._ensure_started()
            yield listener
        finally:
            self.listeners.discard(listener)
            if not self.listeners:
                await self.stop()

    def poke(self) -> None:
        if self.listeners and not self._postgres:
            self._wake.set()

    # --- lifecycle ---------------------------------------------------------------------------

    async def _ensure_started(self) -> None:
        if self._task is not None and self._starting is None:
            return
        if self._starting is not None:
            await asyncio.shield(self._starting)
            return
        self._starting = asyncio.get_running_loop().create_future()
        try:
            client = connections.get("default")
            self._postgres = client.capabilities.dialect == "postgres"
            if self._postgres:
                await self._connect(client)
            else:
                last = await flat_values(m.TimelineEvent.all().order_by("-id").limit(1).values_list("id", flat=True))
                self._last_id = int(last[0]) if last else 0
            self._task = asyncio.create_task(self._run(), name="crm-live-hub")
            self._starting.set_result(None)
        except BaseException as e:
            self._starting.set_exception(e)
            self._starting.exception()  # retrieved: waiters re-raise it
            raise
        finally:
            self._starting = None

    async def _connect(self, client: Any) -> None:
        import asyncpg

        self._pg = await asyncpg.connect(
            host=client.host, port=client.port, user=client.user, password=client.password, database=client.database
        )
        await self._pg.add_listener(CHANNEL, self._notified)
        self._pg.add_termination_listener(self._lost)

    def _lost(self, connection: Any) -> None:
        """The LISTEN connection died (database restart, network): events could be missed
        from now on, so every listener stops (their sockets close with 1013 and clients
        subscribe again, which connects anew)."""
        if connection is not self._pg:
            return
        log.warning("The LISTEN connection was lost; closing %d subscription(s).", len(self.listeners))
        self._pg = None
        for listener in list(self.listeners):
            listener.abort()
        self._stopping = asyncio.ensure_future(self.stop())

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        if payload.isdigit():
            self._pending.add(int(payload))
            self._wake.set()

    async def stop(self) -> None:
        # take everything first: a listener arriving meanwhile starts a new task and connection
        task, self._task = self._task, None
        pg, self._pg = self._pg, None
        self._pending.clear()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if pg is not None:
            with contextlib.suppress(Exception):
                await pg.close(timeout=2)

    # --- the loop ----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while True:
                    events = await self._fetch()
                    if not events:
                        break
                    users = {int(lr.user.id): lr.user for lr in self.listeners if lr.user is not None}
                    batch = Batch(events, users)
                    for listener in list(self.listeners):
                        listener.offer(batch)
                    if len(events) < FETCH_LIMIT:
                        break
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away: keep the ids (PostgreSQL) and try again
                log.exception("Reading new timeline events failed; retrying.")
                await asyncio.sleep(1)
                self._wake.set()

    async def _fetch(self) -> list[m.TimelineEvent]:
        if self._postgres:
            ids = sorted(self._pending)[:FETCH_LIMIT]
            if not ids:
                return []
            rows = await m.TimelineEvent.filter(id__in=ids).order_by("id")
            self._pending.difference_update(ids)
            return list(rows)
        rows = await m.TimelineEvent.filter(id__gt=self._last_id).order_by("id").limit(FETCH_LIMIT)
        if rows:
            self._last_id = rows[-1].id
        return list(rows)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """This event loop's hub (tests run one loop per test; a server worker runs one loop)."""
    loop = asyncio.get_running_loop()
    for old in [lp for lp in _hubs if lp.is_closed()]:
        del _hubs[old]
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found


def poke() -> None:
    """A timeline event was written (SQLite: read it once the transaction is over)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    found = _hubs.get(loop)
    if found is not None:
        found.poke()


async def shutdown() -> None:
    with contextlib.suppress(RuntimeError):
        found = _hubs.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.stop()
