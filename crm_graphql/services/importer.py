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
MAX_ROWS = 50_000


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


async def _natural(conn: BaseDBAsyncClient, model: type[Model], key: str, value: str) -> int | None:
    row = await model.filter(**{key: value}).using_db(conn).first()
    return None if row is None else int(row.pk)


async def _row_input(
    conn: BaseDBAsyncClient, type_name: str, record: dict[str, str], line: int, report: Report
) -> dict[str, Any] | None:
    spec = crud.REGISTRY[type_name]
    rules = {rule.api_name: rule for rule in spec.rules if rule.kind is not K.REF}
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
                pk = await _natural(conn, model, key, value)
                if pk is None:
                    report.errors.append(RowError(line, column, f"No {model.__name__} with {key} {value!r}."))
                    ok = False
                raw[fk] = pk
            continue
        rule = rules.get(column)
        if rule is None:
            report.errors.append(RowError(line, column, f"Unknown column {column!r}."))
            ok = False
            continue
        try:
            raw[rule.name] = _convert(rule, value)
        except (ValueError, ArithmeticError) as exc:
            report.errors.append(RowError(line, column, str(exc) or f"Bad value {value!r}."))
            ok = False
    return raw if ok else None


async def import_rows(type_name: str, rows: list[dict[str, str]], actor: Any) -> Report:
    """Validate and insert ``rows``; on any error nothing is written and every error is reported."""
    report = Report()
    if len(rows) > MAX_ROWS:
        report.errors.append(RowError(0, "", f"At most {MAX_ROWS} rows per file."))
        return report
    try:
        async with in_transaction() as conn:
            for line, record in enumerate(rows, start=2):  # line 1 is the header
                raw = await _row_input(conn, type_name, record, line, report)
                if raw is None:
                    continue
                try:
                    await crud.create_in(conn, actor, type_name, raw)
                    report.count += 1
                except DomainError as exc:
                    for error in exc.errors:
                        column = error.field[-1] if error.field else ""
                        report.errors.append(RowError(line, column, error.message))
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.count = 0
    return report


async def import_file(kind: str, path: Path) -> Report:
    actor, _ = await m.User.get_or_create(email="import@crm.local", defaults={"name": "CSV import", "role": Role.ADMIN})
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return await import_rows(KINDS[kind], rows, actor)
