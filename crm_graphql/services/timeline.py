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


_CENTS = Decimal("0.01")


def _decimal_text(value: Decimal) -> str:
    """One spelling per number: trailing zeros dropped down to two places ("1378.0000" and
    "1378.00" are both "1378.00"; "0.1250" is "0.125")."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return str(value.quantize(_CENTS))
    return str(normal)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _number(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return None


def same(old: Any, new: Any) -> bool:
    """Equal as values: numbers compare as numbers ("1378.0000" == "1378.00"), the rest by
    their recorded form."""
    a, b = _number(old), _number(new)
    if a is not None and b is not None:
        return a == b
    return bool(_json(old) == _json(new))


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Field -> {old, new} for the fields whose value differs (a number rewritten with other
    trailing zeros is no change)."""
    return {k: {"old": _json(old.get(k)), "new": _json(v)} for k, v in new.items() if not same(old.get(k), v)}


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
