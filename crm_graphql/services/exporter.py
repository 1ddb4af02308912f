"""CSV export: ``crm-graphql export KIND`` writes what ``crm-graphql import KIND`` reads.

The columns are the import's, derived from the same field rules (``services.entities``)
and natural keys (``importer.NATURAL_KEYS``), so a field added to an entity is exported and
importable without touching this module. Values are written the way the import parses
them: decimals in plain notation with their stored places (``1250.5000``, never ``1E+2``),
booleans ``true``/``false``, enums by name, dates and times in ISO 8601, nothing for null.
Rows come in id order, deleted rows are left out (an import cannot create them).

Export -> import into an empty database -> export gives the same file, for the records an
import can create. What it cannot create is still exported as it is, and the import refuses
those rows by row and column as it would from any file: leads in ``QUALIFIED`` or
``DISQUALIFIED`` and opportunities in a won or lost stage (only the domain operations reach
those states), and references by name that match several records (DOMAIN.md 10).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from crm_graphql.services import crud, importer
from crm_graphql.services.crud import K

CHUNK = 2_000


@dataclass(frozen=True)
class Column:
    name: str
    #: The model attribute holding the value, or the foreign key for a natural key.
    attribute: str
    #: For a natural key: the referenced model and its key field.
    natural: tuple[Any, str] | None = None


def columns(kind: str) -> list[Column]:
    """The columns of ``kind``, in field-rule order; a relation by its natural key."""
    type_name = importer.KINDS[kind]
    natural_by_fk = {
        fk: (column, model, key) for column, (fk, model, key) in importer.NATURAL_KEYS.get(type_name, {}).items()
    }
    out = []
    for rule in crud.REGISTRY[type_name].rules:
        if rule.kind is not K.REF:
            out.append(Column(rule.api_name, rule.name))
        elif rule.name in natural_by_fk:
            column, model, key = natural_by_fk[rule.name]
            out.append(Column(column, rule.name, (model, key)))
    return out


def header(kind: str) -> list[str]:
    return [column.name for column in columns(kind)]


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _rows_of(kind: str) -> Any:
    model = crud.REGISTRY[importer.KINDS[kind]].model
    rows = model.all()
    if "deleted_at" in model._meta.fields_map:
        rows = rows.filter(deleted_at__isnull=True)
    return rows


async def count(kind: str) -> int:
    return int(await _rows_of(kind).count())


async def export_rows(
    kind: str, *, chunk: int = CHUNK, progress: Callable[[int], None] | None = None
) -> AsyncIterator[list[list[str]]]:
    """The rows of ``kind`` as lists of strings (without the header), ``chunk`` at a time:
    one query per chunk plus one per natural key (keyset pages on the id)."""
    cols = columns(kind)
    attributes = ["id", *(column.attribute for column in cols)]
    last_id = 0
    while True:
        batch = await _rows_of(kind).filter(id__gt=last_id).order_by("id").limit(chunk).values(*attributes)
        if not batch:
            return
        names = {}
        for column in cols:
            if column.natural is not None:
                model, key = column.natural
                ids = {row[column.attribute] for row in batch} - {None}
                pairs = await model.filter(id__in=list(ids)).values_list("id", key) if ids else []
                names[column.attribute] = dict(pairs)
        out = []
        for row in batch:
            values = []
            for column in cols:
                value = row[column.attribute]
                if column.natural is not None:
                    value = names[column.attribute].get(value)
                values.append(format_value(value))
            out.append(values)
        yield out
        if progress is not None:
            progress(len(batch))
        last_id = batch[-1]["id"]
