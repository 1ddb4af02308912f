"""Plain CRUD mutations generated for every entity from ``services.crud.REGISTRY``:
``createX``, ``updateX``, ``deleteX``, and ``restoreX`` / ``purgeX`` where deletes are soft.

Generated, but declared like every other mutation (api.mutations.base): inputs whose
references are ``ref`` fields, payloads deriving from ``Payload``, resolvers under ``mutation``
(role, id decoding and error mapping done by its extension)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

import strawberry

from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, given, mutation, out, ref
from crm_graphql.api.relay import to_global_id
from crm_graphql.api.types.common import lazy
from crm_graphql.services import crud
from crm_graphql.services import entities as _entities  # noqa: F401 - registers the rules
from crm_graphql.services.crud import K, Rule

_PY_TYPES: dict[K, Any] = {
    K.STR: str, K.TEXT: str, K.EMAIL: str, K.CURRENCY: str, K.MONEY: Decimal, K.AMOUNT: Decimal,
    K.QUANTITY: Decimal, K.PERCENT: Decimal, K.RATE: Decimal, K.PROBABILITY: int, K.POSITIVE_INT: int,
    K.INT: int, K.BOOL: bool, K.DATE: dt.date, K.DATETIME: dt.datetime, K.REF: strawberry.ID,
}  # fmt: skip

#: Operations replaced by a domain mutation of the same name.
SKIPPED = {
    ("Stage", "delete"),
    ("Pipeline", "delete"),
    ("ExchangeRate", "create"),
    ("ExchangeRate", "update"),
    ("ExchangeRate", "delete"),
}


def _lower(name: str) -> str:
    return name[0].lower() + name[1:]


def _field_doc(rule: Rule) -> str:
    base = rule.description or f"{rule.api_name.removesuffix('Id')}."
    if rule.kind is K.REF:
        base = f"Global ID of the {rule.target.__name__ if rule.target else ''}."
    return f"{base} Required." if rule.required else base


_Fields = dict[str, tuple[Any, Any]]  # python name -> (annotation, strawberry field)
_KEY_DOC = "Repeat a request safely: the same key with the same input returns the first result."


def _input(name: str, description: str, fields: _Fields) -> type:
    ns: dict[str, Any] = {k: f for k, (_, f) in fields.items()}
    ns["__annotations__"] = {k: t for k, (t, _) in fields.items()}
    ns["__module__"] = __name__
    return strawberry.input(type(name, (), ns), description=description)


def _payload(name: str, description: str, fields: dict[str, tuple[Any, str]]) -> type[Payload]:
    ns: dict[str, Any] = {k: out(doc) for k, (_, doc) in fields.items()}
    ns["__annotations__"] = {k: Optional[t] for k, (t, _) in fields.items()}
    ns["__module__"] = __name__
    return strawberry.type(type(name, (Payload,), ns), description=description)


def _id(type_name: str, description: str) -> tuple[Any, Any]:
    """``id`` of update, delete, restore, purge: nullable in the schema, but REQUIRED."""
    return Optional[int], ref(type_name, description, default=strawberry.UNSET, required=True)


def _input_fields(spec: crud.EntityRules, creating: bool) -> _Fields:
    out: _Fields = {}
    for rule in spec.rules:
        if not creating and rule.create_only:
            continue
        if rule.kind is K.REF and rule.target is not None:
            out[rule.name] = (Optional[int], ref(rule.target.__name__, _field_doc(rule), default=strawberry.UNSET))
        else:
            py = rule.enum if rule.kind is K.ENUM else _PY_TYPES[rule.kind]
            out[rule.name] = (Optional[py], strawberry.field(default=strawberry.UNSET, description=_field_doc(rule)))
    return out


def crud_fields(type_name: str) -> dict[str, Any]:
    spec = crud.REGISTRY[type_name]
    node = lazy(type_name)
    key = _lower(type_name)
    fields: dict[str, Any] = {}

    def add(op: str, input_cls: type, payload_cls: type[Payload], call: Any, description: str) -> None:
        if (type_name, op) in SKIPPED:
            return

        async def resolver(info: Info, input: Any) -> Payload:
            return payload_cls(**await call(info.context.user, input))

        resolver.__annotations__ = {"info": Info, "input": input_cls, "return": payload_cls}
        fields[_lower(f"{op}{type_name}")] = mutation(on=type_name, description=description, input_doc="The input.")(
            resolver
        )

    create_input = _input(
        f"Create{type_name}Input",
        f"Fields of a new {type_name}.",
        _input_fields(spec, True)
        | {"idempotency_key": (Optional[str], strawberry.field(default=strawberry.UNSET, description=_KEY_DOC))},
    )
    create_payload = _payload(
        f"Create{type_name}Payload", f"Result of create{type_name}.", {key: (node, f"The new {type_name}.")}
    )

    async def do_create(actor: Any, input: Any) -> dict[str, Any]:
        raw = given(input)
        idem = raw.pop("idempotency_key", None)
        return {key: await crud.create(actor, type_name, raw, idempotency_key=idem)}

    add("create", create_input, create_payload, do_create, f"Create a {type_name}.")

    update_fields: _Fields = {
        "id": _id(type_name, f"Global ID of the {type_name} to change."),
        "version": (
            Optional[int],
            strawberry.field(
                default=strawberry.UNSET, description="The version you read; a stale one is refused with CONFLICT."
            ),
        ),
    }
    update_input = _input(
        f"Update{type_name}Input",
        f"Fields to change on a {type_name}; omitted fields stay, null clears.",
        update_fields | _input_fields(spec, False),
    )
    update_payload = _payload(
        f"Update{type_name}Payload",
        f"Result of update{type_name}.",
        {key: (node, f"The {type_name} after the change.")},
    )

    async def do_update(actor: Any, input: Any) -> dict[str, Any]:
        raw = given(input)
        pk = raw.pop("id")
        version = raw.pop("version", None)
        return {key: await crud.update(actor, type_name, pk, raw, version=version)}

    add("update", update_input, update_payload, do_update, f"Change fields of a {type_name}.")

    def id_input(name: str, description: str) -> type:
        return _input(name, description, {"id": _id(type_name, f"Global ID of the {type_name}.")})

    delete_payload = _payload(
        f"Delete{type_name}Payload",
        f"Result of delete{type_name}.",
        {
            key: (node, f"The deleted {type_name}" + (" (isDeleted: true)." if spec.soft else ".")),
            "deleted_id": (strawberry.ID, "Global ID of the deleted record (null when it was deactivated instead)."),
        },
    )

    async def do_delete(actor: Any, input: Any) -> dict[str, Any]:
        row = await crud.delete(actor, type_name, input.id)
        deactivated = getattr(row, "is_active", None) is False and not spec.soft
        return {key: row, "deleted_id": None if deactivated else to_global_id(type_name, input.id)}

    add(
        "delete",
        id_input(f"Delete{type_name}Input", f"The {type_name} to delete."),
        delete_payload,
        do_delete,
        f"Delete a {type_name}" + (" (soft: restoreX brings it back)." if spec.soft else "."),
    )

    if spec.soft:
        restore_payload = _payload(
            f"Restore{type_name}Payload", f"Result of restore{type_name}.", {key: (node, f"The restored {type_name}.")}
        )

        async def do_restore(actor: Any, input: Any) -> dict[str, Any]:
            return {key: await crud.restore(actor, type_name, input.id)}

        add(
            "restore",
            id_input(f"Restore{type_name}Input", f"The deleted {type_name} to bring back."),
            restore_payload,
            do_restore,
            f"Bring back a deleted {type_name} with what its delete took along.",
        )

        purge_payload = _payload(
            f"Purge{type_name}Payload",
            f"Result of purge{type_name}.",
            {"purged_id": (strawberry.ID, "Global ID of the erased record.")},
        )

        async def do_purge(actor: Any, input: Any) -> dict[str, Any]:
            await crud.purge(actor, type_name, input.id)
            return {"purged_id": to_global_id(type_name, input.id)}

        add(
            "purge",
            id_input(f"Purge{type_name}Input", f"The {type_name} to erase for good."),
            purge_payload,
            do_purge,
            f"Erase a {type_name} for good (admins only; refused while documents point at it).",
        )
    return fields


def all_crud_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for type_name in crud.REGISTRY:
        fields |= crud_fields(type_name)
    return fields


CrudMutation = strawberry.type(type("CrudMutation", (), all_crud_fields()), description="Plain CRUD.")
