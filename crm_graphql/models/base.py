"""Shared model pieces: the Entity base, soft deletes, exact decimal storage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, overload

from tortoise import fields
from tortoise.exceptions import ValidationError
from tortoise.models import Model
from tortoise.queryset import ValuesListQuery

from crm_graphql import money

MAX_BIGINT = 2**63 - 1


class FixedDecimalField(fields.BigIntField):
    """A Decimal stored as an integer count of ``10**-places`` (exact on every database).

    Four places for money, quantities and percents (``money.STORAGE_PLACES``); ten for
    exchange rates. Filters go through ``to_db_value`` too, so ``amount__gte=Decimal(...)``
    compares integers in SQL.
    """

    def __init__(self, places: int = money.STORAGE_PLACES, **kwargs: Any) -> None:
        if isinstance(kwargs.get("default"), int) and not isinstance(kwargs["default"], bool):
            # an int default would reach resolvers as an int before the row is reloaded
            kwargs["default"] = Decimal(kwargs["default"])
        super().__init__(**kwargs)
        self.places = places
        self._scale = 10**places

    def to_db_value(self, value: Any, instance: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal):
            raise TypeError(f"{self.model_field_name} takes a Decimal, not {type(value).__name__}")
        if not value.is_finite():
            raise ValidationError(f"{self.model_field_name}: {value} is not a finite number")
        scaled = value * self._scale
        if scaled != scaled.to_integral_value():
            raise money.MoneyError(f"{value} has more than {self.places} decimal places")
        if abs(scaled) > MAX_BIGINT:
            # refused before SQL (a BIGINT overflow would be a driver error); the mutation
            # edge turns a ValidationError into an INVALID user error
            raise ValidationError(f"{self.model_field_name}: {value} is larger than the field holds")
        return int(scaled)

    def to_python_value(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        # scaleb keeps every digit: 12345 -> Decimal("1.2345"), 10000 -> Decimal("1.0000")
        return Decimal(int(value)).scaleb(-self.places)


async def single_value(query: ValuesListQuery[Literal[True]]) -> Any:
    """The value of ``qs.first().values_list(column, flat=True)`` (None without a row).

    Tortoise types every single-row ``values_list`` as a tuple; with ``flat=True`` and one
    column it is that column's value."""
    return await query


async def flat_values(query: ValuesListQuery[Literal[False]]) -> list[Any]:
    """The values of ``qs.values_list(column, flat=True)``.

    Tortoise types every ``values_list`` row as a tuple; with ``flat=True`` and one column
    each row is that column's value."""
    return await query


@overload
def MoneyField(*, null: Literal[True], **kwargs: Any) -> fields.Field[Decimal | None]: ...


@overload
def MoneyField(*, null: Literal[False] = False, **kwargs: Any) -> fields.Field[Decimal]: ...


def MoneyField(**kwargs: Any) -> Any:
    """Money, quantity or percent: exact, four decimals."""
    return FixedDecimalField(money.STORAGE_PLACES, **kwargs)


class Entity(Model):
    """Every entity: integer key, optimistic-concurrency ``version``, timestamps."""

    id = fields.IntField(primary_key=True)
    #: Incremented by every write. A stale ``version`` in an update is a CONFLICT.
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class SoftDeletable(Entity):
    """Deleted rows stay, hidden from every read, until restored or purged."""

    deleted_at = fields.DatetimeField(null=True, db_index=True)
    #: Rows deleted together (an account with its contacts...) share one batch id, so
    #: restoring the account restores exactly what its delete took.
    deletion_batch = fields.CharField(max_length=36, null=True)

    class Meta:
        abstract = True
