"""Cache headers for queries over GET (ASGI middleware on the GraphQL path).

Every answer is per user (visibility rules), so a successful GET query gets

- ``Cache-Control: private, no-cache`` (``private, max-age=N`` with ``CRM_GET_MAX_AGE=N``):
  a browser may keep it, a shared cache may not, and by default it asks again each time;
- ``ETag``: a strong validator over the exact bytes; a request whose ``If-None-Match``
  matches gets ``304 Not Modified`` without a body (the query still runs: the answer is
  compared, not predicted);
- ``Vary: Authorization, Accept``: another token or another media type is another answer.

A GET answer with errors, or any other status, is ``Cache-Control: no-store``; so is every
POST answer (the GraphiQL page is left alone). A mutation over GET stays 405 (the view).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.datastructures import Headers, MutableHeaders

_JSON_TYPES = ("application/json", "application/graphql-response+json")


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates


def _has_errors(body: bytes) -> bool:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return True
    return not isinstance(parsed, dict) or bool(parsed.get("errors"))


class GetCache:
    """Buffers GraphQL GET answers to give them validators (see module docstring)."""

    def __init__(self, app: Any, graphql_path: str = "/graphql", max_age: int = 0) -> None:
        self.app = app
        self.graphql_path = graphql_path
        self.cache_control = f"private, max-age={max_age}" if max_age > 0 else "private, no-cache"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != self.graphql_path:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET":
            await self.app(scope, receive, self._no_store(send))
            return
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def buffered_send(message: Any) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._respond(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffered_send)

    def _no_store(self, send: Any) -> Any:
        async def no_store_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith(_JSON_TYPES):
                    headers["cache-control"] = "no-store"
            await send(message)

        return no_store_send

    async def _respond(self, scope: Any, start: dict[str, Any], body: bytes, send: Any) -> None:
        headers = MutableHeaders(scope=start)
        if not headers.get("content-type", "").startswith(_JSON_TYPES):
            await send(start)  # the GraphiQL page
            await send({"type": "http.response.body", "body": body})
            return
        if start["status"] != 200 or _has_errors(body):
            headers["cache-control"] = "no-store"
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        etag = _etag(body)
        headers["etag"] = etag
        headers["cache-control"] = self.cache_control
        headers.add_vary_header("Authorization")
        headers.add_vary_header("Accept")
        if _matches(Headers(scope=scope).get("if-none-match"), etag):
            not_modified = MutableHeaders(
                raw=[(k, v) for k, v in headers.raw if k not in (b"content-length", b"content-type")]
            )
            await send({"type": "http.response.start", "status": 304, "headers": not_modified.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})
