"""The lead splitter and revenue splits (DOMAIN.md 11).

A split rule has a lead filter and shares (user, whole percent, summing to 100). Running it
gives every matching lead that has no shares yet (and is not qualified: a qualified lead is
read-only) the rule's shares, and reports how many it processed; leads already shared are
left as they are. Rules are managed and run by admins and managers (the role rule is
``permissions.MANAGER_TYPES``); every other role but partners reads them. The filter is applied with the visibility of the user who runs it.

When a shared lead is qualified, its shares become the new opportunity's revenue splits
(``carry_to_opportunity``, in the qualification's transaction). A deal's splits are set with
``set_opportunity_splits`` by whoever may change the deal. A split's amount is not stored:
``split_amounts`` divides the deal's current amount by largest remainder, to the currency's
minor unit, always adding up to the amount.

Shares and splits come as (user id, percent) pairs; one pair may leave its percent out and
then takes what the others leave (100 - their sum), so ``[{userId}]`` gives one user 100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q, Subquery
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.enums import LeadStatus, OpportunityStatus
from crm_graphql.errors import (
    Conflict,
    DomainError,
    Invalid,
    InvalidTransition,
    Locked,
    Required,
    raise_all,
)
from crm_graphql.services import access, idempotency, pricing, timeline

#: At most this many users share one lead or deal.
MAX_SHARES = 20
#: Leads claimed per statement when a rule runs (bind parameters stay far below the limits).
_CHUNK = 5000

Share = tuple[int, int | None]
#: The stored LeadFilter (JSON) and the user running the rule -> the SQL condition. Given by
#: the API layer, which owns the filter vocabulary; raises Invalid for a filter it refuses.
LeadFilterToQ = Callable[[dict[str, Any], Any], Q]


def split_amounts(amount: Decimal, percents: Sequence[int], currency: str) -> list[Decimal]:
    """``amount`` split by whole ``percents`` (summing to 100) to the currency's minor unit by
    largest remainder: each part within one minor unit of its exact share, the parts adding
    up to the amount (rounded half-up to the minor unit first), a remaining unit going to the
    largest remainder and, on a tie, to the earlier split. 100.00 over 33/33/34 ->
    33.00/33.00/34.00; 100.01 over 50/50 -> 50.01/50.00; 100 JPY over 33/33/34 -> 33/33/34."""
    if not percents:
        return []
    rounded = money.round_money(amount, currency)
    return pricing.allocate(rounded, [Decimal(p) for p in percents], currency)


# --- validation ------------------------------------------------------------------------------


async def clean_shares(
    conn: BaseDBAsyncClient, actor: Actor, shares: Sequence[Share], field: str
) -> list[tuple[int, int]]:
    """Validate (user, percent) pairs: 1 to 20, users visible and active and each once, whole
    percents 1..100 summing to 100 (one pair may leave its percent out: it takes the rest).
    Raises Required, Invalid, NotFound, every error of every pair at once."""
    base = ("input", field)
    if not shares:
        raise Required(f"{field} needs at least one user.", base)
    if len(shares) > MAX_SHARES:
        raise Invalid(f"At most {MAX_SHARES} users share one record; got {len(shares)}.", base)
    errors: list[DomainError] = []
    seen: set[int] = set()
    open_index: int | None = None
    for i, (user_id, percent) in enumerate(shares):
        path = (*base, str(i))
        if percent is None:
            if open_index is not None:
                errors.append(Required("Only one share may leave its percent out.", (*path, "percent")))
            open_index = i
        elif not 0 < percent <= 100:
            errors.append(Invalid("A percent is a whole number from 1 to 100.", (*path, "percent")))
        if user_id in seen:
            errors.append(Invalid("A user appears once among the shares.", (*path, "userId")))
            continue
        seen.add(user_id)
        try:
            user = await access.load_visible(conn, actor, m.User, user_id, (*path, "userId"))
        except DomainError as exc:
            errors.append(exc)
            continue
        if not user.is_active:
            errors.append(Invalid("This user is deactivated.", (*path, "userId")))
    raise_all(errors)
    given = sum(p for _, p in shares if p is not None)
    if open_index is not None:
        rest = 100 - given
        if rest <= 0:
            raise Invalid(f"The percents add up to {given}: nothing is left for the share without one.", base)
        return [(u, rest if i == open_index else p or 0) for i, (u, p) in enumerate(shares)]
    if given != 100:
        raise Invalid(f"The percents add up to {given}, not 100.", base)
    return [(u, p or 0) for u, p in shares]


def _clean_name(name: str | None, *, creating: bool) -> str | None:
    if name is None:
        if creating:
            raise Required("name is required.", ("input", "name"))
        return None
    name = name.strip()
    if not name:
        raise Required("name is required.", ("input", "name"))
    if len(name) > 200:
        raise Invalid("name is too long (at most 200 characters).", ("input", "name"))
    return name


def _stored(shares: list[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"user": u, "percent": p} for u, p in shares]


def _shares_event(shares: Sequence[tuple[int | None, int]]) -> list[dict[str, Any]]:
    return [{"user": None if u is None else timeline.reference("User", u), "percent": p} for u, p in shares]


# --- rules -----------------------------------------------------------------------------------


async def create_lead_split_rule(
    actor: Actor,
    *,
    name: str | None,
    lead_filter: dict[str, Any],
    shares: Sequence[Share],
    is_active: bool | None,
    idempotency_key: str | None = None,
) -> m.LeadSplitRule:
    """A new rule (admins and managers: ``permissions.MANAGER_TYPES``, checked before the call).
    Raises Required, Invalid, NotFound (a user), IdempotencyKeyReused; nothing is written
    when it raises."""
    raw = {"name": name, "filter": lead_filter, "shares": [list(s) for s in shares], "isActive": is_active}
    async with in_transaction() as conn:
        prior = await idempotency.replay(conn, actor, "createLeadSplitRule", idempotency_key, raw)
        if prior is not None:
            return await m.LeadSplitRule.get(id=prior["leadSplitRule"], using_db=conn)
        clean_name = _clean_name(name, creating=True)
        cleaned = await clean_shares(conn, actor, shares, "shares")
        rule = await m.LeadSplitRule.create(
            using_db=conn,
            name=clean_name,
            lead_filter=lead_filter,
            shares=_stored(cleaned),
            is_active=True if is_active is None else is_active,
        )
        await idempotency.remember(conn, actor, "createLeadSplitRule", idempotency_key, raw, {"leadSplitRule": rule.id})
        return rule


async def update_lead_split_rule(
    actor: Actor, rule_id: int, *, version: int | None, changes: dict[str, Any]
) -> m.LeadSplitRule:
    """Change a rule's name, filter, shares or isActive (``changes`` holds what was given;
    leads shared before keep their shares). Raises Forbidden, NotFound, Conflict, Required,
    Invalid; nothing is written when it raises."""
    async with in_transaction() as conn:
        rule = await access.load_for_write(conn, actor, m.LeadSplitRule, rule_id)
        if version is not None and version != rule.version:
            raise Conflict("The rule changed since you read it.", ("input", "version"))
        values: dict[str, Any] = {}
        if "name" in changes:
            # given as null: the name cannot be emptied (REQUIRED, like a blank one)
            values["name"] = _clean_name(changes["name"], creating=True)
        if "is_active" in changes:
            if changes["is_active"] is None:
                raise Required("isActive cannot be empty.", ("input", "isActive"))
            values["is_active"] = changes["is_active"]
        if "lead_filter" in changes:
            values["lead_filter"] = changes["lead_filter"] or {}
        if "shares" in changes:
            values["shares"] = _stored(await clean_shares(conn, actor, changes["shares"] or [], "shares"))
        claimed = await (
            m.LeadSplitRule.filter(id=rule.id, version=rule.version)
            .using_db(conn)
            .update(**values, version=rule.version + 1, updated_at=dt.datetime.now(dt.UTC))
        )
        if not claimed:
            raise Conflict("The rule changed since you read it.", ("input", "id"))
        return await m.LeadSplitRule.get(id=rule.id, using_db=conn)


async def delete_lead_split_rule(actor: Actor, rule_id: int) -> m.LeadSplitRule:
    """Delete a rule; the shares it gave stay. Raises Forbidden, NotFound."""
    async with in_transaction() as conn:
        rule = await access.load_for_write(conn, actor, m.LeadSplitRule, rule_id)
        await m.LeadSplitRule.filter(id=rule.id).using_db(conn).delete()
        return rule


async def run_lead_split_rule(actor: Actor, rule_id: int, to_q: LeadFilterToQ) -> tuple[m.LeadSplitRule, int]:
    """Give every lead the rule's filter matches (as ``actor`` sees leads) that has no shares
    and is not qualified the rule's shares; return the rule and how many leads it processed.

    One transaction. Concurrent runs never share a lead twice: the candidate leads are locked
    (``SELECT ... FOR UPDATE`` on PostgreSQL, in id order) and those another run shared
    meanwhile are dropped by a second read, which sees that run's committed shares (read
    committed); SQLite runs one write transaction at a time. Raises Forbidden, NotFound,
    InvalidTransition (inactive rule, or one naming a deleted or deactivated user), Invalid (a
    stored filter the API no longer accepts)."""
    async with in_transaction() as conn:
        rule = await access.load_for_write(conn, actor, m.LeadSplitRule, rule_id, ("input", "ruleId"))
        if not rule.is_active:
            raise InvalidTransition("This rule is inactive: activate it to run it.", ("input", "ruleId"))
        shares = [(int(s["user"]), int(s["percent"])) for s in rule.shares]
        active = await m.User.filter(id__in=[u for u, _ in shares], is_active=True).using_db(conn).count()
        if active != len(shares):
            raise InvalidTransition(
                "The rule names a user who is deleted or deactivated: update its shares first.", ("input", "ruleId")
            )
        where = to_q(rule.lead_filter or {}, actor)
        shared = Subquery(m.LeadShare.all().values("lead_id"))
        candidates = (
            access.scoped(m.Lead, actor, conn)
            .filter(where)
            .exclude(status=LeadStatus.QUALIFIED)
            .filter(~Q(id__in=shared))
        )
        leads = await candidates.select_for_update().order_by("id")
        ids = [lead.id for lead in leads]
        taken: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows = await m.LeadShare.filter(lead_id__in=chunk).using_db(conn).values_list("lead_id", flat=True)
            taken.update(int(r) for r in rows)  # type: ignore[call-overload]  # tortoise types flat values_list rows as tuples
        todo = [lead for lead in leads if lead.id not in taken]
        rows_to_add = [
            m.LeadShare(lead_id=lead.id, user_id=u, percent=p, position=i, rule_id=rule.id)
            for lead in todo
            for i, (u, p) in enumerate(shares)
        ]
        if rows_to_add:
            await m.LeadShare.bulk_create(rows_to_add, using_db=conn)
        now = dt.datetime.now(dt.UTC)
        for start in range(0, len(todo), _CHUNK):
            chunk = [lead.id for lead in todo[start : start + _CHUNK]]
            await m.Lead.filter(id__in=chunk).using_db(conn).update(version=F("version") + 1, updated_at=now)
        event = {"rule": timeline.reference("LeadSplitRule", rule.id, name=rule.name), "shares": _shares_event(shares)}
        for lead in todo:
            await timeline.record(conn, lead, "SHARES_SET", actor, event)
        return rule, len(todo)


# --- revenue splits ----------------------------------------------------------------------------


async def set_opportunity_splits(actor: Actor, opportunity_id: int, splits: Sequence[Share]) -> Any:
    """Replace a deal's revenue splits (whoever may change the deal; an empty list removes
    them: the deal then counts wholly for its owner). Raises NotFound, Forbidden, Locked (won
    or lost deal), Required, Invalid; nothing is written when it raises."""
    path = ("input", "opportunityId")
    async with in_transaction() as conn:
        opp = await access.load_for_write(conn, actor, m.Opportunity, opportunity_id, path)
        if opp.status != OpportunityStatus.OPEN:
            raise Locked("This opportunity is closed: reopen it to edit.", path)
        cleaned = await clean_shares(conn, actor, splits, "splits") if splits else []
        before = [(s.user_id, s.percent) for s in await _splits_of(conn, opp.id)]
        if before == cleaned:
            return opp
        await m.RevenueSplit.filter(opportunity_id=opp.id).using_db(conn).delete()
        await _write_splits(conn, opp.id, cleaned)
        now = dt.datetime.now(dt.UTC)
        await m.Opportunity.filter(id=opp.id).using_db(conn).update(version=F("version") + 1, updated_at=now)
        await timeline.record(
            conn, opp, "SPLITS_SET", actor, {"old": _shares_event(before), "new": _shares_event(cleaned)}
        )
        return await m.Opportunity.get(id=opp.id, using_db=conn)


async def _splits_of(conn: BaseDBAsyncClient, opportunity_id: int) -> list[m.RevenueSplit]:
    return await m.RevenueSplit.filter(opportunity_id=opportunity_id).using_db(conn).order_by("position", "id")


async def _write_splits(conn: BaseDBAsyncClient, opportunity_id: int, splits: Sequence[tuple[int | None, int]]) -> None:
    if splits:
        await m.RevenueSplit.bulk_create(
            [
                m.RevenueSplit(opportunity_id=opportunity_id, user_id=u, percent=p, position=i)
                for i, (u, p) in enumerate(splits)
            ],
            using_db=conn,
        )


async def carry_to_opportunity(conn: BaseDBAsyncClient, actor: Actor, lead: Any, opportunity: Any) -> None:
    """A qualified lead's shares become the new deal's revenue splits (in the caller's
    transaction), recorded on the deal's timeline."""
    shares = await m.LeadShare.filter(lead_id=lead.id).using_db(conn).order_by("position", "id")
    if not shares:
        return
    splits = [(s.user_id, s.percent) for s in shares]
    await _write_splits(conn, opportunity.id, splits)
    await timeline.record(
        conn, opportunity, "SPLITS_SET", actor, {"lead": lead, "old": [], "new": _shares_event(splits)}
    )
