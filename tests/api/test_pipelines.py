"""Pipelines (DOMAIN.md 11): each with its own stages, the stage rules of DOMAIN.md 3 per
pipeline, moving deals between pipelines, deleting a pipeline with a stage map, and
pipelineSummary per pipeline. Every user error is checked to change nothing."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, create, user_error

from crm_graphql import models as m
from crm_graphql.enums import Role

STAGES = "stages { id name position probability kind isDefault pipeline { id } }"
CREATE_PIPELINE = f"""mutation($input: CreatePipelineInput!) {{ createPipeline(input: $input) {{
  pipeline {{ id name isDefault {STAGES} }} {ERR} }} }}"""
UPDATE_PIPELINE = f"""mutation($input: UpdatePipelineInput!) {{ updatePipeline(input: $input) {{
  pipeline {{ id name isDefault }} {ERR} }} }}"""
DELETE_PIPELINE = f"mutation($input: DeletePipelineInput!) {{ deletePipeline(input: $input) {{ deletedId {ERR} }} }}"
CREATE_STAGE = f"""mutation($input: CreateStageInput!) {{ createStage(input: $input) {{
  stage {{ id name position pipeline {{ id }} }} {ERR} }} }}"""
REORDER = f"mutation($input: ReorderStagesInput!) {{ reorderStages(input: $input) {{ stages {{ id name }} {ERR} }} }}"
DELETE_STAGE = f"mutation($input: DeleteStageInput!) {{ deleteStage(input: $input) {{ deletedId {ERR} }} }}"
OPP = "id title probability status stage { id name } pipeline { id name }"
MOVE_PIPELINE = f"""mutation($input: MoveOpportunityToPipelineInput!) {{ moveOpportunityToPipeline(input: $input) {{
  opportunity {{ {OPP} }} {ERR} }} }}"""
MOVE_STAGE = f"""mutation($input: MoveOpportunityToStageInput!) {{ moveOpportunityToStage(input: $input) {{
  opportunity {{ {OPP} }} {ERR} }} }}"""
WIN = f"""mutation($input: WinOpportunityInput!) {{ winOpportunity(input: $input) {{
  opportunity {{ {OPP} }} {ERR} }} }}"""
LOSE = f"""mutation($input: LoseOpportunityInput!) {{ loseOpportunity(input: $input) {{
  opportunity {{ {OPP} }} {ERR} }} }}"""
REOPEN = f"""mutation($input: ReopenOpportunityInput!) {{ reopenOpportunity(input: $input) {{
  opportunity {{ {OPP} }} {ERR} }} }}"""
UPDATE_OPP = f"""mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{
  opportunity {{ {OPP} }} {ERR} }} }}"""
CREATE_OPP = f"""mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{
  opportunity {{ {OPP} }} {ERR} }} }}"""
SUMMARY = """query($groupBy: PipelineGroupBy!, $pipelineId: ID, $filter: OpportunityFilter) {
  pipelineSummary(groupBy: $groupBy, pipelineId: $pipelineId, filter: $filter) { key label count amount } }"""


async def _pipelines(gql: Any) -> list[dict[str, Any]]:
    return (await gql(f"{{ pipelines {{ id name isDefault {STAGES} }} }}"))["pipelines"]


async def _state() -> list[tuple[Any, ...]]:
    """Every pipeline, stage and opportunity placement, to show a refusal changed nothing."""
    pipelines = await m.Pipeline.all().order_by("id").values_list("id", "name", "is_default", "version")
    stages = await m.Stage.all().order_by("id").values_list("id", "pipeline_id", "name", "position", "is_default")
    opps = await m.Opportunity.all().order_by("id").values_list("id", "pipeline_id", "stage_id", "probability")
    return [*pipelines, *stages, *opps]


async def _two_pipelines(gql: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    p = await call(gql, CREATE_PIPELINE, {"name": "Partner deals"})
    pipelines = await _pipelines(gql)
    default = next(x for x in pipelines if x["isDefault"])
    return default, p["pipeline"]


def _stage(pipeline: dict[str, Any], name: str) -> str:
    return str(next(s["id"] for s in pipeline["stages"] if s["name"] == name))


async def test_new_pipeline_has_its_own_default_stage_set(gql: Any) -> None:
    # given the default pipeline the database started with
    [default] = await _pipelines(gql)
    assert default["name"] == "Sales" and default["isDefault"]
    # when a manager creates another pipeline
    p = await call(gql, CREATE_PIPELINE, {"name": "Partner deals"})
    pipeline = p["pipeline"]
    # then it has its own default stages, with its own WON and LOST stages, positions 1..n
    assert not pipeline["isDefault"]
    assert [(s["name"], s["position"], s["probability"], s["kind"]) for s in pipeline["stages"]] == [
        ("Prospecting", 1, 10, "OPEN"),
        ("Qualification", 2, 20, "OPEN"),
        ("Proposal", 3, 50, "OPEN"),
        ("Negotiation", 4, 75, "OPEN"),
        ("Closed Won", 5, 100, "WON"),
        ("Closed Lost", 6, 0, "LOST"),
    ]
    assert {s["pipeline"]["id"] for s in pipeline["stages"]} == {pipeline["id"]}
    assert not {s["id"] for s in pipeline["stages"]} & {s["id"] for s in default["stages"]}
    # and `stages` takes a pipeline, the default one when omitted
    named = await gql("query($p: ID) { stages(pipelineId: $p) { id } }", {"p": pipeline["id"]})
    assert [s["id"] for s in named["stages"]] == [s["id"] for s in pipeline["stages"]]
    plain = await gql("{ stages { id } }")
    assert [s["id"] for s in plain["stages"]] == [s["id"] for s in default["stages"]]
    assert (await gql('{ stages(pipelineId: "nonsense") { id } }'))["stages"] == []
    # and the pipeline is a node
    node = await gql("query($id: ID!) { node(id: $id) { ... on Pipeline { name } } }", {"id": pipeline["id"]})
    assert node["node"] == {"name": "Partner deals"}


async def test_pipeline_errors_change_nothing(gql: Any, actors: Any) -> None:
    default, other = await _two_pipelines(gql)
    before = await _state()
    await call(
        gql,
        CREATE_PIPELINE,
        {"name": "Partner deals"},
        [user_error("input.name", "DUPLICATE", "name 'Partner deals' is already taken.")],
    )
    await call(gql, CREATE_PIPELINE, {"name": " "}, [user_error("input.name", "REQUIRED", "name is required.")])
    await call(
        gql,
        UPDATE_PIPELINE,
        {"id": default["id"], "isDefault": False},
        [
            user_error(
                "input.isDefault", "INVALID", "One pipeline is the default: make another pipeline the default instead."
            )
        ],
    )
    await call(
        gql,
        UPDATE_PIPELINE,
        {"id": other["id"], "name": None},
        [user_error("input.name", "REQUIRED", "name is required.")],
    )
    await call(
        gql.as_(actors[Role.SALES_REP]),
        CREATE_PIPELINE,
        {"name": "Mine"},
        [user_error("input", "FORBIDDEN", "Only admins and managers manage the catalog, stages and users.")],
    )
    await call(
        gql,
        DELETE_PIPELINE,
        {"id": default["id"]},
        [
            user_error(
                "input.id", "IN_USE", "The default pipeline cannot be deleted: make another pipeline the default first."
            )
        ],
    )
    await call(gql, DELETE_PIPELINE, {"id": "bad"}, [user_error("input.id", "INVALID", "Malformed id.")])
    await call(
        gql,
        DELETE_PIPELINE,
        {"id": other["id"], "replacementPipelineId": other["id"]},
        [user_error("input.replacementPipelineId", "INVALID", "The replacement must be another pipeline.")],
    )
    assert await _state() == before
    # when another pipeline becomes the default, the previous one is no longer
    p = await call(gql, UPDATE_PIPELINE, {"id": other["id"], "isDefault": True})
    assert p["pipeline"]["isDefault"]
    assert [x["name"] for x in await _pipelines(gql) if x["isDefault"]] == ["Partner deals"]


async def test_stage_rules_hold_per_pipeline(gql: Any) -> None:
    default, other = await _two_pipelines(gql)
    # a new stage of a pipeline goes after that pipeline's last open stage; the other is untouched
    p = await call(gql, CREATE_STAGE, {"name": "Demo", "pipelineId": other["id"], "probability": 60})
    assert p["stage"]["position"] == 5 and p["stage"]["pipeline"]["id"] == other["id"]
    # and without a pipeline it joins the default pipeline
    p = await call(gql, CREATE_STAGE, {"name": "Pilot", "position": 2})
    assert p["stage"]["pipeline"]["id"] == default["id"] and p["stage"]["position"] == 2
    pipelines = {x["name"]: x for x in await _pipelines(gql)}
    assert [s["name"] for s in pipelines["Partner deals"]["stages"]] == [
        "Prospecting",
        "Qualification",
        "Proposal",
        "Negotiation",
        "Demo",
        "Closed Won",
        "Closed Lost",
    ]
    assert [s["position"] for s in pipelines["Sales"]["stages"]] == list(range(1, 8))
    assert [s["name"] for s in pipelines["Sales"]["stages"]][:3] == ["Prospecting", "Pilot", "Qualification"]
    # reorder takes the open stages of one pipeline; stages of two pipelines are INVALID
    other_open = [s["id"] for s in pipelines["Partner deals"]["stages"] if s["kind"] == "OPEN"]
    before = await _state()
    await call(
        gql,
        REORDER,
        {"stageIds": [*other_open, _stage(pipelines["Sales"], "Pilot")]},
        [user_error("input.stageIds", "INVALID", "Reorder the stages of one pipeline at a time.")],
    )
    assert await _state() == before
    p = await call(gql, REORDER, {"stageIds": list(reversed(other_open))})
    assert [s["name"] for s in p["stages"]] == [
        "Demo",
        "Negotiation",
        "Proposal",
        "Qualification",
        "Prospecting",
        "Closed Won",
        "Closed Lost",
    ]
    assert [s["id"] for s in (await _pipelines(gql))[0]["stages"]] == [s["id"] for s in pipelines["Sales"]["stages"]]
    # deleting a stage: the replacement must be of the same pipeline
    account = await create(gql, "Account", {"name": "Acme"})
    demo = _stage(pipelines["Partner deals"], "Demo")
    await create(gql, "Opportunity", {"title": "D", "accountId": account, "stageId": demo})
    before = await _state()
    await call(
        gql,
        DELETE_STAGE,
        {"id": demo, "replacementStageId": _stage(pipelines["Sales"], "Proposal")},
        [user_error("input.replacementStageId", "INVALID", "The replacement must be a stage of the same pipeline.")],
    )
    assert await _state() == before
    await call(gql, DELETE_STAGE, {"id": demo, "replacementStageId": _stage(pipelines["Partner deals"], "Proposal")})
    after = {x["name"]: x for x in await _pipelines(gql)}
    assert [s["position"] for s in after["Partner deals"]["stages"]] == list(range(1, 7))
    assert len(after["Sales"]["stages"]) == 7


async def test_deal_lifecycle_stays_in_its_pipeline(gql: Any) -> None:
    default, other = await _two_pipelines(gql)
    account = await create(gql, "Account", {"name": "Acme"})
    # created with only a pipeline: the pipeline's default stage
    p = await call(gql, CREATE_OPP, {"title": "Partner deal", "accountId": account, "pipelineId": other["id"]})
    opp = p["opportunity"]
    assert opp["pipeline"]["id"] == other["id"] and opp["stage"]["id"] == _stage(other, "Prospecting")
    # a stage of another pipeline with a pipeline is INVALID; stage alone decides the pipeline
    await call(
        gql,
        CREATE_OPP,
        {"title": "X", "accountId": account, "pipelineId": other["id"], "stageId": _stage(default, "Proposal")},
        [user_error("input.stageId", "INVALID", "The stage is not a stage of this pipeline.")],
    )
    plain = (await call(gql, CREATE_OPP, {"title": "Plain", "accountId": account}))["opportunity"]
    assert plain["pipeline"]["name"] == "Sales"
    # moving to a stage of another pipeline by stage or update is INVALID and changes nothing
    before = await _state()
    message = "The stage belongs to another pipeline: use moveOpportunityToPipeline."
    await call(
        gql,
        MOVE_STAGE,
        {"opportunityId": opp["id"], "stageId": _stage(default, "Proposal")},
        [user_error("input.stageId", "INVALID", message)],
    )
    await call(
        gql,
        UPDATE_OPP,
        {"id": opp["id"], "stageId": _stage(default, "Proposal")},
        [user_error("input.stageId", "INVALID", message)],
    )
    assert await _state() == before
    # win and lose use the deal's own pipeline's WON and LOST stages; reopen its default stage
    won = (await call(gql, WIN, {"opportunityId": opp["id"]}))["opportunity"]
    assert won["stage"]["id"] == _stage(other, "Closed Won") and won["status"] == "WON"
    reopened = (await call(gql, REOPEN, {"opportunityId": opp["id"]}))["opportunity"]
    assert reopened["stage"]["id"] == _stage(other, "Prospecting")
    await call(
        gql,
        REOPEN,
        {"opportunityId": plain["id"]},
        [user_error("input.opportunityId", "INVALID_TRANSITION", "This opportunity is open already.")],
    )
    lost = (await call(gql, LOSE, {"opportunityId": opp["id"], "reason": "price"}))["opportunity"]
    assert lost["stage"]["id"] == _stage(other, "Closed Lost")
    before = await _state()
    await call(
        gql,
        REOPEN,
        {"opportunityId": opp["id"], "stageId": _stage(default, "Proposal")},
        [user_error("input.stageId", "INVALID", message)],
    )
    assert await _state() == before
    moved = await call(gql, MOVE_STAGE, {"opportunityId": plain["id"], "stageId": _stage(default, "Closed Won")})
    assert moved["opportunity"]["stage"]["id"] == _stage(default, "Closed Won")


async def test_move_deal_to_another_pipeline(gql: Any) -> None:
    default, other = await _two_pipelines(gql)
    account = await create(gql, "Account", {"name": "Acme"})
    opp = await create(
        gql,
        "Opportunity",
        {"title": "Deal", "accountId": account, "manualAmount": "1000", "stageId": _stage(default, "Negotiation")},
    )
    # errors first: a closing stage, a malformed or unknown stage
    before = await _state()
    await call(
        gql,
        MOVE_PIPELINE,
        {"opportunityId": opp, "stageId": _stage(other, "Closed Won")},
        [
            user_error(
                "input.stageId",
                "INVALID_TRANSITION",
                "An opportunity moves into an open stage; win or lose it afterwards.",
            )
        ],
    )
    await call(
        gql,
        MOVE_PIPELINE,
        {"opportunityId": opp, "stageId": "junk"},
        [user_error("input.stageId", "INVALID", "Malformed id.")],
    )
    await call(
        gql,
        MOVE_PIPELINE,
        {"opportunityId": opp, "stageId": account},
        [user_error("input.stageId", "NOT_FOUND", "No Stage with this id.")],
    )
    assert await _state() == before
    # when it moves to the other pipeline's Proposal stage
    p = await call(gql, MOVE_PIPELINE, {"opportunityId": opp, "stageId": _stage(other, "Proposal")})
    moved = p["opportunity"]
    # then it is in that pipeline and stage, with the stage's probability, and the timeline says so
    assert moved["pipeline"]["id"] == other["id"] and moved["stage"]["id"] == _stage(other, "Proposal")
    assert moved["probability"] == 50
    timeline = await gql(
        "query($id: ID!) { opportunity(id: $id) { expectedRevenue timeline(first: 5) { nodes { kind changes { field oldValue newValue } } } } }",
        {"id": opp},
    )
    assert timeline["opportunity"]["expectedRevenue"] == "500.00"
    event = timeline["opportunity"]["timeline"]["nodes"][0]
    assert event["kind"] == "STAGE_CHANGED"
    assert {"field": "pipeline", "oldValue": "Sales", "newValue": "Partner deals"} in event["changes"]
    # and filters and summaries see it in its new pipeline only
    flt = {"pipeline": {"id": {"eq": other["id"]}}}
    listed = await gql("query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }", {"f": flt})
    assert listed["opportunities"]["totalCount"] == 1
    by_stage = (await gql(SUMMARY, {"groupBy": "STAGE"}))["pipelineSummary"]
    assert by_stage == []  # the default pipeline is empty now
    by_stage = (await gql(SUMMARY, {"groupBy": "STAGE", "pipelineId": other["id"]}))["pipelineSummary"]
    assert [(g["label"], g["count"], g["amount"]) for g in by_stage] == [("Proposal", 1, "1000.00")]
    by_filter = (await gql(SUMMARY, {"groupBy": "STAGE", "filter": flt}))["pipelineSummary"]
    assert by_filter == by_stage


async def test_summary_never_mixes_pipelines_unless_grouped_by_pipeline(gql: Any) -> None:
    default, other = await _two_pipelines(gql)
    account = await create(gql, "Account", {"name": "Acme"})
    for title, stage, amount in (
        ("A", _stage(default, "Proposal"), "100.00"),
        ("B", _stage(default, "Proposal"), "0.01"),
        ("C", _stage(other, "Proposal"), "250.50"),
    ):
        await create(
            gql, "Opportunity", {"title": title, "accountId": account, "stageId": stage, "manualAmount": amount}
        )
    by_stage = (await gql(SUMMARY, {"groupBy": "STAGE"}))["pipelineSummary"]
    assert [(g["key"], g["count"], g["amount"]) for g in by_stage] == [(_stage(default, "Proposal"), 2, "100.01")]
    by_pipeline = (await gql(SUMMARY, {"groupBy": "PIPELINE"}))["pipelineSummary"]
    assert [(g["key"], g["label"], g["count"], g["amount"]) for g in by_pipeline] == [
        (default["id"], "Sales", 2, "100.01"),
        (other["id"], "Partner deals", 1, "250.50"),
    ]
    bad = await gql(SUMMARY, {"groupBy": "STAGE", "pipelineId": account}, errors=True)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # a filter that names the other pipeline inside `or` / `not` sums that pipeline (not the default)
    named = [
        {"or": [{"pipeline": {"id": {"eq": other["id"]}}}]},
        {"not": {"pipeline": {"isDefault": {"eq": True}}}},
        {"stage": {"pipeline": {"id": {"eq": other["id"]}}}},
        {"stage": {"id": {"eq": _stage(other, "Proposal")}}},
    ]
    for flt in named:
        found = (await gql(SUMMARY, {"groupBy": "OWNER", "filter": flt}))["pipelineSummary"]
        assert [(g["count"], g["amount"]) for g in found] == [(1, "250.50")], flt
    # a filter matching deals of both pipelines is refused unless grouped by PIPELINE
    both = {"pipeline": {"id": {"in": [default["id"], other["id"]]}}}
    for group_by in ("OWNER", "STAGE", "SPLIT_OWNER", "CAMPAIGN"):
        for flt in (both, {"stage": {"id": {"in": [_stage(default, "Proposal"), _stage(other, "Proposal")]}}}):
            mixed = await gql(SUMMARY, {"groupBy": group_by, "filter": flt}, errors=True)
            assert mixed["errors"][0]["extensions"]["code"] == "INVALID", mixed
    # a condition on the stages' kind or name names no pipeline: the default one is summed
    for flt in ({"stage": {"kind": {"eq": "OPEN"}}}, {"stage": {"name": {"eq": "Proposal"}}}):
        found = (await gql(SUMMARY, {"groupBy": "STAGE", "filter": flt}))["pipelineSummary"]
        assert [(g["key"], g["count"], g["amount"]) for g in found] == [(_stage(default, "Proposal"), 2, "100.01")]
    by_pipeline = (await gql(SUMMARY, {"groupBy": "PIPELINE", "filter": both}))["pipelineSummary"]
    assert [g["count"] for g in by_pipeline] == [2, 1]


async def test_delete_pipeline_with_a_stage_map(gql: Any) -> None:
    default, other = await _two_pipelines(gql)
    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "Open", "accountId": account, "stageId": _stage(other, "Negotiation")})
    won_deal = await create(
        gql, "Opportunity", {"title": "Won", "accountId": account, "stageId": _stage(other, "Proposal")}
    )
    await call(gql, WIN, {"opportunityId": won_deal})
    before = await _state()
    # in use without a replacement; an open stage in use unmapped; a map of the wrong kind or pipeline
    await call(
        gql,
        DELETE_PIPELINE,
        {"id": other["id"]},
        [
            user_error(
                "input.replacementPipelineId",
                "IN_USE",
                "Opportunities use this pipeline: name a replacement pipeline and map its stages.",
            )
        ],
    )
    await call(
        gql,
        DELETE_PIPELINE,
        {"id": other["id"], "replacementPipelineId": default["id"]},
        [user_error("input.stageMap", "IN_USE", "Opportunities use stages without a mapping: Negotiation.")],
    )
    wrong_kind = [{"fromStageId": _stage(other, "Negotiation"), "toStageId": _stage(default, "Closed Won")}]
    await call(
        gql,
        DELETE_PIPELINE,
        {"id": other["id"], "replacementPipelineId": default["id"], "stageMap": wrong_kind},
        [
            user_error(
                "input.stageMap.0.toStageId", "INVALID", "A stage maps to a stage of the same kind (OPEN, WON, LOST)."
            )
        ],
    )
    wrong_side = [{"fromStageId": _stage(default, "Negotiation"), "toStageId": _stage(default, "Proposal")}]
    await call(
        gql,
        DELETE_PIPELINE,
        {"id": other["id"], "replacementPipelineId": default["id"], "stageMap": wrong_side},
        [user_error("input.stageMap.0.fromStageId", "INVALID", "fromStageId is not a stage of the deleted pipeline.")],
    )
    assert await _state() == before
    # when the open stage is mapped (the WON stage maps to the replacement's WON stage by itself)
    stage_map = [{"fromStageId": _stage(other, "Negotiation"), "toStageId": _stage(default, "Proposal")}]
    p = await call(
        gql, DELETE_PIPELINE, {"id": other["id"], "replacementPipelineId": default["id"], "stageMap": stage_map}
    )
    assert p["deletedId"] == other["id"]
    # then the pipeline and its stages are gone and the deals sit in the replacement
    assert [x["name"] for x in await _pipelines(gql)] == ["Sales"]
    assert await m.Stage.all().count() == 6
    deals = await gql(
        "{ opportunities(orderBy: [{field: TITLE}]) { nodes { title status probability stage { id } pipeline { name } } } }"
    )
    assert deals["opportunities"]["nodes"] == [
        {
            "title": "Open",
            "status": "OPEN",
            "probability": 50,
            "stage": {"id": _stage(default, "Proposal")},
            "pipeline": {"name": "Sales"},
        },
        {
            "title": "Won",
            "status": "WON",
            "probability": 100,
            "stage": {"id": _stage(default, "Closed Won")},
            "pipeline": {"name": "Sales"},
        },
    ]
    # and a pipeline nobody uses is deleted without a replacement
    empty = (await call(gql, CREATE_PIPELINE, {"name": "Empty"}))["pipeline"]
    await call(gql, DELETE_PIPELINE, {"id": empty["id"]})
    assert await m.Stage.all().count() == 6
