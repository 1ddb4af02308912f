"""The opportunity lifecycle (move, win, lose, reopen), stage administration and activities.

Every writing service opens one transaction; nothing is written when it raises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import OpportunityStatus, StageKind
from crm_graphql.errors import InUse, Invalid, InvalidTransition, Locked, NotFound
from crm_graphql.models.base import flat_values
from crm_graphql.services import access, contracts, crud, idempotency, pipeline_rules, pricing, timeline

Path = tuple[str, ...]
_OPP = ("input", "opportunityId")


async def _load(conn: BaseDBAsyncClient, actor: Actor, opportunity_id: int) -> m.Opportunity:
    return await access.load_for_write(conn, actor, m.Opportunity, opportunity_id, _OPP)


async def _stage(conn: BaseDBAsyncClient, stage_id: int, path: Path) -> m.Stage:
    stage = await m.Stage.filter(id=stage_id).using_db(conn).first()
    if stage is None:
        raise NotFound("No Stage with this id.", path)
    return stage


async def _closing_stage(conn: BaseDBAsyncClient, kind: StageKind, pipeline_id: int | None) -> m.Stage:
    """The WON or LOST stage of the opportunity's own pipeline (DOMAIN.md 11)."""
    stages = m.Stage.filter(kind=kind, pipeline_id=pipeline_id).using_db(conn)
    stage = await stages.order_by("position", "id").first()
    if stage is None:
        raise InvalidTransition(f"The pipeline has no {kind} stage.", _OPP)
    return stage


def _same_pipeline(opp: m.Opportunity, stage: m.Stage) -> None:
    if stage.pipeline_id != opp.pipeline_id:
        raise Invalid("The stage belongs to another pipeline: use moveOpportunityToPipeline.", ("input", "stageId"))


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _probability_change(opp: m.Opportunity, new: int) -> dict[str, Any]:
    return timeline.changes({"probability": opp.probability}, {"probability": new})


async def _close(
    conn: BaseDBAsyncClient, opp: m.Opportunity, status: OpportunityStatus, close_date: dt.date, values: dict[str, Any]
) -> None:
    """Claim the OPEN opportunity with a conditional UPDATE: of concurrent closers, one wins.

    DOMAIN.md 3: ``closeDate`` becomes the date of the close and ``closedAt`` that day at
    00:00 UTC (a back-dated close keeps its date).
    """
    probability = values["probability"]
    expected = None if opp.amount is None else pricing.expected_revenue(opp.amount, probability, opp.currency)
    now = dt.datetime.now(dt.UTC)
    closed_at = dt.datetime.combine(close_date, dt.time(0, 0), dt.UTC)
    claimed = await (
        m.Opportunity.filter(id=opp.id, status=OpportunityStatus.OPEN)
        .using_db(conn)
        .update(
            status=status,
            close_date=close_date,
            closed_at=closed_at,
            expected_revenue=expected,
            version=F("version") + 1,
            updated_at=now,
            stage_entered_at=now,
            **values,
        )
    )
    if not claimed:
        raise InvalidTransition(f"This opportunity is already {opp.status}.", _OPP)


async def win_in(
    conn: BaseDBAsyncClient, actor: Actor, opp: m.Opportunity, close_date: dt.date | None
) -> list[m.Contract]:
    if opp.status != OpportunityStatus.OPEN:
        raise InvalidTransition(f"This opportunity is already {opp.status}.", _OPP)
    stage = await _closing_stage(conn, StageKind.WON, opp.pipeline_id)
    close = close_date or today()
    changes = _probability_change(opp, 100)
    await _close(
        conn, opp, OpportunityStatus.WON, close, {"stage_id": stage.id, "probability": 100, "lost_reason": None}
    )
    made = await contracts.contracts_for_won_opportunity(conn, actor, opp, close)
    await timeline.record(
        conn,
        opp,
        "WON",
        actor,
        {"closeDate": close, "contracts": [timeline.ref(c, number=c.number) for c in made], "changes": changes},
    )
    return made


async def lose_in(
    conn: BaseDBAsyncClient, actor: Actor, opp: m.Opportunity, reason: str | None, close_date: dt.date | None = None
) -> None:
    if opp.status != OpportunityStatus.OPEN:
        raise InvalidTransition(f"This opportunity is already {opp.status}.", _OPP)
    if reason is not None and len(reason) > 500:
        raise Invalid("reason is too long (at most 500 characters).", ("input", "reason"))
    stage = await _closing_stage(conn, StageKind.LOST, opp.pipeline_id)
    close = close_date or today()
    changes = _probability_change(opp, 0)
    await _close(
        conn,
        opp,
        OpportunityStatus.LOST,
        close,
        {"stage_id": stage.id, "probability": 0, "lost_reason": reason or None},
    )
    await timeline.record(conn, opp, "LOST", actor, {"reason": reason, "closeDate": close, "changes": changes})


