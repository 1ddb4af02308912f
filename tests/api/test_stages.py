"""Stages: reorder, delete with a replacement, WON/LOST locked."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, create, pk, user_error

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role

REORDER = f"""mutation($input: ReorderStagesInput!) {{ reorderStages(input: $input) {{
  stages {{ id name position }} {ERR} }} }}"""
DELETE = f"mutation($input: DeleteStageInput!) {{ deleteStage(input: $input) {{ deletedId {ERR} }} }}"
UPDATE = f"mutation($input: UpdateStageInput!) {{ updateStage(input: $input) {{ stage {{ id }} {ERR} }} }}"


async def gid(name: str) -> str:
    return to_global_id("Stage", (await m.Stage.get(name=name)).id)


async def test_reorder_open_stages(gql: Any) -> None:
    names = ["Negotiation", "Proposal", "Qualification", "Prospecting"]
    p = await call(gql, REORDER, {"stageIds": [await gid(n) for n in names]})
    assert [s["name"] for s in p["stages"]] == [*names, "Closed Won", "Closed Lost"]
    await call(
        gql,
        REORDER,
        {"stageIds": [await gid("Proposal")]},
        [user_error("input.stageIds", "INVALID", "List every open stage exactly once.")],
    )
    await call(
        gql,
        REORDER,
        {"stageIds": [await gid("Closed Won"), *[await gid(n) for n in names]]},
        [user_error("input.stageIds.0", "LOCKED", "The WON and LOST stages cannot be moved: they stay last.")],
    )


async def test_delete_stage_in_use_needs_replacement(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "A"})
    opp = await create(gql, "Opportunity", {"title": "D", "accountId": account, "stageId": await gid("Proposal")})
    await call(
        gql,
        DELETE,
        {"id": await gid("Proposal")},
        [user_error("input.replacementStageId", "IN_USE", "Opportunities use this stage: name a replacement stage.")],
    )
    assert await m.Stage.filter(name="Proposal").exists()
    proposal = await gid("Proposal")
    p = await call(gql, DELETE, {"id": proposal, "replacementStageId": await gid("Negotiation")})
    assert p["deletedId"] == proposal
    assert (await m.Opportunity.get(id=pk(opp))).stage_id == (await m.Stage.get(name="Negotiation")).id
    assert not await m.Stage.filter(name="Proposal").exists()


async def test_won_and_lost_stages_are_locked(gql: Any, actors: Any) -> None:
    for name in ("Closed Won", "Closed Lost"):
        await call(
            gql,
            DELETE,
            {"id": await gid(name)},
            [user_error("input.id", "LOCKED", "The WON and LOST stages cannot be deleted.")],
        )
        await call(
            gql,
            UPDATE,
            {"id": await gid(name), "name": "x"},
            [user_error("input.id", "LOCKED", "The WON and LOST stages cannot be edited.")],
        )
    await call(
        gql.as_(actors[Role.SALES_REP]),
        DELETE,
        {"id": await gid("Proposal")},
        [user_error("input", "FORBIDDEN", "Only admins and managers manage the catalog, stages and users.")],
    )
    assert await m.Stage.all().count() == 6
