"""Tortoise configuration from a URL, start-up and shutdown, and statement and row counters."""

from __future__ import annotations

import logging
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
        connection: dict[str, Any] = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {**credentials, "journal_mode": "WAL", "foreign_keys": "ON"},
        }
    else:
        connection = url
        sep = "&" if "?" in url else "?"
        if "maxsize=" not in url:
            connection = f"{url}{sep}minsize=1&maxsize={pool_max}"
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {"models": [MODELS_MODULE], "default_connection": "default", "migrations": MIGRATIONS_MODULE}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init(url: str, *, create: bool = True, pool_max: int = 10) -> None:
    """Connect, and bring the schema up to date with the migrations in crm_graphql/migrations."""
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


async def ping() -> bool:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True


class StatementCounter(logging.Handler):
    """Counts data statements that tortoise logs (BEGIN/COMMIT and connection lines excluded)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        head = message.split(None, 1)[0].upper() if message else ""
        if head in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
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
        if head in {"SELECT", "WITH"}:
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
