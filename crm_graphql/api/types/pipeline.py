"""Pipeline, Stage, Opportunity and OpportunityItem."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Optional

import strawberry
from strawberry.dataloader import DataLoader

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api import batch, figures
from crm_graphql.api.connection import SortKey
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import Convertible, timeline_field
from crm_graphql.api.types.common import (
    Entity,
    LineItem,
    amount_field,
    child_ref_field,
    is_deleted,
    lazy,
    lazy_list,
    list_field,
    ref_field,
)
from crm_graphql.api.types.splits import RevenueSplitType, Share, revenue_splits_of
from crm_graphql.errors import DomainError
from crm_graphql.services import deal_figures, loaders

if TYPE_CHECKING:
    from crm_graphql.api.types.users import UserType


@strawberry.type(name="Pipeline", description="A sales process with its own ordered stages (and WON and LOST stages).")
class PipelineType(Entity):
    name: str = strawberry.field(description="Pipeline name (unique).")
    is_default: bool = strawberry.field(
        description="New opportunities, `stages` and `pipelineSummary` use this pipeline when none is named."
    )
    opportunities = list_field("Opportunity", fk="pipeline_id", description="Opportunities in this pipeline.")
    is_type_of = model_type(m.Pipeline)

    @field(description="Its stages in pipeline order (the WON and LOST stages last).", graphql_type=lazy_list("Stage"))
    @staticmethod
    async def stages(root: m.Pipeline, info: Info) -> list[m.Stage]:
        return await _stages_loader(info).load(root.id)


def _stages_loader(info: Info) -> DataLoader[int, list[m.Stage]]:
    """The stages of each pipeline, every pipeline of a level in one query."""
    loader = info.context._loaders.get("pipeline_stages")
    if loader is None:

        async def load(ids: Sequence[int]) -> list[list[m.Stage]]:
            rows = await loaders.stages_of_pipelines(info.context.user, ids)
            grouped: dict[int | None, list[m.Stage]] = defaultdict(list)
            for row in rows:
                grouped[row.pipeline_id].append(row)
            return [grouped.get(i, []) for i in ids]

        loader = info.context._loaders["pipeline_stages"] = DataLoader(load_fn=load)
    return loader


@strawberry.type(name="Stage", description="A step of a sales pipeline.")
class StageType(Entity):
    pipeline = ref_field("Pipeline", "pipeline_id", description="The pipeline this stage belongs to.", required=True)
    name: str = strawberry.field(description="Stage name.")
    position: int = strawberry.field(description="Pipeline order, ascending.")
    probability: int = strawberry.field(description="Win probability (0-100) an opportunity takes when moved here.")
    kind: e.StageKind = strawberry.field(description="OPEN, WON or LOST.")
    is_default: bool = strawberry.field(description="New opportunities start here.")
    opportunities = list_field("Opportunity", fk="stage_id", description="Opportunities in this stage.")
    is_type_of = model_type(m.Stage)


def _stage_entered_at(root: Any) -> dt.datetime:
    """Rows created straight through the ORM in bulk (fixtures, the bench) may lack the
    column: they entered their stage when they were created."""
    entered: dt.datetime = root.stage_entered_at or root.created_at  # an ORM row, or a read-path Row
    return entered


@strawberry.type(name="Opportunity", description="A deal in the pipeline with one account.")
class OpportunityType(Entity, Convertible):
    title: str = strawberry.field(description="What the deal is about.")
    status: e.OpportunityStatus = strawberry.field(description="OPEN, WON or LOST (after the stage's kind).")
    probability: int = strawberry.field(description="Win probability, 0-100.")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    amount_source: e.AmountSource = strawberry.field(description="Where `amount` comes from.")
    close_date: dt.date | None = strawberry.field(description="Expected (or actual, once closed) close date.")
    closed_at: dt.datetime | None = strawberry.field(
        description="When it was won or lost: its close date at 00:00 UTC; null while open (reopening clears it)."
    )
    source: str | None = strawberry.field(description="Lead source.")
    competitors: str | None = strawberry.field(description="Competitors in the deal.")
    description: str | None = strawberry.field(description="Notes.")
    lost_reason: str | None = strawberry.field(description="Why it was lost; null unless it is lost.")
    is_restricted: bool = strawberry.field(description="Visible only to its owner and the users granted access.")
    is_deleted: bool = strawberry.field(resolver=is_deleted, description="Soft-deleted (restorable).")
    amount = amount_field(
        "amount",
        "Net total of the active quote (converted into this currency), else of the items, else the manual budget.",
        nullable=True,
    )
    manual_amount = amount_field("manual_amount", "The budget entered by hand.", nullable=True)
    expected_revenue = amount_field("expected_revenue", "amount x probability / 100, rounded.", nullable=True)
    account = ref_field("Account", "account_id", description="The customer.", required=True)
    contact = ref_field("Contact", "contact_id", description="The primary contact.")
    owner = ref_field("User", "owner_id", description="The salesperson.")
    partner = ref_field("Account", "partner_id", description="The partner account the deal is assigned to.")
    campaign = ref_field("Campaign", "campaign_id", description="The campaign it came from (carried from its lead).")
    stage = ref_field("Stage", "stage_id", description="Pipeline stage.", required=True)
    pipeline = ref_field("Pipeline", "pipeline_id", description="The pipeline its stage belongs to.", required=True)
    pricebook = ref_field("Pricebook", "pricebook_id", description="Price book its items are priced from.")
    items = list_field("OpportunityItem", fk="opportunity_id", description="Products of interest.")
    quotes = list_field("Quote", fk="opportunity_id", description="Quotes made for this deal.")
    contracts = list_field("Contract", fk="opportunity_id", description="Contracts created when it was won.")
    activities = list_field("Activity", fk="opportunity_id", description="Activities logged on this deal.")
    documents = list_field("Document", fk="opportunity_id", description="Quote documents rendered for this deal.")
    timeline = timeline_field("Opportunity")
    is_type_of = model_type(m.Opportunity)

    @field(description="Users granted access to this restricted opportunity (besides its owner).")
    @staticmethod
    async def access_users(
        root: m.Opportunity,
        info: Info,
    ) -> list[Annotated[UserType, strawberry.lazy("crm_graphql.api.types.users")]]:
        user_ids = await _access_loader(info).load(root.id)
        users = await asyncio.gather(*(info.context.load(m.User, uid) for uid in user_ids))
        return [u for u in users if u is not None]

    @field(
        description="Contacts' business roles on this deal (the primary one first).",
        graphql_type=lazy_list("OpportunityContactRole"),
    )
    @staticmethod
    async def contact_roles(root: m.Opportunity, info: Info) -> list[m.OpportunityContactRole]:
        return await _roles_loader(info, "opportunity_id").load(root.id)

    stage_entered_at: dt.datetime = strawberry.field(
        resolver=_stage_entered_at,
        description="When the deal entered its current stage (creation, a stage move, win, loss, reopening or a move "
        "to another pipeline): the time in its stage is now - stageEnteredAt.",
        metadata={"fast": _stage_entered_at, "columns": ("stage_entered_at", "created_at")},
    )

    @field(
        description="The deal's next activity: of its activities you can see that are not done and have a due date, "
        "the one due first; null when there is none.",
        graphql_type=Optional[lazy("Activity")],
    )
    @staticmethod
    async def next_activity(root: m.Opportunity, info: Info) -> m.Activity | None:
        return await _next_activity_loader(info).load(root.id)

    @field(
        description="`amount` converted into `currency` as pipelineSummary converts (rounded to its minor units); "
        "null without an amount, or with a MISSING_EXCHANGE_RATE error when a rate is missing."
    )
    @staticmethod
    async def amount_in(
        root: m.Opportunity,
        info: Info,
        currency: Annotated[str, strawberry.argument(description="ISO 4217 code to convert into.")],
    ) -> Optional[Decimal]:
        try:
            target = deal_figures.target_currency(currency)
            if root.amount is None:
                return None
            return deal_figures.total_in({root.currency: root.amount}, target, await figures.rates(info))
        except DomainError as exc:
            raise figures.client_error(exc) from None

    @field(
        description="Who is credited with the deal's revenue, in order: whole percents adding up to 100, each "
        "amount the deal's amount split to the cent by largest remainder. Empty: the deal counts wholly for its owner.",
        graphql_type=list[RevenueSplitType],
    )
    @staticmethod
    async def revenue_splits(root: m.Opportunity, info: Info) -> list[Share]:
        return await revenue_splits_of(info, root)

    @field(description="Won or lost deals are read-only until reopened.")
    @staticmethod
    def is_locked(root: m.Opportunity) -> bool:
        return root.status != e.OpportunityStatus.OPEN

    active_quote = child_ref_field(
        "Quote", "opportunity_id", {"is_active": True}, description="The active quote: its net total is the amount."
    )


@strawberry.type(
    name="OpportunityContactRole", description="A contact's business role on a deal (decision maker, buyer...)."
)
class OpportunityContactRoleType(Entity):
    role: e.ContactRoleKind = strawberry.field(description="The role the contact plays in the deal.")
    description: str | None = strawberry.field(description="Notes on the role.")
    is_primary: bool = strawberry.field(description="The deal's primary contact role (at most one).")
    contact = ref_field("Contact", "contact_id", description="The contact (null when hidden from you).")
    opportunity = ref_field("Opportunity", "opportunity_id", description="The deal.", required=True)
    is_type_of = model_type(m.OpportunityContactRole)


def _roles_loader(info: Info, column: str) -> DataLoader[int, list[m.OpportunityContactRole]]:
    """Visible contact roles per opportunity (or per contact), each level in one query."""
    key = f"contact_roles:{column}"
    loader = info.context._loaders.get(key)
    if loader is None:

        async def load(ids: Sequence[int]) -> list[list[m.OpportunityContactRole]]:
            rows = await loaders.contact_roles(info.context.user, column, ids)
            grouped: dict[int, list[m.OpportunityContactRole]] = defaultdict(list)
            for row in rows:
                grouped[getattr(row, column)].append(row)
            return [grouped.get(i, []) for i in ids]

        loader = info.context._loaders[key] = DataLoader(load_fn=load)
    return loader


_NEXT_ACTIVITY = [SortKey("due_at", False, False), SortKey("id", False, False)]


def _next_activity_loader(info: Info) -> DataLoader[int, m.Activity | None]:
    """Each opportunity's first-due open activity: every opportunity of a level in one windowed
    statement (one row per opportunity, limited in SQL)."""
    loader = info.context._loaders.get("next_activity")
    if loader is None:
        user = info.context.user

        async def load(ids: Sequence[int]) -> list[m.Activity | None]:
            qs = loaders.open_activities(user, ids)
            first = await batch.windowed(qs, batch.column(m.Activity, "opportunity_id"), _NEXT_ACTIVITY, True, 1)
            return [(first.get(i) or [None])[0] for i in ids]

        loader = info.context._loaders["next_activity"] = DataLoader(load_fn=load)
    return loader


def _access_loader(info: Info) -> DataLoader[int, list[int]]:
    """User ids granted on each opportunity, all opportunities of a level in one query."""
    loader = info.context._loaders.get("opportunity_access")
    if loader is None:

        async def load(ids: Sequence[int]) -> list[list[int]]:
            rows = await loaders.access_grants(info.context.user, ids)
            grouped: dict[int, list[int]] = defaultdict(list)
            for row in rows:
                grouped[row.opportunity_id].append(row.user_id)
            return [grouped.get(i, []) for i in ids]

        loader = info.context._loaders["opportunity_access"] = DataLoader(load_fn=load)
    return loader


@strawberry.type(
    name="OpportunityItem", description="A product of interest on an opportunity, priced like a quote line."
)
class OpportunityItemType(LineItem):
    opportunity = ref_field(
        "Opportunity", "opportunity_id", description="The deal this product of interest belongs to.", required=True
    )
    is_type_of = model_type(m.OpportunityItem)
