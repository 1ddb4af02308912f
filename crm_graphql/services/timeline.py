"""Timeline events, written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from crm_graphql import models as m

#: Types whose events also show on their account's timeline.
_FANS_OUT = {"Contact", "Opportunity", "Quote", "SalesOrder", "Invoice", "Contract"}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Field -> {old, new} for the fields whose value differs."""
    return {k: {"old": _json(old.get(k)), "new": _json(v)} for k, v in new.items() if _json(old.get(k)) != _json(v)}


async def record(
    conn: BaseDBAsyncClient, subject: Model, kind: str, actor: Any, data: dict[str, Any] | None = None
) -> m.TimelineEvent:
    type_name = type(subject).__name__
    account_id = getattr(subject, "account_id", None) if type_name in _FANS_OUT else None
    return await m.TimelineEvent.create(
        using_db=conn,
        subject_type=type_name,
        subject_id=subject.pk,
        account_id=account_id,
        kind=kind,
        actor_id=getattr(actor, "id", None),
        data={k: _json(v) for k, v in (data or {}).items()},
    )


TIMELINED = {"Account", "Contact", "Lead", "Opportunity", "Quote", "SalesOrder", "Invoice"}
