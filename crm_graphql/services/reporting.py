"""Pipeline reporting: opportunities grouped by stage, owner, close month, account, pipeline,
split owner or campaign."""

from __future__ import annotations

import enum
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Sum

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.errors import Invalid, MissingExchangeRate
from crm_graphql.services import access, config, pricing, splits


class GroupBy(enum.StrEnum):
    STAGE = "STAGE"
    OWNER = "OWNER"
    CLOSE_MONTH = "CLOSE_MONTH"
    ACCOUNT = "ACCOUNT"
    PIPELINE = "PIPELINE"
    CAMPAIGN = "CAMPAIGN"
    SPLIT_OWNER = "SPLIT_OWNER"


@dataclass
class Group:
    #: The stage, owner or account id (global ids are made by the API), or "YYYY-MM"; None: no value.
    key: Any
    label: str
    count: int
    amount: Decimal
    weighted_amount: Decimal
    order: tuple[Any, ...] = ()


#: Money sums are split in two parts so that no SQL SUM can overflow a 64-bit integer
#: (SQLite raises "integer overflow"): SUM(x / 10^9) and SUM(x - x / 10^9 * 10^9), both
#: truncating towards zero on SQLite and PostgreSQL, combined exactly in Python.
_SPLIT = 10**9


class _UnitsSum(Sum):
    """SUM of a money column as stored (integer ten-thousandths), without the field's
    conversion, which tortoise applies on SQLite but not to PostgreSQL's numeric sums.

    ``part`` "high" sums ``x / 10^9``, "low" sums the remainder: each stays far below 2^63.
    """

    populate_field_object = False

    def __init__(self, field: str, part: str) -> None:
        super().__init__(field)
        self.part = part

    def _get_function_field(self, field: Any, *default_values: Any) -> Any:
        high = field / _SPLIT
        return self.database_func(high if self.part == "high" else field - high * _SPLIT)


_COLUMN = {GroupBy.STAGE: "stage_id", GroupBy.OWNER: "owner_id", GroupBy.ACCOUNT: "account_id",
           GroupBy.CLOSE_MONTH: "close_date", GroupBy.PIPELINE: "pipeline_id",
           GroupBy.CAMPAIGN: "campaign_id"}  # fmt: skip


#: The group of owners a PARTNER user may not see (key null, after "Unassigned").
_OTHERS = -1


async def pipeline_summary(
    user: Actor | None,
    where: Q,
    group_by: GroupBy,
    currency: str | None = None,
    key: Any = None,
    *,
    pipeline_id: int | None = None,
    filter_names_pipeline: bool = False,
) -> list[Group]:
    """Count, amount and weighted amount (expected revenue) per group of the visible
    opportunities matching ``where``, converted into ``currency`` (default: the base currency).
    ``key``: what ``where`` was built from besides the user (the API's arguments), to keep the
    grouped statement's SQL (None: built afresh).

    One pipeline (DOMAIN.md 11: summaries never mix pipelines unless grouped by PIPELINE):
    ``pipeline_id`` when given, else the pipelines the filter names (``filter_names_pipeline``:
    the deals it matches must all be in one, else Invalid), else the default pipeline (a
    scalar subquery of the summary's statement; NULL without one: nothing matches).

    Sums are taken per currency and converted once per group and currency. Raises Invalid
    (unknown currency, several pipelines), MissingExchangeRate.
    """
    target = (currency or config.BASE_CURRENCY).strip()  # case-sensitive, as in every mutation
    if not money.is_currency(target):
        raise Invalid(f"{currency!r} is not an ISO 4217 currency code.", ("currency",))
    if group_by is not GroupBy.PIPELINE:
        if pipeline_id is not None:
            where &= Q(pipeline_id=pipeline_id)
        elif filter_names_pipeline:
            matched = access.scoped(m.Opportunity, user).filter(where)
            if len(await matched.distinct().limit(2).values_list("pipeline_id", flat=True)) > 1:
                raise Invalid(
                    "The filter matches deals of several pipelines: a summary covers one pipeline (name one in "
                    "filter.pipeline or pipelineId), or group by PIPELINE.",
                    ("filter", "pipeline"),
                )
        else:
            default = m.Pipeline.filter(is_default=True).order_by("id").limit(1).values("id")
            where &= Q(pipeline_id=Subquery(default))
    if group_by is GroupBy.SPLIT_OWNER:
        return await _split_owner_summary(user, where, target)
    column = _COLUMN[group_by]
    rows = await _grouped_rows(user, where, column, key)
    counts: dict[Any, int] = defaultdict(int)
    seen = await _campaigns_seen(user) if group_by is GroupBy.CAMPAIGN else None
    sums: dict[Any, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [Decimal(0), Decimal(0)]))
    for row in rows:
        key = row[column]
        if group_by is GroupBy.CLOSE_MONTH and key is not None:
            key = f"{key.year:04d}-{key.month:02d}"
        if seen is not None and key not in seen:
            key = None
        counts[key] += int(row["n"])
        bucket = sums[key][row["currency"]]
        bucket[0] += _units(row["amount_hi"], row["amount_lo"])
        bucket[1] += _units(row["expected_hi"], row["expected_lo"])
    if group_by is GroupBy.OWNER:
        await _hide_owners(user, counts, sums)
    rates = await _rates_for(sums, target)
    labels, order = await _labels(group_by, list(counts))
    return summarize(counts, sums, rates, labels, order, target)


