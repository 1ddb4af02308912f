"""The ownership matrix, built by introspection: every mutation that takes an id of a sales
record (at any depth of its input) is run by rep B against rep A's records, and rep A's
records must come out unchanged. A new mutation is covered without editing this file.

For each mutation, every ID in the input points at rep A's world (a consistent set: one
account, its contact, deals, quotes, items, orders, invoices, contracts, an activity, a
document, a lead), catalog ids at a shared catalog. Then, trying rep A's records of the
target type in turn (the first id of the input: a won deal for ``reopenOpportunity``, an
issued invoice for ``markInvoicePaid``...):

1. rep B runs it: the answer is NOT_FOUND or FORBIDDEN, or success when the ids only refer
   to rep A's records (``createContact`` under rep A's public account), and re-reading every
   one of rep A's records as rep A shows nothing changed (every scalar field, ``version``
   included, and the ``items`` and ``documents`` counts);
2. rep A runs the same input: it must succeed (so step 1 refused for ownership, not for a
   bad input), or be refused for rep A's role too (``purgeX``: admins only), or be refused
   for the record's state, and then the next record of the target type is tried.

A mutation that no record of the target type lets rep A run fails the test: extend
``tests/factories.sales_world`` with a record in the state it needs.

Variants: rep A's records under a public account (visible to rep B: refusals are FORBIDDEN),
under a private account (hidden: NOT_FOUND, never FORBIDDEN, except the role refusal and
the leads, which everyone sees), and on restricted deals.
"""

from __future__ import annotations

from typing import Any

import pytest
from factories import World, catalog, make_user, sales_world
from introspection import type_ref

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role
from crm_graphql.services import access

INTROSPECT = """
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
{ __schema {
    mutationType { fields { name args { name type { ...T } } } }
    types { name kind isOneOf inputFields { name type { ...T } } enumValues { name }
            fields { name args { name type { ...T } } type { ...T } } interfaces { name } }
} }
"""
#: Input field names whose type the name alone does not give (``parentId`` is an Account).
ALIASES = {"Parent": "Account", "Owner": "User", "Assignee": "User", "Supersedes": "Pricebook"}
#: Models rep A owns records of (from the write rules: ownership, or the owner's parts).
OWNED_MODELS = {m.__name__ for m, rule in access.WRITE_RULES.items() if isinstance(rule, access.Owned | access.OwnedBy)}
REFUSED = {"NOT_FOUND", "FORBIDDEN"}
STATE_CODES = {"INVALID_TRANSITION", "ALREADY_CONVERTED", "LOCKED", "IN_USE", "INVALID"}
PART_CONNECTIONS = ("items", "documents")
#: Mutations whose name does not end with the type of their ``id`` (API.md: ``unlinkAccounts(id)``).
ID_TYPES = {"unlinkAccounts": "AccountRelation"}
#: Inputs that take exactly one of several ids (else INVALID): only the first is given.
EXACTLY_ONE = {
    "AssignToPartnerInput": ("leadId", "opportunityId"),
    "UnassignFromPartnerInput": ("leadId", "opportunityId"),
}
#: Optional inputs a record needs in practice (a name), given so the owner's call can succeed.
NAMES = {"name", "title", "lastName", "subject", "type"}


