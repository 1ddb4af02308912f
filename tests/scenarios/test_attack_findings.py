"""Regressions for the outside attack's domain and access findings (F4 ... F25), through the
GraphQL API over HTTP: each refusal checks the error code and that nothing changed."""

from __future__ import annotations

from typing import Any

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role
from tests.factories import create, make_user

ERR = "userErrors { field message code }"
OPP = "id version owner { id } isRestricted status probability stage { id name } account { id }"
READ_OPP = f"query($id: ID!) {{ opportunity(id: $id) {{ {OPP} timeline(first: 100) {{ totalCount }} }} }}"


def mutation(name: str, body: str = "") -> str:
    type_name = name[0].upper() + name[1:]
    return f"mutation($input: {type_name}Input!) {{ {name}(input: $input) {{ {body} {ERR} }} }}"


async def call(gql: Any, name: str, values: dict[str, Any], body: str = "", *, codes: list[str] | None = None) -> Any:
    """Run mutation ``name``; assert its userErrors' codes exactly (none unless given); the payload."""
    payload = (await gql(mutation(name, body), {"input": values}))[name]
    assert [e["code"] for e in payload["userErrors"]] == (codes or []), payload["userErrors"]
    return payload


async def read(gql: Any, query: str, gid: str) -> Any:
    return next(iter((await gql(query, {"id": gid})).values()))


def as_token(gql: Any, token: str) -> Any:
    return type(gql)(gql.client, token)


def uid(user: Any) -> str:
    return to_global_id("User", user.id)


# --- F4: being on the access list is not owning the deal -------------------------------------


async def test_f4_user_on_the_access_list_cannot_take_a_restricted_deal_over(gql: Any, actors: Any) -> None:
    # given rep A's restricted deal that rep B may work on
    rep_a = gql.as_(actors[Role.SALES_REP])
    b_user, b_token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = as_token(gql, b_token)
    account = await create(rep_a, "Account", {"name": "Public Co"})
    deal = await create(rep_a, "Opportunity", {"title": "Secret", "accountId": account, "isRestricted": True})
    await call(rep_a, "setOpportunityAccess", {"opportunityId": deal, "userIds": [uid(b_user)]}, "opportunity { id }")
    before = await read(rep_a, READ_OPP, deal)
    # when rep B tries to become the owner, to rewrite the list, or to lift the restriction
    await call(rep_b, "updateOpportunity", {"id": deal, "ownerId": uid(b_user)}, codes=["FORBIDDEN"])
    await call(rep_b, "setOpportunityAccess", {"opportunityId": deal, "userIds": []}, codes=["FORBIDDEN"])
    await call(rep_b, "updateOpportunity", {"id": deal, "isRestricted": False}, codes=["FORBIDDEN"])
    # then nothing changed: A still owns it, B is still listed
    assert await read(rep_a, READ_OPP, deal) == before
    assert await m.OpportunityAccess.filter(user_id=b_user.id).count() == 1
    # while B still works on the deal, and A (the owner) and a manager may reassign it
    await call(rep_b, "updateOpportunity", {"id": deal, "description": "B's notes"})
    await call(rep_a, "updateOpportunity", {"id": deal, "ownerId": uid(b_user)})
    assert (await read(rep_b, READ_OPP, deal))["owner"]["id"] == uid(b_user)
    public = await create(rep_a, "Opportunity", {"title": "Open", "accountId": account})
    manager = gql.as_(actors[Role.MANAGER])
    await call(manager, "updateOpportunity", {"id": public, "ownerId": uid(b_user)})
