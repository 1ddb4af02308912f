"""setOpportunityAccess: a restricted opportunity is visible to its owner and the users listed."""

from __future__ import annotations

from factories import user_error

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role

CREATE_ACCOUNT = """mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }"""
CREATE_OPP = """mutation($input: CreateOpportunityInput!) {
  createOpportunity(input: $input) { opportunity { id } userErrors { code } } }"""
SET_ACCESS = """mutation SetOpportunityAccess($input: SetOpportunityAccessInput!) {
  setOpportunityAccess(input: $input) {
    opportunity { id isRestricted version accessUsers { email } }
    userErrors { field message code }
  }
}"""
NODE = "query($id: ID!) { node(id: $id) { ... on Opportunity { title } } }"


async def _rep_deal(gql, actors):
    rep = gql.as_(actors[Role.SALES_REP])
    account = (await rep(CREATE_ACCOUNT, {"input": {"name": "Acme"}}))["createAccount"]["account"]["id"]
    opp = await rep(CREATE_OPP, {"input": {"title": "Secret deal", "accountId": account}})
    return rep, opp["createOpportunity"]["opportunity"]["id"]


async def test_owner_restricts_a_deal_to_listed_users(gql, actors) -> None:
    # given a rep's deal, and a second rep and a manager
    rep, opp = await _rep_deal(gql, actors)
    manager = actors[Role.MANAGER]
    # when the owner restricts it to the manager
    data = await rep(
        SET_ACCESS,
        {"input": {"opportunityId": opp, "isRestricted": True, "userIds": [to_global_id("User", manager.user.id)]}},
    )
    # then it says so, and only the owner and the manager see it
    result = data["setOpportunityAccess"]
    assert result["userErrors"] == []
    assert result["opportunity"]["isRestricted"] is True
    assert result["opportunity"]["accessUsers"] == [{"email": manager.user.email}]
    assert (await gql.as_(manager)(NODE, {"id": opp}))["node"] == {"title": "Secret deal"}
    assert (await rep(NODE, {"id": opp}))["node"] == {"title": "Secret deal"}
    assert (await gql(NODE, {"id": opp}))["node"] is None  # the admin is not listed
    read_only = actors[Role.READ_ONLY]
    assert (await gql.as_(read_only)(NODE, {"id": opp}))["node"] is None
    events = await m.TimelineEvent.filter(kind="ACCESS_CHANGED")
    assert len(events) == 1 and events[0].actor_id == actors[Role.SALES_REP].user.id


async def test_access_refusals_change_nothing(gql, actors) -> None:
    # given a rep's deal
    rep, opp = await _rep_deal(gql, actors)
    # when an unknown user is listed, or another role tries
    unknown = await rep(
        SET_ACCESS, {"input": {"opportunityId": opp, "userIds": [to_global_id("User", 999)], "isRestricted": True}}
    )
    forbidden = await gql.as_(actors[Role.READ_ONLY])(SET_ACCESS, {"input": {"opportunityId": opp, "userIds": []}})
    # then the exact errors, and the deal is untouched
    assert unknown["setOpportunityAccess"]["userErrors"] == [
        user_error("input.userIds.0", "NOT_FOUND", "No User with this id.")
    ]
    assert forbidden["setOpportunityAccess"]["userErrors"][0]["code"] == "FORBIDDEN"
    row = await m.Opportunity.get(title="Secret deal")
    assert (row.is_restricted, row.version) == (False, 1)
    assert await m.OpportunityAccess.all().count() == 0
