"""What every mutation shares: id decoding, input conversion, the catch-once into payloads,
and generated ``XInput``/``XPayload`` types."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, Optional

import strawberry
from tortoise.exceptions import ValidationError

from crm_graphql.api.errors import UserError, user_errors
from crm_graphql.api.relay import MalformedId, from_global_id
from crm_graphql.errors import DomainError, Invalid, NotFound, Required


def decode_id(value: Any, expected: str | tuple[str, ...], path: tuple[str, ...]) -> int:
    """A global ID from an input: missing or null -> REQUIRED (API.md: an explicit null for a
    field that cannot be empty); malformed (blank included) -> INVALID; another type -> NOT_FOUND."""
    if value is None or value is strawberry.UNSET:
        raise Required(f"{path[-1]} is required.", path)
    try:
        type_name, pk = from_global_id(str(value))
    except MalformedId:
        raise Invalid("Malformed id.", path) from None
    allowed = (expected,) if isinstance(expected, str) else expected
    if type_name not in allowed:
        raise NotFound(f"No {' or '.join(allowed)} with this id.", path)
    return pk


def decode_optional(value: Any, expected: str, path: tuple[str, ...]) -> int | None:
    if value is None or value is strawberry.UNSET:
        return None
    return decode_id(value, expected, path)


def given(input_obj: Any) -> dict[str, Any]:
    """The fields the client sent (UNSET ones left out), by python name."""
    return {
        f.name: getattr(input_obj, f.name)
        for f in dataclasses.fields(input_obj)
        if getattr(input_obj, f.name) is not strawberry.UNSET
    }


def make_payload(name: str, fields: dict[str, tuple[Any, str]], description: str) -> Any:
    """A payload type: the touched objects (nullable) plus ``userErrors``."""
    annotations: dict[str, Any] = {k: Optional[t] for k, (t, _) in fields.items()}
    annotations["user_errors"] = list[UserError]
    ns: dict[str, Any] = {k: strawberry.field(default=None, description=d) for k, (_, d) in fields.items()}
    ns["user_errors"] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )
    ns["__annotations__"] = annotations
    cls = type(name, (), ns)
    cls.__module__ = __name__
    return strawberry.type(cls, name=name, description=description)


def make_input(name: str, fields: dict[str, tuple[Any, str]], description: str, one_of: bool = False) -> Any:
    annotations = {k: Optional[t] for k, (t, _) in fields.items()}
    ns: dict[str, Any] = {k: strawberry.field(default=strawberry.UNSET, description=d) for k, (_, d) in fields.items()}
    ns["__annotations__"] = annotations
    cls = type(name, (), ns)
    cls.__module__ = __name__
    return strawberry.input(cls, name=name, description=description, one_of=one_of)


async def run(payload_cls: Any, call: Callable[[], Awaitable[dict[str, Any]]]) -> Any:
    """Call the service; a DomainError becomes ``userErrors`` (nothing was written)."""
    try:
        result = await call()
    except DomainError as exc:
        return payload_cls(user_errors=user_errors(exc))
    except ValidationError as exc:
        # a value a column cannot hold (too long, too large), refused by the model field
        # before SQL: the client's mistake, and the transaction it was raised in rolled back
        # (the column may be computed, as a line total from price and quantity: no input path)
        return payload_cls(user_errors=user_errors(Invalid(f"A value is out of range: {exc}")))
    return payload_cls(**result)
