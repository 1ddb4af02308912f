"""Fixtures: a fresh database per test (SQLite in memory, or CRM_TEST_DATABASE_URL),
the app over httpx's ASGI transport on the test's own loop, tokens per role, and gql()."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from factories import TEST_DATABASE_URL, Actor
from hypothesis import settings as hypothesis_settings
from tortoise import Tortoise, connections

from crm_graphql import db
from crm_graphql.app import create_app, startup
from crm_graphql.enums import Role
from crm_graphql.services import users
from crm_graphql.settings import Settings

# Timing-based deadlines fail on a busy 2-core machine without saying anything about the code.
hypothesis_settings.register_profile("crm", deadline=None)
hypothesis_settings.load_profile("crm")

_pg_schema_ready = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.postgres(reason=why)`` skips a test, saying why, unless
    CRM_TEST_DATABASE_URL names a PostgreSQL database (SQLite serves one process only)."""
    if not db.is_sqlite(TEST_DATABASE_URL):
        return
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None:
            why = marker.kwargs.get("reason", "it runs against PostgreSQL")
            item.add_marker(
                pytest.mark.skip(reason=f"needs PostgreSQL ({why}): set CRM_TEST_DATABASE_URL=postgres://...")
            )


async def _reset_postgres() -> None:
    global _pg_schema_ready
    conn = connections.get("default")
    if not _pg_schema_ready:
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await db.migrate(db.tortoise_config(TEST_DATABASE_URL))
        _pg_schema_ready = True
        return
    tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]
    await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE;")


@pytest.fixture
async def database() -> AsyncIterator[str]:
    if db.is_sqlite(TEST_DATABASE_URL):
        # A fresh in-memory database per test: generating the tables is ~50x faster than
        # replaying the migrations, which test_migrations.py proves equivalent.
        await db.init(TEST_DATABASE_URL, create=False)
        await Tortoise.generate_schemas(safe=False)
    else:
        await db.init(TEST_DATABASE_URL, create=False)
        await _reset_postgres()
    try:
        yield TEST_DATABASE_URL
    finally:
        await db.close()


@pytest.fixture
def settings(database: str) -> Settings:
    return Settings(database_url=database)


@pytest.fixture
async def app(settings: Settings) -> Any:
    application = create_app(settings, manage_db=False)
    await startup(settings, connect=False)
    return application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def actors(app: Any) -> dict[Role, Actor]:
    out = {}
    for role in Role:
        if role == Role.PARTNER:
            continue  # a PARTNER user needs a partner account: tests that want one make it (partner_actor)
        user, token = await users.create_user(f"{role.value.lower()}@example.com", role.value.title(), role)
        out[role] = Actor(user, token)
    return out


@pytest.fixture
def admin(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.ADMIN]


class GQL:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token

    async def raw(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token or self.token}"},
        )
        return response

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None, errors: bool = False
    ) -> Any:
        response = await self.raw(query, variables, token)
        assert response.status_code == 200, response.text
        body = response.json()
        if errors:
            return body
        assert "errors" not in body, body["errors"]
        return body["data"]

    def as_(self, actor: Actor) -> GQL:
        return GQL(self.client, actor.token)


@pytest.fixture
def gql(client: httpx.AsyncClient, admin: Actor) -> GQL:
    return GQL(client, admin.token)


@dataclass
class LiveServer:
    """A `crm-graphql serve` process on a free port; its output goes to ``log``."""

    url: str
    token: str
    log: Any
    process: Any

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def log_lines(self, needle: str, timeout: float = 10) -> list[str]:
        """The output lines holding ``needle``, waiting for the first (a request's log line is
        written just after its response is sent)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.log_text().splitlines() if needle in line]
            if lines or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: Any) -> Any:
    """``with live_server(demo=True, workers=2, database=URL, env={...}) as server:`` runs
    the real server (a temporary SQLite file unless ``database`` is given) until the block ends."""
    import contextlib
    import secrets
    import subprocess
    import sys
    import time

    @contextlib.contextmanager
    def start(
        *, demo: bool = False, workers: int = 1, database: str | None = None, env: dict[str, str] | None = None
    ) -> Any:
        folder = tmp_path_factory.mktemp("server")
        port = _free_port()
        token = "crm_test_" + secrets.token_urlsafe(24)
        url = database or f"sqlite://{folder / 'crm.sqlite3'}"
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CRM_", "PROMETHEUS_MULTIPROC"))
        }
        environment.update({"CRM_ADMIN_TOKEN": token, **(env or {})})
        command = [sys.executable, "-m", "crm_graphql", "serve", "--port", str(port), "--database", url]
        command += ["--workers", str(workers)] + (["--demo"] if demo else [])
        log = folder / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
        server = LiveServer(f"http://127.0.0.1:{port}", token, log, process)
        try:
            deadline = time.monotonic() + 180
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"crm-graphql serve exited with {process.returncode}:\n{server.log_text()}")
                try:
                    ready = httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200
                except httpx.TransportError:
                    ready = False
                if ready and server.log_text().count("Application startup complete") >= workers:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"crm-graphql serve did not become ready:\n{server.log_text()}")
                time.sleep(0.3)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    return start
