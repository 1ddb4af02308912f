"""Campaign and its statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.dataloader import DataLoader

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import timeline_field
from crm_graphql.api.types.common import Entity, amount_field, is_deleted, list_field
from crm_graphql.errors import ErrorCode
from crm_graphql.services import campaigns


@strawberry.type(
    description="What a campaign brought, over the leads and opportunities you may see; money in the campaign's "
    "currency."
)
class CampaignStats:
    lead_count: int = strawberry.field(description="Leads that name the campaign.")
    qualified_lead_count: int = strawberry.field(description="Of those, the qualified ones.")
    opportunity_count: int = strawberry.field(description="Opportunities that name the campaign (any status).")
    won_count: int = strawberry.field(description="Of those, the won ones.")
    cost_per_lead: Decimal | None = strawberry.field(
        description="budget / leadCount, rounded half-up to the currency's minor units; null without a budget or "
        "without leads."
    )
    _stats: strawberry.Private[campaigns.Stats]

    @field(
        description="Sum of the won opportunities' amounts, each currency converted with the exchange rates into the "
        "campaign's currency (as pipelineSummary does). Null with a MISSING_EXCHANGE_RATE error when a rate is missing."
    )
    def won_amount(self) -> Decimal | None:
        return self._convertible(self._stats.won_amount)

    @field(
        description="(wonAmount - budget) / budget, a ratio rounded half-up to 4 places (0.2500 is 25 %); null "
        "without a budget or with a budget of 0."
    )
    def return_on_investment(self) -> Decimal | None:
        if self._stats.budget is None or self._stats.budget == 0:
            return None
        return self._convertible(self._stats.return_on_investment)

    def _convertible(self, value: Decimal | None) -> Decimal | None:
        if self._stats.missing_rate is not None:
            currency = self._stats.missing_rate
            raise GraphQLError(
                f"No exchange rate for {currency}: set one with setExchangeRate first.",
                extensions={"code": ErrorCode.MISSING_EXCHANGE_RATE.value, "currency": currency},
            )
        return value

    @classmethod
    def of(cls, stats: campaigns.Stats) -> CampaignStats:
        return cls(
            lead_count=stats.lead_count,
            qualified_lead_count=stats.qualified_lead_count,
            opportunity_count=stats.opportunity_count,
            won_count=stats.won_count,
            cost_per_lead=stats.cost_per_lead,
            _stats=stats,
        )


def _stats_loader(info: Info) -> DataLoader[Any, campaigns.Stats]:
    """Stats of every campaign of a level in one grouped statement per table."""
    loader = info.context._loaders.get("campaign_stats")
    if loader is None:
        user = info.context.user

        async def load(rows: Sequence[Any]) -> list[campaigns.Stats]:
            return await campaigns.campaign_stats(user, list(rows))

        loader = info.context._loaders["campaign_stats"] = DataLoader(load_fn=load, cache_key_fn=lambda row: row.id)
    return loader


@strawberry.type(
    name="Campaign",
    description="A marketing campaign: leads and opportunities name it, and it reports what it brought.",
)
class CampaignType(Entity):
    name: str = strawberry.field(description="Campaign name.")
    type: str | None = strawberry.field(description="Kind of campaign (Webinar, Trade show, E-mail...).")
    status: e.CampaignStatus = strawberry.field(description="PLANNED, ACTIVE, COMPLETED or ABORTED.")
    start_date: dt.date | None = strawberry.field(description="First day.")
    end_date: dt.date | None = strawberry.field(description="Last day (on or after startDate).")
    currency: str = strawberry.field(description="ISO 4217 code of the budget and the statistics.")
    description: str | None = strawberry.field(description="Notes.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    budget = amount_field("budget", "What the campaign costs, in its currency.", nullable=True)
    leads = list_field("Lead", fk="campaign_id", description="The leads that name this campaign.")
    opportunities = list_field("Opportunity", fk="campaign_id", description="The opportunities that name it.")
    timeline = timeline_field("Campaign")
    is_type_of = model_type(m.Campaign)

    @field(description="Leads, qualified leads, opportunities, won deals and return, over what you may see.")
    @staticmethod
    async def stats(root: m.Campaign, info: Info) -> CampaignStats:
        return CampaignStats.of(await _stats_loader(info).load(root))
