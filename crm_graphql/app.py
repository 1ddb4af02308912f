"""``create_app(settings)``: the Starlette application with its own lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_graphql import db, faults, lifecycle
from crm_graphql.api import downloads, graphiql
from crm_graphql.api.schema import build_schema
from crm_graphql.api.transport import metrics
from crm_graphql.api.transport.http_cache import GetCache
from crm_graphql.api.transport.request import ObserveRequests, install_statement_meter
from crm_graphql.api.view import GraphQLView
from crm_graphql.services import config, idempotency, live, users
from crm_graphql.settings import Settings


async def startup(settings: Settings, *, connect: bool = True) -> None:
    """Connect (creating the schema of a new database), ensure the admin token and demo data."""
    config.configure(settings.base_currency)
    if connect:
        await db.init(settings.database_url)
    await db.ensure_reference_data()
    await idempotency.purge_expired()
    if settings.admin_token:
        await users.ensure_admin(settings.admin_token)
    if settings.demo:
        from crm_graphql.services import demo

        await demo.load_if_empty()


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """413 for a request body over ``max_bytes``: by its Content-Length, or while streaming
    (the app reads through a counting ``receive``)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> JSONResponse:
        return JSONResponse(
            {"errors": [{"message": f"The request body is larger than {self.max_bytes} bytes.",
                         "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]},
            status_code=413,
        )  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
            # The server frames the body by its Content-Length (h11 and httptools refuse more
            # bytes than declared): nothing to count.
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large()(scope, receive, send)


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """The ASGI app. ``manage_db=False`` leaves connecting to the caller (tests)."""
    settings = settings or Settings.from_env()
    install_statement_meter()
    view = GraphQLView(build_schema(), settings)

    drain = lifecycle.Drain()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await startup(settings)
        drain.install(settings.shutdown_timeout_seconds)
        try:
            yield
        finally:
            await live.shutdown()
            metrics.worker_stopped()
            if manage_db:
                await db.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        ok = await db.ping()
        if ok:
            return JSONResponse({"status": "ok"})
        headers = {"Retry-After": str(faults.RETRY_AFTER_SECONDS)}
        return JSONResponse({"status": "unavailable"}, status_code=503, headers=headers)

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", root),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint(settings.metrics_allow)),
            *graphiql.routes,
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),  # subscriptions (a Route answers an upgrade with 403)
            downloads.route(view.user_for),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(ObserveRequests),
            Middleware(lifecycle.GracefulShutdown, drain=drain),
            Middleware(faults.ServiceUnavailable),
            Middleware(
                TrustedHostMiddleware,
                allowed_hosts=list(settings.trusted_hosts()),
                www_redirect=False,
            ),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            ),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
            Middleware(GetCache, max_age=settings.get_max_age),
        ],
    )
    app.state.settings = settings
    app.state.drain = drain
    return app
