"""Automatic persisted queries, Apollo's protocol, over POST and GET.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``:

- without ``query``: the server runs the document it registered under that hash, or
  answers ``PERSISTED_QUERY_NOT_FOUND`` (HTTP 200, ``Cache-Control: private, no-cache``,
  as Apollo Server does) and the client sends the hash again with the ``query``;
- with ``query``: the hash must be the SHA-256 of that exact text (else 400); the document
  is registered once it parsed and validated, and runs as usual.

Another version or a malformed hash is a 400. Over GET the same fields are query
parameters (``extensions`` JSON-encoded), which keeps URLs short and cacheable
(``http_cache``); a mutation over GET is still 405, persisted or not.

The store (:class:`PersistedQueryStore`) is bounded twice: an LRU in each process
(``MEMORY_ENTRIES`` documents, ``MEMORY_BYTES`` characters) in front of the
``persisted_queries`` table, which every worker shares (a document registered through one
worker runs on all, on PostgreSQL as on SQLite) and which is pruned to its newest
``TABLE_ROWS`` rows. Documents over ``MAX_QUERY_CHARS`` are run but not registered. The
store is an optimisation: a database error while reading or writing it is logged and
treated as a miss, never as a failed request.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from strawberry.http import GraphQLRequestData

from crm_graphql import faults
from crm_graphql.api.transport import metrics
from crm_graphql.api.transport.request import current
from crm_graphql.api.transport.results import is_request_error
from crm_graphql.services import persisted_queries

logger = logging.getLogger("crm_graphql.apq")

MEMORY_ENTRIES = 1_000
MEMORY_BYTES = 8_000_000
TABLE_ROWS = 5_000
MAX_QUERY_CHARS = 50_000
#: Prune the table after every this many registrations (per process).
PRUNE_EVERY = 50
_HASH = re.compile(r"[0-9a-fA-F]{64}")
_NO_CACHE = {"Cache-Control": "private, no-cache, must-revalidate"}


class PersistedQueryError(Exception):
    """A persisted-query request that cannot run; :meth:`response` is the answer."""

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def response(self, request: Request) -> JSONResponse:
        graphql_response = "application/graphql-response+json" in request.headers.get("accept", "").lower()
        return JSONResponse(
            {"errors": [{"message": self.message, "extensions": {"code": self.code}}]},
            status_code=self.status,
            headers=_NO_CACHE,
            media_type="application/graphql-response+json" if graphql_response else "application/json",
        )


@dataclass
class PersistedRequestData(GraphQLRequestData):
    #: The hash to register the query under once it validated (None: nothing to register).
    register: str | None = None


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedQueryStore:
    """Hash -> document: a per-process LRU in front of the shared table (module docstring)."""

    def __init__(self, *, memory_entries: int = MEMORY_ENTRIES, memory_bytes: int = MEMORY_BYTES) -> None:
        self.memory_entries = memory_entries
        self.memory_bytes = memory_bytes
        self._memory: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._registered = 0

    def __contains__(self, digest: str) -> bool:
        return digest in self._memory

    async def get(self, digest: str) -> str | None:
        query = self._memory.get(digest)
        if query is not None:
            self._memory.move_to_end(digest)
            return query
        try:
            query = await persisted_queries.read(digest)
        except Exception as exc:
            if faults.classify(exc) is not None:
                raise  # the database is down: 503, not "not found"
            logger.warning("Reading persisted query %s failed; answering not found.", digest, exc_info=True)
            return None
        if query is not None:
            self._remember(digest, query)
        return query

    async def put(self, digest: str, query: str) -> bool:
        """Register ``query``; False when it is too long to keep or known already."""
        if len(query) > MAX_QUERY_CHARS or digest in self._memory:
            return False
        self._remember(digest, query)
        try:
            await persisted_queries.register(digest, query)
            self._registered += 1
            if self._registered % PRUNE_EVERY == 0:
                await self.prune()
        except Exception:
            logger.warning("Registering persisted query %s failed; kept in this process only.", digest, exc_info=True)
        return True

    async def prune(self, keep: int = TABLE_ROWS) -> None:
        """Delete all but the newest ``keep`` rows (the clients register them again)."""
        await persisted_queries.prune(keep)

    def _remember(self, digest: str, query: str) -> None:
        if len(query) > self.memory_bytes:
            return
        previous = self._memory.pop(digest, None)
        if previous is not None:
            self._bytes -= len(previous)
        self._memory[digest] = query
        self._bytes += len(query)
        while len(self._memory) > self.memory_entries or self._bytes > self.memory_bytes:
            _, evicted = self._memory.popitem(last=False)
            self._bytes -= len(evicted)


def _note(result: str) -> None:
    metrics.PERSISTED_QUERIES.labels(result).inc()
    info = current()
    if info is not None:
        info.persisted_query = result
        if result == "miss":
            info.outcome = "persisted_query_miss"


async def resolve(store: PersistedQueryStore, data: GraphQLRequestData) -> GraphQLRequestData:
    """``data`` with the persisted document filled in, or a :class:`PersistedQueryError`."""
    persisted = (data.extensions or {}).get("persistedQuery")
    if persisted is None:
        return data
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError("Unsupported persisted query version: send version 1.", "BAD_REQUEST", 400)
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise PersistedQueryError("persistedQuery.sha256Hash must be 64 hexadecimal digits.", "BAD_REQUEST", 400)
    digest = digest.lower()
    fields: dict[str, Any] = {
        "variables": data.variables,
        "operation_name": data.operation_name,
        "extensions": data.extensions,
        "protocol": data.protocol,
    }
    if data.query is None:
        query = await store.get(digest)
        if query is None:
            _note("miss")
            raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 200)
        _note("hit")
        return PersistedRequestData(query=query, **fields)
    if sha256_hex(data.query) != digest:
        raise PersistedQueryError("provided sha does not match query", "BAD_REQUEST", 400)
    return PersistedRequestData(query=data.query, register=None if digest in store else digest, **fields)


class PersistedQueries:
    """Mixin for the strawberry view (listed before strawberry's ``GraphQL`` base)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.persisted_queries = PersistedQueryStore()

    def should_render_graphql_ide(self, request: Any) -> bool:
        return "extensions" not in request.query_params and super().should_render_graphql_ide(request)  # type: ignore[misc]  # a mixin over strawberry's view: mypy cannot see the base of super()

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)  # type: ignore[misc]  # a mixin over strawberry's view: mypy cannot see the base of super()
        if isinstance(data, GraphQLRequestData):
            return await resolve(self.persisted_queries, data)
        return data

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> Any:
        result = await super().execute_single(  # type: ignore[misc]  # a mixin over strawberry's view: mypy cannot see the base of super()
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if (
            isinstance(request_data, PersistedRequestData)
            and request_data.register
            and request_data.query
            and not is_request_error(result)
            and await self.persisted_queries.put(request_data.register, request_data.query)
        ):
            _note("registered")
        return result
