"""Tortoise configuration from a URL, start-up and shutdown, and statement and row counters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tortoise import Tortoise, connections

MODELS_MODULE = "crm_graphql.models"
MIGRATIONS_MODULE = "crm_graphql.migrations"


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` alike (tortoise wants the latter)."""
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def tortoise_config(url: str, *, pool_max: int = 10) -> dict[str, Any]:
    url = normalize_url(url)
    if is_sqlite(url):
        credentials: dict[str, Any] = {"file_path": url.removeprefix("sqlite://") or ":memory:"}
        connection: dict[str, Any] | str = {
            "engine": "tortoise.backends.sqlite",
            # busy_timeout: a file another process holds locked (an import beside `serve`) is
            # waited for this long, then the request answers 503 (crm_graphql.faults)
            "credentials": {**credentials, "journal_mode": "WAL", "foreign_keys": "ON",
                            "busy_timeout": int(os.environ.get("CRM_SQLITE_BUSY_TIMEOUT_MS", "5000"))},
        }  # fmt: skip
    else:
        connection = url
        sep = "&" if "?" in url else "?"
        if "maxsize=" not in url:
            connection = f"{url}{sep}minsize=1&maxsize={pool_max}"
            sep = "&"
        if "timeout=" not in url:
            # connect timeout: an unreachable database answers 503 in seconds, not after 60
            connection = f"{connection}{sep}timeout=5"
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {"models": [MODELS_MODULE], "default_connection": "default", "migrations": MIGRATIONS_MODULE}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


