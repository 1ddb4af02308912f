"""Rep B sees no trace of rep A's private account or restricted opportunity: not in lists,
counts, node/nodes, singular fields, relations, relation filters, timelines or as a mutation
target (NOT_FOUND). Admins do not see a private account either (DOMAIN.md 8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role
from crm_graphql.services import users

LISTS = """{
  accounts { totalCount nodes { name } }
  opportunities { totalCount nodes { title } }
  contacts { totalCount nodes { lastName } }
  quotes { totalCount nodes { number } }
}"""
BY_ID = """query($p: ID!, $r: ID!, $c: ID!, $q: ID!) {
  node(id: $p) { id } restricted: node(id: $r) { id }
  nodes(ids: [$p, $r, $c, $q]) { id }
  account(id: $p) { id } opportunity(id: $r) { id } contact(id: $c) { id } quote(id: $q) { id }
  quoteByNumber(number: "Q-SECRET") { id }
}"""
RELATIONS = """query($s: ID!) { account(id: $s) {
  opportunities { totalCount nodes { title } }
  timeline { nodes { kind subjectType } }
} }"""
FILTERED = """{
  restricted: accounts(filter: { opportunities: { some: { title: { eq: "Restricted deal" } } } }) { totalCount }
  private: contacts(filter: { account: { name: { eq: "Private Co" } } }) { totalCount }
}"""
UPDATE_OPP = (
    "mutation($i: UpdateOpportunityInput!) { updateOpportunity(input: $i) { userErrors { field message code } } }"
)
UPDATE_ACCOUNT = "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { userErrors { field message code } } }"
CREATE_CONTACT = "mutation($i: CreateContactInput!) { createContact(input: $i) { userErrors { field message code } } }"


@dataclass
class World:
    ids: dict[str, str]
    shared: str


async def world(gql: Any, rep_a: Any) -> World:
    stage = await m.Stage.filter(is_default=True).first()
    private = await m.Account.create(name="Private Co", is_private=True, owner_id=rep_a.user.id)
    shared = await m.Account.create(name="Shared Co")
    contact = await m.Contact.create(last_name="Hidden", account=private)
    hidden_opp = await m.Opportunity.create(
        title="Private deal", account=private, stage=stage, currency="EUR", owner_id=rep_a.user.id
    )
    restricted = await m.Opportunity.create(
        title="Restricted deal", account=shared, stage=stage, currency="EUR", owner_id=rep_a.user.id, is_restricted=True
    )
    await m.Opportunity.create(title="Open deal", account=shared, stage=stage, currency="EUR")
    quote = await m.Quote.create(number="Q-SECRET", name="Q", account=private, opportunity=hidden_opp, currency="EUR")
    await m.Quote.create(number="Q-RESTRICTED", name="Q", account=shared, opportunity=restricted, currency="EUR")
    ids = {
        "p": to_global_id("Account", private.id),
        "r": to_global_id("Opportunity", restricted.id),
        "c": to_global_id("Contact", contact.id),
        "q": to_global_id("Quote", quote.id),
    }
    # a timeline event of the restricted deal fans out to the shared account
    body = await gql.as_(rep_a)(UPDATE_OPP, {"i": {"id": ids["r"], "title": "Restricted deal"}})
    assert body["updateOpportunity"]["userErrors"] == []
    body = await gql.as_(rep_a)(UPDATE_OPP, {"i": {"id": ids["r"], "description": "secret plans"}})
    assert body["updateOpportunity"]["userErrors"] == []
    return World(ids, to_global_id("Account", shared.id))


def as_user(gql: Any, token: str) -> Any:
    other = gql.as_(type("A", (), {"token": token})())
    return other


async def test_rep_b_sees_no_trace(gql: Any, actors: Any) -> None:
    rep_a = actors[Role.SALES_REP]
    w = await world(gql, rep_a)
    _, b_token = await users.create_user("b@example.com", "Rep B", Role.SALES_REP)
    rep_b = as_user(gql, b_token)

    assert await rep_b(LISTS) == {
        "accounts": {"totalCount": 1, "nodes": [{"name": "Shared Co"}]},
        "opportunities": {"totalCount": 1, "nodes": [{"title": "Open deal"}]},
        "contacts": {"totalCount": 0, "nodes": []},
        "quotes": {"totalCount": 0, "nodes": []},
    }
    assert await rep_b(BY_ID, w.ids) == {
        "node": None,
        "restricted": None,
        "nodes": [None, None, None, None],
        "account": None,
        "opportunity": None,
        "contact": None,
        "quote": None,
        "quoteByNumber": None,
    }
    relations = await rep_b(RELATIONS, {"s": w.shared})
    assert relations["account"]["opportunities"] == {"totalCount": 1, "nodes": [{"title": "Open deal"}]}
    assert [e for e in relations["account"]["timeline"]["nodes"] if e["subjectType"] == "Opportunity"] == []
    assert await rep_b(FILTERED) == {"restricted": {"totalCount": 0}, "private": {"totalCount": 0}}

    not_found = {"code": "NOT_FOUND"}
    for op, variables, key in (
        (UPDATE_OPP, {"i": {"id": w.ids["r"], "title": "x"}}, "updateOpportunity"),
        (UPDATE_ACCOUNT, {"i": {"id": w.ids["p"], "name": "x"}}, "updateAccount"),
        (CREATE_CONTACT, {"i": {"lastName": "x", "accountId": w.ids["p"]}}, "createContact"),
    ):
        body = await rep_b(op, variables)
        assert [{"code": e["code"]} for e in body[key]["userErrors"]] == [not_found], (key, body)

    # rep A, the owner, sees everything
    as_a = gql.as_(rep_a)
    lists = await as_a(LISTS)
    assert (lists["accounts"]["totalCount"], lists["opportunities"]["totalCount"], lists["quotes"]["totalCount"]) == (
        2,
        3,
        2,
    )
    assert (await as_a(FILTERED)) == {"restricted": {"totalCount": 1}, "private": {"totalCount": 1}}
    timeline = (await as_a(RELATIONS, {"s": w.shared}))["account"]["timeline"]["nodes"]
    assert [e for e in timeline if e["subjectType"] == "Opportunity"]


async def test_private_account_is_hidden_from_admins_and_managers(gql: Any, actors: Any) -> None:
    w = await world(gql, actors[Role.SALES_REP])
    for who in (gql, gql.as_(actors[Role.MANAGER])):
        data = await who(BY_ID, w.ids)
        assert (data["node"], data["account"], data["contact"], data["quote"]) == (None, None, None, None)
        assert data["restricted"] is None
        assert (await who(LISTS))["accounts"]["nodes"] == [{"name": "Shared Co"}]


async def test_granted_users_see_a_restricted_opportunity(gql: Any, actors: Any) -> None:
    w = await world(gql, actors[Role.SALES_REP])
    b_user, b_token = await users.create_user("b@example.com", "Rep B", Role.SALES_REP)
    restricted = await m.Opportunity.get(title="Restricted deal")
    await m.OpportunityAccess.create(opportunity=restricted, user=b_user)
    data = await as_user(gql, b_token)(BY_ID, w.ids)
    assert data["restricted"] == {"id": w.ids["r"]}
    assert data["node"] is None
