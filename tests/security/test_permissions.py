"""The permission matrix, discovered by introspection: new mutations are included by themselves.

READ_ONLY may run no mutation; SALES_REP may not manage the catalog, stages, exchange rates or
users; MANAGER may (but not purge or manage users: ADMIN only); a SALES_REP changes only the
sales records they own (or nobody owns).
"""

from __future__ import annotations

import re
from typing import Any

from factories import user_error

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role
from crm_graphql.services import users

INTROSPECT = """
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
{ __schema {
    mutationType { fields { name args { name type { ...T } } type { ...T } } }
    types { name kind isOneOf inputFields { name type { ...T } } enumValues { name } }
} }
"""

CATALOG = re.compile(
    r"(Product|Pricebook|Bundle|(?<!To)Stage|Stages|ExchangeRate|User|DocumentTemplate)(Entry|Item|Price)?$"
)
ADMIN_ONLY = re.compile(r"^purge|^(create|update|delete)User$")

SCALARS = {
    "ID": to_global_id("Account", 1),
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "Decimal": "1",
    "Date": "2026-01-01",
    "DateTime": "2026-01-01T00:00:00Z",
    "JSON": {},
}


class Schema:
    def __init__(self, data: dict[str, Any]) -> None:
        self.types = {t["name"]: t for t in data["__schema"]["types"]}
        self.mutations = data["__schema"]["mutationType"]["fields"]

    def value(self, ref: dict[str, Any], depth: int = 0) -> Any:
        while ref["kind"] in ("NON_NULL",):
            ref = ref["ofType"]
        if ref["kind"] == "LIST":
            return [self.value(ref["ofType"], depth)]
        t = self.types[ref["name"]]
        if t["kind"] == "ENUM":
            return t["enumValues"][0]["name"]
        if t["kind"] == "INPUT_OBJECT":
            return self.minimal_input(t["name"], depth + 1)
        return SCALARS.get(t["name"], "x")

    def minimal_input(self, name: str, depth: int = 0) -> dict[str, Any]:
        t = self.types[name]
        fields = t["inputFields"]
        if t.get("isOneOf"):
            first = next((f for f in fields if f["type"]["kind"] == "SCALAR"), fields[0])
            return {first["name"]: self.value(first["type"], depth)}
        return {f["name"]: self.value(f["type"], depth) for f in fields if f["type"]["kind"] == "NON_NULL"}

    def operation(self, field: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        defs, args, variables = [], [], {}
        for arg in field["args"]:
            ref = arg["type"]
            if ref["kind"] != "NON_NULL":
                continue
            type_sdl = ref["ofType"]["name"] + "!"
            defs.append(f"${arg['name']}: {type_sdl}")
            args.append(f"{arg['name']}: ${arg['name']}")
            variables[arg["name"]] = self.value(ref)
        head = f"mutation({', '.join(defs)})" if defs else "mutation"
        field_call = f"{field['name']}({', '.join(args)})" if args else field["name"]
        return f"{head} {{ {field_call} {{ userErrors {{ field message code }} }} }}", variables


async def schema_of(gql: Any) -> Schema:
    return Schema(await gql(INTROSPECT))


async def run_all(gql: Any, schema: Schema, names: Any) -> dict[str, set[str]]:
    """Each mutation's userError codes (or {'GRAPHQL:<code>'} for a GraphQL error)."""
    out: dict[str, set[str]] = {}
    for field in schema.mutations:
        if field["name"] not in names:
            continue
        query, variables = schema.operation(field)
        body = await gql(query, variables, errors=True)
        if body.get("errors"):
            out[field["name"]] = {
                f"GRAPHQL:{e.get('extensions', {}).get('code')}:{e['message']}" for e in body["errors"]
            }
        else:
            out[field["name"]] = {e["code"] for e in body["data"][field["name"]]["userErrors"]}
    return out


async def test_read_only_cannot_run_any_mutation(gql: Any, actors: Any) -> None:
    schema = await schema_of(gql)
    names = {f["name"] for f in schema.mutations}
    assert len(names) > 40
    result = await run_all(gql.as_(actors[Role.READ_ONLY]), schema, names)
    wrong = {name: codes for name, codes in result.items() if codes != {"FORBIDDEN"}}
    assert wrong == {}
    assert await m.TimelineEvent.all().count() == 0


async def test_catalog_needs_a_manager(gql: Any, actors: Any) -> None:
    schema = await schema_of(gql)
    catalog = {f["name"] for f in schema.mutations if CATALOG.search(f["name"])}
    assert {
        "createProduct",
        "updatePricebook",
        "createStage",
        "setExchangeRate",
        "createUser",
        "setBundlePrice",
    } <= catalog
    rep = await run_all(gql.as_(actors[Role.SALES_REP]), schema, catalog)
    assert {name: codes for name, codes in rep.items() if codes != {"FORBIDDEN"}} == {}
    manager = await run_all(gql.as_(actors[Role.MANAGER]), schema, catalog)
    forbidden = {name for name, codes in manager.items() if "FORBIDDEN" in codes}
    assert forbidden == {n for n in catalog if ADMIN_ONLY.search(n)}
    admin = await run_all(gql, schema, catalog)
    assert {name for name, codes in admin.items() if "FORBIDDEN" in codes} == set()


async def test_only_admins_purge(gql: Any, actors: Any) -> None:
    schema = await schema_of(gql)
    purges = {f["name"] for f in schema.mutations if f["name"].startswith("purge")}
    assert purges
    for role in (Role.MANAGER, Role.SALES_REP):
        result = await run_all(gql.as_(actors[role]), schema, purges)
        assert {name for name, codes in result.items() if codes != {"FORBIDDEN"}} == set(), role
    result = await run_all(gql, schema, purges)
    assert {name for name, codes in result.items() if "FORBIDDEN" in codes} == set()


UPDATE_OPP = """mutation($i: UpdateOpportunityInput!) { updateOpportunity(input: $i) {
  opportunity { title version } userErrors { field message code } } }"""
DELETE_ACCOUNT = "mutation($i: DeleteAccountInput!) { deleteAccount(input: $i) { userErrors { field message code } } }"


async def test_sales_reps_change_only_what_they_own(gql: Any, actors: Any) -> None:
    rep_a = actors[Role.SALES_REP]
    b_user, b_token = await users.create_user("b@example.com", "Rep B", Role.SALES_REP)
    stage = await m.Stage.filter(is_default=True).first()
    account = await m.Account.create(name="Shared", owner_id=rep_a.user.id)
    unowned = await m.Account.create(name="Nobody's")
    opp = await m.Opportunity.create(
        title="A's deal", account=account, stage=stage, currency="EUR", owner_id=rep_a.user.id
    )
    opp_id = to_global_id("Opportunity", opp.id)
    as_b = gql.as_(rep_a)
    as_b.token = b_token

    body = await as_b(UPDATE_OPP, {"i": {"id": opp_id, "title": "B was here"}})
    assert body["updateOpportunity"] == {
        "opportunity": None,
        "userErrors": [user_error("input.id", "FORBIDDEN", "Sales reps may only change records they own.")],
    }
    body = await as_b(DELETE_ACCOUNT, {"i": {"id": to_global_id("Account", account.id)}})
    assert body["deleteAccount"]["userErrors"][0]["code"] == "FORBIDDEN"
    await opp.refresh_from_db()
    await account.refresh_from_db()
    assert (opp.title, opp.version, account.deleted_at) == ("A's deal", 1, None)

    body = await as_b(DELETE_ACCOUNT, {"i": {"id": to_global_id("Account", unowned.id)}})
    assert body["deleteAccount"]["userErrors"] == []
    body = await gql.as_(rep_a)(UPDATE_OPP, {"i": {"id": opp_id, "title": "A's own edit"}})
    assert body["updateOpportunity"]["userErrors"] == []
    body = await gql.as_(actors[Role.MANAGER])(UPDATE_OPP, {"i": {"id": opp_id, "title": "Manager edit"}})
    assert body["updateOpportunity"] == {"opportunity": {"title": "Manager edit", "version": 3}, "userErrors": []}
    assert b_user.id != rep_a.user.id


async def test_domain_operations_name_their_own_target_when_forbidden(gql: Any, actors: Any) -> None:
    # given rep A's deal and rep B
    rep_a = actors[Role.SALES_REP]
    _b_user, b_token = await users.create_user("b2@example.com", "Rep B", Role.SALES_REP)
    stage = await m.Stage.filter(is_default=True).first()
    account = await m.Account.create(name="Shared", owner_id=rep_a.user.id)
    opp = await m.Opportunity.create(
        title="A's deal", account=account, stage=stage, currency="EUR", owner_id=rep_a.user.id
    )
    as_b = gql.as_(rep_a)
    as_b.token = b_token
    # when rep B tries to win it
    body = await as_b(
        "mutation($i: WinOpportunityInput!) { winOpportunity(input: $i) { userErrors { field message code } } }",
        {"i": {"opportunityId": to_global_id("Opportunity", opp.id)}},
    )
    # then FORBIDDEN names the opportunityId input, and the deal is still open
    assert body["winOpportunity"]["userErrors"] == [
        user_error("input.opportunityId", "FORBIDDEN", "Sales reps may only change records they own.")
    ]
    await opp.refresh_from_db()
    assert (opp.status, opp.version) == ("OPEN", 1)
