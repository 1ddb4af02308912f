"""Generic create / update / delete / restore with validation and optimistic concurrency.

Each entity declares its writable fields as ``Rule``s; domain modules add ``Hooks`` that
fill defaults and enforce their rules inside the same transaction. Every write bumps
``version``, lands on the timeline, and raises ``DomainError``s (nothing is written then).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.errors import (
    Conflict,
    DomainError,
    Duplicate,
    InUse,
    Invalid,
    InvalidTransition,
    Required,
    raise_all,
)
from crm_graphql.models.base import SoftDeletable
from crm_graphql.services import access, idempotency, timeline


class K(enum.Enum):
    """How a field is validated."""

    STR = "str"
    TEXT = "text"
    EMAIL = "email"
    CURRENCY = "currency"
    MONEY = "money"  # an amount or price: at most 4 decimals
    AMOUNT = "amount"  # a budget: >= 0, at most 4 decimals
    QUANTITY = "quantity"  # > 0
    PERCENT = "percent"  # 0..100
    RATE = "rate"  # exchange rate: > 0, at most 10 decimals
    PROBABILITY = "probability"  # int 0..100
    POSITIVE_INT = "positive_int"
    INT = "int"
    BOOL = "bool"
    ENUM = "enum"
    DATE = "date"
    DATETIME = "datetime"
    REF = "ref"


@dataclass(frozen=True)
class Rule:
    name: str
    kind: K
    required: bool = False
    target: type[Model] | None = None
    enum: type[enum.Enum] | None = None
    unique: bool = False
    #: Not settable by update (e.g. a quote's account).
    create_only: bool = False
    #: What the field means, for the API docs (format and limits are generated from the rule).
    description: str | None = None
    #: What an omitted or null value becomes on create when a hook decides it (API docs);
    #: without it the docs show the model column's default.
    default: str | None = None
    #: For a REF: the referenced record changes with this one (a quote joins its opportunity
    #: and may become its active quote), so the actor must be allowed to change it, not
    #: only to see it.
    gated: bool = False

    @property
    def api_name(self) -> str:
        return camel(self.name)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


Data = dict[str, Any]


@dataclass
class Hooks:
    """Domain rules plugged into the generic writes; all run inside the transaction."""

    before_create: Callable[[BaseDBAsyncClient, Any, Data], Awaitable[None]] | None = None
    after_create: Callable[[BaseDBAsyncClient, Any, Any], Awaitable[None]] | None = None
    before_update: Callable[[BaseDBAsyncClient, Any, Any, Data], Awaitable[None]] | None = None
    after_update: Callable[[BaseDBAsyncClient, Any, Any, Data], Awaitable[None]] | None = None
    #: May refuse (raise) or answer ``DEACTIVATE``: the row is switched off instead of deleted.
    before_delete: Callable[[BaseDBAsyncClient, Any, Any], Awaitable[str | None]] | None = None
    #: Other rows deleted (and restored) with this one: (model, fk column) pairs.
    cascade: list[tuple[type[Model], str]] = field(default_factory=list)


@dataclass
class EntityRules:
    model: type[Model]
    rules: list[Rule]
    hooks: Hooks = field(default_factory=Hooks)

    @property
    def type_name(self) -> str:
        return self.model.__name__

    @property
    def soft(self) -> bool:
        return "deleted_at" in self.model._meta.fields_map


REGISTRY: dict[str, EntityRules] = {}
DEACTIVATE = "deactivate"


def register(rules: EntityRules) -> EntityRules:
    REGISTRY[rules.type_name] = rules
    return rules


def _path(rule: Rule) -> tuple[str, ...]:
    return ("input", rule.api_name)


def _max_length(model: type[Model], name: str) -> int | None:
    f = model._meta.fields_map.get(name)
    return getattr(f, "max_length", None)


def _validate_value(model: type[Model], rule: Rule, value: Any) -> tuple[Any, DomainError | None]:
    path = _path(rule)
    label = rule.api_name
    if rule.kind in (K.STR, K.TEXT, K.EMAIL, K.CURRENCY):
        value = value.strip()
        if not value:
            return None, None
        limit = _max_length(model, rule.name) or (100_000 if rule.kind is K.TEXT else None)
        if limit is not None and len(value) > limit and rule.kind is not K.CURRENCY:
            return value, Invalid(f"{label} is too long (at most {limit} characters).", path)
        if rule.kind is K.EMAIL and ("@" not in value or value.startswith("@") or value.endswith("@")):
            return value, Invalid(f"{value!r} is not an e-mail address.", path)
        if rule.kind is K.CURRENCY and not money.is_currency(value):
            return value, Invalid(f"{value!r} is not an ISO 4217 currency code.", path)
        return value, None
    if rule.kind in (K.MONEY, K.AMOUNT, K.QUANTITY, K.PERCENT):
        if money.decimal_places(value) > money.STORAGE_PLACES:
            return value, Invalid(f"{label} has more than {money.STORAGE_PLACES} decimal places.", path)
        if abs(value) >= Decimal("100000000000000"):
            return value, Invalid(f"{label} is too large.", path)
        if rule.kind is K.QUANTITY and value <= 0:
            return value, Invalid(f"{label} must be greater than 0.", path)
        if rule.kind is K.AMOUNT and value < 0:
            return value, Invalid(f"{label} cannot be negative.", path)
        if rule.kind is K.PERCENT and not 0 <= value <= 100:
            return value, Invalid(f"{label} must be between 0 and 100.", path)
        return value, None
    if rule.kind is K.RATE:
        if money.decimal_places(value) > 10 or value <= 0 or value >= 100_000_000:
            return value, Invalid(f"{label} must be positive, with at most 10 decimal places.", path)
        return value, None
    if rule.kind is K.PROBABILITY and not 0 <= value <= 100:
        return value, Invalid(f"{label} must be between 0 and 100.", path)
    if rule.kind is K.POSITIVE_INT and not 0 < value <= 10_000:
        return value, Invalid(f"{label} must be a positive whole number.", path)
    if rule.kind is K.INT and not -(2**31) < value < 2**31:
        return value, Invalid(f"{label} is out of range.", path)
    return value, None


async def clean(
    conn: BaseDBAsyncClient, actor: Actor, spec: EntityRules, raw: Data, *, creating: bool, row: Any = None
) -> Data:
    """Validate ``raw`` (API field names in snake_case, refs as ints) into model values.

    Collects every field error before raising, so a client sees them all at once.
    """
    errors: list[DomainError] = []
    data: Data = {}
    for rule in spec.rules:
        if rule.name not in raw:
            if creating and rule.required:
                errors.append(Required(f"{rule.api_name} is required.", _path(rule)))
            continue
        if not creating and rule.create_only:
            errors.append(Invalid(f"{rule.api_name} cannot be changed.", _path(rule)))
            continue
        value = raw[rule.name]
        error = None
        if value is not None:
            value, error = _validate_value(spec.model, rule, value)
        if error is not None:
            errors.append(error)
            continue
        if value is None and rule.required:
            errors.append(Required(f"{rule.api_name} is required.", _path(rule)))
            continue
        if value is None and not _nullable(spec.model, rule.name):
            # API.md: an explicit null is "not given" on create (the default applies) and
            # REQUIRED on update for a field that cannot be empty; never a database error
            if not creating:
                errors.append(Required(f"{rule.api_name} cannot be empty.", _path(rule)))
            continue
        if value is not None and rule.kind is K.REF:
            assert rule.target is not None
            try:
                if rule.gated:
                    await access.load_for_write(conn, actor, rule.target, value, _path(rule))
                else:
                    await access.load_visible(conn, actor, rule.target, value, _path(rule))
            except DomainError as exc:
                errors.append(exc)
                continue
        if value is not None and rule.unique:
            # codes (SKUs) are unique ignoring case: "TQ-7f424" and "tq-7f424" are one code
            lookup = f"{rule.name}__iexact" if rule.kind is K.STR else rule.name
            taken = spec.model.filter(**{lookup: value}).using_db(conn)
            if row is not None:
                taken = taken.exclude(id=row.id)
            if await taken.exists():
                errors.append(Duplicate(f"{rule.api_name} {value!r} is already taken.", _path(rule)))
                continue
        data[rule.name] = value
    raise_all(errors)
    return data


def _nullable(model: type[Model], name: str) -> bool:
    field = model._meta.fields_map.get(name)
    return field is None or bool(field.null)


def ref_fields(type_name: str) -> dict[str, str]:
    """Model field -> referenced type name, for the foreign keys a plain write sets."""
    spec = REGISTRY.get(type_name)
    if spec is None:
        return {}
    return {r.name: r.target.__name__ for r in spec.rules if r.kind is K.REF and r.target is not None}


def snapshot(row: Model, names: Any) -> Data:
    return {n: getattr(row, n, None) for n in names}


async def create(actor: Actor, type_name: str, raw: Data, *, idempotency_key: str | None = None) -> Any:
    """Create a row from validated input; raises DomainError (nothing written)."""
    spec = REGISTRY[type_name]
    async with in_transaction() as conn:
        operation = f"create{type_name}"
        prior = await idempotency.replay(conn, actor, operation, idempotency_key, raw)
        if prior is not None:
            return await spec.model.filter(id=prior["id"]).using_db(conn).first()
        row = await create_in(conn, actor, type_name, raw)
        await idempotency.remember(conn, actor, operation, idempotency_key, raw, {"id": row.pk})
    return row


async def create_in(conn: BaseDBAsyncClient, actor: Actor, type_name: str, raw: Data) -> Any:
    """Validate and insert one row inside the caller's transaction (hooks and timeline included)."""
    spec = REGISTRY[type_name]
    data = await clean(conn, actor, spec, raw, creating=True)
    if spec.hooks.before_create:
        await spec.hooks.before_create(conn, actor, data)
    try:
        row = await spec.model.create(using_db=conn, **data)
    except IntegrityError:
        raise Duplicate("A record with these values already exists.", ("input",)) from None
    if spec.hooks.after_create:
        await spec.hooks.after_create(conn, actor, row)
    if type_name in timeline.TIMELINED:
        await timeline.record(conn, row, "CREATED", actor)
    return row


