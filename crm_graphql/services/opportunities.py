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
from crm_graphql.enums import OpportunityStatus, StageKind
from crm_graphql.errors import InUse, Invalid, InvalidTransition, Locked, NotFound
from crm_graphql.services import access, contracts, crud, idempotency, permissions, pipeline_rules, pricing, timeline

Path = tuple[str, ...]
_OPP = ("input", "opportunityId")


async def _load(conn: BaseDBAsyncClient, actor: Any, opportunity_id: int) -> Any:
    return await access.load_for_write(conn, actor, m.Opportunity, opportunity_id, _OPP)


async def _stage(conn: BaseDBAsyncClient, stage_id: int, path: Path) -> m.Stage:
    stage = await m.Stage.filter(id=stage_id).using_db(conn).first()
    if stage is None:
        raise NotFound("No Stage with this id.", path)
    return stage


async def _closing_stage(conn: BaseDBAsyncClient, kind: StageKind) -> m.Stage:
    stage = await m.Stage.filter(kind=kind).using_db(conn).order_by("position", "id").first()
    if stage is None:
        raise InvalidTransition(f"The pipeline has no {kind} stage.", _OPP)
    return stage


async def _close(conn: BaseDBAsyncClient, opp: Any, status: OpportunityStatus, values: dict[str, Any]) -> None:
    """Claim the OPEN opportunity with a conditional UPDATE: of concurrent closers, one wins."""
    probability = values["probability"]
    expected = None if opp.amount is None else pricing.expected_revenue(opp.amount, probability, opp.currency)
    now = dt.datetime.now(dt.UTC)
    claimed = await (
        m.Opportunity.filter(id=opp.id, status=OpportunityStatus.OPEN)
        .using_db(conn)
        .update(status=status, closed_at=now, expected_revenue=expected, version=F("version") + 1,
                updated_at=now, **values)
    )  # fmt: skip
    if not claimed:
        raise InvalidTransition(f"This opportunity is already {opp.status}.", _OPP)


async def win_in(conn: BaseDBAsyncClient, actor: Any, opp: Any, close_date: dt.date | None) -> list[m.Contract]:
    if opp.status != OpportunityStatus.OPEN:
        raise InvalidTransition(f"This opportunity is already {opp.status}.", _OPP)
    stage = await _closing_stage(conn, StageKind.WON)
    close = close_date or dt.date.today()
    await _close(conn, opp, OpportunityStatus.WON, {"stage_id": stage.id, "probability": 100, "close_date": close})
    made = await contracts.contracts_for_won_opportunity(conn, actor, opp, close)
    await timeline.record(
        conn, opp, "WON", actor, {"closeDate": close, "contracts": [timeline.ref(c, number=c.number) for c in made]}
    )
    return made


async def lose_in(conn: BaseDBAsyncClient, actor: Any, opp: Any, reason: str | None) -> None:
    if opp.status != OpportunityStatus.OPEN:
        raise InvalidTransition(f"This opportunity is already {opp.status}.", _OPP)
    if reason is not None and len(reason) > 500:
        raise Invalid("reason is too long (at most 500 characters).", ("input", "reason"))
    stage = await _closing_stage(conn, StageKind.LOST)
    await _close(conn, opp, OpportunityStatus.LOST,
                 {"stage_id": stage.id, "probability": 0, "lost_reason": reason or None})  # fmt: skip
    await timeline.record(conn, opp, "LOST", actor, {"reason": reason})


async def win_opportunity(
    actor: Any, opportunity_id: int, close_date: dt.date | None = None, *, idempotency_key: str | None = None
) -> tuple[Any, list[m.Contract]]:
    """Win an open opportunity: WON stage, probability 100, closed now, one contract per product line.

    Raises NotFound, InvalidTransition (not open: winning twice), IdempotencyKeyReused;
    nothing is written when it raises.
    """
    raw = {"opportunityId": opportunity_id, "closeDate": close_date}
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "winOpportunity", idempotency_key, raw)
        if prior is not None:
            opp = await m.Opportunity.get(id=prior["opportunity"]).using_db(conn)
            made = await m.Contract.filter(id__in=prior["contracts"]).using_db(conn).order_by("id")
            return opp, list(made)
        opp = await _load(conn, actor, opportunity_id)
        made = await win_in(conn, actor, opp, close_date)
        result = {"opportunity": opp.id, "contracts": [c.id for c in made]}
        await idempotency.remember(conn, actor, "winOpportunity", idempotency_key, raw, result)
        opp = await m.Opportunity.get(id=opp.id).using_db(conn)
    return opp, made


async def lose_opportunity(actor: Any, opportunity_id: int, reason: str | None = None) -> Any:
    """Lose an open opportunity (LOST stage, probability 0). Raises NotFound, InvalidTransition."""
    async with in_transaction() as conn:
        opp = await _load(conn, actor, opportunity_id)
        await lose_in(conn, actor, opp, reason)
        return await m.Opportunity.get(id=opp.id).using_db(conn)


