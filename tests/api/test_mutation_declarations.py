"""What every declared mutation gets from api.mutations.base: the role check before any id is
read, every id of the input decoded with its own path (nested inputs and lists included), all
refusals in one answer, and nothing written on a refusal."""

from __future__ import annotations

from typing import Any

from factories import ERR, create

from crm_graphql import models as m
from crm_graphql.api.relay import from_global_id, to_global_id
from crm_graphql.enums import Role

SET_ACCESS = f"""mutation($input: SetOpportunityAccessInput!) {{
  setOpportunityAccess(input: $input) {{ opportunity {{ id }} {ERR} }} }}"""
DELETE_PIPELINE = f"""mutation($input: DeletePipelineInput!) {{
  deletePipeline(input: $input) {{ deletedId {ERR} }} }}"""
UPDATE_ACCOUNT = f"""mutation($input: UpdateAccountInput!) {{
  updateAccount(input: $input) {{ account {{ id name }} {ERR} }} }}"""


async def _opportunity(gql: Any) -> str:
    account = await create(gql, "Account", {"name": "Acme"})
    return await create(gql, "Opportunity", {"title": "Deal", "accountId": account})


async def test_the_role_is_checked_before_any_id(gql: Any, actors: Any) -> None:
    # given a read-only user and an input whose ids are all wrong
    read_only = gql.as_(actors[Role.READ_ONLY])
    # when they set an access list
    data = await read_only(SET_ACCESS, {"input": {"opportunityId": "nope", "userIds": ["nope"]}})
    # then the answer is the role, alone, on the whole input
    assert data["setOpportunityAccess"] == {
        "opportunity": None,
        "userErrors": [{"field": ["input"], "message": "Your role may only read.", "code": "FORBIDDEN"}],
    }


async def test_every_wrong_id_is_reported_at_its_own_path(gql: Any, admin: Any) -> None:
    # given an opportunity and a user
    opportunity = await _opportunity(gql)
    before = await m.Opportunity.get(id=_pk(opportunity))
    user = to_global_id("User", admin.user.id)
    # when the access list has a malformed opportunity id, a user, an account id and a malformed id
    data = await gql(
        SET_ACCESS,
        {"input": {"opportunityId": "bad", "userIds": [user, to_global_id("Account", 1), ""], "isRestricted": True}},
    )
    # then each wrong id is refused where it is, in input order, and nothing changed
    assert data["setOpportunityAccess"] == {
        "opportunity": None,
        "userErrors": [
            {"field": ["input", "opportunityId"], "message": "Malformed id.", "code": "INVALID"},
            {"field": ["input", "userIds", "1"], "message": "No User with this id.", "code": "NOT_FOUND"},
            {"field": ["input", "userIds", "2"], "message": "Malformed id.", "code": "INVALID"},
        ],
    }
    after = await m.Opportunity.get(id=before.id)
    assert (after.version, after.is_restricted) == (before.version, before.is_restricted)


async def test_ids_in_nested_inputs_are_decoded_at_their_path(gql: Any) -> None:
    # given a pipeline
    pipeline = await create(gql, "Pipeline", {"name": "Partners"})
    stage = to_global_id("Stage", 1)
    # when its deletion maps a stage given as an opportunity id, and one malformed
    data = await gql(
        DELETE_PIPELINE,
        {
            "input": {
                "id": pipeline,
                "stageMap": [
                    {"fromStageId": stage, "toStageId": to_global_id("Opportunity", 1)},
                    {"fromStageId": "x", "toStageId": stage},
                ],
            }
        },
    )
    # then both are refused at their place in the list, and the pipeline stays
    assert data["deletePipeline"] == {
        "deletedId": None,
        "userErrors": [
            {
                "field": ["input", "stageMap", "0", "toStageId"],
                "message": "No Stage with this id.",
                "code": "NOT_FOUND",
            },
            {"field": ["input", "stageMap", "1", "fromStageId"], "message": "Malformed id.", "code": "INVALID"},
        ],
    }
    assert await m.Pipeline.filter(id=_pk(pipeline)).exists()


async def test_a_null_id_of_an_update_is_required(gql: Any) -> None:
    # given an account
    account = await create(gql, "Account", {"name": "Acme"})
    # when an update sends id: null
    data = await gql(UPDATE_ACCOUNT, {"input": {"id": None, "name": "Renamed"}})
    # then it is REQUIRED at input.id, and the account keeps its name
    assert data["updateAccount"] == {
        "account": None,
        "userErrors": [{"field": ["input", "id"], "message": "id is required.", "code": "REQUIRED"}],
    }
    assert (await m.Account.get(id=_pk(account))).name == "Acme"


def _pk(global_id: str) -> int:
    return from_global_id(global_id)[1]


RUN_RULE = f"""mutation($input: RunLeadSplitRuleInput!) {{
  runLeadSplitRule(input: $input) {{ rule {{ id }} processedCount {ERR} }} }}"""
SET_SPLITS = f"""mutation($input: SetOpportunitySplitsInput!) {{
  setOpportunitySplits(input: $input) {{ opportunity {{ id }} {ERR} }} }}"""


async def test_a_types_own_role_rule_is_checked_before_any_id(gql: Any, actors: Any) -> None:
    # given a sales rep and inputs whose ids are all wrong, nested ones included
    rep = gql.as_(actors[Role.SALES_REP])
    # when they run a lead split rule (admins and managers only)
    data = await rep(RUN_RULE, {"input": {"ruleId": "nope"}})
    # then the answer is the role rule of LeadSplitRule, alone, on the whole input
    assert data["runLeadSplitRule"] == {
        "rule": None,
        "processedCount": None,
        "userErrors": [
            {
                "field": ["input"],
                "message": "Only admins and managers manage and run lead split rules.",
                "code": "FORBIDDEN",
            }
        ],
    }
    # and a read-only user setting a deal's splits gets the role too, before the nested user ids
    read_only = gql.as_(actors[Role.READ_ONLY])
    data = await read_only(SET_SPLITS, {"input": {"opportunityId": "x", "splits": [{"userId": "y"}]}})
    assert data["setOpportunitySplits"]["userErrors"] == [
        {"field": ["input"], "message": "Your role may only read.", "code": "FORBIDDEN"}
    ]


async def test_ids_of_a_list_of_nested_inputs_are_decoded_at_their_path(gql: Any) -> None:
    # given a deal
    opportunity = await _opportunity(gql)
    before = await m.Opportunity.get(id=_pk(opportunity))
    # when its splits name a malformed user and an account's id
    splits = [{"userId": "bad", "percent": 50}, {"userId": to_global_id("Account", 1), "percent": 50}]
    data = await gql(SET_SPLITS, {"input": {"opportunityId": opportunity, "splits": splits}})
    # then each is refused at its place, and the deal did not change
    assert data["setOpportunitySplits"] == {
        "opportunity": None,
        "userErrors": [
            {"field": ["input", "splits", "0", "userId"], "message": "Malformed id.", "code": "INVALID"},
            {"field": ["input", "splits", "1", "userId"], "message": "No User with this id.", "code": "NOT_FOUND"},
        ],
    }
    assert (await m.Opportunity.get(id=before.id)).version == before.version
