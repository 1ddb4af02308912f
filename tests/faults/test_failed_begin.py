"""A transaction whose BEGIN fails (the connection broke) gives its connection back: tortoise
alone leaves it taken and the task's context pointing at it (pool exhaustion, two operations
on one connection)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from tortoise import connections
from tortoise.exceptions import TransactionManagementError
from tortoise.transactions import in_transaction

from crm_graphql import models as m


async def test_failed_begin_releases_the_connection(database: str, monkeypatch: Any) -> None:
    base = connections.get("default")
    context = base._in_transaction()
    wrapper_class = type(getattr(context, "client", None) or context.connection)
    failure = (
        TransactionManagementError("BEGIN failed")
        if "sqlite" in database
        else asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    )

    async def broken_begin(self: Any) -> None:
        raise failure

    # given BEGIN failing, more times than the pool has connections
    with monkeypatch.context() as patch:
        patch.setattr(wrapper_class, "begin", broken_begin)
        for _ in range(12):
            with pytest.raises(type(failure)):
                async with in_transaction():
                    pass
            # then the task's context is back on the pool, not on the failed transaction
            assert connections.get("default") is base
    # and the database is usable at once: no connection (nor SQLite's lock) was kept
    async with asyncio.timeout(10):
        async with in_transaction() as conn:
            await conn.execute_query("SELECT 1")
            assert connections.get("default") is conn
        assert await asyncio.gather(*(m.Stage.all().count() for _ in range(12))) == [0] * 12
