"""The table behind automatic persisted queries (``api/transport/apq.py`` keeps the LRU in front
of it and decides what a failure means): read one, register one, prune the oldest."""

from __future__ import annotations

from tortoise import connections

from crm_graphql.models import PersistedQuery


async def read(digest: str) -> str | None:
    """The query registered under ``digest``, or None."""
    query = await PersistedQuery.filter(hash=digest).first().values_list("query", flat=True)
    return None if query is None else str(query)


async def register(digest: str, query: str) -> None:
    """Store ``query`` under ``digest`` (a digest stored already stays as it is)."""
    await PersistedQuery.bulk_create([PersistedQuery(hash=digest, query=query)], ignore_conflicts=True)


async def prune(keep: int) -> None:
    """Delete all but the newest ``keep`` rows (the clients register them again)."""
    await connections.get("default").execute_query(
        "DELETE FROM persisted_queries WHERE created_at < (SELECT created_at FROM persisted_queries "
        f"ORDER BY created_at DESC LIMIT 1 OFFSET {int(keep) - 1})"
    )
