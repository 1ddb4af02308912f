"""The reads behind the API's plain query fields (lists that are not connections, lookups by
something other than an id): ``pipelines``, ``stages``, ``quoteByNumber``, ``exchangeRates``
and the default pipeline. Each applies the actor's visibility (services.access)."""

from __future__ import annotations

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.services import access


async def default_pipeline_id() -> int | None:
    """The default pipeline's id (reference data every user reads), or None when there is none."""
    pipeline = await m.Pipeline.filter(is_default=True).first()
    return pipeline.id if pipeline is not None else None


async def pipelines(actor: Actor | None) -> list[m.Pipeline]:
    """Every pipeline, the default one first, then by name."""
    return await access.scoped(m.Pipeline, actor).order_by("-is_default", "name", "id")


async def stages(actor: Actor | None, pipeline_id: int | None) -> list[m.Stage]:
    """The stages of a pipeline (default: the default pipeline) in pipeline order."""
    qs = access.scoped(m.Stage, actor)
    pk = await default_pipeline_id() if pipeline_id is None else pipeline_id
    return await qs.filter(pipeline_id=pk).order_by("position", "id")


async def quote_by_number(actor: Actor | None, number: str) -> m.Quote | None:
    """The latest revision of the visible quote with this number."""
    return await access.scoped(m.Quote, actor).filter(number=number).order_by("-revision").first()


async def exchange_rates(actor: Actor | None) -> list[m.ExchangeRate]:
    """The exchange rates to the base currency, by currency."""
    return await access.scoped(m.ExchangeRate, actor).order_by("currency")