async def reopen_opportunity(actor: Any, opportunity_id: int, stage_id: int | None = None) -> Any:
    """Move a won or lost opportunity back to an open stage (default: the default stage) and
    cancel the contracts its win made. Raises NotFound, InvalidTransition."""
    async with in_transaction() as conn:
        opp = await _load(conn, actor, opportunity_id)
        if opp.status == OpportunityStatus.OPEN:
            raise InvalidTransition("This opportunity is open already.", _OPP)
        if stage_id is None:
            stage = await pipeline_rules.default_stage(conn)
        else:
            stage = await _stage(conn, stage_id, ("input", "stageId"))
            if stage.kind != StageKind.OPEN:
                raise InvalidTransition("Reopen into an open stage.", ("input", "stageId"))
        expected = None if opp.amount is None else pricing.expected_revenue(opp.amount, stage.probability, opp.currency)
        claimed = await (
            m.Opportunity.filter(id=opp.id, version=opp.version, status__not=OpportunityStatus.OPEN)
            .using_db(conn)
            .update(status=OpportunityStatus.OPEN, stage_id=stage.id, probability=stage.probability, closed_at=None,
                    expected_revenue=expected, version=F("version") + 1, updated_at=dt.datetime.now(dt.UTC))
        )  # fmt: skip
        if not claimed:
            raise InvalidTransition("This opportunity was reopened by someone else.", _OPP)
        cancelled = await contracts.cancel_for_opportunity(conn, opp.id)
        await timeline.record(
            conn,
            opp,
            "REOPENED",
            actor,
            {"stage": timeline.ref(stage, name=stage.name), "cancelledContracts": cancelled},
        )
        return await m.Opportunity.get(id=opp.id).using_db(conn)


async def move_opportunity_to_stage(actor: Any, opportunity_id: int, stage_id: int) -> Any:
    """Move to a stage, taking its probability; a WON or LOST stage wins or loses the deal.

    Raises NotFound, Locked (closed deal: reopen it), InvalidTransition.
    """
    async with in_transaction() as conn:
        opp = await _load(conn, actor, opportunity_id)
        stage = await _stage(conn, stage_id, ("input", "stageId"))
        if stage.kind == StageKind.WON:
            await win_in(conn, actor, opp, None)
        elif stage.kind == StageKind.LOST:
            await lose_in(conn, actor, opp, None)
        else:
            if opp.status != OpportunityStatus.OPEN:
                raise Locked("This opportunity is closed: reopen it to move it.", _OPP)
            expected = (
                None if opp.amount is None
                else pricing.expected_revenue(opp.amount, stage.probability, opp.currency)
            )  # fmt: skip
            old = opp.stage_id
            await crud.save(conn, opp, {"stage_id": stage.id, "probability": stage.probability,
                                        "expected_revenue": expected})  # fmt: skip
            if old != stage.id:
                data = await pipeline_rules.stage_change_data(conn, old, stage.id)
                await timeline.record(conn, opp, "STAGE_CHANGED", actor, data)
        return await m.Opportunity.get(id=opp.id).using_db(conn)


# --- stages ----------------------------------------------------------------------------------


async def reorder_stages(actor: Any, stage_ids: Sequence[int]) -> list[m.Stage]:
    """Put the open stages in the given order (every open stage exactly once; WON and LOST
    stages stay last). Raises Invalid, NotFound, Locked."""
    permissions.authorize(actor, "reorderStages", "Stage")
    async with in_transaction() as conn:
        stages = {s.id: s for s in await m.Stage.all().using_db(conn)}
        path = ("input", "stageIds")
        for i, pk in enumerate(stage_ids):
            if pk not in stages:
                raise NotFound("No Stage with this id.", (*path, str(i)))
            if stages[pk].kind != StageKind.OPEN:
                raise Locked("The WON and LOST stages cannot be moved.", (*path, str(i)))
        open_ids = {pk for pk, s in stages.items() if s.kind == StageKind.OPEN}
        if len(set(stage_ids)) != len(stage_ids) or set(stage_ids) != open_ids:
            raise Invalid("List every open stage exactly once.", path)
        for position, pk in enumerate(stage_ids, start=1):
            if stages[pk].position != position:
                await m.Stage.filter(id=pk).using_db(conn).update(position=position, version=F("version") + 1)
        closed = sorted((s for s in stages.values() if s.kind != StageKind.OPEN), key=lambda s: (s.position, s.id))
        for offset, s in enumerate(closed, start=len(stage_ids) + 1):
            if s.position < offset:
                await m.Stage.filter(id=s.id).using_db(conn).update(position=offset)
        return list(await m.Stage.all().using_db(conn).order_by("position", "id"))


async def delete_stage(actor: Any, stage_id: int, replacement_stage_id: int | None) -> int:
    """Delete an open stage; opportunities using it move to the replacement stage.

    Raises NotFound, Locked (WON/LOST stage), InUse (in use without a replacement), Invalid.
    """
    permissions.authorize(actor, "deleteStage", "Stage")
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
        used = await m.Opportunity.filter(stage_id=stage.id).using_db(conn).exists()
        if used and replacement is None:
            raise InUse("Opportunities use this stage: name a replacement stage.", ("input", "replacementStageId"))
        if used and replacement is not None:
            await (
                m.Opportunity.filter(stage_id=stage.id)
                .using_db(conn)
                .update(stage_id=replacement.id, version=F("version") + 1)
            )
        if stage.is_default:
            heir = (
                replacement
                or await m.Stage.filter(kind=StageKind.OPEN)
                .exclude(id=stage.id)
                .using_db(conn)
                .order_by("position", "id")
                .first()
            )
            if heir is None:
                raise InUse("The last open stage cannot be deleted.", ("input", "id"))
            await m.Stage.filter(id=heir.id).using_db(conn).update(is_default=True)
        if not await m.Stage.filter(kind=StageKind.OPEN).exclude(id=stage.id).using_db(conn).exists():
            raise InUse("The last open stage cannot be deleted.", ("input", "id"))
        await m.Stage.filter(id=stage.id).using_db(conn).delete()
    return stage.id


# --- activities ------------------------------------------------------------------------------


async def complete_activity(actor: Any, activity_id: int) -> m.Activity:
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
        return await m.Activity.get(id=activity.id).using_db(conn)
