"""Subscriptions over WebSocket at ``/graphql``: ``graphql-transport-ws`` and the legacy
``graphql-ws`` (strawberry's handlers, adapted).

- Origin: a browser's socket carries ``Origin`` and browsers apply no CORS to WebSockets, so
  the upgrade is refused (HTTP 403) unless the origin is configured (``CRM_CORS_ORIGINS``) or
  is the server's own origin. Own origin means ``Origin`` names the ``Host`` the request was
  sent to *and* that host is an IP address, ``localhost``, the configured host or a name in
  ``CRM_ALLOWED_HOSTS``: a page of a
  rebound DNS name (``evil.example`` resolving to 127.0.0.1) sends ``Origin`` and ``Host`` of
  that name, which match each other and are still refused. A socket without ``Origin`` is no
  browser and is not refused for it.
- Authentication: the token in the ``connection_init`` payload
  (``{"Authorization": "Bearer <token>"}``) or an ``Authorization`` header on the upgrade.
  Without a valid one the socket is closed with 4401 before any ``connection_ack`` (strawberry
  would close with 4403 / 1011).
- Frames are text (``orjson`` gives bytes, which strawberry would send as binary frames).
- Every operation gets a fresh context (DataLoaders never outlive an operation).
- Identical subscriptions share one execution: sockets with the same document, operation,
  variables and user form a group; the group runs the subscription once per worker and
  hands each result to its members. Each member has a bounded queue (``MEMBER_QUEUE``): a
  socket that does not read fast enough is closed with 1013 ("try again later") instead of
  buffering without bound; a group whose own reading of events falls behind closes all its
  sockets the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import ipaddress
import logging
import os
import uuid
from collections.abc import AsyncGenerator, Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import orjson
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import PreExecutionError

from crm_graphql.api import internals
from crm_graphql.api.transport import metrics
from crm_graphql.settings import Settings

UNAUTHORIZED = 4401
BAD_REQUEST = 4400
TIMED_OUT = 4408
TOO_MANY = 4429
#: Per worker: open sockets of one user (one more is closed with 4429 at connection_init)
#: and active subscriptions of one user, all sockets together (one more gets an ``error``
#: TOO_MANY_SUBSCRIPTIONS).
MAX_SOCKETS_PER_USER = 10
MAX_SUBSCRIPTIONS_PER_USER = 50
#: A subscription runs its selection once per event for each of its users: its requested
#: nodes (limits.analyse, GitHub's formula) are bounded lower than a query's.
MAX_SUBSCRIPTION_NODES = 20
TOO_SLOW = 1013
MEMBER_QUEUE = 100
TOKEN_REASON = "Unauthorized: send a valid API token in the connection_init payload"
log = logging.getLogger("crm_graphql.websocket")


# --- origin ------------------------------------------------------------------------------------


def _host_name(netloc: str) -> str:
    return (urlsplit(f"//{netloc}").hostname or "").lower()


def _allowed_name(host: str, patterns: tuple[str, ...]) -> bool:
    for pattern in (p.lower() for p in patterns):
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def _own_host(host: str, settings: Settings) -> bool:
    if host == "localhost" or (settings.host and host == settings.host.lower() and host not in {"0.0.0.0", "::"}):
        return True
    if _allowed_name(host, settings.allowed_hosts):  # CRM_ALLOWED_HOSTS: names the operator vouches for
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def origin_allowed(headers: Any, settings: Settings) -> bool:
    if len(headers.getlist("host")) > 1:
        return False  # ambiguous (RFC 9112: a request with more than one Host is refused)
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser
    origin = origin.rstrip("/").lower()
    if origin in {o.rstrip("/").lower() for o in settings.cors_origins}:
        return True
    parts = urlsplit(origin)
    host_header = (headers.get("host") or "").lower()
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.netloc != host_header:
        return False
    return _own_host(_host_name(host_header), settings)


# --- frames ------------------------------------------------------------------------------------


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    async def send_json(self, message: Any) -> None:
        from starlette.websockets import WebSocketDisconnect
        from strawberry.http.exceptions import WebSocketDisconnected

        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


# --- shared executions -------------------------------------------------------------------------

_END = object()
#: The member's socket is being closed (1013): send nothing more, not even ``complete`` (a
#: client resubscribes after a close, but forgets a subscription that completed).
_DROPPED = object()


@lru_cache(maxsize=256)
def operation_type(query: str, operation_name: str | None) -> OperationType | None:
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for op in operations:
        if (operation_name is None and len(operations) == 1) or (op.name and op.name.value == operation_name):
            return op.operation
    return None


class Member:
    def __init__(self, close: Callable[[int, str], Any]) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=MEMBER_QUEUE)
        self.close = close
        self.dropped = False
        self.user_id = 0


class Group:
    """One execution of a subscription for every socket of a worker that sent the same
    document, operation name and variables as the same user."""

    def __init__(self, key: tuple[Any, ...], groups: dict[tuple[Any, ...], Group]) -> None:
        self.key = key
        self.groups = groups
        self.members: set[Member] = set()
        self.ready = asyncio.Event()  # listening for events, or finished
        self.listening = False
        self.task: asyncio.Task[None] | None = None

    def start(self, schema: Any, query: str, variables: Any, operation_name: str | None, context: Any) -> None:
        def on_listening() -> None:
            self.listening = True
            self.ready.set()

        context = dataclasses.replace(context, on_listening=on_listening, overflowed=False, _loaders={})
        self.task = asyncio.create_task(self._pump(schema, query, variables, operation_name, context))

    async def _pump(self, schema: Any, query: str, variables: Any, operation_name: str | None, context: Any) -> None:
        try:
            source = await schema.subscribe(
                query, variable_values=variables, context_value=context, operation_name=operation_name
            )
            async with contextlib.aclosing(source):
                async for result in source:
                    self.ready.set()
                    for member in list(self.members):
                        self._offer(member, result)
            if context.overflowed:
                for member in list(self.members):
                    self._drop(member, "Events interrupted (too slow, or the event feed was lost): subscribe again.")
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("A shared subscription failed.")
        finally:
            self.groups.pop(self.key, None)
            self.ready.set()
            for member in list(self.members):
                with contextlib.suppress(asyncio.QueueFull):
                    member.queue.put_nowait(_END)

    def _offer(self, member: Member, result: Any) -> None:
        try:
            member.queue.put_nowait(result)
        except asyncio.QueueFull:
            self._drop(member, f"Too slow: more than {MEMBER_QUEUE} results waiting to be sent.")

    def _drop(self, member: Member, reason: str) -> None:
        self.members.discard(member)
        member.dropped = True
        while not member.queue.empty():
            member.queue.get_nowait()
        member.queue.put_nowait(_DROPPED)
        task = asyncio.ensure_future(member.close(TOO_SLOW, reason))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def leave(self, member: Member) -> None:
        self.members.discard(member)
        if not self.members and self.task is not None:
            self.groups.pop(self.key, None)
            self.task.cancel()


class SharedStreams:
    """Stands in for the schema in the WebSocket handlers: subscriptions go through groups,
    queries and mutations run as usual; every operation gets a fresh context."""

    def __init__(self, schema: Any, groups: dict[tuple[Any, ...], Group], close: Callable[[int, str], Any],
                 view: Any = None) -> None:  # fmt: skip
        self.schema = schema
        self.groups = groups
        self.close = close
        self.view = view
        #: This socket's subscriptions counted in ``view.ws_subscriptions`` (released when
        #: each ends, the rest when the socket closes).
        self.counted: set[object] = set()

    async def subscribe(self, query: str, variable_values: Any = None, context_value: Any = None,
                        root_value: Any = None, operation_name: str | None = None) -> Any:  # fmt: skip
        return await self.stream(query, variable_values, context_value, root_value, operation_name)

    async def stream(self, query: str, variable_values: Any = None, context_value: Any = None,
                     root_value: Any = None, operation_name: str | None = None) -> Any:  # fmt: skip
        context = dataclasses.replace(context_value, _loaders={})
        user = getattr(context, "user", None)
        if (
            not isinstance(query, str)
            or user is None
            or operation_type(query, operation_name) is not OperationType.SUBSCRIPTION
        ):
            return await self.schema.stream(
                query, variable_values=variable_values, context_value=context,
                root_value=root_value, operation_name=operation_name,
            )  # fmt: skip
        refusal = self._refusal(query, variable_values, operation_name, int(user.id))
        if refusal is not None:
            return _refused(refusal)
        variables = orjson.dumps(variable_values or {}, option=orjson.OPT_SORT_KEYS)
        key = (query, operation_name, variables, int(user.id))
        group = self.groups.get(key)
        member = Member(self.close)
        self._count(member, int(user.id))
        if group is None:
            group = self.groups[key] = Group(key, self.groups)
            group.members.add(member)
            group.start(self.schema, query, variable_values, operation_name, context)
        else:
            group.members.add(member)
        return self._member_stream(group, member)

    def _refusal(self, query: str, variables: Any, operation_name: str | None, user_id: int) -> GraphQLError | None:
        from crm_graphql.api.limits import analyse

        if self.view is not None and self.view.ws_subscriptions[user_id] >= MAX_SUBSCRIPTIONS_PER_USER:
            return GraphQLError(
                f"Too many subscriptions: at most {MAX_SUBSCRIPTIONS_PER_USER} per user are active at once "
                "(on all your sockets); complete one first.",
                extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
            )
        document = _parse(query)
        if document is None:
            return None
        cost, _ = analyse(internals.graphql_schema(self.schema), document, operation_name, variables)
        if cost.requested_nodes > MAX_SUBSCRIPTION_NODES:
            return GraphQLError(
                f"A subscription may request at most {MAX_SUBSCRIPTION_NODES} nodes per event; "
                f"this one requests {cost.requested_nodes}.",
                extensions={"code": "MAX_NODES_EXCEEDED"},
            )
        return None

    def _count(self, member: Member, user_id: int) -> None:
        if self.view is not None:
            self.view.ws_subscriptions[user_id] += 1
            member.user_id = user_id
            self.counted.add(member)

    def release(self, member: Any) -> None:
        if member in self.counted:
            self.counted.discard(member)
            counter = self.view.ws_subscriptions
            counter[member.user_id] -= 1
            if counter[member.user_id] <= 0:
                del counter[member.user_id]

    def release_all(self) -> None:
        for member in list(self.counted):
            self.release(member)

    async def _member_stream(self, group: Group, member: Member) -> AsyncGenerator[Any, None]:
        try:
            await group.ready.wait()
            opened = contextlib.ExitStack()
            if group.listening:
                opened.enter_context(metrics.open_subscription())
            with opened:
                while True:
                    item = await member.queue.get()
                    if item is _END:
                        return
                    if item is _DROPPED:
                        await asyncio.Event().wait()  # until the closing socket cancels this operation
                    yield item
        finally:
            group.leave(member)
            self.release(member)


async def _refused(error: GraphQLError) -> AsyncGenerator[Any, None]:
    yield PreExecutionError(data=None, errors=[error])


@lru_cache(maxsize=256)
def _parse(query: str) -> Any:
    try:
        return parse(query)
    except GraphQLError:
        return None


#: Groups of this worker (one event loop per worker; tests create their own view per app).
def new_groups() -> dict[tuple[Any, ...], Group]:
    return {}


# --- handlers ----------------------------------------------------------------------------------


def _log_accepted(handler: Any, protocol: str) -> None:
    """One JSON line per acknowledged socket on the request log (``x-request-id`` honoured)."""
    from crm_graphql.api.transport.request import _incoming_id, logger

    if not logger.isEnabledFor(logging.INFO):
        return
    scope = handler.websocket.ws.scope
    client = scope.get("client")
    line = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "event": "websocket",
        "request_id": _incoming_id(scope) or uuid.uuid4().hex,
        "path": scope.get("path"),
        "protocol": protocol,
        "user_id": getattr(handler.context.user, "id", None),
        "client": client[0] if client else None,
        "pid": os.getpid(),
    }
    logger.info(orjson.dumps({k: v for k, v in line.items() if v is not None}).decode())


class Bounded:
    """Bounds shared by both protocols, per worker: sockets waiting for ``connection_init``
    (``CRM_WS_MAX_PENDING``; one more is closed with 1013), ``connection_init`` within
    ``CRM_WS_INIT_TIMEOUT`` seconds (else 4408), ``MAX_SOCKETS_PER_USER`` open sockets per
    user (one more is closed with 4429)."""

    view: Any
    websocket: Any
    context: Any
    schema: Any

    async def handle(self) -> None:
        view = self.view
        self.pending = False
        self.counted_user: int | None = None
        if view.ws_pending >= view.settings.ws_max_pending:
            await self.websocket.close(code=TOO_SLOW, reason="Too many sockets waiting for connection_init: try later.")
            return
        view.ws_pending += 1
        self.pending = True
        try:
            await super().handle()  # type: ignore[misc]  # a mixin over strawberry's handlers: mypy cannot see the base of super()
        finally:
            self.authenticated()
            if self.counted_user is not None:
                view.ws_sockets[self.counted_user] -= 1
                if view.ws_sockets[self.counted_user] <= 0:
                    del view.ws_sockets[self.counted_user]
            self.schema.release_all()

    def authenticated(self) -> None:
        if self.pending:
            self.pending = False
            self.view.ws_pending -= 1

    async def admit(self) -> bool:
        """After a valid token: count the socket for its user, or close it (4429)."""
        self.authenticated()
        user_id = int(self.context.user.id)
        if self.counted_user is None:
            if self.view.ws_sockets[user_id] >= MAX_SOCKETS_PER_USER:
                reason = f"Too many open sockets: at most {MAX_SOCKETS_PER_USER} per user."
                await self.websocket.close(code=TOO_MANY, reason=reason)
                return False
            self.view.ws_sockets[user_id] += 1
            self.counted_user = user_id
        return True


async def _authenticate(handler: Any, payload: Any) -> bool:
    context = handler.context
    if context.user is None and isinstance(payload, dict):
        header = payload.get("Authorization") or payload.get("authorization")
        if isinstance(header, str) and header:
            context.user = await handler.view.user_for(header, None)
    return context.user is not None


class TransportWSHandler(Bounded, BaseGraphQLTransportWSHandler[Any, Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = SharedStreams(self.schema, self.view.ws_groups, self.websocket.close, self.view)

    async def handle_connection_init(self, message: Any) -> None:
        payload = message.get("payload", {})
        fresh = isinstance(payload, dict) and not self.connection_init_received and not self.connection_timed_out
        if fresh and not await _authenticate(self, payload):
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=UNAUTHORIZED, reason=TOKEN_REASON)
            return
        if fresh and not await self.admit():
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            return
        await super().handle_connection_init(message)
        if fresh and self.connection_acknowledged:
            _log_accepted(self, "graphql-transport-ws")


class LegacyWSHandler(Bounded, BaseGraphQLWSHandler[Any, Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = SharedStreams(self.schema, self.view.ws_groups, self.websocket.close, self.view)

    async def handle(self) -> None:
        timer = asyncio.create_task(self._init_timeout())  # the legacy handler has none of its own
        try:
            await super().handle()
        finally:
            timer.cancel()

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_acknowledged:
            with contextlib.suppress(Exception):
                await self.websocket.close(code=TIMED_OUT, reason="Connection initialisation timeout")

    async def handle_connection_init(self, message: Any) -> None:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            reason = "The connection_init payload must be an object."
            await self.send_message({"type": "connection_error", "payload": {"message": reason}})
            await self.websocket.close(code=BAD_REQUEST, reason=reason)
            return
        if not await _authenticate(self, payload or {}):
            await self.send_message({"type": "connection_error", "payload": {"message": TOKEN_REASON}})
            await self.websocket.close(code=UNAUTHORIZED, reason=TOKEN_REASON)
            return
        if not await self.admit():
            return
        already = self.connection_acknowledged
        await super().handle_connection_init(message)
        if self.connection_acknowledged and not already:
            _log_accepted(self, "graphql-ws")
