"""CSV import (DOMAIN.md 10): every row is validated, errors are reported by row and column,
and either every row lands or none does (one transaction).

Columns are the API's field names (``name``, ``city``, ``termMonths``...). Relations use
natural keys instead of global IDs: ``account`` (account name) for contacts and
opportunities, ``stage`` (stage name) for opportunities, ``pricebook`` (price book name)
and ``product`` (product code) for price book entries.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.enums import Role
from crm_graphql.errors import DomainError
from crm_graphql.services import crud
from crm_graphql.services import entities as _entities  # noqa: F401 - registers the rules
from crm_graphql.services.crud import K

KINDS = {
    "accounts": "Account",
    "contacts": "Contact",
    "leads": "Lead",
    "opportunities": "Opportunity",
    "products": "Product",
    "pricebook-entries": "PricebookEntry",
}
#: column -> (foreign key field, model, natural-key field)
NATURAL_KEYS: dict[str, dict[str, tuple[str, type[Model], str]]] = {
    "Contact": {"account": ("account_id", m.Account, "name")},
    "Opportunity": {"account": ("account_id", m.Account, "name"), "stage": ("stage_id", m.Stage, "name")},
    "PricebookEntry": {
        "pricebook": ("pricebook_id", m.Pricebook, "name"),
        "product": ("product_id", m.Product, "code"),
    },
}
MAX_ROWS = 100_000
#: The progress callback hears about every this many rows.
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Report:
    count: int = 0
    errors: list[RowError] = field(default_factory=list)


class _RollBack(Exception):
    pass


def _convert(rule: crud.Rule, text: str) -> Any:
    if text == "":
        return None
    if rule.kind in (K.MONEY, K.AMOUNT, K.QUANTITY, K.PERCENT, K.RATE):
        return money.parse_decimal(text, max_places=10)
    if rule.kind in (K.PROBABILITY, K.POSITIVE_INT, K.INT):
        return int(text)
    if rule.kind is K.BOOL:
        lowered = text.strip().lower()
        if lowered not in {"true", "false", "yes", "no", "1", "0"}:
            raise ValueError(f"{text!r} is not yes/no")
        return lowered in {"true", "yes", "1"}
    if rule.kind is K.ENUM and rule.enum is not None:
        enum_cls: type[enum.Enum] = rule.enum
        return enum_cls(text.strip().upper())
    if rule.kind is K.DATE:
        return dt.date.fromisoformat(text.strip())
    if rule.kind is K.DATETIME:
        return dt.datetime.fromisoformat(text.strip())
    return text


#: (model, key, value) -> the one matching id, None (no match) or AMBIGUOUS, per import.
NaturalCache = dict[tuple[type[Model], str, str], Any]
AMBIGUOUS = object()


async def _natural(conn: BaseDBAsyncClient, model: type[Model], key: str, value: str, cache: NaturalCache) -> Any:
    """The id of the one ``model`` whose ``key`` is ``value``; None or AMBIGUOUS otherwise."""
    cache_key = (model, key, value)
    if cache_key not in cache:
        query = model.filter(**{key: value})
        if "deleted_at" in model._meta.fields_map:
            query = query.filter(deleted_at__isnull=True)
        ids = await query.limit(2).using_db(conn).values_list("id", flat=True)
        cache[cache_key] = None if not ids else int(ids[0]) if len(ids) == 1 else AMBIGUOUS
    return cache[cache_key]


@functools.cache
def _importable(type_name: str) -> dict[str, crud.Rule]:
    """Column -> field rule (relations come by natural key instead)."""
    return {rule.api_name: rule for rule in crud.REGISTRY[type_name].rules if rule.kind is not K.REF}


async def _row_input(
    conn: BaseDBAsyncClient,
    type_name: str,
    record: dict[str, str],
    line: int,
    report: Report,
    cache: NaturalCache,
) -> dict[str, Any] | None:
    rules = _importable(type_name)
    natural = NATURAL_KEYS.get(type_name, {})
    raw: dict[str, Any] = {}
    ok = True
    for column, text in record.items():
        if column is None or column == "":
            continue
        value = (text or "").strip()
        if column in natural:
            fk, model, key = natural[column]
            if value:
                pk = await _natural(conn, model, key, value, cache)
                if pk is None:
                    report.errors.append(RowError(line, column, f"No {model.__name__} with {key} {value!r}."))
                    ok = False
                elif pk is AMBIGUOUS:
                    report.errors.append(
                        RowError(line, column, f"Several {model.__name__} records have {key} {value!r}: rename them.")
                    )
                    ok = False
                raw[fk] = pk
            continue
        rule = rules.get(column)
        if rule is None:
            report.errors.append(RowError(line, column, f"Unknown column {column!r}."))
            ok = False
            continue
        if value == "":
            continue  # an empty cell is "not given": the field's default applies (REQUIRED if it has none)
        try:
            raw[rule.name] = _convert(rule, value)
        except (ValueError, ArithmeticError) as exc:
            report.errors.append(RowError(line, column, str(exc) or f"Bad value {value!r}."))
            ok = False
    return raw if ok else None


async def import_rows(
    type_name: str, rows: list[dict[str, str]], actor: Any, progress: Callable[[int], None] | None = None
) -> Report:
    """Validate and insert ``rows``; on any error nothing is written and every error is reported.

    ``progress`` hears the number of rows done since its last call, every ``PROGRESS_EVERY``.
    """
    report = Report()
    if len(rows) > MAX_ROWS:
        report.errors.append(RowError(0, "", f"At most {MAX_ROWS} rows per file."))
        return report
    cache: NaturalCache = {}
    try:
        async with in_transaction() as conn:
            for line, record in enumerate(rows, start=2):  # line 1 is the header
                if progress is not None and line > 2 and (line - 2) % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)  # the rows before this one are done
                raw = await _row_input(conn, type_name, record, line, report, cache)
                if raw is None:
                    continue
                try:
                    await crud.create_in(conn, actor, type_name, raw)
                    report.count += 1
                except DomainError as exc:
                    for error in exc.errors:
                        column = error.field[-1] if error.field else ""
                        report.errors.append(RowError(line, column, error.message))
            if progress is not None:
                progress(len(rows) - (len(rows) - 1) // PROGRESS_EVERY * PROGRESS_EVERY if rows else 0)
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.count = 0
    return report


def read_rows(path: Path) -> list[dict[str, str]]:
    """The file's rows, reading at most one past ``MAX_ROWS`` (``import_rows`` refuses that)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(itertools.islice(csv.DictReader(handle), MAX_ROWS + 1))


async def import_actor() -> Any:
    """The user that imports stand for (ADMIN, created on first use)."""
    actor, _ = await m.User.get_or_create(email="import@crm.local", defaults={"name": "CSV import", "role": Role.ADMIN})
    return actor