class Schema:
    def __init__(self, data: dict[str, Any]) -> None:
        self.types = {t["name"]: t for t in data["__schema"]["types"]}
        self.mutations = data["__schema"]["mutationType"]["fields"]
        self.nodes = sorted(
            t["name"] for t in self.types.values() if any(i["name"] == "Node" for i in t.get("interfaces") or [])
        )
        #: Types rep A owns records of that the API shows.
        self.owned = OWNED_MODELS & set(self.nodes)

    def id_type(self, mutation: str, input_type: str, field: str) -> str:
        """The Node type an ID input field names, from naming conventions (API.md)."""
        if field == "id" and mutation in ID_TYPES:
            return ID_TYPES[mutation]
        if field == "id":
            matches = [n for n in self.nodes if mutation.endswith(n)]
            assert matches, f"{mutation}.id: no type in the mutation's name"
            return max(matches, key=len)
        if field == "existingId":
            return input_type.removesuffix("Choice")
        base = field.removesuffix("Ids").removesuffix("Id")
        cap = base[0].upper() + base[1:]
        if cap in ALIASES:
            return ALIASES[cap]
        if cap in self.nodes:
            return cap
        ending = [n for n in self.nodes if n.endswith(cap)] or [n for n in self.nodes if cap.endswith(n)]
        assert len(ending) == 1, f"{mutation}: cannot tell the type of {input_type}.{field}; name it <Type>Id"
        return ending[0]

    def id_fields(self, mutation: str, type_name: str, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
        """Every ID leaf of an input type (depth first, in field order) with the type it names."""
        out = []
        for f in self.types[type_name]["inputFields"]:
            named, _, _ = type_ref(f["type"])
            if named == "ID":
                out.append(((*path, f["name"]), self.id_type(mutation, type_name, f["name"])))
            elif self.types[named]["kind"] == "INPUT_OBJECT" and not named.endswith("Filter"):
                out += self.id_fields(mutation, named, (*path, f["name"]))
        return out

    def value(self, mutation: str, owner: str, field: dict[str, Any], pick: Any) -> Any:
        named, is_list, _ = type_ref(field["type"])
        name = field["name"]
        t = self.types[named]
        if named == "ID":
            value = pick(self.id_type(mutation, owner, name))
        elif t["kind"] == "INPUT_OBJECT":
            value = self.build(mutation, named, pick)
        elif t["kind"] == "ENUM":
            value = t["enumValues"][0]["name"]
        else:
            value = scalar(named, name)
        return [value] if is_list else value

    def build(self, mutation: str, type_name: str, pick: Any) -> dict[str, Any]:
        """An input: required fields, every ID (rep A's records), and optional inputs holding IDs."""
        t = self.types[type_name]
        fields = t["inputFields"]
        if t.get("isOneOf"):
            fields = [next((f for f in fields if f["name"] == "existingId"), fields[0])]
        if type_name in EXACTLY_ONE:
            _first, *others = EXACTLY_ONE[type_name]
            fields = [f for f in fields if f["name"] not in others]
        out = {}
        for f in fields:
            named, _, required = type_ref(f["type"])
            holds_ids = named == "ID" or (
                self.types[named]["kind"] == "INPUT_OBJECT"
                and not named.endswith("Filter")
                and self.id_fields(mutation, named)
            )
            if required or holds_ids or t.get("isOneOf") or f["name"] in NAMES:
                out[f["name"]] = self.value(mutation, type_name, f, pick)
        return out

    def snapshot_query(self) -> str:
        fragments = []
        for name in sorted(self.owned):
            t = self.types[name]
            parts = []
            for f in t["fields"]:
                named, _, _ = type_ref(f["type"])
                kind = self.types[named]["kind"]
                if not f["args"] and kind in ("SCALAR", "ENUM"):
                    parts.append(f["name"])
                elif f["name"] in PART_CONNECTIONS and named.endswith("Connection"):
                    parts.append(f"{f['name']} {{ totalCount }}")
            fragments.append(f"... on {name} {{ {' '.join(parts)} }}")
        return f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename {' '.join(fragments)} }} }}"


def scalar(type_name: str, field: str) -> Any:
    by_name = {"currency": "EUR", "email": "x@example.com", "roundTo": "1", "unitPrice": "1"}
    if field in by_name:
        return by_name[field]
    return {
        "String": "x",
        "Int": 1,
        "Boolean": True,
        "Decimal": "1",
        "Date": "2030-01-01",
        "DateTime": "2030-01-01T00:00:00Z",
        "JSON": {},
    }.get(type_name, "x")


def errors_of(body: dict[str, Any], mutation: str) -> list[dict[str, Any]]:
    if body.get("errors"):
        return [{"field": None, "code": f"GRAPHQL:{e['message']}"} for e in body["errors"]]
    return list(body["data"][mutation]["userErrors"])