async def _grouped_rows(user: Actor | None, where: Q, column: str, key: Any) -> list[Any]:
    """Count and split sums per ``column`` and currency of the visible opportunities matching
    ``where``, in one statement. Counted and summed in SQL: money is stored as integers, so the
    sums are exact on both databases; only the per-currency conversion happens in Python.

    With a ``key`` the SQL Tortoise builds is kept (bounded) per key, column, visibility key
    (the user id, and a partner's account: what the rules take, as in the compiled read path)
    and dialect; only the values come back per request."""

    def build() -> Any:
        return (
            access.scoped(m.Opportunity, user)
            .filter(where)
            .annotate(
                n=Count("id"),
                amount_hi=_UnitsSum("amount", "high"),
                amount_lo=_UnitsSum("amount", "low"),
                expected_hi=_UnitsSum("expected_revenue", "high"),
                expected_lo=_UnitsSum("expected_revenue", "low"),
            )
            .group_by(column, "currency")
            .values(column, "currency", "n", "amount_hi", "amount_lo", "expected_hi", "expected_lo")
        )

    if key is None:
        return list(await build())
    db = m.Opportunity._meta.db
    viewer = access.viewer(user)
    full_key = (key, column, int(viewer), access.partner_of(viewer), db.capabilities.dialect)
    found = _STATEMENTS.get(full_key)
    if found is None:
        qs = build()
        qs._choose_db_if_not_chosen()
        qs._make_query()
        sql, params = qs.query.get_parameterized_sql()
        found = _STATEMENTS[full_key] = (sql, list(params))
        if len(_STATEMENTS) > STATEMENT_CACHE_SIZE:
            _STATEMENTS.popitem(last=False)
    else:
        _STATEMENTS.move_to_end(full_key)
    sql, params = found
    _, raw = await db.execute_query(sql, params)
    field = m.Opportunity._meta.fields_map.get(column)  # the close date; keys are plain ints
    convert = field.to_python_value if field is not None else _same
    return [
        {column: convert(row[column]), "currency": row["currency"], "n": row["n"], "amount_hi": row["amount_hi"],
         "amount_lo": row["amount_lo"], "expected_hi": row["expected_hi"], "expected_lo": row["expected_lo"]}
        for row in raw
    ]  # fmt: skip


def _same(value: Any) -> Any:
    return value


_STATEMENTS: OrderedDict[tuple[Any, ...], tuple[str, list[Any]]] = OrderedDict()
STATEMENT_CACHE_SIZE = 256


async def _campaigns_seen(user: Actor | None) -> set[Any]:
    """Campaigns ``user`` may see (deleted ones too: their deals still count): a deal whose
    campaign is hidden (from a PARTNER user) falls into the "No campaign" group."""
    return {None, *await access.scoped(m.Campaign, user, include_deleted=True).values_list("id", flat=True)}


