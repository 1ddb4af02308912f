"""Campaigns (DOMAIN.md 11): their write rules and their statistics.

Statistics are counted and summed in SQL over what the viewer may see (``access.scoped``:
private accounts, restricted deals, partners), for every campaign of a level at once: one
grouped statement over leads, one over opportunities, and the exchange rates when a won deal
is in another currency than its campaign. Won amounts are summed per currency and converted
once per campaign and currency into the campaign's currency, as ``pipelineSummary`` does.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.enums import LeadStatus, OpportunityStatus
from crm_graphql.errors import DomainError, Invalid, MissingExchangeRate, raise_all
from crm_graphql.services import access, config, pricing
from crm_graphql.services.reporting import _units, _UnitsSum

Data = dict[str, Any]

#: Ratios (returnOnInvestment) carry four places, rounded half-up.
RATIO_PLACES = 4


# --- writes ----------------------------------------------------------------------------------


def _check(currency: str, budget: Decimal | None, start: Any, end: Any) -> None:
    """A budget carries at most its currency's minor units; a campaign ends on or after it starts."""
    errors: list[DomainError] = []
    places = money.minor_units(currency)
    if budget is not None and money.decimal_places(budget) > places:
        errors.append(
            Invalid(f"budget has more decimal places than {currency} allows ({places}).", ("input", "budget"))
        )
    if start is not None and end is not None and end < start:
        errors.append(Invalid("endDate is before startDate.", ("input", "endDate")))
    raise_all(errors)


async def before_create(conn: BaseDBAsyncClient, actor: Actor, data: Data) -> None:
    data["currency"] = data.get("currency") or config.BASE_CURRENCY
    _check(data["currency"], data.get("budget"), data.get("start_date"), data.get("end_date"))


async def before_update(conn: BaseDBAsyncClient, actor: Actor, row: Any, data: Data) -> None:
    """A new currency converts the budget with the exchange rates (an amount is never
    relabelled in another currency, DOMAIN.md 3), unless the same update gives the budget."""
    currency = data.get("currency", row.currency)
    if currency != row.currency and "budget" not in data and row.budget is not None:
        rates = {r.currency: r.rate for r in await m.ExchangeRate.all().using_db(conn)}
        try:
            data["budget"] = pricing.convert(
                row.budget, row.currency, currency, rates, config.BASE_CURRENCY, money.minor_units(currency)
            )
        except pricing.MissingRate as exc:
            raise MissingExchangeRate(exc.currency, ("input", "currency")) from None
    _check(
        currency,
        data.get("budget", row.budget),
        data.get("start_date", row.start_date),
        data.get("end_date", row.end_date),
    )


# --- statistics ------------------------------------------------------------------------------


@dataclass
class Stats:
    lead_count: int = 0
    qualified_lead_count: int = 0
    opportunity_count: int = 0
    won_count: int = 0
    #: In the campaign's currency, rounded to its minor units; None when a rate is missing.
    won_amount: Decimal | None = None
    cost_per_lead: Decimal | None = None
    return_on_investment: Decimal | None = None
    #: The currency without an exchange rate, when the won amount could not be converted.
    missing_rate: str | None = None
    #: The campaign's budget (a return needs one that is not 0).
    budget: Decimal | None = None


def _exact() -> decimal.Context:
    # budgets and sums stay below 10^15: 60 digits leave the half-up rounding exact
    return decimal.Context(prec=60)


def cost_per_lead(budget: Decimal | None, leads: int, currency: str) -> Decimal | None:
    if budget is None or not leads:
        return None
    with decimal.localcontext(_exact()):
        return money.round_money(budget / leads, currency)


def return_on_investment(won: Decimal | None, budget: Decimal | None) -> Decimal | None:
    if won is None or budget is None or budget == 0:
        return None
    with decimal.localcontext(_exact()):
        return money.round_places((won - budget) / budget, RATIO_PLACES)


async def campaign_stats(user: Actor | None, campaigns: Sequence[Any]) -> list[Stats]:
    """Stats of each of ``campaigns`` over the leads and opportunities ``user`` may see."""
    ids = list({c.id for c in campaigns})
    stats = {i: Stats() for i in ids}
    if not ids:
        return []
    leads = (
        await access.scoped(m.Lead, user)
        .filter(campaign_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("campaign_id", "status")
        .values("campaign_id", "status", "n")
    )
    for row in leads:
        s = stats[row["campaign_id"]]
        s.lead_count += int(row["n"])
        if row["status"] == LeadStatus.QUALIFIED:
            s.qualified_lead_count += int(row["n"])
    deals = (
        await access.scoped(m.Opportunity, user)
        .filter(campaign_id__in=ids)
        .annotate(n=Count("id"), hi=_UnitsSum("amount", "high"), lo=_UnitsSum("amount", "low"))
        .group_by("campaign_id", "status", "currency")
        .values("campaign_id", "status", "currency", "n", "hi", "lo")
    )
    won: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in deals:
        s = stats[row["campaign_id"]]
        s.opportunity_count += int(row["n"])
        if row["status"] == OpportunityStatus.WON:
            s.won_count += int(row["n"])
            won[row["campaign_id"]][row["currency"]] += _units(row["hi"], row["lo"])
    by_id = {c.id: c for c in campaigns}
    foreign = any(cur != by_id[cid].currency for cid, sums in won.items() for cur in sums)
    rates = {r.currency: r.rate for r in await m.ExchangeRate.all()} if foreign else {}
    for cid, s in stats.items():
        campaign = by_id[cid]
        target = campaign.currency
        total = Decimal(0)
        try:
            for cur, amount in won[cid].items():
                places = money.minor_units(target)
                if cur == target:
                    total += amount
                else:
                    total += pricing.convert(amount, cur, target, rates, config.BASE_CURRENCY, places)
        except pricing.MissingRate as exc:
            s.missing_rate = exc.currency
        else:
            s.won_amount = money.round_money(total, target)
        s.budget = campaign.budget
        s.cost_per_lead = cost_per_lead(campaign.budget, s.lead_count, target)
        s.return_on_investment = return_on_investment(s.won_amount, campaign.budget)
    return [stats[c.id] for c in campaigns]