#: The one gate for write targets lives in services.access; re-exported for the callers here.
load_for_write = access.load_for_write


def check_version(row: Any, version: int | None) -> None:
    if version is not None and version != row.version:
        raise Conflict(
            f"This {type(row).__name__} changed since you read it (version {row.version}, you sent {version}).",
            ("input", "version"),
        )


async def save(conn: BaseDBAsyncClient, row: Any, values: Data) -> None:
    """Write ``values`` if the row is still at the version we read (else CONFLICT)."""
    now = dt.datetime.now(dt.UTC)
    claimed = (
        await type(row)
        .filter(id=row.id, version=row.version)
        .using_db(conn)
        .update(**values, version=row.version + 1, updated_at=now)
    )
    if not claimed:
        raise Conflict(f"This {type(row).__name__} was changed by someone else; read it again.", ("input", "id"))
    for k, v in values.items():
        setattr(row, k, v)
    row.version += 1
    row.updated_at = now


async def update(actor: Actor, type_name: str, pk: int, raw: Data, *, version: int | None = None) -> Any:
    """Change the given fields of a row; raises DomainError (nothing written)."""
    spec = REGISTRY[type_name]
    async with in_transaction() as conn:
        row = await load_for_write(conn, actor, spec.model, pk)
        check_version(row, version)
        data = await clean(conn, actor, spec, raw, creating=False, row=row)
        if spec.hooks.before_update:
            await spec.hooks.before_update(conn, actor, row, data)
        before = snapshot(row, data)
        diff = timeline.changes(before, data, ref_fields(type_name))
        if diff or not data:
            try:
                await save(conn, row, data)
            except IntegrityError:
                raise Duplicate("A record with these values already exists.", ("input",)) from None
        if spec.hooks.after_update:
            await spec.hooks.after_update(conn, actor, row, data)
        if diff and type_name in timeline.TIMELINED:
            await timeline.record(conn, row, "UPDATED", actor, {"changes": {camel(k): v for k, v in diff.items()}})
    return row


