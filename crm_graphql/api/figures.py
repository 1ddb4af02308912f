"""Batched figures for query fields (issue 12): exchange rates once per request, an account's
open and won sums one grouped statement per level, and refusals as coded GraphQL errors."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from graphql import GraphQLError
from strawberry.dataloader import DataLoader

from crm_graphql.api.context import Info
from crm_graphql.errors import DomainError, MissingExchangeRate
from crm_graphql.services import deal_figures


def client_error(exc: DomainError) -> GraphQLError:
    """A query field's refusal as a GraphQL error with its code (as pipelineSummary answers):
    INVALID for a currency that is no ISO 4217 code, MISSING_EXCHANGE_RATE naming the currency."""
    extensions: dict[str, Any] = {"code": exc.code.value}
    if isinstance(exc, MissingExchangeRate):
        extensions["currency"] = exc.currency
    return GraphQLError(exc.message, extensions=extensions)


async def rates(info: Info) -> dict[str, Decimal]:
    """The exchange rates, read once per request."""
    loader: DataLoader[int, dict[str, Decimal]] | None = info.context._loaders.get("exchange_rates")
    if loader is None:

        async def load(keys: Sequence[int]) -> list[dict[str, Decimal]]:
            known = await deal_figures.rates()
            return [known for _ in keys]

        loader = info.context._loaders["exchange_rates"] = DataLoader(load_fn=load)
    return await loader.load(0)


async def account_sums(info: Info, account_id: int) -> deal_figures.Sums:
    """The open and won sums of the visible deals of every account of the level (one statement)."""
    loader: DataLoader[int, deal_figures.Sums] | None = info.context._loaders.get("account_sums")
    if loader is None:
        user = info.context.user

        async def load(ids: Sequence[int]) -> list[deal_figures.Sums]:
            sums = await deal_figures.account_sums(user, ids)
            return [sums for _ in ids]

        loader = info.context._loaders["account_sums"] = DataLoader(load_fn=load)
    return await loader.load(account_id)