async def win_opportunity(
    actor: Actor, opportunity_id: int, close_date: dt.date | None = None, *, idempotency_key: str | None = None
) -> tuple[m.Opportunity, list[m.Contract]]:
    """Win an open opportunity: WON stage, probability 100, closed on ``close_date`` (default
    today, UTC), one contract per product line.

    Raises NotFound, InvalidTransition (not open: winning twice), IdempotencyKeyReused;
    nothing is written when it raises.
    """
    raw = {"opportunityId": opportunity_id, "closeDate": close_date}
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "winOpportunity", idempotency_key, raw)
        if prior is not None:
            opp = await m.Opportunity.get(id=prior["opportunity"], using_db=conn)
            made = await m.Contract.filter(id__in=prior["contracts"]).using_db(conn).order_by("id")
            return opp, list(made)
        opp = await _load(conn, actor, opportunity_id)
        made = await win_in(conn, actor, opp, close_date)
        result = {"opportunity": opp.id, "contracts": [c.id for c in made]}
        await idempotency.remember(conn, actor, "winOpportunity", idempotency_key, raw, result)
        opp = await m.Opportunity.get(id=opp.id, using_db=conn)
    return opp, made


async def lose_opportunity(
    actor: Actor, opportunity_id: int, reason: str | None = None, close_date: dt.date | None = None
) -> m.Opportunity:
    """Lose an open opportunity (LOST stage, probability 0, closed on ``close_date``, default
    today UTC). Raises NotFound, InvalidTransition, Invalid; nothing is written when it raises."""
    async with in_transaction() as conn:
        opp = await _load(conn, actor, opportunity_id)
        await lose_in(conn, actor, opp, reason, close_date)
        return await m.Opportunity.get(id=opp.id, using_db=conn)


async def reopen_opportunity(actor: Actor, opportunity_id: int, stage_id: int | None = None) -> m.Opportunity:
    """Move a won or lost opportunity back to an open stage (default: the default stage), clear
    ``closedAt`` and the lost reason, and cancel the contracts its win made.
    Raises NotFound, InvalidTransition."""
    async with in_transaction() as conn:
        opp = await _load(conn, actor, opportunity_id)
        if opp.status == OpportunityStatus.OPEN:
            raise InvalidTransition("This opportunity is open already.", _OPP)
        if stage_id is None:
            stage = await pipeline_rules.default_stage(conn, opp.pipeline_id)
        else:
            stage = await _stage(conn, stage_id, ("input", "stageId"))
            _same_pipeline(opp, stage)
            if stage.kind != StageKind.OPEN:
                raise InvalidTransition("Reopen into an open stage.", ("input", "stageId"))
        expected = None if opp.amount is None else pricing.expected_revenue(opp.amount, stage.probability, opp.currency)
        claimed = await (
            m.Opportunity.filter(id=opp.id, version=opp.version, status__not=OpportunityStatus.OPEN)
            .using_db(conn)
            .update(
                status=OpportunityStatus.OPEN,
                stage_id=stage.id,
                probability=stage.probability,
                closed_at=None,
                lost_reason=None,
                expected_revenue=expected,
                version=F("version") + 1,
                updated_at=dt.datetime.now(dt.UTC),
                stage_entered_at=dt.datetime.now(dt.UTC),
            )
        )
        if not claimed:
            raise InvalidTransition("This opportunity was reopened by someone else.", _OPP)
        cancelled = await contracts.cancel_for_opportunity(conn, opp.id)
        data = await pipeline_rules.stage_change_data(conn, opp.stage_id, stage.id)
        data["changes"] |= _probability_change(opp, stage.probability)
        await timeline.record(conn, opp, "REOPENED", actor, {**data, "cancelledContracts": cancelled})
        return await m.Opportunity.get(id=opp.id, using_db=conn)


