"""Idempotency keys for creating and converting mutations.

The same key with the same input returns the first result; with other input it is refused
(``IDEMPOTENCY_KEY_REUSED``). Keys are scoped to the user and the operation and kept at
least 24 hours; an attempt that ended in user errors rolls back and is not remembered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.errors import Conflict, IdempotencyKeyReused, Invalid

RETENTION = dt.timedelta(hours=24)


def _canonical(value: Any) -> Any:
    """One spelling per value: decimals equal as numbers hash alike ("10.0" and "10.00")."""
    if isinstance(value, Decimal):
        return "0" if value.is_zero() else format(value.normalize(), "f")
    return str(value)


def input_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=_canonical).encode()).hexdigest()


def _legacy_hash(payload: dict[str, Any]) -> str:
    """The hash keys remembered before decimals were canonical (kept while they live)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


async def replay(
    conn: BaseDBAsyncClient, actor: Actor, operation: str, key: str | None, payload: dict[str, Any]
) -> dict[str, Any] | None:
    """The remembered result for ``key``, or None when the key is new (or absent)."""
    if key is None:
        return None
    if not key or len(key) > 200:
        raise Invalid("An idempotency key has 1 to 200 characters.", ("input", "idempotencyKey"))
    await _serialize(conn, actor, operation, key)
    row = await m.IdempotencyKey.filter(user_id=actor.id, operation=operation, key=key).using_db(conn).first()
    if row is None:
        return None
    if row.input_hash not in (input_hash(payload), _legacy_hash(payload)):
        raise IdempotencyKeyReused("This idempotency key was used with other input.", ("input", "idempotencyKey"))
    return dict(row.result)


async def _serialize(conn: BaseDBAsyncClient, actor: Actor, operation: str, key: str) -> None:
    """Make concurrent requests with the same key run one after another.

    PostgreSQL: a transaction-scoped advisory lock on the key, taken before the lookup, so a
    second request waits for the first to commit (then replays its result) or roll back
    (then runs itself); without it, requests that started together all miss the key and
    all but one fail on the conversion's claim (ALREADY_CONVERTED) or the key's unique
    index (CONFLICT). SQLite runs one transaction at a time already (PITFALLS 14).
    """
    if conn.capabilities.dialect != "postgres":
        return
    digest = hashlib.sha256(f"{actor.id}\x1f{operation}\x1f{key}".encode()).digest()
    await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [int.from_bytes(digest[:8], "big", signed=True)])


async def remember(
    conn: BaseDBAsyncClient,
    actor: Actor,
    operation: str,
    key: str | None,
    payload: dict[str, Any],
    result: dict[str, Any],
) -> None:
    if key is None:
        return
    try:
        await m.IdempotencyKey.create(
            using_db=conn,
            user_id=actor.id,
            operation=operation,
            key=key,
            input_hash=input_hash(payload),
            result=result,
        )
    except IntegrityError:
        # A concurrent request with the same key won; ours rolls back.
        raise Conflict("A request with this idempotency key is in progress.", ("input", "idempotencyKey")) from None


async def purge_expired(conn: BaseDBAsyncClient | None = None) -> int:
    """Drop keys older than a week (well past the promised 24 hours); run at start-up."""
    cutoff = dt.datetime.now(dt.UTC) - RETENTION * 7
    qs = m.IdempotencyKey.filter(created_at__lt=cutoff)
    return await (qs.using_db(conn) if conn else qs).delete()
