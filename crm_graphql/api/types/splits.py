"""LeadSplitRule, LeadShare and RevenueSplit (DOMAIN.md 11), and the loaders behind
``Lead.shares`` and ``Opportunity.revenueSplits`` (one query per level)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.common import Entity, ref_field
from crm_graphql.services import loaders, splits


@dataclass
class Share:
    """A rule's share (stored in the rule) or a revenue split with its computed amount."""

    user_id: int | None
    percent: int
    amount: Decimal | None = None


@strawberry.type(name="LeadShare", description="A user's share of a lead (given by a lead split rule).")
class LeadShareType:
    percent: int = strawberry.field(description="Whole percent, 1-100; a lead's shares add up to 100.")
    user = ref_field("User", "user_id", description="The user sharing the lead (null when hidden from you or deleted).")


@strawberry.type(
    name="RevenueSplit",
    description="A user's share of a deal's revenue: whole percents adding up to 100, the amount computed from the "
    "deal's current amount.",
)
class RevenueSplitType:
    percent: int = strawberry.field(description="Whole percent, 1-100; a deal's splits add up to 100.")
    amount: Decimal | None = strawberry.field(
        description="The deal's amount split by percent to the currency's minor unit by largest remainder (100.00 "
        "over 33/33/34 is 33.00/33.00/34.00; a remaining cent goes to the earlier split on a tie): the splits always "
        "add up to the amount. Null while the deal has no amount."
    )
    user = ref_field("User", "user_id", description="The user credited (null when hidden from you or deleted).")


@strawberry.type(
    name="LeadSplitRule",
    description="The lead splitter: running the rule gives every lead its filter matches that has no shares yet "
    "the rule's shares (qualified leads are left alone). Admins and managers manage and run rules; other users "
    "read them; partners see none.",
)
class LeadSplitRuleType(Entity):
    name: str = strawberry.field(description="Rule name.")
    is_active: bool = strawberry.field(description="Only active rules run.")
    is_type_of = model_type(m.LeadSplitRule)

    @field(
        name="filter",
        description="The LeadFilter input the rule was given, as written (field names as in LeadFilter); applied "
        "with the visibility of the user who runs the rule. {} matches every lead.",
    )
    @staticmethod
    def filter_(root: m.LeadSplitRule) -> JSON:
        return JSON(root.lead_filter or {})

    @field(description="The shares matching leads get, in order; they add up to 100.", graphql_type=list[LeadShareType])
    @staticmethod
    def shares(root: m.LeadSplitRule) -> list[Share]:
        return [Share(int(s["user"]), int(s["percent"])) for s in root.shares or []]


def lead_shares_loader(info: Info) -> DataLoader[int, list[Any]]:
    """The visible shares of each lead, every lead of a level in one query."""
    loader = info.context._loaders.get("lead_shares")
    if loader is None:
        user = info.context.user

        async def load(ids: Sequence[int]) -> list[list[Any]]:
            rows = await loaders.lead_shares(user, ids)
            grouped: dict[int, list[Any]] = defaultdict(list)
            for row in rows:
                grouped[row.lead_id].append(row)
            return [grouped.get(i, []) for i in ids]

        loader = info.context._loaders["lead_shares"] = DataLoader(load_fn=load)
    return loader


def revenue_splits_loader(info: Info) -> DataLoader[int, list[Any]]:
    """The revenue splits of each deal, every deal of a level in one query."""
    loader = info.context._loaders.get("revenue_splits")
    if loader is None:
        user = info.context.user

        async def load(ids: Sequence[int]) -> list[list[Any]]:
            grouped: dict[int, list[Any]] = defaultdict(list)
            for row in await loaders.revenue_splits(user, ids):
                grouped[row.opportunity_id].append(row)
            return [grouped.get(i, []) for i in ids]

        loader = info.context._loaders["revenue_splits"] = DataLoader(load_fn=load)
    return loader


async def revenue_splits_of(info: Info, opportunity: Any) -> list[Share]:
    rows = await revenue_splits_loader(info).load(opportunity.id)
    if not rows:
        return []
    percents = [r.percent for r in rows]
    if opportunity.amount is None:
        amounts: list[Decimal | None] = [None] * len(rows)
    else:
        amounts = list(splits.split_amounts(opportunity.amount, percents, opportunity.currency))
    return [Share(r.user_id, r.percent, a) for r, a in zip(rows, amounts, strict=True)]
