"""Plain CRUD mutations generated for every entity from ``services.crud.REGISTRY``:
``createX``, ``updateX``, ``deleteX`` and ``restoreX`` (where deletes are soft)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import decode_id, given, make_input, make_payload, run
from crm_graphql.api.types.common import lazy
from crm_graphql.services import crud, permissions
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


def _input_fields(spec: crud.EntityRules, creating: bool) -> dict[str, tuple[Any, str]]:
    out = {}
    for rule in spec.rules:
        if not creating and rule.create_only:
            continue
        py = rule.enum if rule.kind is K.ENUM else _PY_TYPES[rule.kind]
        out[rule.name] = (py, _field_doc(rule))
    return out


def decode_refs(spec: crud.EntityRules, raw: dict[str, Any]) -> dict[str, Any]:
    data = dict(raw)
    for rule in spec.rules:
        if rule.kind is K.REF and data.get(rule.name) is not None and rule.target is not None:
            data[rule.name] = decode_id(data[rule.name], rule.target.__name__, ("input", rule.api_name))
    return data


def crud_fields(type_name: str) -> dict[str, Any]:
    spec = crud.REGISTRY[type_name]
    node = lazy(type_name)
    key = _lower(type_name)
    fields: dict[str, Any] = {}

    def add(op: str, input_cls: Any, payload_cls: Any, call: Any, description: str) -> None:
        if (type_name, op) in SKIPPED:
            return
        name = f"{op}{type_name}"

        async def resolver(info: Info, input: Any) -> Any:
            async def execute() -> dict[str, Any]:
                permissions.authorize(info.context.user, name, type_name)
                return await call(info.context.user, input)

            return await run(payload_cls, execute)

        resolver.__annotations__ = {
            "info": Info,
            "input": Annotated[input_cls, strawberry.argument(description="The input.")],
            "return": payload_cls,
        }
        fields[_lower(name)] = strawberry.mutation(resolver=resolver, description=description)

    create_fields = _input_fields(spec, True) | {
        "idempotency_key": (str, "Repeat a request safely: the same key with the same input returns the first result.")
    }
    create_input = make_input(f"Create{type_name}Input", create_fields, f"Fields of a new {type_name}.")
    create_payload = make_payload(f"Create{type_name}Payload", {key: (node, f"The new {type_name}.")},
                                  f"Result of create{type_name}.")  # fmt: skip

    async def do_create(actor: Any, input: Any) -> dict[str, Any]:
        raw = given(input)
        idem = raw.pop("idempotency_key", None)
        return {key: await crud.create(actor, type_name, decode_refs(spec, raw), idempotency_key=idem)}

    add("create", create_input, create_payload, do_create, f"Create a {type_name}.")

    update_fields: dict[str, tuple[Any, str]] = {
        "id": (strawberry.ID, f"Global ID of the {type_name} to change."),
        "version": (int, "The version you read; a stale one is refused with CONFLICT."),
    } | _input_fields(spec, False)
    update_input = make_input(f"Update{type_name}Input", update_fields,
                              f"Fields to change on a {type_name}; omitted fields stay, null clears.")  # fmt: skip
    update_payload = make_payload(f"Update{type_name}Payload", {key: (node, f"The {type_name} after the change.")},
                                  f"Result of update{type_name}.")  # fmt: skip

    async def do_update(actor: Any, input: Any) -> dict[str, Any]:
        raw = given(input)
        pk = decode_id(raw.pop("id", None), type_name, ("input", "id"))
        version = raw.pop("version", None)
        return {key: await crud.update(actor, type_name, pk, decode_refs(spec, raw), version=version)}

    add("update", update_input, update_payload, do_update, f"Change fields of a {type_name}.")

    id_input = {"id": (strawberry.ID, f"Global ID of the {type_name}.")}
    delete_input = make_input(f"Delete{type_name}Input", id_input, f"The {type_name} to delete.")
    delete_payload = make_payload(
        f"Delete{type_name}Payload",
        {key: (node, f"The deleted {type_name}" + (" (isDeleted: true)." if spec.soft else ".")),
         "deleted_id": (strawberry.ID, "Global ID of the deleted record (null when it was deactivated instead).")},
        f"Result of delete{type_name}.",
    )  # fmt: skip

    async def do_delete(actor: Any, input: Any) -> dict[str, Any]:
        pk = decode_id(input.id, type_name, ("input", "id"))
        row = await crud.delete(actor, type_name, pk)
        deactivated = getattr(row, "is_active", None) is False and not spec.soft
        return {key: row, "deleted_id": None if deactivated else input.id}

    add("delete", delete_input, delete_payload, do_delete,
        f"Delete a {type_name}" + (" (soft: restoreX brings it back)." if spec.soft else "."))  # fmt: skip

    if spec.soft:
        restore_input = make_input(f"Restore{type_name}Input", id_input, f"The deleted {type_name} to bring back.")
        restore_payload = make_payload(f"Restore{type_name}Payload", {key: (node, f"The restored {type_name}.")},
                                       f"Result of restore{type_name}.")  # fmt: skip

        async def do_restore(actor: Any, input: Any) -> dict[str, Any]:
            pk = decode_id(input.id, type_name, ("input", "id"))
            return {key: await crud.restore(actor, type_name, pk)}

        add("restore", restore_input, restore_payload, do_restore,
            f"Bring back a deleted {type_name} with what its delete took along.")  # fmt: skip

        purge_input = make_input(f"Purge{type_name}Input", id_input, f"The {type_name} to erase for good.")
        purge_payload = make_payload(f"Purge{type_name}Payload", {"purged_id": (strawberry.ID, "Global ID of the erased record.")},
                                     f"Result of purge{type_name}.")  # fmt: skip

        async def do_purge(actor: Any, input: Any) -> dict[str, Any]:
            pk = decode_id(input.id, type_name, ("input", "id"))
            await crud.purge(actor, type_name, pk)
            return {"purged_id": input.id}

        add("purge", purge_input, purge_payload, do_purge,
            f"Erase a {type_name} for good (admins only; refused while documents point at it).")  # fmt: skip
    return fields


def all_crud_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for type_name in crud.REGISTRY:
        fields |= crud_fields(type_name)
    return fields


CrudMutation = strawberry.type(type("CrudMutation", (), all_crud_fields()), description="Plain CRUD.")
