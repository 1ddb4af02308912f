"""``pipelineSummary``: opportunities grouped, with amounts in one currency."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Optional

import strawberry
from graphql import GraphQLError

import crm_graphql.api.specs  # noqa: F401 - builds OpportunityFilter
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.filters import SPECS, to_q
from crm_graphql.api.relay import MalformedId, from_global_id, to_global_id
from crm_graphql.errors import DomainError, MissingExchangeRate
from crm_graphql.services import config, reporting

if TYPE_CHECKING:
    OpportunityFilter = Any  # built at import from the filter spec (api/specs): no class mypy can read
else:
    OpportunityFilter = SPECS["Opportunity"].filter_input

PipelineGroupBy = strawberry.enum(
    reporting.GroupBy,
    name="PipelineGroupBy",
    description="How pipelineSummary groups opportunities. SPLIT_OWNER adds each user's revenue split amounts (the "
    "amount divided by the splits' percents to the cent by largest remainder); a deal without revenue splits counts "
    "wholly for its owner, and `count` is the number of deals a user has a part of. CAMPAIGN puts deals without a "
    "campaign in a last group with a null key.",
)


@strawberry.type(description="One group of pipelineSummary.")
class PipelineGroup:
    key: Optional[str] = strawberry.field(
        description='Global ID of the stage, owner (or split owner), account, pipeline or campaign, or "YYYY-MM"; '
        "null for no owner / no close date / no campaign."
    )
    label: str = strawberry.field(description="Stage, owner, account or pipeline name, or the month.")
    count: int = strawberry.field(description="Number of opportunities.")
    amount: Decimal = strawberry.field(description="Sum of their amounts, in `currency`.")
    weighted_amount: Decimal = strawberry.field(description="Sum of their expected revenue, in `currency`.")
    currency: str = strawberry.field(description="The currency of the sums.")


_KEY_TYPES = {
    reporting.GroupBy.STAGE: "Stage",
    reporting.GroupBy.OWNER: "User",
    reporting.GroupBy.ACCOUNT: "Account",
    reporting.GroupBy.PIPELINE: "Pipeline",
    reporting.GroupBy.CAMPAIGN: "Campaign",
    reporting.GroupBy.SPLIT_OWNER: "User",
}


@strawberry.type
class Query:
    @field(description="Opportunities you can see, grouped, with amounts converted into one currency.")
    async def pipeline_summary(
        self,
        info: Info,
        group_by: Annotated[reporting.GroupBy, strawberry.argument(description="The grouping.")],  # PipelineGroupBy
        filter: Annotated[
            Optional[OpportunityFilter],
            strawberry.argument(description="Which opportunities to count."),
        ] = None,
        currency: Annotated[
            Optional[str], strawberry.argument(description="Currency of the sums (default: the base currency).")
        ] = None,
        pipeline_id: Annotated[
            Optional[strawberry.ID],
            strawberry.argument(
                description="The pipeline summed (DOMAIN.md 11: summaries never mix pipelines unless grouped by "
                "PIPELINE). Default: the pipelines the filter names (`pipeline`, or stages by id or pipeline: the deals "
                "it matches must be in one, else INVALID), else the default pipeline. Ignored when grouping by "
                "PIPELINE."
            ),
        ] = None,
    ) -> list[PipelineGroup]:
        user = info.context.user
        where = to_q("Opportunity", filter, user)
        pk = None
        if pipeline_id is not None:
            try:
                type_name, pk = from_global_id(pipeline_id)
            except MalformedId:
                type_name, pk = "", 0
            if type_name != "Pipeline":
                raise GraphQLError("pipelineId is not a pipeline's ID.", extensions={"code": "BAD_USER_INPUT"})
        try:
            # the grouped statement's SQL depends on the user (the key reporting adds) and these
            key = ("pipelineSummary", repr(filter), pipeline_id)
            groups = await reporting.pipeline_summary(
                user,
                where,
                reporting.GroupBy(group_by),
                currency,
                key,
                pipeline_id=pk,
                filter_names_pipeline=_names_pipeline(filter),
            )
        except MissingExchangeRate as exc:
            raise GraphQLError(exc.message, extensions={"code": exc.code.value, "currency": exc.currency}) from None
        except DomainError as exc:
            raise GraphQLError(exc.message, extensions={"code": exc.code.value}) from None
        key_type = _KEY_TYPES.get(reporting.GroupBy(group_by))
        out = []
        for g in groups:
            group_key = None if g.key is None else (to_global_id(key_type, g.key) if key_type else str(g.key))
            out.append(
                PipelineGroup(
                    key=group_key,
                    label=g.label,
                    count=g.count,
                    amount=g.amount,
                    weighted_amount=g.weighted_amount,
                    currency=(currency or "").strip() or config.BASE_CURRENCY,
                )
            )
        return out


def _names_pipeline(filter: Any) -> bool:
    """Whether the filter (or an ``and`` / ``or`` / ``not`` of it) says which pipeline: through
    ``pipeline``, or through stages named by id or by their pipeline. A condition on the stages'
    kind or name (``stage: {kind: {eq: OPEN}}``) names no pipeline: the default one is summed."""
    if filter is None or filter is strawberry.UNSET:
        return False
    if _given(getattr(filter, "pipeline", None)):
        return True
    stage = getattr(filter, "stage", None)
    if _given(stage) and (_given(getattr(stage, "id", None)) or _given(getattr(stage, "pipeline", None))):
        return True
    parts = [*(getattr(filter, "and_", None) or []), *(getattr(filter, "or_", None) or [])]
    return any(_names_pipeline(p) for p in [*parts, getattr(filter, "not_", None)])


def _given(value: Any) -> bool:
    return value is not None and value is not strawberry.UNSET
