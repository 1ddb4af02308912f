"""Pipeline rules applied to plain CRUD writes: stages, opportunities, leads, activities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.enums import AccountType, AmountSource, LeadStatus, OpportunityStatus, Role, StageKind
from crm_graphql.errors import InUse, Invalid, InvalidTransition, Locked, NotFound, Required
from crm_graphql.services import access, config, pricing, timeline

Data = dict[str, Any]


# --- stages ----------------------------------------------------------------------------------


async def default_pipeline(conn: BaseDBAsyncClient) -> m.Pipeline:
    pipeline = await m.Pipeline.filter(is_default=True).using_db(conn).first()
    pipeline = pipeline or await m.Pipeline.all().using_db(conn).order_by("id").first()
    if pipeline is None:
        raise InvalidTransition("There is no pipeline.", ("input", "pipelineId"))
    return pipeline


async def default_stage(conn: BaseDBAsyncClient, pipeline_id: int | None = None) -> m.Stage:
    """The default open stage of a pipeline (of the default pipeline when none is named)."""
    if pipeline_id is None:
        pipeline_id = (await default_pipeline(conn)).id
    stages = m.Stage.filter(pipeline_id=pipeline_id, kind=StageKind.OPEN).using_db(conn)
    stage = await stages.filter(is_default=True).first() or await stages.order_by("position", "id").first()
    if stage is None:
        raise InvalidTransition("The pipeline has no open stage.", ("input", "stageId"))
    return stage


async def _stages(conn: BaseDBAsyncClient, pipeline_id: int | None) -> tuple[list[m.Stage], list[m.Stage]]:
    """The open stages and the WON/LOST stages of a pipeline, each in pipeline order."""
    stages = list(await m.Stage.filter(pipeline_id=pipeline_id).using_db(conn).order_by("position", "id"))
    return [s for s in stages if s.kind == StageKind.OPEN], [s for s in stages if s.kind != StageKind.OPEN]


async def renumber(conn: BaseDBAsyncClient, ordered: list[m.Stage | None]) -> None:
    """Positions 1..n in the given order (DOMAIN.md 3: no gaps, no two alike); only rows whose
    position changes are written. A ``None`` entry is a slot kept for a row being created."""
    for position, stage in enumerate(ordered, start=1):
        if stage is not None and stage.position != position:
            await m.Stage.filter(id=stage.id).using_db(conn).update(position=position, version=F("version") + 1)
            stage.position = position


def _slot(position: int | None, last: int) -> int:
    """Where a stage lands among the open stages: 1..``last``; beyond it, after the last open
    stage (the WON and LOST stages stay last). Below 1 is INVALID."""
    if position is None:
        return last
    if position < 1:
        raise Invalid("position starts at 1.", ("input", "position"))
    return min(position, last)


async def stage_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    """A new (open) stage of a pipeline (the default one when none is named) goes after its last
    open stage, or at ``position`` with the others shifting; WON and LOST stay last."""
    if data.get("pipeline_id") is None:
        data["pipeline_id"] = (await default_pipeline(conn)).id
    open_stages, closed = await _stages(conn, data["pipeline_id"])
    slot = _slot(data.get("position"), len(open_stages) + 1)
    await renumber(conn, [*open_stages[: slot - 1], None, *open_stages[slot - 1 :], *closed])
    data["position"] = slot
    if data.get("is_default"):
        await m.Stage.filter(pipeline_id=data["pipeline_id"], is_default=True).using_db(conn).update(is_default=False)


async def stage_before_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Stage, data: Data) -> None:
    if row.kind != StageKind.OPEN:
        raise Locked("The WON and LOST stages cannot be edited.", ("input", "id"))
    if "position" in data:
        if data["position"] is None:
            raise Required("position cannot be empty.", ("input", "position"))
        open_stages, closed = await _stages(conn, row.pipeline_id)
        others = [s for s in open_stages if s.id != row.id]
        slot = _slot(data["position"], len(others) + 1)
        await renumber(conn, [*others[: slot - 1], None, *others[slot - 1 :], *closed])
        data["position"] = slot
    if data.get("is_default") is False and row.is_default:
        # DOMAIN.md 3: "one open stage is the default for new opportunities"
        raise Invalid(
            "One open stage is always the default: make another stage the default instead.", ("input", "isDefault")
        )
    if data.get("is_default"):
        await (
            m.Stage.filter(pipeline_id=row.pipeline_id, is_default=True)
            .exclude(id=row.id)
            .using_db(conn)
            .update(is_default=False)
        )


async def stage_before_delete(conn: BaseDBAsyncClient, actor: Actor, row: m.Stage) -> None:
    if row.kind != StageKind.OPEN:
        raise Locked("The WON and LOST stages cannot be deleted.", ("input", "id"))
    if await m.Opportunity.filter(stage_id=row.id).using_db(conn).exists():
        raise InUse("Opportunities use this stage: name a replacement stage.", ("input", "replacementStageId"))


# --- pipelines ------------------------------------------------------------------------------


async def pipeline_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    """A new pipeline may take over as the default (one pipeline is the default)."""
    if data.get("is_default"):
        await m.Pipeline.filter(is_default=True).using_db(conn).update(is_default=False)


async def pipeline_after_create(conn: BaseDBAsyncClient, actor: Actor, row: m.Pipeline) -> None:
    """A new pipeline gets the default stage set, with its own WON and LOST stages."""
    from crm_graphql import db

    await db.create_default_stages(conn, row.id)


async def pipeline_before_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Pipeline, data: Data) -> None:
    """Making a pipeline the default takes the flag from the previous one; the default cannot
    be switched off by itself (there is always one): make another pipeline the default."""
    if "is_default" not in data:
        return
    if data["is_default"]:
        await m.Pipeline.filter(is_default=True).exclude(id=row.id).using_db(conn).update(is_default=False)
    elif row.is_default:
        raise Invalid("One pipeline is the default: make another pipeline the default instead.", ("input", "isDefault"))


# --- opportunities -------------------------------------------------------------------------


def derive_amounts(opportunity: Any) -> Data:
    """``amount``/``expectedRevenue`` of a new opportunity: its manual budget (it has no items
    and no quote yet)."""
    values: Data = {}
    if opportunity.amount_source == AmountSource.MANUAL:
        values["amount"] = (
            None
            if opportunity.manual_amount is None
            else money.round_money(opportunity.manual_amount, opportunity.currency)
        )
    amount = values.get("amount", opportunity.amount)
    values["expected_revenue"] = (
        None if amount is None else pricing.expected_revenue(amount, opportunity.probability, opportunity.currency)
    )
    return values


async def opportunity_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    pipeline_id = data.pop("pipeline_id", None)
    if data.get("stage_id"):
        stage = await m.Stage.get(id=data["stage_id"], using_db=conn)
        if pipeline_id is not None and stage.pipeline_id != pipeline_id:
            raise Invalid("The stage is not a stage of this pipeline.", ("input", "stageId"))
    else:
        stage = await default_stage(conn, pipeline_id)
    data["pipeline_id"] = stage.pipeline_id
    if stage.kind != StageKind.OPEN:
        raise InvalidTransition(
            "A new opportunity starts in an open stage; win or lose it afterwards.", ("input", "stageId")
        )
    data["stage_id"] = stage.id
    data.setdefault("probability", stage.probability)
    if data.get("probability") is None:
        data["probability"] = stage.probability
    data["currency"] = data.get("currency") or config.BASE_CURRENCY
    data.setdefault("owner_id", getattr(actor, "id", None))
    assign_to_actor_partner(actor, data)
    await _check_contact(conn, data.get("contact_id"), data["account_id"])
    data["amount_source"] = AmountSource.MANUAL
    data.update(derive_amounts(_Proxy(data)))


async def _check_contact(conn: BaseDBAsyncClient, contact_id: int | None, account_id: int) -> None:
    if contact_id is None:
        return
    contact = await m.Contact.get(id=contact_id, using_db=conn)
    if contact.account_id not in (None, account_id):
        raise Invalid("The contact does not belong to the opportunity's account.", ("input", "contactId"))


class _Proxy:
    def __init__(self, data: Data) -> None:
        self.__dict__.update({"amount": None, "manual_amount": None, **data})


_CURRENCY = ("input", "currency")


async def _reprice_items(conn: BaseDBAsyncClient, row: m.Opportunity, data: Data) -> None:
    """A new currency or price book (DOMAIN.md 3): price-book items repriced from the book's
    entries, manual items and the manual budget converted; all or nothing."""
    from crm_graphql.services import amounts, repricing

    currency = data.get("currency", row.currency)
    book = data.get("pricebook_id", row.pricebook_id)
    if currency == row.currency and book == row.pricebook_id:
        return
    items = await m.OpportunityItem.filter(opportunity_id=row.id).using_db(conn).order_by("position", "id")
    changes = await repricing.reprice(
        conn,
        items,
        old=row.currency,
        new=currency,
        old_book=row.pricebook_id,
        new_book=book,
        currency_path=_CURRENCY,
        book_path=("input", "pricebookId"),
    )
    if currency != row.currency and row.manual_amount is not None and "manual_amount" not in data:
        rates = await amounts.rates(conn)
        data["manual_amount"] = amounts.convert(
            row.manual_amount, row.currency, currency, rates, money.minor_units(currency), _CURRENCY
        )
    await repricing.apply(conn, changes)


async def opportunity_before_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Opportunity, data: Data) -> None:
    from crm_graphql.services import amounts

    if row.status != OpportunityStatus.OPEN:
        raise Locked("This opportunity is closed: reopen it to edit.", ("input", "id"))
    if "owner_id" in data and data["owner_id"] != row.owner_id:
        access.ensure_may_assign(actor, row, ("input", "ownerId"))
    if "is_restricted" in data and data["is_restricted"] != row.is_restricted:
        access.ensure_may_assign(actor, row, ("input", "isRestricted"))
    row._stage_before_update = row.stage_id
    if "stage_id" in data and data["stage_id"] != row.stage_id:
        stage = await m.Stage.get(id=data["stage_id"], using_db=conn)
        if stage.pipeline_id != row.pipeline_id:
            raise Invalid("The stage belongs to another pipeline: use moveOpportunityToPipeline.", ("input", "stageId"))
        if stage.kind != StageKind.OPEN:
            raise InvalidTransition(
                "Use winOpportunity or loseOpportunity (or moveOpportunityToStage) to close a deal.",
                ("input", "stageId"),
            )
        if "probability" not in data:
            data["probability"] = stage.probability
    if "currency" in data and data["currency"] is None:
        data.pop("currency")
    if "account_id" in data or "contact_id" in data:
        await _check_contact(conn, data.get("contact_id", row.contact_id), data.get("account_id", row.account_id))
    await _reprice_items(conn, row, data)
    # amount, its source and expected revenue as the opportunity will stand: they join the
    # update (and its timeline event) when they change
    merged = _Proxy({**{k: getattr(row, k) for k in ("id", "manual_amount", "probability", "currency")}, **data})
    data.update(await amounts.derive(conn, merged, _CURRENCY))


async def opportunity_before_delete(conn: BaseDBAsyncClient, actor: Actor, row: m.Opportunity) -> None:
    """DOMAIN.md 3: won or lost opportunities are locked until reopened; deleting one (and
    the accepted quote it was won with) is an edit like any other."""
    if row.status != OpportunityStatus.OPEN:
        raise Locked("This opportunity is closed: reopen it to delete it.", ("input", "id"))


async def stage_change_data(conn: BaseDBAsyncClient, old_id: int | None, new_id: int) -> Data:
    """Data of a STAGE_CHANGED event: the stage ids and the old and new stage names as a change."""
    stages = {s.id: s for s in await m.Stage.filter(id__in=[old_id, new_id]).using_db(conn)}
    names: dict[int | None, str] = {pk: s.name for pk, s in stages.items()}
    return {
        "stage": stages.get(new_id),
        "from": stages.get(old_id) if old_id is not None else None,
        "changes": {"stage": {"old": names.get(old_id), "new": names.get(new_id)}},
    }


async def opportunity_after_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Opportunity, data: Data) -> None:
    old = getattr(row, "_stage_before_update", None)
    if "stage_id" in data and old is not None and old != row.stage_id:
        # a column of its own, written apart so the UPDATED event lists only what the client changed
        row.stage_entered_at = dt.datetime.now(dt.UTC)
        await m.Opportunity.filter(id=row.id).using_db(conn).update(stage_entered_at=row.stage_entered_at)
        await timeline.record(conn, row, "STAGE_CHANGED", actor, await stage_change_data(conn, old, row.stage_id))
    row._stage_before_update = None


async def check_account_parent(conn: BaseDBAsyncClient, actor: Actor, row: m.Account, data: Data) -> None:
    parent_id = data.get("parent_id")
    seen = {row.id}
    while parent_id is not None:
        if parent_id in seen:
            raise Invalid("An account cannot be its own ancestor.", ("input", "parentId"))
        seen.add(parent_id)
        parent = await m.Account.filter(id=parent_id).using_db(conn).first()
        parent_id = parent.parent_id if parent else None


async def default_owner(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    """New accounts and contacts belong to their creator unless an owner is given."""
    if data.get("owner_id") is None:
        data["owner_id"] = getattr(actor, "id", None)


async def account_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    """A person account may be created from first and last name alone: they make its name."""
    if not data.get("name"):
        person = " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        if not person or data.get("type") not in (None, AccountType.PERSON):
            raise Required("name is required.", ("input", "name"))
        data["name"] = person
        data["type"] = AccountType.PERSON
    await default_owner(conn, actor, data)


async def account_before_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Account, data: Data) -> None:
    if "name" in data and not data["name"]:
        raise Required("name is required.", ("input", "name"))
    await check_account_parent(conn, actor, row, data)


# --- leads -----------------------------------------------------------------------------------


async def lead_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    if data.get("status") in (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED):
        raise InvalidTransition("Use qualifyLead or disqualifyLead.", ("input", "status"))
    data.setdefault("owner_id", getattr(actor, "id", None))
    assign_to_actor_partner(actor, data)


async def lead_before_update(conn: BaseDBAsyncClient, actor: Actor, row: m.Lead, data: Data) -> None:
    if row.status == LeadStatus.QUALIFIED:
        raise Locked("A qualified lead is read-only.", ("input", "id"))
    if row.anonymized_at is not None:
        raise Locked("An anonymized lead is read-only.", ("input", "id"))
    if data.get("status") in (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED):
        raise InvalidTransition("Use qualifyLead or disqualifyLead.", ("input", "status"))


# --- partners --------------------------------------------------------------------------------


async def check_partner_user(conn: BaseDBAsyncClient, role: Any, partner_account_id: int | None) -> None:
    """A PARTNER user belongs to one partner account (REQUIRED); only they have one, and it
    must be an account marked as a partner (INVALID)."""
    path = ("input", "partnerAccountId")
    if role == Role.PARTNER and partner_account_id is None:
        raise Required("A PARTNER user needs a partnerAccountId.", path)
    if partner_account_id is None:
        return
    if role != Role.PARTNER:
        raise Invalid("Only PARTNER users belong to a partner account.", path)
    if not await m.Account.filter(id=partner_account_id, is_partner=True).using_db(conn).exists():
        raise Invalid("The account is no partner: mark it isPartner first.", path)


async def user_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    await check_partner_user(conn, data.get("role", Role.SALES_REP), data.get("partner_account_id"))


async def user_before_update(conn: BaseDBAsyncClient, actor: Actor, row: m.User, data: Data) -> None:
    role = data.get("role", row.role)
    partner = data.get("partner_account_id", row.partner_account_id)
    if "role" in data and role != Role.PARTNER and "partner_account_id" not in data:
        partner = data["partner_account_id"] = None  # leaving the role leaves the partner
    await check_partner_user(conn, role, partner)


def assign_to_actor_partner(actor: Actor, data: Data) -> None:
    """What a PARTNER user creates is assigned to their partner (else it would vanish for them)."""
    if getattr(actor, "role", None) == Role.PARTNER:
        data["partner_id"] = actor.partner_account_id


async def lead_before_delete(conn: BaseDBAsyncClient, actor: Actor, row: m.Lead) -> None:
    """A qualified lead is read-only (DOMAIN.md 3) and an anonymized one is kept for
    statistics: neither is deleted (LOCKED, like updateLead and archiveLead)."""
    if row.status == LeadStatus.QUALIFIED:
        raise Locked("A qualified lead is read-only.", ("input", "id"))
    if row.anonymized_at is not None:
        raise Locked("An anonymized lead is read-only.", ("input", "id"))


# --- activities ------------------------------------------------------------------------------

_ACTIVITY_PARENTS = ("lead_id", "opportunity_id", "account_id", "contact_id", "quote_id")


async def activity_before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    if not any(data.get(k) for k in _ACTIVITY_PARENTS):
        raise Required(
            "Attach the activity to a lead, opportunity, account, contact or quote.", ("input", "opportunityId")
        )
    data.setdefault("assignee_id", getattr(actor, "id", None))
    if data.get("opportunity_id") and not data.get("account_id"):
        opp = await m.Opportunity.get(id=data["opportunity_id"], using_db=conn)
        data["account_id"] = opp.account_id


async def activity_after_create(conn: BaseDBAsyncClient, actor: Actor, row: m.Activity) -> None:
    await record_activity(conn, actor, row, "ACTIVITY")


async def record_activity(conn: BaseDBAsyncClient, actor: Actor, row: m.Activity, kind: str) -> None:
    """An activity event (logged, done) on the timeline of the record the activity is attached to."""
    for key, model in (
        ("lead_id", m.Lead),
        ("opportunity_id", m.Opportunity),
        ("contact_id", m.Contact),
        ("quote_id", m.Quote),
        ("account_id", m.Account),
    ):
        pk = getattr(row, key)
        if pk:
            subject = await model.filter(id=pk).using_db(conn).first()
            if subject is None:
                raise NotFound("The record the activity belongs to is gone.", ("input", key))
            await timeline.record(
                conn, subject, kind, actor, {"activity": timeline.ref(row, type=row.type, subject=row.subject)}
            )
            return
