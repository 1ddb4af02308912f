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

from crm_graphql.actor import Actor
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


#: What each rule kind accepts, as ``services.crud`` validates it (a refusal is INVALID).
_KIND_DOCS: dict[K, str] = {
    K.STR: "Text of at most {limit} characters, trimmed; blank counts as null.",
    K.TEXT: "Free text of at most {limit} characters, trimmed; blank counts as null.",
    K.EMAIL: "An e-mail address (text on both sides of an `@`) of at most {limit} characters; blank counts as null.",
    K.CURRENCY: "An ISO 4217 code in capitals (`EUR`, `USD`, `JPY`); an unknown code is INVALID.",
    K.MONEY: "A decimal string with at most 4 decimal places.",
    K.AMOUNT: "A decimal string, not negative, with at most 4 decimal places.",
    K.QUANTITY: "A decimal string greater than 0, with at most 4 decimal places.",
    K.PERCENT: "A percent from 0 to 100 as a decimal string, with at most 4 decimal places.",
    K.RATE: "A positive decimal string with at most 10 decimal places.",
    K.PROBABILITY: "A whole percent from 0 to 100.",
    K.POSITIVE_INT: "A whole number from 1 to 10000.",
    K.INT: "A whole number.",
    K.DATE: "A calendar day, YYYY-MM-DD.",
    K.DATETIME: "An ISO 8601 date and time with offset.",
}


def _field_doc(model: Any, rule: Rule, creating: bool) -> str:
    """What an input field takes, from its rule and the model column behind it: format,
    length, uniqueness, default, what null does (API.md: null on create is "not given")."""
    column = model._meta.fields_map.get(rule.name.removesuffix("_id") if rule.kind is K.REF else rule.name)
    parts = [rule.description] if rule.description else []
    if rule.kind is K.REF and rule.target is not None:
        target = rule.target.__name__
        article = "an" if target[0] in "AEIO" else "a"
        may = "change" if rule.gated else "see"
        parts.append(f"Global ID of {article} {target} you may {may}; another one is NOT_FOUND.")
    elif rule.kind is K.ENUM and rule.enum is not None:
        parts.append(f"One {rule.enum.__name__} value.")
    elif rule.kind in _KIND_DOCS:
        limit = getattr(column, "max_length", None) or 100_000  # services.crud: TEXT without a column limit
        parts.append(_KIND_DOCS[rule.kind].format(limit=f"{limit:,}"))
    if rule.unique:
        parts.append("Unique" + (" ignoring case" if rule.kind is K.STR else "") + ": a taken value is DUPLICATE.")
    default = getattr(column, "default", None)
    if creating:
        if rule.required:
            parts.append("Required.")
        elif rule.default is not None:
            parts.append(f"Omitted or null: {rule.default}")
        elif default is not None and not callable(default):
            shown = getattr(default, "value", default)
            parts.append(f"Omitted or null: {str(shown).lower() if isinstance(shown, bool) else shown}.")
        if rule.create_only:
            parts.append("Set on create only.")
    elif rule.required or not getattr(column, "null", True):
        parts.append("Omit to keep; it cannot be cleared (null is REQUIRED).")
    else:
        parts.append("Omit to keep; null clears it.")
    return " ".join(parts)


#: The ``input`` argument of each generated mutation.
_INPUT_DOCS = {
    "create": "Fields of the new {type_name}: null counts as not given; each field says its format and default.",
    "update": "The {type_name} (`id`), the `version` you read (optional) and only the fields to change.",
    "delete": "The global `id` of the {type_name} to delete.",
    "restore": "The global `id` of the deleted {type_name} to bring back.",
    "purge": "The global `id` of the {type_name} to erase for good.",
}

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
        doc = _field_doc(spec.model, rule, creating)
        if rule.kind is K.REF and rule.target is not None:
            out[rule.name] = (Optional[int], ref(rule.target.__name__, doc, default=strawberry.UNSET))
        else:
            py = rule.enum if rule.kind is K.ENUM else _PY_TYPES[rule.kind]
            out[rule.name] = (Optional[py], strawberry.field(default=strawberry.UNSET, description=doc))
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
        input_doc = _INPUT_DOCS[op].format(type_name=type_name)
        fields[_lower(f"{op}{type_name}")] = mutation(on=type_name, description=description, input_doc=input_doc)(
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

    async def do_create(actor: Actor, input: Any) -> dict[str, Any]:
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

    async def do_update(actor: Actor, input: Any) -> dict[str, Any]:
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

    async def do_delete(actor: Actor, input: Any) -> dict[str, Any]:
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

        async def do_restore(actor: Actor, input: Any) -> dict[str, Any]:
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

        async def do_purge(actor: Actor, input: Any) -> dict[str, Any]:
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
