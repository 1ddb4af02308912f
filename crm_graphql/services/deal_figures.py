"""Figures a Kanban board and an account page show without client-side arithmetic: an amount
in a requested currency, an account's open pipeline and won totals (issue 12).

Conversions are pipelineSummary's (services.reporting): money summed exactly in SQL per
currency, each currency's sum converted once with ``pricing.convert`` to the target's minor
units, the total rounded to the target currency. An amount already in the target currency
needs no rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.enums import OpportunityStatus
from crm_graphql.errors import Invalid, MissingExchangeRate
from crm_graphql.services import access, config, pricing
from crm_graphql.services.reporting import _units, _UnitsSum

#: (account id, status) -> currency -> summed amount.
Sums = dict[tuple[int, OpportunityStatus], dict[str, Decimal]]


def target_currency(currency: str, path: Sequence[str] = ("currency",)) -> str:
    """``currency`` as given, if it is an ISO 4217 code (case-sensitive, as everywhere); else Invalid."""
    if not money.is_currency(currency):
        raise Invalid(f"{currency!r} is not an ISO 4217 currency code.", path)
    return currency


async def rates() -> dict[str, Decimal]:
    return {r.currency: r.rate for r in await m.ExchangeRate.all()}


def total_in(sums: Mapping[str, Decimal], target: str, known: Mapping[str, Decimal]) -> Decimal:
    """The sum of ``sums`` (currency -> amount) in ``target``, rounded to its minor units.
    Raises MissingExchangeRate naming the currency without a rate."""
    places = money.minor_units(target)
    total = Decimal(0)
    for currency, amount in sorted(sums.items()):
        if currency == target:
            total += amount
            continue
        try:
            total += pricing.convert(amount, currency, target, known, config.BASE_CURRENCY, places)
        except pricing.MissingRate as exc:
            raise MissingExchangeRate(exc.currency, ("currency",)) from None
    return money.round_money(total, target)


async def account_sums(user: Actor | None, account_ids: Iterable[int]) -> Sums:
    """The visible open and won opportunities' amounts per account, status and currency: one
    grouped statement for every account asked (exact: money summed as stored integers)."""
    rows = (
        await access.scoped(m.Opportunity, user)
        .filter(account_id__in=list(set(account_ids)), status__in=[OpportunityStatus.OPEN, OpportunityStatus.WON])
        .annotate(hi=_UnitsSum("amount", "high"), lo=_UnitsSum("amount", "low"))
        .group_by("account_id", "status", "currency")
        .values("account_id", "status", "currency", "hi", "lo")
    )
    out: Sums = defaultdict(dict)
    for row in rows:
        out[(row["account_id"], OpportunityStatus(row["status"]))][row["currency"]] = _units(row["hi"], row["lo"])
    return out
