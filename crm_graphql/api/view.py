"""The ``/graphql`` endpoint: bearer-token authentication, our context, GraphiQL page."""

from __future__ import annotations

import ipaddress
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from crm_graphql.api.context import Context
from crm_graphql.api.graphiql import graphiql_page
from crm_graphql.services import users
from crm_graphql.settings import Settings


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
    )


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.settings = settings

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
            request = Request(scope, receive)
            if not wants_ide(request):
                client = request.client.host if request.client else None
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
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        user = request.scope.get("state", {}).get("user")
        if user is None and isinstance(request, WebSocket):
            client = request.client.host if request.client else None
            user = await self.user_for(request.headers.get("authorization"), client)
        return Context(settings=self.settings, user=user, request=request)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page())

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)