async def _split_owner_summary(user: Actor | None, where: Q, target: str) -> list[Group]:
    """Each user's split amounts (DOMAIN.md 11): a deal's amount and expected revenue divided
    by its revenue splits to the cent by largest remainder (``splits.split_amounts``, exact
    Decimal), a deal without splits counting wholly for its owner ("Unassigned" without one).
    ``count`` is the number of deals a user has a part of. Two statements whatever the number
    of deals (the visible deals, their splits); sums per user and currency are converted once."""
    deals = access.scoped(m.Opportunity, user).filter(where)
    rows = await deals.values("id", "owner_id", "currency", "amount", "expected_revenue")
    parts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if rows:
        split_rows = (
            await m.RevenueSplit.filter(opportunity_id__in=Subquery(deals.values("id")))
            .order_by("opportunity_id", "position", "id")
            .values("opportunity_id", "user_id", "percent")
        )
        for split in split_rows:
            parts[split["opportunity_id"]].append((split["user_id"], split["percent"]))
    counts: dict[Any, int] = defaultdict(int)
    sums: dict[Any, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [Decimal(0), Decimal(0)]))
    for row in rows:
        cur = row["currency"]
        shares = parts.get(row["id"]) or [(row["owner_id"], 100)]
        percents = [p for _, p in shares]
        amounts = splits.split_amounts(row["amount"] or Decimal(0), percents, cur)
        weighted = splits.split_amounts(row["expected_revenue"] or Decimal(0), percents, cur)
        for (uid, _), amount, expected in zip(shares, amounts, weighted, strict=True):
            counts[uid] += 1
            bucket = sums[uid][cur]
            bucket[0] += amount
            bucket[1] += expected
    await _hide_owners(user, counts, sums)
    rates = await _rates_for(sums, target)
    labels, order = await _labels(GroupBy.OWNER, list(counts))
    return summarize(counts, sums, rates, labels, order, target)


async def _hide_owners(user: Actor | None, counts: dict[Any, int], sums: Sums) -> None:
    """A PARTNER user sees no users but their partner's (DOMAIN.md 8): the other owners' groups
    become one "Other users" group (key null), so no name or id of a hidden user shows."""
    if access.partner_of(access.viewer(user)) is None:
        return
    seen = set(await access.scoped(m.User, user).values_list("id", flat=True))
    for key in [k for k in counts if k is not None and k != _OTHERS and k not in seen]:
        counts[_OTHERS] += counts.pop(key)
        for cur, (amount, expected) in sums.pop(key).items():
            bucket = sums[_OTHERS][cur]
            bucket[0] += amount
            bucket[1] += expected


Sums = dict[Any, dict[str, list[Decimal]]]


def needs_rates(currencies: Any, target: str, base: str) -> bool:
    """Whether converting sums in ``currencies`` into ``target`` reads exchange rates: only
    when a currency other than the base is involved (``pricing.convert`` asks for the rate of
    every non-base currency, the target's too, so the same MISSING_EXCHANGE_RATE cases hold)."""
    return target != base or any(cur != base for cur in currencies)


async def _rates_for(sums: Sums, target: str) -> dict[str, Decimal]:
    """The exchange rates, read only when ``needs_rates``."""
    currencies = {cur for by_currency in sums.values() for cur in by_currency}
    if not needs_rates(currencies, target, config.BASE_CURRENCY):
        return {}
    return {r.currency: r.rate for r in await m.ExchangeRate.all()}