class OneLine(logging.Filter):
    """asyncpg's pool logs a traceback each time it fails to reconnect its floor of
    connections while the database is down: keep the message and the error, drop the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def _quiet_pool_log() -> None:
    pool_logger = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, OneLine) for f in pool_logger.filters):
        pool_logger.addFilter(OneLine())


def _release_when_begin_fails() -> None:
    """Tortoise's transaction contexts take a pooled connection (SQLite: the connection's
    lock) and point the task's context at it *before* ``BEGIN``; when ``BEGIN`` fails (the
    connection broke) ``__aexit__`` never runs, so the connection never goes back to the pool
    (ten such failures and a worker hangs for good) and the rest of the request, DataLoader
    tasks included, keeps using that connection: two operations on one connection, asyncpg's
    "cannot switch to state 12; another operation is in progress". Here the context gives
    both back when ``BEGIN`` fails."""
    from tortoise.backends.base.client import TransactionContextPooled
    from tortoise.backends.sqlite.client import SqliteTransactionContext
    from tortoise.connection import get_connections

    if getattr(TransactionContextPooled, "_crm_releases_on_failed_begin", False):
        return

    async def pooled_enter(self: Any) -> Any:
        await self.ensure_connection()
        pool = self.client._parent._pool
        self.client._connection = await pool.acquire()
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            get_connections().reset(self.token)
            with contextlib.suppress(Exception):
                await pool.release(self.client._connection)
            raise
        return self.client

    async def sqlite_enter(self: Any) -> Any:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return self.connection

    # a deliberate patch of tortoise's classes (see the docstring): mypy refuses assigning methods
    TransactionContextPooled.__aenter__ = pooled_enter  # type: ignore[method-assign]  # a deliberate patch of tortoise's class (above)
    SqliteTransactionContext.__aenter__ = sqlite_enter  # type: ignore[method-assign]  # a deliberate patch of tortoise's class (above)
    # our marker that the patch is in, on a class that does not declare it
    TransactionContextPooled._crm_releases_on_failed_begin = True  # type: ignore[attr-defined]  # our marker on tortoise's class (above)


async def init(url: str, *, create: bool = True, pool_max: int = 10) -> None:
    """Connect, and bring the schema up to date with the migrations in crm_graphql/migrations."""
    _quiet_pool_log()
    _release_when_begin_fails()
    config = tortoise_config(url, pool_max=pool_max)
    await Tortoise.init(config=config, _enable_global_fallback=True)
    if create:
        await migrate(config)


async def migrate(config: dict[str, Any]) -> None:
    """Apply pending migrations (tortoise's built-in migrations, recorded in a table)."""
    from tortoise.migrations.executor import MigrationExecutor

    await MigrationExecutor(connections.get("default"), config["apps"]).migrate()


#: For tortoise's own CLI: ``tortoise -c crm_graphql.db.TORTOISE_ORM makemigrations``.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


async def close() -> None:
    """Close the connections and release the global context (so a new init can follow)."""
    await Tortoise.close_connections()


async def ping(within: float = 3.0) -> bool:
    """The database answers ``SELECT 1`` within ``within`` seconds."""
    try:
        async with asyncio.timeout(within):
            await connections.get("default").execute_query("SELECT 1")
    except Exception:
        await refresh_pool()
        return False
    return True


#: The authentication lookup (``users.authenticate``): one indexed statement on every
#: request, left out of statement counts so those measure the operation (PITFALLS 17).
AUTH_LOOKUP = '"api_tokens"."token_hash"'


async def refresh_pool() -> None:
    """After a connection fault: every pooled connection is replaced by a fresh one before its
    next use (idle ones at once, busy ones when released), so the first request after the
    database is back does not meet a dead connection. SQLite has no pool: nothing to do."""
    try:
        client = connections.get("default")
    except Exception:
        return
    pool = getattr(client, "_pool", None)
    if pool is not None and hasattr(pool, "expire_connections"):
        with contextlib.suppress(Exception):  # a closing pool
            await pool.expire_connections()


class StatementCounter(logging.Handler):
    """Counts data statements that tortoise logs (BEGIN/COMMIT, connection lines and the
    token lookup of authentication excluded; ``auth`` counts those lookups)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []
        self.auth = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        head = message.split(None, 1)[0].upper() if message else ""
        if head in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            if head == "SELECT" and AUTH_LOOKUP in message:
                self.auth += 1
            else:
                self.statements.append(message)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    handler = StatementCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@dataclass
class RowCounter:
    """Rows that data-reading statements returned to Python (not what the database scanned)."""

    fetched: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.fetched)


@contextmanager
def count_rows() -> Iterator[RowCounter]:
    """Count the rows each SELECT hands back, by wrapping the connection class's fetch methods.

    Statement counts alone miss a loader that reads a whole table in one statement; this is
    what proves nested pages are limited per parent in SQL.
    """
    cls: Any = type(connections.get("default"))
    counter = RowCounter()
    plain, as_dicts = cls.execute_query, cls.execute_query_dict

    def note(query: str, n: int) -> None:
        head = query.lstrip().split(None, 1)[0].upper() if query.strip() else ""
        if head in {"SELECT", "WITH"} and AUTH_LOOKUP not in query:
            counter.fetched.append((query, n))

    async def execute_query(self: Any, query: str, values: Any = None) -> Any:
        result = await plain(self, query, values)
        note(query, len(result[1]))
        return result

    async def execute_query_dict(self: Any, query: str, values: Any = None) -> Any:
        result = await as_dicts(self, query, values)
        note(query, len(result))
        return result

    cls.execute_query, cls.execute_query_dict = execute_query, execute_query_dict
    try:
        yield counter
    finally:
        cls.execute_query, cls.execute_query_dict = plain, as_dicts


DEFAULT_STAGES = [
    ("Prospecting", 10, "OPEN", True),
    ("Qualification", 20, "OPEN", False),
    ("Proposal", 50, "OPEN", False),
    ("Negotiation", 75, "OPEN", False),
    ("Closed Won", 100, "WON", False),
    ("Closed Lost", 0, "LOST", False),
]
SEQUENCES = ("Q", "SO", "INV", "C")
#: The pipeline existing stages joined (migration 0006) and a new database starts with.
DEFAULT_PIPELINE = "Sales"


async def create_default_stages(conn: Any, pipeline_id: int) -> None:
    """The default stage set (DOMAIN.md 3) for a pipeline, with its own WON and LOST stages."""
    from crm_graphql import models as m

    for position, (name, probability, kind, default) in enumerate(DEFAULT_STAGES, start=1):
        await m.Stage.create(
            name=name, probability=probability, kind=kind, position=position, is_default=default,
            pipeline_id=pipeline_id, using_db=conn,
        )  # fmt: skip


async def ensure_reference_data() -> None:
    """The default pipeline and its stages on a new database, and the document-number counters."""
    from crm_graphql import models as m

    pipeline = await m.Pipeline.filter(is_default=True).first()
    if pipeline is None:
        pipeline = await m.Pipeline.create(name=DEFAULT_PIPELINE, is_default=True)
    if not await m.Stage.exists():
        await create_default_stages(None, pipeline.id)
    for name in SEQUENCES:
        await m.Sequence.get_or_create(name=name, defaults={"value": 0})
