"""Helpers for migration tests: a database migrated up to the migration before one, filled
with old rows, then migrated to the end; and a small GraphQL client for an app on it."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from factories import TEST_DATABASE_URL
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from crm_graphql import db
from crm_graphql.app import create_app, startup
from crm_graphql.enums import Role
from crm_graphql.services import users
from crm_graphql.settings import Settings


def migration_named(suffix: str) -> str:
    """The module name of the migration whose file ends in ``_<suffix>.py``."""
    return next(Path(db.__file__).parent.joinpath("migrations").glob(f"*_{suffix}.py")).stem


def insert_sql(url: str, sql: str) -> str:
    """``sql`` with ``?`` placeholders in the database's own style."""
    if db.is_sqlite(url):
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


@asynccontextmanager
async def database_before(
    migration: str,
    tmp_path: Path,
    fill: Callable[[str, BaseDBAsyncClient], Awaitable[None]],
    *,
    sqlite_foreign_keys: bool = True,
) -> AsyncIterator[str]:
    """A database migrated up to the migration before ``migration``, filled by ``fill(url,
    conn)``, then migrated to the end (``migration`` included); yields its URL. A new SQLite
    file, or the PostgreSQL test database (emptied) when the suite runs on it."""
    url = TEST_DATABASE_URL if not db.is_sqlite(TEST_DATABASE_URL) else f"sqlite://{tmp_path / 'old.sqlite3'}"
    config = db.tortoise_config(url)
    if db.is_sqlite(url) and not sqlite_foreign_keys:
        config["connections"]["default"]["credentials"]["foreign_keys"] = "OFF"
    await Tortoise.init(config=config, _enable_global_fallback=True)
    conn = connections.get("default")
    if not db.is_sqlite(url):
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    before = importlib.import_module(f"crm_graphql.migrations.{migration}").Migration.dependencies
    await MigrationExecutor(conn, config["apps"]).migrate([MigrationTarget(app, name) for app, name in before])
    await fill(url, conn)
    try:
        # when the remaining migrations run (the one under test included)
        await db.migrate(config)
    except BaseException:
        await db.close()
        raise
    try:
        yield url
    finally:
        if not db.is_sqlite(url):
            tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]
            await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE;")
        await db.close()


class Client:
    """Like conftest's ``gql``, for an app on the migrated database."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.token = client, token

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        return response.json()["data"]


@asynccontextmanager
async def admin_client(database: str) -> AsyncIterator[Client]:
    """An app on ``database`` (already migrated) and an admin's ``Client`` of it."""
    settings = Settings(database_url=database)
    app = create_app(settings, manage_db=False)
    await startup(settings, connect=False)
    _, token = await users.create_user("admin@example.com", "Admin", Role.ADMIN)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield Client(client, token)
