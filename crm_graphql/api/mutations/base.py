"""One way to write a mutation: its input, its payload, the role it needs, the service it calls.

    @strawberry.input(description="Assign a lead or an opportunity to a partner account.")
    class AssignToPartnerInput:
        lead_id: int | None = ref("Lead", "The lead.", default=None)
        partner_account_id: int = ref("Account", "An account marked isPartner.")

    @strawberry.type(description="Result of assignToPartner.")
    class AssignToPartnerPayload(Payload):
        lead: m.Lead | None = out("The lead, when one was given.", of=LeadType)

    @strawberry.type
    class Mutation:
        @mutation(on="Opportunity", description="Assign ...", input_doc="Record, partner.")
        async def assign_to_partner(self, info: Info, input: AssignToPartnerInput) -> AssignToPartnerPayload:
            row = await partners.assign_to_partner(info.context.user, input.lead_id, ...)
            return AssignToPartnerPayload(lead=row)

``MutationExtension`` (one strawberry ``FieldExtension`` on every mutation) then does, in this
order: the role check (``permissions.authorize(user, "<mutationName>", on)``, FORBIDDEN at
``["input"]``), the decoding of every ``ref``/``refs`` field of the input, nested inputs and
lists included, into primary keys (REQUIRED / INVALID / NOT_FOUND at the field's path, all of
them at once), the resolver, and the mapping of a ``DomainError`` (or a model's
``ValidationError``) into ``userErrors`` of the declared payload. Services own transactions,
idempotency and timelines; the resolver only calls one and fills the payload.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Optional, TypeVar

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import get_object_definition, has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case
from tortoise.exceptions import ValidationError

from crm_graphql.api.context import Info
from crm_graphql.api.errors import UserError, user_errors
from crm_graphql.api.relay import MalformedId, from_global_id, to_global_id
from crm_graphql.errors import DomainError, Invalid, NotFound, Required, raise_all
from crm_graphql.services import permissions

P = TypeVar("P", bound="Payload")
R = TypeVar("R", bound=Callable[..., Awaitable[Any]])
_ERRORS_DOC = "Why the input was refused; empty on success."
_KEY_DOC = "1 to 200 characters; repeating a call with the same key and input returns the first result."


class Payload:
    """Base of every mutation payload: the touched objects (declared with ``out``: null when
    refused), then ``userErrors``, appended as the last field of each subclass so the SDL
    lists it last."""

    user_errors: list[UserError]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "user_errors" in getattr(cls, "__dataclass_fields__", {}):
            return  # a payload deriving from a declared one already has it
        cls.__annotations__ = {**inspect.get_annotations(cls), "user_errors": list[UserError]}
        cls.user_errors = strawberry.field(default_factory=list, description=_ERRORS_DOC)

    @classmethod
    def refused(cls: type[P], exc: DomainError) -> P:
        payload = cls()
        payload.user_errors = user_errors(exc)
        return payload


def out(description: str, of: Any = None) -> Any:
    """A payload field: what the mutation touched, null when it refused the input. A row is
    annotated with its model (``quote: m.Quote | None``, what the resolver really passes) and
    ``of`` names its GraphQL type (``QuoteType``, or ``list[QuoteItemType]``), which the schema shows."""
    if of is None:
        return strawberry.field(default=None, description=description)
    return strawberry.field(default=None, description=description, graphql_type=Optional[of])


def idempotency_field(description: str = _KEY_DOC) -> Any:
    """The optional ``idempotencyKey`` of a creating or converting mutation (API.md)."""
    return strawberry.field(default=None, description=description)


def ref(of: str, description: str, *, default: Any = dataclasses.MISSING, required: bool = False) -> Any:
    """An input field taking the global ID of an ``of``: ``ID`` in the schema, the primary key
    (an ``int``) in the resolver. Without a default it is ``ID!``; with one it is nullable and
    null (or omitted) stays as given, unless ``required`` (then REQUIRED, as for ``id`` of updates)."""
    nullable = default is not dataclasses.MISSING
    return strawberry.field(
        default=default,
        description=description,
        graphql_type=Optional[strawberry.ID] if nullable else strawberry.ID,
        metadata={"id_of": of, "required": required or not nullable},
    )


def refs(of: str, description: str) -> Any:
    """An input field taking a list of global IDs of ``of`` (``[ID!]!``): a ``list[int]`` in the resolver."""
    return strawberry.field(description=description, graphql_type=list[strawberry.ID], metadata={"id_of": of})


def mutation(*, on: str, description: str, input_doc: str) -> Callable[[R], R]:
    """Declare a mutation: ``on`` is the type whose role rule applies (permissions.authorize),
    ``input_doc`` the description of its ``input`` argument."""
    declare: Callable[[R], R] = strawberry.mutation(
        description=description, extensions=[MutationExtension(on, input_doc)]
    )
    return declare


class MutationExtension(FieldExtension):
    """Role, id decoding, resolver, error mapping: the same for every mutation."""

    def __init__(self, on: str, input_doc: str) -> None:
        self.on = on
        self.input_doc = input_doc
        self.payload: type[Payload] | None = None

    def apply(self, field: StrawberryField) -> None:
        for argument in field.arguments:
            if argument.python_name == "input":
                argument.description = self.input_doc

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any) -> Any:
        if self.payload is None:
            payload = info.return_type
            assert isinstance(payload, type) and issubclass(payload, Payload), f"{info.field_name}: not a Payload"
            self.payload = payload
        try:
            permissions.authorize(info.context.user, info.field_name, self.on)  # role first
            if "input" in kwargs:
                decode_refs(kwargs["input"], ("input",))
            return await next_(source, info, **kwargs)
        except DomainError as exc:
            return self.payload.refused(exc)
        except ValidationError as exc:
            return self.payload.refused(_out_of_range(exc))


def decode_refs(obj: Any, path: tuple[str, ...]) -> None:
    """Replace, in place, every ``ref``/``refs`` value of an input (nested inputs and lists
    included) by its primary key; raise every refusal at once."""
    raise_all(list(_decode(obj, path)))


def _decode(obj: Any, path: tuple[str, ...]) -> Iterator[DomainError]:
    for name, graphql_name, of, required in _plan(type(obj)):
        value = getattr(obj, name)
        at = (*path, graphql_name)
        if of is None:  # a nested input, or a list of them
            for i, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
                if has_object_definition(item):
                    yield from _decode(item, at if i is None else (*at, str(i)))
        elif isinstance(value, list):
            keys = []
            for i, item in enumerate(value):
                try:
                    keys.append(_decode_id(item, of, (*at, str(i))))
                except DomainError as exc:
                    yield exc
            setattr(obj, name, keys)
        elif required or (value is not None and value is not strawberry.UNSET):
            try:
                setattr(obj, name, _decode_id(value, of, at))
            except DomainError as exc:
                yield exc


#: Input class -> its ``_plan`` (a dict, not ``functools.cache``: mypy does not take a class as Hashable).
_PLANS: dict[type, list[tuple[str, str, str | None, bool]]] = {}


def _plan(cls: type) -> list[tuple[str, str, str | None, bool]]:
    """(python name, GraphQL name, id_of or None for a nested input, required) of the fields to walk."""
    if cls in _PLANS:
        return _PLANS[cls]
    plan: list[tuple[str, str, str | None, bool]] = []
    for f in get_object_definition(cls, strict=True).fields:
        graphql_name = f.graphql_name or to_camel_case(f.python_name)
        if "id_of" in f.metadata:
            plan.append((f.python_name, graphql_name, f.metadata["id_of"], bool(f.metadata.get("required"))))
        elif _holds_input(f.type):
            plan.append((f.python_name, graphql_name, None, False))
    _PLANS[cls] = plan
    return plan


def _holds_input(t: Any) -> bool:
    while hasattr(t, "of_type"):  # StrawberryOptional, StrawberryList
        t = t.of_type
    definition = get_object_definition(t)
    return definition is not None and definition.is_input


def echo(obj: Any) -> Any:
    """An input as the client sent it: the given fields (UNSET left out) by python name, nested
    inputs as dicts, decoded ids as their global IDs again (canonical, so the very string
    sent): what an idempotency fingerprint compares."""
    if obj is None or obj is strawberry.UNSET:
        return None
    ids = {name: of for name, _, of, _ in _plan(type(obj)) if of is not None}
    out: dict[str, Any] = {}
    for name, value in given(obj).items():
        if name in ids and isinstance(value, int):
            value = to_global_id(ids[name], value)
        elif name in ids and isinstance(value, list):
            value = [to_global_id(ids[name], v) for v in value]
        elif has_object_definition(value):
            value = echo(value)
        out[name] = value
    return out


def _out_of_range(exc: ValidationError) -> DomainError:
    # a value a column cannot hold (too long, too large), refused by the model field before
    # SQL: the client's mistake, and the transaction it was raised in rolled back (the column
    # may be computed, as a line total from price and quantity: no input path)
    return Invalid(f"A value is out of range: {exc}")


def _decode_id(value: Any, of: str, path: tuple[str, ...]) -> int:
    """A global ID from an input: missing or null -> REQUIRED (API.md: an explicit null for a
    field that cannot be empty); malformed (blank included) -> INVALID; another type -> NOT_FOUND."""
    if value is None or value is strawberry.UNSET:
        raise Required(f"{path[-1]} is required.", path)
    try:
        type_name, pk = from_global_id(str(value))
    except MalformedId:
        raise Invalid("Malformed id.", path) from None
    if type_name != of:
        raise NotFound(f"No {of} with this id.", path)
    return pk


def given(input_obj: Any) -> dict[str, Any]:
    """The fields the client sent (UNSET ones left out), by python name."""
    return {
        f.name: getattr(input_obj, f.name)
        for f in dataclasses.fields(input_obj)
        if getattr(input_obj, f.name) is not strawberry.UNSET
    }