class Matrix:
    def __init__(self, gql: Any, schema: Schema, rep_a: Any, rep_b: Any, variant: str) -> None:
        self.gql, self.schema, self.variant = gql, schema, variant
        self.rep_a, self.rep_b = rep_a, rep_b
        self.snapshot_query = schema.snapshot_query()

    async def world(self, shared: dict[str, Any]) -> World:
        owner = self.rep_a.user
        world = await sales_world(
            owner, shared, private=self.variant == "private", restricted=self.variant == "restricted"
        )
        # a second live account, so a parentId can differ from the account changed
        sister = await m.Account.create(name="Sister", owner_id=owner.id, is_private=self.variant == "private")
        world.add(sister)
        return world

    async def snapshot(self, world: World) -> Any:
        ids = [i for t in sorted(self.schema.owned) for i in world.ids(t)]
        return await self.send(self.rep_a, self.snapshot_query, {"ids": ids})

    async def send(self, who: Any, query: str, variables: dict[str, Any]) -> Any:
        return await self.gql(query, variables, token=who.token, errors=True)

    async def run(self, field: dict[str, Any], shared: dict[str, Any]) -> str:
        """How ``field`` came out: "refused", "reference" (rep B may, and changed nothing of
        rep A's), "role" (rep A's role may not run it either)."""
        name = field["name"]
        (arg,) = [a for a in field["args"] if a["name"] == "input"]
        input_type, _, _ = type_ref(arg["type"])
        ids = self.schema.id_fields(name, input_type)
        target_type = next(t for _, t in ids if t in self.schema.owned)
        world = await self.world(shared)
        stage = await m.Stage.get(name="Proposal")
        query = f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ field message code }} }} }}"
        tried = []
        for candidate in world.records[target_type]:
            chosen = {target_type: candidate}

            def pick(type_name: str, chosen: dict[str, Any] = chosen) -> str:
                if type_name in chosen:  # the target: the first id of its type in the input
                    return to_global_id(type_name, chosen.pop(type_name).id)
                if type_name in world.records:
                    return world.ids(type_name)[0]
                if type_name == "User":
                    return to_global_id("User", self.rep_a.user.id)
                if type_name == "Stage":
                    return to_global_id("Stage", stage.id)
                if type_name == "Pipeline":
                    return to_global_id("Pipeline", stage.pipeline_id)
                assert type_name in shared_types(shared), f"{name}: nothing to give as {type_name}"
                return to_global_id(type_name, shared_types(shared)[type_name].id)

            variables = {"i": self.schema.build(name, input_type, pick)}
            before = await self.snapshot(world)
            b_errors = errors_of(await self.send(self.rep_b, query, variables), name)
            assert await self.snapshot(world) == before, (name, self.variant, variables, b_errors)
            await self.check_refusal(name, b_errors, variables["i"])
            if not b_errors:
                return "reference"
            a_errors = errors_of(await self.send(self.rep_a, query, variables), name)
            if not a_errors:
                return "refused"
            if a_errors == [e for e in a_errors if e["code"] == "FORBIDDEN" and e["field"] == ["input"]]:
                return "role"
            tried.append((candidate.id, a_errors))
            assert {e["code"] for e in a_errors} <= STATE_CODES | {"NOT_FOUND"}, (name, a_errors)
        raise AssertionError(f"{name}: rep A could run it on no {target_type} of the world: {tried}")

    async def check_refusal(self, name: str, errors: list[dict[str, Any]], variables: dict[str, Any]) -> None:
        """Only NOT_FOUND and FORBIDDEN; FORBIDDEN names a record rep B can see (or is the role
        refusal, on ``input`` itself), NOT_FOUND one rep B cannot: a hidden record never
        answers FORBIDDEN."""
        assert {e["code"] for e in errors} <= REFUSED, (name, self.variant, errors)
        for e in errors:
            if e["field"] == ["input"]:
                assert e["code"] == "FORBIDDEN", (name, e)
                continue
            value: Any = variables
            for step in e["field"][1:]:
                value = value[int(step)] if isinstance(value, list) else value[step]
            seen = await self.send(self.rep_b, "query($id: ID!) { node(id: $id) { id } }", {"id": value})
            assert (seen["data"]["node"] is not None) == (e["code"] == "FORBIDDEN"), (name, self.variant, e)


def shared_types(shared: dict[str, Any]) -> dict[str, Any]:
    return {
        "Pricebook": shared["pricebook"],
        "Product": shared["product"],
        "Bundle": shared["bundle"],
        "DocumentTemplate": shared["template"],
    }


@pytest.mark.parametrize("variant", ["visible", "private", "restricted"])
async def test_rep_b_changes_nothing_of_rep_a(gql: Any, actors: Any, variant: str) -> None:
    # given rep A (the owner) and rep B, and every mutation that takes a sales record's id
    schema = Schema(await gql(INTROSPECT))
    rep_a = actors[Role.SALES_REP]
    b_user, b_token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = type(rep_a)(b_user, b_token)
    matrix = Matrix(gql, schema, rep_a, rep_b, variant)
    shared = await catalog()
    targets = []
    for field in schema.mutations:
        (arg,) = [a for a in field["args"] if a["name"] == "input"]
        if any(t in schema.owned for _, t in schema.id_fields(field["name"], type_ref(arg["type"])[0])):
            targets.append(field)
    assert len(targets) > 60
    # when rep B runs each against rep A's records (checked inside: nothing of rep A's changes)
    outcomes = {field["name"]: await matrix.run(field, shared) for field in targets}
    # then every one was refused, or only referred to rep A's records (a create under their account)
    references = {n for n, o in outcomes.items() if o == "reference"}
    assert references <= {n for n in outcomes if n.startswith(("create", "log"))}, references
    admin_only = {"createUser", "updateUser"}  # they name a partner account (partnerAccountId)
    assert {n for n, o in outcomes.items() if o == "role"} == {
        n for n in outcomes if n.startswith("purge") or n in admin_only
    }
    if variant == "private":
        assert references == set(), references