async def move_opportunity_to_stage(
    actor: Actor, opportunity_id: int, stage_id: int, close_date: dt.date | None = None
) -> m.Opportunity:
    """Move to a stage, taking its probability; a WON or LOST stage wins or loses the deal
    (closed on ``close_date``, default today UTC; an open stage ignores ``close_date``).

    Raises NotFound, Locked (closed deal: reopen it), InvalidTransition.
    """
    async with in_transaction() as conn:
        opp = await _load(conn, actor, opportunity_id)
        stage = await _stage(conn, stage_id, ("input", "stageId"))
        _same_pipeline(opp, stage)
        if stage.kind == StageKind.WON:
            await win_in(conn, actor, opp, close_date)
        elif stage.kind == StageKind.LOST:
            await lose_in(conn, actor, opp, None, close_date)
        else:
            if opp.status != OpportunityStatus.OPEN:
                raise Locked("This opportunity is closed: reopen it to move it.", _OPP)
            if opp.stage_id == stage.id:
                # not a move (as updateOpportunity(stageId: the same)): an overridden
                # probability stays, nothing is written or recorded
                return opp
            expected = (
                None if opp.amount is None else pricing.expected_revenue(opp.amount, stage.probability, opp.currency)
            )
            old, probability = opp.stage_id, _probability_change(opp, stage.probability)
            await crud.save(
                conn,
                opp,
                {
                    "stage_id": stage.id,
                    "probability": stage.probability,
                    "expected_revenue": expected,
                    "stage_entered_at": dt.datetime.now(dt.UTC),
                },
            )
            data = await pipeline_rules.stage_change_data(conn, old, stage.id)
            data["changes"] |= probability
            await timeline.record(conn, opp, "STAGE_CHANGED", actor, data)
        return await m.Opportunity.get(id=opp.id, using_db=conn)


# --- stages ----------------------------------------------------------------------------------


async def reorder_stages(actor: Actor, stage_ids: Sequence[int]) -> list[m.Stage]:
    """Put the open stages in the given order (DOMAIN.md 3). The WON and LOST stages stay last:
    they may be listed after the open stages in their place (so the full list from ``stages``
    works), nowhere else. Raises NotFound, Locked (a WON/LOST stage moved), Invalid (not every
    open stage exactly once); nothing is written when it raises."""
    async with in_transaction() as conn:
        path = ("input", "stageIds")
        named = {s.id: s for s in await m.Stage.filter(id__in=list(stage_ids)).using_db(conn)}
        for i, pk in enumerate(stage_ids):
            if pk not in named:
                raise NotFound("No Stage with this id.", (*path, str(i)))
        pipelines = {s.pipeline_id for s in named.values()}
        if len(pipelines) > 1:
            raise Invalid("Reorder the stages of one pipeline at a time.", path)
        if not pipelines:
            raise Invalid("List every open stage exactly once.", path)
        pipeline_id = pipelines.pop()
        stages = {s.id: s for s in await m.Stage.filter(pipeline_id=pipeline_id).using_db(conn)}
        open_ids = [pk for pk in stage_ids if stages[pk].kind == StageKind.OPEN]
        closed = sorted((s for s in stages.values() if s.kind != StageKind.OPEN), key=lambda s: (s.position, s.id))
        listed_closed = [pk for pk in stage_ids if stages[pk].kind != StageKind.OPEN]
        in_place = [s.id for s in closed if s.id in set(listed_closed)]
        for i, pk in enumerate(stage_ids):
            moved = stages[pk].kind != StageKind.OPEN and (i < len(open_ids) or listed_closed != in_place)
            if moved:
                raise Locked("The WON and LOST stages cannot be moved: they stay last.", (*path, str(i)))
        every_open = {pk for pk, s in stages.items() if s.kind == StageKind.OPEN}
        if len(set(open_ids)) != len(open_ids) or set(open_ids) != every_open:
            raise Invalid("List every open stage exactly once.", path)
        await pipeline_rules.renumber(conn, [*(stages[pk] for pk in open_ids), *closed])
        return list(await m.Stage.filter(pipeline_id=pipeline_id).using_db(conn).order_by("position", "id"))


