"""Idempotency keys are kept at least 24 hours; start-up drops the ones older than a week."""

from __future__ import annotations

import datetime as dt

from crm_graphql import models as m
from crm_graphql.app import startup


async def test_startup_drops_keys_older_than_a_week_and_keeps_recent_ones(settings, admin) -> None:
    # given a key from yesterday and one from eight days ago
    now = dt.datetime.now(dt.UTC)
    for key, age in (("recent", dt.timedelta(days=1)), ("old", dt.timedelta(days=8))):
        row = await m.IdempotencyKey.create(user_id=admin.user.id, operation="createAccount", key=key, input_hash="x")
        await m.IdempotencyKey.filter(id=row.id).update(created_at=now - age)
    # when the server starts
    await startup(settings, connect=False)
    # then only the recent key is left
    assert await m.IdempotencyKey.all().values_list("key", flat=True) == ["recent"]
