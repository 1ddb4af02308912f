"""Stages: reorder, delete with a replacement, WON/LOST locked."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, create, pk

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
        [{"field": ["input", "stageIds"], "message": "List every open stage exactly once.", "code": "INVALID"}],
    )
    await call(gql, REORDER, {"stageIds": [await gid("Closed Won"), *[await gid(n) for n in names]]}, [
        {"field": ["input", "stageIds", "0"], "message": "The WON and LOST stages cannot be moved: they stay last.",
         "code": "LOCKED"}])  # fmt: skip


async def test_delete_stage_in_use_needs_replacement(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "A"})
    opp = await create(gql, "Opportunity", {"title": "D", "accountId": account, "stageId": await gid("Proposal")})
    await call(gql, DELETE, {"id": await gid("Proposal")}, [
        {"field": ["input", "replacementStageId"], "message": "Opportunities use this stage: name a replacement stage.",
         "code": "IN_USE"}])  # fmt: skip
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
            [{"field": ["input", "id"], "message": "The WON and LOST stages cannot be deleted.", "code": "LOCKED"}],
        )
        await call(
            gql,
            UPDATE,
            {"id": await gid(name), "name": "x"},
            [{"field": ["input", "id"], "message": "The WON and LOST stages cannot be edited.", "code": "LOCKED"}],
        )
    await call(gql.as_(actors[Role.SALES_REP]), DELETE, {"id": await gid("Proposal")}, [
        {"field": ["input"], "message": "Only admins and managers manage the catalog, stages and users.",
         "code": "FORBIDDEN"}])  # fmt: skip
    assert await m.Stage.all().count() == 6