async def delete_stage(actor: Actor, stage_id: int, replacement_stage_id: int | None) -> int:
    """Delete an open stage; opportunities using it move to the replacement stage and take its
    probability (DOMAIN.md 3); the other stages close the gap.

    Raises NotFound, Locked (WON/LOST stage), InUse (in use without a replacement), Invalid;
    nothing is written when it raises.
    """
    async with in_transaction() as conn:
        stage = await access.load_for_write(conn, actor, m.Stage, stage_id, ("input", "id"))
        if stage.kind != StageKind.OPEN:
            raise Locked("The WON and LOST stages cannot be deleted.", ("input", "id"))
        replacement = None
        if replacement_stage_id is not None:
            path = ("input", "replacementStageId")
            replacement = await _stage(conn, replacement_stage_id, path)
            if replacement.id == stage.id or replacement.kind != StageKind.OPEN:
                raise Invalid("The replacement must be another open stage.", path)
            if replacement.pipeline_id != stage.pipeline_id:
                raise Invalid("The replacement must be a stage of the same pipeline.", path)
        siblings = m.Stage.filter(pipeline_id=stage.pipeline_id).using_db(conn)
        if not await siblings.filter(kind=StageKind.OPEN).exclude(id=stage.id).exists():
            raise InUse("The last open stage cannot be deleted.", ("input", "id"))
        moved = list(await m.Opportunity.filter(stage_id=stage.id).using_db(conn))
        if moved and replacement is None:
            raise InUse("Opportunities use this stage: name a replacement stage.", ("input", "replacementStageId"))
        for opp in moved:
            assert replacement is not None
            await _move_to(conn, actor, opp, replacement)
        if stage.is_default:
            heir = (
                replacement
                or await siblings.filter(kind=StageKind.OPEN).exclude(id=stage.id).order_by("position", "id").first()
            )
            assert heir is not None
            await m.Stage.filter(id=heir.id).using_db(conn).update(is_default=True)
        await m.Stage.filter(id=stage.id).using_db(conn).delete()
        await pipeline_rules.renumber(conn, list(await siblings.order_by("position", "id")))
    return stage.id


async def _move_to(conn: BaseDBAsyncClient, actor: Actor, opp: m.Opportunity, stage: m.Stage) -> None:
    """An opportunity taken off a deleted stage or moved to another pipeline: the new stage
    (and its pipeline) and the stage's probability."""
    expected = None if opp.amount is None else pricing.expected_revenue(opp.amount, stage.probability, opp.currency)
    old, probability = opp.stage_id, _probability_change(opp, stage.probability)
    old_pipeline = opp.pipeline_id
    await crud.save(
        conn,
        opp,
        {
            "stage_id": stage.id,
            "pipeline_id": stage.pipeline_id,
            "probability": stage.probability,
            "expected_revenue": expected,
            "stage_entered_at": dt.datetime.now(dt.UTC),
        },
    )
    data = await pipeline_rules.stage_change_data(conn, old, stage.id)
    data["changes"] |= probability
    if old_pipeline != stage.pipeline_id:
        names = dict(
            await m.Pipeline.filter(id__in=[old_pipeline, stage.pipeline_id]).using_db(conn).values_list("id", "name")
        )
        data["changes"]["pipeline"] = {"old": names.get(old_pipeline), "new": names.get(stage.pipeline_id)}
    await timeline.record(conn, opp, "STAGE_CHANGED", actor, data)


# --- activities ------------------------------------------------------------------------------


async def complete_activity(actor: Actor, activity_id: int) -> m.Activity:
    """Mark an activity done. Raises NotFound, InvalidTransition (done already)."""
    async with in_transaction() as conn:
        activity = await access.load_for_write(conn, actor, m.Activity, activity_id, ("input", "activityId"))
        now = dt.datetime.now(dt.UTC)
        claimed = await (
            m.Activity.filter(id=activity.id, is_done=False)
            .using_db(conn)
            .update(is_done=True, done_at=now, version=F("version") + 1, updated_at=now)
        )
        if not claimed:
            raise InvalidTransition("This activity is done already.", ("input", "activityId"))
        await pipeline_rules.record_activity(conn, actor, activity, "ACTIVITY_DONE")  # DOMAIN.md 9: every write
        return await m.Activity.get(id=activity.id, using_db=conn)


# --- pipelines -------------------------------------------------------------------------------


async def move_opportunity_to_pipeline(actor: Actor, opportunity_id: int, stage_id: int) -> m.Opportunity:
    """Move an open opportunity to another pipeline, into the (open) stage named there; it takes
    the stage's probability (DOMAIN.md 11). Raises NotFound, Locked (won or lost),
    InvalidTransition (a WON or LOST stage: win or lose it afterwards); nothing is written when
    it raises."""
    async with in_transaction() as conn:
        opp = await _load(conn, actor, opportunity_id)
        if opp.status != OpportunityStatus.OPEN:
            raise Locked("This opportunity is closed: reopen it to move it.", _OPP)
        stage = await _stage(conn, stage_id, ("input", "stageId"))
        if stage.kind != StageKind.OPEN:
            raise InvalidTransition(
                "An opportunity moves into an open stage; win or lose it afterwards.", ("input", "stageId")
            )
        await _move_to(conn, actor, opp, stage)
        return await m.Opportunity.get(id=opp.id, using_db=conn)


