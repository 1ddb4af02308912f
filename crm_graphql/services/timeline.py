"""Timeline events, written in the caller's transaction, and what a viewer may read of them.

An event names other records by reference, never by a bare database key: pass the row
(``{"quote": quote}``) or ``ref(row, number=...)`` to ``record`` and it is stored as
``{"$ref": "Quote:12", "number": "Q-00012"}``: the reference plus what the event says about
that record. ``present`` shows a reference as ``{"id": <global ID>, ...}`` to a viewer who
may see the record and as ``null`` to anyone else, facts included (an activity's subject,
a conversion target's number). DOMAIN.md 6.

Events stored before references existed carry bare ids (``{"lead": 5}``,
``{"activityId": 7, "subject": ...}``); ``upgrade`` converts them when they are read (no
data migration: the stored rows stay as they were written).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.services import live

REF = "$ref"
#: Types whose events also show on their account's timeline.
FANS_OUT = {"Contact", "Opportunity", "Quote", "SalesOrder", "Invoice", "Contract"}


def ref(row: Model | None, **facts: Any) -> dict[str, Any] | None:
    """A reference to ``row`` with what the event says about it (shown only with the reference)."""
    if row is None:
        return None
    return reference(type(row).__name__, row.pk, **facts)


def reference(type_name: str, pk: int, **facts: Any) -> dict[str, Any]:
    return {REF: f"{type_name}:{pk}", **{k: _json(v) for k, v in facts.items()}}


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
    if isinstance(value, Model):
        return ref(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
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


def changes(old: dict[str, Any], new: dict[str, Any], refs: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Field -> {old, new} for the fields whose value differs (a number rewritten with other
    trailing zeros is no change).

    ``refs`` maps fields that hold a foreign key to the referenced type name: their values
    are stored as references, so a viewer who may not see the record gets null, not its id.
    """
    out: dict[str, dict[str, Any]] = {}
    for k, v in new.items():
        if same(old.get(k), v):
            continue
        before, after = _json(old.get(k)), _json(v)
        if refs and k in refs:
            before = None if before is None else reference(refs[k], before)
            after = None if after is None else reference(refs[k], after)
        out[k] = {"old": before, "new": after}
    return out


async def record(
    conn: BaseDBAsyncClient, subject: Model, kind: str, actor: Actor | None, data: dict[str, Any] | None = None
) -> m.TimelineEvent:
    """Add an event about ``subject``; rows in ``data`` are stored as references."""
    type_name = type(subject).__name__
    account_id = getattr(subject, "account_id", None) if type_name in FANS_OUT else None
    event = await m.TimelineEvent.create(
        using_db=conn,
        subject_type=type_name,
        subject_id=subject.pk,
        account_id=account_id,
        kind=kind,
        actor_id=getattr(actor, "id", None),
        data={k: _json(v) for k, v in (data or {}).items()},
    )
    live.poke()  # SQLite: subscribers read it once this transaction is over (PostgreSQL: NOTIFY)
    return event


TIMELINED = {"Account", "Contact", "Lead", "Opportunity", "Quote", "SalesOrder", "Invoice", "Campaign"}


# --- reading -----------------------------------------------------------------------------------


def _parse(value: Any) -> tuple[str, int] | None:
    if isinstance(value, dict) and isinstance(value.get(REF), str):
        type_name, _, pk = value[REF].partition(":")
        if pk.isascii() and pk.isdigit():
            return type_name, int(pk)
    return None


def references(data: Any) -> Iterator[tuple[str, int]]:
    """Every (type name, pk) that ``data`` refers to."""
    parsed = _parse(data)
    if parsed is not None:
        yield parsed
    if isinstance(data, dict):
        for value in data.values():
            yield from references(value)
    elif isinstance(data, list):
        for value in data:
            yield from references(value)


def present(data: Any, shown: Callable[[str, int], bool], global_id: Callable[[str, int], str]) -> Any:
    """``data`` as a viewer sees it: references they may follow become ``{"id": <global ID>,
    ...facts}``, the others null (with their facts)."""
    parsed = _parse(data)
    if parsed is not None:
        if not shown(*parsed):
            return None
        facts = {k: present(v, shown, global_id) for k, v in data.items() if k != REF}
        return {"id": global_id(*parsed), **facts}
    if isinstance(data, dict):
        return {k: present(v, shown, global_id) for k, v in data.items()}
    if isinstance(data, list):
        return [present(v, shown, global_id) for v in data]
    return data
