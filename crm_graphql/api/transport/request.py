"""One record per HTTP request: its id, timing, SQL statements, operation and outcome.

- :class:`ObserveRequests` (outermost ASGI middleware) gives every request an id (a sane
  incoming ``X-Request-Id`` is kept, else a new one), answers it in ``X-Request-Id``,
  and when the response is done writes one structured log line (JSON, logger
  ``crm_graphql.requests``) and, for the GraphQL endpoint, the Prometheus metrics.
- :class:`ObserveOperation` (schema extension) tells it the operation's name, type,
  outcome and user.
- :class:`StatementMeter` counts the SQL statements that tortoise logs into the request's
  record (a ``ContextVar``: DataLoader batches run in tasks created inside the request and
  count towards it too).

The masked-error log of ``api.limits`` uses the same request id (:func:`current_request_id`),
so a client's ``requestId`` leads to both lines. The log line never holds the query string,
variables or tokens.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.datastructures import MutableHeaders
from strawberry.extensions import SchemaExtension

from crm_graphql import faults
from crm_graphql.api.transport import metrics
from crm_graphql.api.transport.results import is_request_error

logger = logging.getLogger("crm_graphql.requests")

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
_SQL_HEADS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})


@dataclass
class RequestInfo:
    request_id: str
    statements: int = 0
    operation: str | None = None
    operation_type: str | None = None
    outcome: str | None = None
    user_id: int | None = None
    #: Automatic persisted query: "hit", "miss" or "registered".
    persisted_query: str | None = None
    #: A database fault (``crm_graphql.faults``), one line: the request answered 503.
    error: str | None = None


_current: ContextVar[RequestInfo | None] = ContextVar("crm_graphql_request", default=None)


def current() -> RequestInfo | None:
    return _current.get()


@faults.on_fault
def _note_fault(found: faults.Fault) -> None:
    """A database fault met while serving the request goes on its log line."""
    info = current()
    if info is not None:
        info.outcome = "unavailable"
        if info.error is None:
            info.error = found.detail


def current_request_id() -> str | None:
    info = _current.get()
    return info.request_id if info is not None else None


class StatementMeter(logging.Filter):
    """Counts data statements into the current request; lets records through only when
    someone listens (a handler on the logger, or DEBUG was asked for before we lowered it)."""

    def __init__(self, target: logging.Logger) -> None:
        super().__init__()
        self.target = target
        self.wanted = target.getEffectiveLevel() <= logging.DEBUG

    def filter(self, record: logging.LogRecord) -> bool:
        info = _current.get()
        if info is not None:
            sql = record.args[0] if isinstance(record.args, tuple) and record.args else record.msg
            if isinstance(sql, str) and _is_data_statement(sql):
                info.statements += 1
        return self.wanted or bool(self.target.handlers)


def _is_data_statement(sql: str) -> bool:
    head = sql.lstrip()[:8].split(None, 1)
    return bool(head) and head[0].upper() in _SQL_HEADS


def install_statement_meter() -> None:
    """Idempotent: count SQL statements per request from tortoise's DEBUG log."""
    target = logging.getLogger("tortoise.db_client")
    if any(isinstance(f, StatementMeter) for f in target.filters):
        return
    meter = StatementMeter(target)
    target.addFilter(meter)
    if target.getEffectiveLevel() > logging.DEBUG:
        target.setLevel(logging.DEBUG)


def _incoming_id(scope: Any) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


def _outcome_from_status(status: int) -> str:
    if status == 401:
        return "unauthenticated"
    if status == 503:
        return "unavailable"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "rejected"
    return "error"  # a 2xx without a finished operation: it was cancelled (timeout)


class ObserveRequests:
    """ASGI middleware: request id, timing, one log line, metrics for ``graphql_path``."""

    def __init__(self, app: Any, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.graphql_path = graphql_path

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id=_incoming_id(scope) or uuid.uuid4().hex)
        token = _current.set(info)
        started = time.perf_counter()
        status = 500
        sent = 0

        async def observed_send(message: Any) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, info.request_id)
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            _current.reset(token)
            seconds = time.perf_counter() - started
            self._finish(scope, info, status, seconds, sent)

    def _finish(self, scope: Any, info: RequestInfo, status: int, seconds: float, sent: int) -> None:
        graphql = scope.get("path") == self.graphql_path
        if graphql and info.outcome is None and info.operation is None and status < 300:
            graphql = False  # the GraphiQL page, not an operation
        outcome = info.outcome or (_outcome_from_status(status) if graphql else None)
        if info.error is not None:
            outcome = "unavailable"
        if info.user_id is None:  # refused before the operation ran: the view still knows who asked
            info.user_id = getattr(scope.get("state", {}).get("user"), "id", None)
        operation = metrics.operation_label(info.operation) if info.operation_type else "none"
        if graphql:
            metrics.observe_request(operation, outcome or "error", seconds, info.statements)
        if logger.isEnabledFor(logging.INFO):
            client = scope.get("client")
            line = {
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "event": "request",
                "request_id": info.request_id,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "bytes": sent,
                "sql_statements": info.statements,
                "operation": info.operation,
                "operation_type": info.operation_type,
                "outcome": outcome,
                "persisted_query": info.persisted_query,
                "error": info.error,
                "user_id": info.user_id,
                "client": client[0] if client else None,
                "pid": os.getpid(),
            }
            logger.info(orjson.dumps({k: v for k, v in line.items() if v is not None}).decode())


class ObserveOperation(SchemaExtension):
    """Tells the request record which operation ran, for whom, and how it ended."""

    def on_operation(self) -> Iterator[None]:
        info = _current.get()
        try:
            yield
        except GraphQLError:
            if info is not None:
                info.outcome = "invalid"
            raise
        if info is not None:
            self._record(info)

    def _record(self, info: RequestInfo) -> None:
        ctx = self.execution_context
        user = getattr(ctx.context, "user", None)
        info.user_id = getattr(user, "id", None)
        if ctx.graphql_document is not None:
            try:
                info.operation_type = ctx.operation_type.value
                info.operation = ctx.operation_name
            except RuntimeError:  # no such operation in the document
                pass
        result = ctx.result
        if result is None or is_request_error(result):
            info.outcome = "invalid"
        elif result.errors:
            info.outcome = "error"
        elif info.operation_type == "mutation" and _has_user_errors(result.data):
            info.outcome = "user_error"
        else:
            info.outcome = "ok"


def _has_user_errors(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    return any(isinstance(payload, dict) and payload.get("userErrors") for payload in data.values())