def summarize(
    counts: dict[Any, int],
    sums: Sums,
    rates: dict[str, Decimal],
    labels: dict[Any, str],
    order: dict[Any, tuple[Any, ...]],
    target: str,
) -> list[Group]:
    """The groups from their counts and per-currency sums (pure): each sum converted into
    ``target`` once per group and currency (``pricing.convert``), rounded, labelled and
    sorted. Raises MissingExchangeRate."""
    places = money.minor_units(target)
    groups = []
    for key, count in counts.items():
        total, weighted = Decimal(0), Decimal(0)
        for cur, (amount, expected) in sums[key].items():
            try:
                total += pricing.convert(amount, cur, target, rates, config.BASE_CURRENCY, places)
                weighted += pricing.convert(expected, cur, target, rates, config.BASE_CURRENCY, places)
            except pricing.MissingRate as exc:
                raise MissingExchangeRate(exc.currency, ("currency",)) from None
        rounded = money.round_money(total, target), money.round_money(weighted, target)
        shown = None if key == _OTHERS else key
        groups.append(Group(shown, labels.get(key, "None"), count, rounded[0], rounded[1], order.get(key, (1, ""))))
    return sorted(groups, key=lambda g: g.order)


def _units(high: Any, low: Any) -> Decimal:
    """The split SQL sums of ten-thousandths (int on SQLite, Decimal or int on PostgreSQL)
    as money, exact."""
    if high is None and low is None:
        return Decimal(0)
    return money.from_units(int(high or 0) * _SPLIT + int(low or 0))


async def _labels(group_by: GroupBy, keys: list[Any]) -> tuple[dict[Any, str], dict[Any, tuple[Any, ...]]]:
    ids = [k for k in keys if k is not None]
    labels: dict[Any, str] = {}
    order: dict[Any, tuple[Any, ...]] = {}
    if group_by is GroupBy.STAGE:
        for pk, name, position in await _label_rows(m.Stage, ("id", "name", "position"), ids):
            labels[pk], order[pk] = name, (0, position, pk)
    elif group_by is GroupBy.OWNER:
        for pk, name in await _label_rows(m.User, ("id", "name"), ids):
            labels[pk], order[pk] = name, (0, name.lower(), pk)
        labels[None] = "Unassigned"
        labels[_OTHERS], order[_OTHERS] = "Other users", (2, "")
    elif group_by is GroupBy.PIPELINE:
        for pk, name, is_default in await _label_rows(m.Pipeline, ("id", "name", "is_default"), ids):
            labels[pk] = name
            order[pk] = (0, not is_default, name.lower(), pk)
    elif group_by is GroupBy.CAMPAIGN:
        # deleted campaigns keep their name here (their deals still count); null: "No campaign", last
        for pk, name in await _label_rows(m.Campaign, ("id", "name"), ids):
            labels[pk], order[pk] = name, (0, name.lower(), pk)
        labels[None] = "No campaign"
    elif group_by is GroupBy.ACCOUNT:
        for pk, name in await _label_rows(m.Account, ("id", "name"), ids):
            labels[pk], order[pk] = name, (0, name.lower(), pk)
    else:
        for key in ids:
            labels[key], order[key] = key, (0, key)
        labels[None] = "No close date"
    return labels, order


#: (table, columns, dialect) -> the label lookup's SQL, written once: the ids go in as one
#: parameter (``= ANY($1)`` on PostgreSQL, ``IN (SELECT value FROM json_each(?))`` on SQLite,
#: as the compiled read path binds its id lists), so the text never changes with their number.
_LABEL_SQL: dict[tuple[str, tuple[str, ...], str], str] = {}


async def _label_rows(model: Any, columns: tuple[str, ...], ids: list[int]) -> list[Any]:
    """``columns`` of the rows of ``model`` with these ids (deleted ones too), as tuples."""
    if not ids:
        return []
    db = model._meta.db
    dialect = db.capabilities.dialect
    if dialect not in ("postgres", "sqlite"):
        return list(await model.filter(id__in=ids).values_list(*columns))
    table = model._meta.db_table
    sql = _LABEL_SQL.get((table, columns, dialect))
    if sql is None:
        where = '"id"=ANY($1)' if dialect == "postgres" else '"id" IN (SELECT value FROM json_each(?))'
        selected = ",".join('"' + c + '"' for c in columns)
        sql = _LABEL_SQL[(table, columns, dialect)] = f'SELECT {selected} FROM "{table}" WHERE {where}'

    _, rows = await db.execute_query(sql, [ids if dialect == "postgres" else orjson.dumps(ids).decode()])
    return [tuple(row) for row in rows]
