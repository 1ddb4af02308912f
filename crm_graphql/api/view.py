"""The ``/graphql`` endpoint: bearer-token authentication, our context, GraphiQL page, and
HTTP status codes per the GraphQL-over-HTTP draft.

- POST bodies must be ``application/json`` (else 415: no CSRF through simple forms), at
  most ``settings.max_body_bytes`` (else 413, see ``app.BodyLimit``), a JSON object (not
  JSON: 400; a batch array: 400).
- A mutation over GET: 405. Timeouts (``settings.request_timeout_seconds``): a GraphQL
  error ``TIMEOUT``.
- Clients that accept ``application/graphql-response+json`` get that content type, 400 for
  a document that does not parse and 422 for validation/variable errors; ``application/json``
  clients get 200 for those as before. 422 for variable coercion follows the newer draft
  (2026-04) on purpose; the ``graphql-http`` audit still expects 400 there and warns (the
  accepted warnings are pinned in tests/test_clients.py).
- A request error (nothing executed: parse, validation, limits, variables) leaves ``data``
  out of the answer, as the GraphQL spec asks; errors during execution keep ``data``.
- Persisted queries (``transport.apq``) are resolved after authentication.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
from collections import Counter
from functools import lru_cache
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from crm_graphql import db, faults
from crm_graphql.api.context import Context
from crm_graphql.api.graphiql import graphiql_page, page_headers
from crm_graphql.api.limits import MAX_TOKENS, token_limit_position
from crm_graphql.api.transport.apq import PersistedQueries, PersistedQueryError
from crm_graphql.api.transport.request import current
from crm_graphql.api.transport.results import is_request_error
from crm_graphql.api.transport.websocket import (
    LegacyWSHandler,
    TextWebSocketAdapter,
    TransportWSHandler,
    origin_allowed,
)
from crm_graphql.services import users
from crm_graphql.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"


def error_response(
    message: str, status: int, code: str = "BAD_REQUEST", headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status, headers=headers
    )


def wants_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "").lower()


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def unauthenticated(message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="crm-graphql"'},
    )


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
        and "extensions" not in request.query_params  # a persisted query over GET
    )


def _faults(result: ExecutionResult) -> list[GraphQLError]:
    return [e for e in result.errors or () if (e.extensions or {}).get("code") == faults.CODE]


def _unavailable(result: ExecutionResult) -> bool:
    found = _faults(result)
    for e in found:
        e.extensions.pop("fault", None)  # type: ignore[union-attr]  # _faults keeps only errors whose extensions name the fault code
    return bool(found)


def _worth_retrying(result: ExecutionResult) -> bool:
    """A query (never a mutation) that failed only because a connection was broken."""
    info = current()
    found = _faults(result)
    return (
        bool(found)
        and info is not None
        and info.operation_type == "query"
        and all((e.extensions or {}).get("fault") == "connection" for e in found)
    )


@lru_cache(maxsize=256)
def _operation_type(query: str, operation_name: str | None) -> OperationType | None:
    """The operation's type, parsed under the same token limit as the execution (the lexer
    stops at token ``MAX_TOKENS + 1``), so an oversized document is never tokenised whole."""
    if token_limit_position(query, MAX_TOKENS) is not None:
        return None  # refused as MAX_TOKENS_EXCEEDED by the execution, without parsing
    try:
        document = parse(query, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for op in operations:
        if (operation_name is None and len(operations) == 1) or (op.name and op.name.value == operation_name):
            return op.operation
    return None


class GraphQLView(PersistedQueries, GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = TextWebSocketAdapter

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.settings = settings
        #: Shared subscription executions of this worker (transport.websocket.Group).
        self.ws_groups: dict[Any, Any] = {}
        #: Sockets of this worker waiting for connection_init, sockets and subscriptions per user.
        self.ws_pending = 0
        self.ws_sockets: Counter[int] = Counter()
        self.ws_subscriptions: Counter[int] = Counter()
        self.connection_init_wait_timeout = dt.timedelta(seconds=settings.ws_init_timeout_seconds)

    async def user_for(self, authorization: str | None, client_host: str | None) -> Any:
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None
            return await users.authenticate(token.strip())
        if self.settings.demo and _is_loopback(client_host):
            return await users.demo_user()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                await self._http(scope, receive, send)
            except Exception as exc:
                found = faults.classify(exc)
                if found is None:
                    raise
                faults.note(found)  # authentication or a persisted query met the fault: nothing ran
                await faults.response(found)(scope, receive, send)
            return
        if scope["type"] == "websocket" and not origin_allowed(WebSocket(scope, receive, send).headers, self.settings):
            await WebSocket(scope, receive, send).close(code=1008)  # before accept: HTTP 403
            return
        await super().__call__(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "POST" and media_type(request) != "application/json":
            await error_response(
                "Send the request as application/json.",
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                {"Accept-Post": "application/json"},
            )(scope, receive, send)
            return
        if not wants_ide(request):
            client = request.client.host if request.client else None
            try:
                user = await self.user_for(request.headers.get("authorization"), client)
            except Exception as exc:  # a read: once more on a fresh connection when one was broken
                found = faults.classify(exc)
                if found is None or found.kind != "connection":
                    raise
                await db.refresh_pool()
                user = await self.user_for(request.headers.get("authorization"), client)
            if user is None:
                message = (
                    "Invalid or revoked API token."
                    if request.headers.get("authorization")
                    else "Send an API token: Authorization: Bearer <token>."
                )
                await unauthenticated(message)(scope, receive, send)
                return
            scope.setdefault("state", {})["user"] = user
        if request.method == "POST":
            refusal, receive = await self._read_body(receive)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        http_request = Request(scope, receive)
        try:
            response = await self.run(http_request)
        except PersistedQueryError as e:
            response = e.response(http_request)
        except HTTPException as e:
            allow = {"Allow": "POST"} if e.status_code == 405 else None
            response = error_response(e.reason, e.status_code, headers=allow)
        await response(scope, receive, send)

    async def _read_body(self, receive: Receive) -> tuple[Response | None, Receive]:
        """Read the body (``app.BodyLimit`` caps its size) and refuse what is not one JSON
        object; hand the body on to strawberry."""
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return error_response("The request body is not valid JSON.", 400), receive
        if isinstance(data, list):
            return error_response("Batched requests are not supported: send one operation per request.", 400), receive
        if not isinstance(data, dict):
            return error_response("The request body must be a JSON object with a `query`.", 400), receive
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return None, replay

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        query = request_data.query
        if isinstance(query, str) and _operation_type(query, request_data.operation_name) is OperationType.SUBSCRIPTION:
            raise HTTPException(
                400, "Subscriptions run over WebSocket at this path (graphql-transport-ws or graphql-ws)."
            )
        timed_out = False

        async def attempts() -> ExecutionResult:
            run = super(GraphQLView, self).execute_single
            result: ExecutionResult = await run(
                request, request_adapter, sub_response, context, root_value, request_data
            )
            if _worth_retrying(result):
                # A read that met a broken connection: once more on a fresh one (writes never).
                await db.refresh_pool()
                info = current()
                if info is not None:
                    info.error, info.outcome = None, None
                fresh = await self.get_context(request, sub_response)
                result = await run(request, request_adapter, sub_response, fresh, root_value, request_data)
            return result

        try:
            # a deadline on this task (not a task of its own, as wait_for would make)
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                result = await attempts()
        except HTTPException as e:
            if request_adapter.method == "GET" and "not allowed when using GET" in e.reason:
                raise HTTPException(405, e.reason) from e
            raise
        except TimeoutError:
            timed_out = True
            error = GraphQLError(
                f"The request took longer than {self.settings.request_timeout_seconds:g} seconds and was stopped.",
                extensions={"code": "TIMEOUT"},
            )
            result = ExecutionResult(data=None, errors=[error])
        if _unavailable(result):
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(faults.RETRY_AFTER_SECONDS)
            return result
        if wants_graphql_response(request):
            sub_response.headers["x-crm-graphql-response"] = "1"
            if result.data is None and result.errors and not timed_out:
                if any(isinstance(e, GraphQLSyntaxError) for e in result.errors):
                    sub_response.status_code = 400
                elif all(e.path is None for e in result.errors):
                    sub_response.status_code = 422
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        processed = await super().process_result(request, result)
        if is_request_error(result):
            processed.pop("data", None)  # nothing was executed: the spec leaves `data` out
        return processed

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if response.headers.get("x-crm-graphql-response"):
            del response.headers["x-crm-graphql-response"]
            response.headers["content-type"] = GRAPHQL_RESPONSE
        return response

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        user = request.scope.get("state", {}).get("user")
        if user is None and isinstance(request, WebSocket):
            client = request.client.host if request.client else None
            try:
                user = await self.user_for(request.headers.get("authorization"), client)
            except Exception as exc:  # a read: once more on a fresh connection when one was broken
                found = faults.classify(exc)
                if found is None or found.kind != "connection":
                    raise
                await db.refresh_pool()
                user = await self.user_for(request.headers.get("authorization"), client)
        return Context(settings=self.settings, user=user, request=request)

    async def render_graphql_ide(self, request: Request) -> Response:
        page = graphiql_page()
        return HTMLResponse(page, headers=page_headers(page, request.headers.get("host")))

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """orjson where it can (the same values for the same JSON), else the standard library
        (which also takes what orjson refuses: NaN, integers over 64 bits), as before."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode_json(data)
