"""Global IDs and the ``Node`` interface.

A global ID is ``base64("Type:pk")``: opaque to clients, decoded here alone. The registry
maps each Tortoise model to its GraphQL type name, which is how ORM rows returned by
resolvers find their GraphQL type (``is_type_of`` / ``resolve_type``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import strawberry
from tortoise.models import Model

from crm_graphql.api.fields import field

TYPE_NAMES: dict[type[Model], str] = {}
MODELS: dict[str, type[Model]] = {}


def register(model: type[Model], type_name: str) -> None:
    TYPE_NAMES[model] = type_name
    MODELS[type_name] = model


def type_name_of(obj: Any) -> str:
    return TYPE_NAMES[type(obj)]


def to_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def global_id_of(obj: Model) -> str:
    return to_global_id(type_name_of(obj), obj.pk)


class MalformedId(ValueError):
    pass


def from_global_id(global_id: str) -> tuple[str, int]:
    """Decode ``base64("Type:pk")``; raise MalformedId for anything else.

    Strict: ASCII digits only (a superscript two or an Arabic-Indic one pass ``str.isdigit``), no
    leading zeros, canonical base64 (its own padding): only the id the server would give.
    """
    if not isinstance(global_id, str) or not 0 < len(global_id) <= 200:
        raise MalformedId("malformed id")
    try:
        raw = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise MalformedId("malformed id") from None
    type_name, sep, pk = raw.partition(":")
    if not sep or type_name not in MODELS or not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        raise MalformedId("malformed id")
    value = int(pk)
    if value <= 0 or value > 2**62 or to_global_id(type_name, value) != global_id:
        raise MalformedId("malformed id")
    return type_name, value


def resolve_model_type(obj: Any, *_: Any) -> str | None:
    return TYPE_NAMES.get(type(obj))


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    @field(description="Opaque global ID.", metadata={"fast": global_id_of})
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id_of(self))  # type: ignore[arg-type]  # strawberry passes the ORM row as self

    @classmethod
    def resolve_type(cls, obj: Any, *_: Any) -> str | None:
        return resolve_model_type(obj)


def model_type(model: type[Model]) -> Any:
    """``is_type_of`` for a GraphQL type backed by ``model`` rows."""

    def is_type_of(cls: Any, obj: Any, _info: Any) -> bool:
        return isinstance(obj, model)

    return classmethod(is_type_of)