async def delete_pipeline(
    actor: Actor, pipeline_id: int, replacement_pipeline_id: int | None, stage_map: Sequence[tuple[int, int]]
) -> int:
    """Delete a pipeline with its stages. Its opportunities (deleted ones included) move to the
    replacement pipeline: each stage in use maps to a stage there (``stage_map``: from -> to,
    of the same kind); the WON and LOST stages map to the replacement's WON and LOST stages
    unless named. The default pipeline cannot be deleted (make another one the default first).

    Raises NotFound, InUse (default pipeline; in use without a replacement; a stage in use
    unmapped), Invalid (replacement is the pipeline itself; a map entry of another pipeline,
    of another kind, or listed twice); nothing is written when it raises.
    """
    async with in_transaction() as conn:
        pipeline = await access.load_for_write(conn, actor, m.Pipeline, pipeline_id, ("input", "id"))
        if pipeline.is_default:
            raise InUse(
                "The default pipeline cannot be deleted: make another pipeline the default first.", ("input", "id")
            )
        stages = {s.id: s for s in await m.Stage.filter(pipeline_id=pipeline.id).using_db(conn)}
        in_use = m.Opportunity.filter(pipeline_id=pipeline.id).using_db(conn)
        used: set[int] = {int(pk) for pk in await flat_values(in_use.values_list("stage_id", flat=True))}
        replacement = None
        if replacement_pipeline_id is not None:
            path: access.Path = ("input", "replacementPipelineId")
            replacement = await access.load_visible(conn, actor, m.Pipeline, replacement_pipeline_id, path)
            if replacement.id == pipeline.id:
                raise Invalid("The replacement must be another pipeline.", path)
        if used and replacement is None:
            raise InUse(
                "Opportunities use this pipeline: name a replacement pipeline and map its stages.",
                ("input", "replacementPipelineId"),
            )
        targets: dict[int, m.Stage] = {}
        if replacement is not None:
            new_stages = {s.id: s for s in await m.Stage.filter(pipeline_id=replacement.id).using_db(conn)}
            for i, (from_id, to_id) in enumerate(stage_map):
                path = ("input", "stageMap", str(i))
                if from_id not in stages:
                    raise Invalid("fromStageId is not a stage of the deleted pipeline.", (*path, "fromStageId"))
                if to_id not in new_stages:
                    raise Invalid("toStageId is not a stage of the replacement pipeline.", (*path, "toStageId"))
                if from_id in targets:
                    raise Invalid("Each stage is mapped once.", (*path, "fromStageId"))
                if stages[from_id].kind != new_stages[to_id].kind:
                    raise Invalid("A stage maps to a stage of the same kind (OPEN, WON, LOST).", (*path, "toStageId"))
                targets[from_id] = new_stages[to_id]
            closing = {
                s.kind: s
                for s in sorted(new_stages.values(), key=lambda s: (-s.position, -s.id))
                if s.kind != StageKind.OPEN
            }
            for pk, stage in stages.items():
                if pk not in targets and stage.kind in closing:
                    targets[pk] = closing[stage.kind]
        elif stage_map:
            raise Invalid("A stage map needs a replacement pipeline.", ("input", "stageMap"))
        unmapped = sorted(stages[pk].name for pk in used if pk not in targets)
        if unmapped:
            raise InUse(f"Opportunities use stages without a mapping: {', '.join(unmapped)}.", ("input", "stageMap"))
        for opp in await m.Opportunity.filter(pipeline_id=pipeline.id).using_db(conn).order_by("id"):
            target = targets[opp.stage_id]
            if target.kind == StageKind.OPEN:
                await _move_to(conn, actor, opp, target)
            else:  # a closed deal keeps its status, probability and stageEnteredAt (its close) in the
                # replacement's closing stage
                await crud.save(conn, opp, {"stage_id": target.id, "pipeline_id": target.pipeline_id})
        await m.Stage.filter(pipeline_id=pipeline.id).using_db(conn).delete()
        await m.Pipeline.filter(id=pipeline.id).using_db(conn).delete()
    return pipeline.id
