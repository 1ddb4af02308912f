"""Sequential, human-readable document numbers (Q-00001, SO-00001, INV-00001, C-00001).

The counter row is bumped with a conditional UPDATE inside the caller's transaction, so
numbers never repeat under concurrency and a rolled-back conversion consumes none.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from crm_graphql import models as m


async def next_number(conn: BaseDBAsyncClient, prefix: str) -> str:
    while True:
        updated = await m.Sequence.filter(name=prefix).using_db(conn).update(value=F("value") + 1)
        if updated:
            row = await m.Sequence.get(name=prefix, using_db=conn)
            return f"{prefix}-{row.value:05d}"
        try:
            await m.Sequence.create(using_db=conn, name=prefix, value=0)
        except IntegrityError:
            continue
