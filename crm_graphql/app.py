"""``create_app(settings)``: the Starlette application with its own lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from crm_graphql import db
from crm_graphql.api import graphiql
from crm_graphql.api.schema import build_schema
from crm_graphql.api.view import GraphQLView
from crm_graphql.services import config, users
from crm_graphql.settings import Settings


async def startup(settings: Settings, *, connect: bool = True) -> None:
    """Connect (creating the schema of a new database), ensure the admin token and demo data."""
    config.configure(settings.base_currency)
    if connect:
        await db.init(settings.database_url)
    await db.ensure_reference_data()
    if settings.admin_token:
        await users.ensure_admin(settings.admin_token)
    if settings.demo:
        from crm_graphql.services import demo

        await demo.load_if_empty()


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """The ASGI app. ``manage_db=False`` leaves connecting to the caller (tests)."""
    settings = settings or Settings.from_env()
    view = GraphQLView(build_schema(), settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await startup(settings)
        try:
            yield
        finally:
            if manage_db:
                await db.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        ok = await db.ping()
        return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", root),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *graphiql.routes,
            Route("/graphql", view, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