async def delete(actor: Actor, type_name: str, pk: int) -> Any:
    """Soft-delete a row and what its delete takes along (hard delete where not soft)."""
    spec = REGISTRY[type_name]
    async with in_transaction() as conn:
        row = await load_for_write(conn, actor, spec.model, pk)
        if spec.hooks.before_delete and await spec.hooks.before_delete(conn, actor, row) == DEACTIVATE:
            await save(conn, row, {"is_active": False})
            return row
        if not spec.soft:
            await row.delete(using_db=conn)
            return row
        batch = str(uuid.uuid4())
        now = dt.datetime.now(dt.UTC)
        await save(conn, row, {"deleted_at": now, "deletion_batch": batch})
        for model, fk in spec.hooks.cascade:
            taken = await model.filter(**{fk: row.pk, "deleted_at__isnull": True}).using_db(conn)
            await model.filter(id__in=[t.pk for t in taken]).using_db(conn).update(deleted_at=now, deletion_batch=batch)
            for child in taken if model.__name__ in timeline.TIMELINED else ():
                await timeline.record(conn, child, "DELETED", actor, {"with": row})
        if type_name in timeline.TIMELINED:
            await timeline.record(conn, row, "DELETED", actor)
    return row


#: Records a restored row hangs on: (fk column, type, input field). DOMAIN.md 9 restores a
#: record "with its relations"; a live record under a deleted one would be hidden with it.
_RESTORE_PARENTS: dict[str, list[tuple[str, str]]] = {
    "Contact": [("account_id", "Account")],
    "Opportunity": [("account_id", "Account")],
    "Quote": [("account_id", "Account"), ("opportunity_id", "Opportunity")],
}


