"""CSV import (DOMAIN.md 10): every row is validated, errors are reported by row and column,
and either every row lands or none does (one transaction).

Columns are the API's field names (``name``, ``city``, ``termMonths``...). Relations use
natural keys: ``account`` (account name) for contacts and opportunities, ``stage`` (stage
name) for opportunities, ``campaign`` (campaign name) for leads and opportunities,
``pricebook`` (price book name) and ``product`` (product code) for
price book entries; a global ID in such a column names its record exactly. A name that
matches several (live) records is an error for that row and column, never a guess. A row
reports every error it has: its conversion errors and the validation errors of its other
columns.
"""

from __future__ import annotations

import base64
import binascii
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
from crm_graphql.actor import Actor
from crm_graphql.enums import Role
from crm_graphql.errors import DomainError
from crm_graphql.models.base import flat_values
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
    "Lead": {"campaign": ("campaign_id", m.Campaign, "name")},
    "Opportunity": {
        "account": ("account_id", m.Account, "name"),
        "stage": ("stage_id", m.Stage, "name"),
        "campaign": ("campaign_id", m.Campaign, "name"),
    },
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


def _global_pk(value: str, type_name: str) -> int | None:
    """The key in a global ID (``base64("Type:pk")``) of ``type_name``, else None."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    name, sep, pk = raw.partition(":")
    if sep and name == type_name and pk.isascii() and pk.isdigit() and 0 < len(pk) <= 18:
        return int(pk)
    return None


#: (model, key, value) -> (the one matching id, or None and why not), per import.
NaturalCache = dict[tuple[type[Model], str, str], tuple[int | None, str]]


async def _natural(
    conn: BaseDBAsyncClient, model: type[Model], key: str, value: str, cache: NaturalCache
) -> tuple[int | None, str]:
    """The record a reference column names (by global ID, or by its natural key when exactly
    one live record has it), or None and why not."""
    cache_key = (model, key, value)
    if cache_key not in cache:
        name = model.__name__
        live = model.all().using_db(conn)
        if "deleted_at" in model._meta.fields_map:
            live = live.filter(deleted_at__isnull=True)
        pk = _global_pk(value, name)
        if pk is not None:
            found = await flat_values(live.filter(id=pk).values_list("id", flat=True))
            cache[cache_key] = (int(found[0]), "") if found else (None, f"No {name} with id {value!r}.")
        else:
            ids = await flat_values(live.filter(**{key: value}).limit(2).values_list("id", flat=True))
            if len(ids) == 1:
                cache[cache_key] = int(ids[0]), ""
            elif not ids:
                cache[cache_key] = None, f"No {name} with {key} {value!r}."
            else:
                cache[cache_key] = None, f"Several {name} records have {key} {value!r}: name one by its global ID."
    return cache[cache_key]


@functools.cache
def _importable(type_name: str) -> dict[str, crud.Rule]:
    """Column -> field rule (relations come by natural key instead)."""
    return {rule.api_name: rule for rule in crud.REGISTRY[type_name].rules if rule.kind is not K.REF}


async def _row_input(
    conn: BaseDBAsyncClient, type_name: str, record: dict[str, str], line: int, report: Report, cache: NaturalCache
) -> tuple[dict[str, Any], set[str]]:
    """The row as create input, and the columns that already have an error (reported)."""
    rules = _importable(type_name)
    natural = NATURAL_KEYS.get(type_name, {})
    raw: dict[str, Any] = {}
    failed: set[str] = set()
    for column, text in record.items():
        if column is None or column == "":
            continue
        value = (text or "").strip()
        if column in natural:
            fk, model, key = natural[column]
            if value:
                pk, why = await _natural(conn, model, key, value, cache)
                if pk is None:
                    report.errors.append(RowError(line, column, why))
                    failed.add(column)
                    continue
                raw[fk] = pk
            continue
        rule = rules.get(column)
        if rule is None:
            report.errors.append(RowError(line, column, f"Unknown column {column!r}."))
            failed.add(column)
            continue
        if value == "":
            continue  # an empty cell is "not given": the field's default applies (REQUIRED if it has none)
        try:
            raw[rule.name] = _convert(rule, value)
        except (ValueError, ArithmeticError) as exc:
            report.errors.append(RowError(line, column, str(exc) or f"Bad value {value!r}."))
            failed.add(column)
    return raw, failed


def _report(report: Report, line: int, type_name: str, exc: DomainError, failed: set[str]) -> None:
    """Add a row's validation errors, by CSV column, except on columns already reported."""
    columns = {crud.camel(fk): column for column, (fk, _, _) in NATURAL_KEYS.get(type_name, {}).items()}
    for error in exc.errors:
        field_name = error.field[-1] if error.field else ""
        column = columns.get(field_name, field_name)
        if column not in failed:
            report.errors.append(RowError(line, column, error.message))


async def import_rows(
    type_name: str, rows: list[dict[str, str]], actor: Actor, progress: Callable[[int], None] | None = None
) -> Report:
    """Validate and insert ``rows``; on any error nothing is written and every error is reported.

    ``progress`` hears the number of rows done since its last call, every ``PROGRESS_EVERY``.
    """
    report = Report()
    if len(rows) > MAX_ROWS:
        report.errors.append(RowError(0, "", f"At most {MAX_ROWS} rows per file."))
        return report
    spec = crud.REGISTRY[type_name]
    cache: NaturalCache = {}
    try:
        async with in_transaction() as conn:
            for line, record in enumerate(rows, start=2):  # line 1 is the header
                if progress is not None and line > 2 and (line - 2) % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)  # the rows before this one are done
                raw, failed = await _row_input(conn, type_name, record, line, report, cache)
                if failed:
                    # the row cannot land; still validate its other columns (nothing is written)
                    usable = {k: v for k, v in raw.items() if crud.camel(k) not in failed}
                    try:
                        await crud.clean(conn, actor, spec, usable, creating=True)
                    except DomainError as exc:
                        _report(report, line, type_name, exc, failed)
                    continue
                try:
                    await crud.create_in(conn, actor, type_name, raw)
                    report.count += 1
                except DomainError as exc:
                    _report(report, line, type_name, exc, failed)
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


async def import_actor() -> m.User:
    """The user that imports stand for (ADMIN, created on first use)."""
    actor, _ = await m.User.get_or_create(email="import@crm.local", defaults={"name": "CSV import", "role": Role.ADMIN})
    return actor
