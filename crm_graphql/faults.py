"""Database faults that are nobody's mistake: the database cannot be reached, is shutting
down or starting up, dropped the connection, is locked by another process, full or
read-only. They answer HTTP 503 with a GraphQL error ``SERVICE_UNAVAILABLE`` and a
``Retry-After`` header, and log one line (the request's JSON line, no traceback).

:func:`classify` looks through an exception, its causes and contexts (tortoise wraps driver
errors in its own, and a failed rollback chains the error that caused it) and returns a
:class:`Fault` or None for anything else (a bug stays a masked ``INTERNAL_SERVER_ERROR``
with its traceback in the log).
"""

from __future__ import annotations

import asyncio
import errno
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

CODE = "SERVICE_UNAVAILABLE"
#: Seconds a client should wait before trying again.
RETRY_AFTER_SECONDS = 2


@dataclass(frozen=True)
class Fault:
    #: "connection" (PostgreSQL unreachable or the connection broke: a fresh connection may
    #: work at once), "locked", "full", "read_only" (SQLite file faults).
    kind: str
    #: For the client: what is wrong, without SQL or internals.
    message: str
    #: For the log: the driver's exception, one line.
    detail: str


_MESSAGES = {
    "connection": "The database cannot be reached right now. Nothing was changed unless a previous answer said so; "
    "retry after a moment.",
    "locked": "The database is busy (locked by another process). Nothing was written; retry after a moment.",
    "full": "The database's disk is full. Nothing was written.",
    "read_only": "The database is read-only right now. Nothing was written.",
    "draining": "The server is shutting down; retry on another instance or after a moment.",
}

_SQLITE_KINDS = (
    ("database is locked", "locked"),
    ("database table is locked", "locked"),
    ("database or disk is full", "full"),
    ("disk i/o error", "full"),
    ("readonly database", "read_only"),
    ("read-only", "read_only"),
    ("unable to open database file", "read_only"),
)

_INTERFACE_HINTS = (
    "connection is closed",
    "connection was closed",
    "another operation is in progress",
    "underlying connection is closed",
    "pool is closing",
    "cannot switch to state",
)


def fault(kind: str, detail: str = "") -> Fault:
    return Fault(kind, _MESSAGES[kind], detail or kind)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 20:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo.extend([e.__cause__, e.__context__, getattr(e, "original_error", None)])
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
    return seen


def _classify_one(exc: BaseException) -> str | None:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        asyncpg = None
    if asyncpg is not None:
        # 08xxx connection exceptions, 57P01..03 admin/crash shutdown, cannot connect now
        if isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.OperatorInterventionError) and not isinstance(
            exc, asyncpg.QueryCanceledError
        ):
            return "connection"
        if isinstance(exc, asyncpg.TooManyConnectionsError):
            return "connection"
        if isinstance(exc, asyncpg.InterfaceError) and any(h in str(exc) for h in _INTERFACE_HINTS):
            return "connection"
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        for needle, kind in _SQLITE_KINDS:
            if needle in text:
                return kind
        return None
    if isinstance(exc, ConnectionError | TimeoutError | asyncio.TimeoutError):
        return "connection"
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno == errno.ENOSPC:
            return "full"
        if exc.errno == errno.EROFS:
            return "read_only"
        return "connection"  # refused, unreachable, name resolution
    from tortoise.exceptions import DBConnectionError

    if isinstance(exc, DBConnectionError):
        return "connection"
    return None


def classify(exc: BaseException) -> Fault | None:
    """The database fault behind ``exc``, if it is one."""
    for e in _chain(exc):
        if isinstance(e, asyncio.CancelledError):
            return None
        kind = _classify_one(e)
        if kind is not None:
            return fault(kind, f"{type(e).__name__}: {str(e)[:200]}")
    return None


def response(found: Fault, *, close: bool = False) -> JSONResponse:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if close:
        headers["Connection"] = "close"
    return JSONResponse(
        {"errors": [{"message": found.message, "extensions": {"code": CODE}}]}, status_code=503, headers=headers
    )


#: Who wants to hear of a fault met while serving a request (the request log registers itself:
#: this module stays below the API layer and imports nothing from it).
_LISTENERS: list[Callable[[Fault], None]] = []


def on_fault(listener: Callable[[Fault], None]) -> Callable[[Fault], None]:
    _LISTENERS.append(listener)
    return listener


def note(found: Fault) -> None:
    """Tell the listeners (the request's log line: outcome ``unavailable``, ``error`` the detail)."""
    for listener in _LISTENERS:
        listener(found)


class ServiceUnavailable:
    """ASGI middleware: a database fault that escapes a route before its response started
    becomes the 503 answer, not Starlette's plain-text 500 and a traceback."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            found = classify(exc)
            if found is None or started:
                raise
            note(found)
            await response(found)(scope, receive, send)