async def _check_parents_alive(conn: BaseDBAsyncClient, type_name: str, row: Any) -> None:
    """INVALID_TRANSITION while a record ``row`` belongs to is still deleted: restore that first."""
    from crm_graphql import models as m

    for column, parent in _RESTORE_PARENTS.get(type_name, []):
        pk = getattr(row, column, None)
        if pk is not None and await getattr(m, parent).filter(id=pk, deleted_at__isnull=False).using_db(conn).exists():
            raise InvalidTransition(
                f"Its {parent[0].lower() + parent[1:]} is deleted: restore the {parent} first.", ("input", "id")
            )


async def restore(actor: Actor, type_name: str, pk: int) -> Any:
    """Bring back a soft-deleted row with exactly what its delete took along."""
    spec = REGISTRY[type_name]
    async with in_transaction() as conn:
        # restoreX exists for soft-deletable types only (api.mutations.crud)
        soft = cast(type[SoftDeletable], spec.model)
        row = await load_for_write(conn, actor, soft, pk, include_deleted=True)
        if row.deleted_at is None:
            return row
        await _check_parents_alive(conn, type_name, row)
        batch = row.deletion_batch
        await save(conn, row, {"deleted_at": None, "deletion_batch": None})
        for model, _fk in spec.hooks.cascade:
            brought = await model.filter(deletion_batch=batch).using_db(conn)
            await model.filter(deletion_batch=batch).using_db(conn).update(deleted_at=None, deletion_batch=None)
            for child in brought if model.__name__ in timeline.TIMELINED else ():
                await timeline.record(conn, child, "RESTORED", actor, {"with": row})
        if type_name in timeline.TIMELINED:
            await timeline.record(conn, row, "RESTORED", actor)
    return row


#: What a purge must not destroy: documents keep pointing at what they were made for.
_KEPT_REFERENCES: dict[str, list[tuple[str, str]]] = {
    "Account": [("SalesOrder", "account_id"), ("Invoice", "account_id"), ("Contract", "account_id")],
    "Opportunity": [("SalesOrder", "opportunity_id"), ("Invoice", "opportunity_id"), ("Contract", "opportunity_id")],
    "Quote": [("SalesOrder", "quote_id"), ("Invoice", "quote_id")],
    "Product": [
        ("SalesOrderItem", "product_id"),
        ("InvoiceItem", "product_id"),
        ("Contract", "product_id"),
        ("QuoteItem", "product_id"),
        ("OpportunityItem", "product_id"),
        ("PricebookEntry", "product_id"),
        ("BundleItem", "product_id"),
    ],
    "Contact": [("SalesOrder", "contact_id"), ("Invoice", "contact_id")],
    "Pricebook": [("Quote", "pricebook_id"), ("Opportunity", "pricebook_id")],
}


async def purge(actor: Actor, type_name: str, pk: int) -> int:
    """Erase a row for good (admins only; checked by the caller). Refused with IN_USE while
    orders, invoices, contracts or document lines point at it; nothing is written then."""
    from crm_graphql import models as m

    spec = REGISTRY[type_name]
    async with in_transaction() as conn:
        row = await load_for_write(conn, actor, spec.model, pk, include_deleted=True)
        for ref_type, column in _KEPT_REFERENCES.get(type_name, []):
            if await getattr(m, ref_type).filter(**{column: row.pk}).using_db(conn).exists():
                raise InUse(f"A {ref_type} still points at this {type_name}; it cannot be purged.", ("input", "id"))
        try:
            await row.delete(using_db=conn)
        except IntegrityError:
            raise InUse(f"Other records still point at this {type_name}.", ("input", "id")) from None
    return pk
