"""Query fields: node, nodes, viewer, one connection and one singular field per entity (the root
merges this with reporting.py, pipelines.py and splits.py: api.schema.QUERIES)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Optional

import strawberry
from tortoise.models import Model

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.api.connection import MAX_PAGE, PaginationError
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import MODELS, MalformedId, Node, from_global_id
from crm_graphql.api.types.catalog import ExchangeRateType
from crm_graphql.api.types.common import lazy, list_field
from crm_graphql.api.types.pipeline import StageType
from crm_graphql.api.types.quotes import QuoteType
from crm_graphql.api.types.users import UserType
from crm_graphql.services import reads

GlobalIdArg = Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]


async def load_node(info: Info, global_id: str, expected: str | None = None) -> Any:
    """The visible, live record behind a global ID, or None (never an error)."""
    try:
        type_name, pk = from_global_id(global_id)
    except MalformedId:
        return None
    if expected is not None and type_name != expected:
        return None
    return await info.context.by_id(MODELS[type_name]).load(pk)


def singular(type_name: str, description: str) -> Any:
    async def resolver(info: Info, id: strawberry.ID) -> Any:
        return await load_node(info, id, type_name)

    resolver.__annotations__ = {"info": Info, "id": GlobalIdArg, "return": Optional[lazy(type_name)]}
    return strawberry.field(resolver=resolver, description=description, metadata={"read": ("node", type_name)})


@strawberry.type(description="Read the CRM graph.")
class Query:
    @field(
        description="Any record by its global ID; null when unknown, hidden, deleted or malformed.",
        metadata={"read": ("node", None)},
        graphql_type=Optional[Node],
    )
    async def node(self, info: Info, id: GlobalIdArg) -> Model | None:
        row: Model | None = await load_node(info, id)
        return row

    @field(description="Several records by global ID, in the order asked; null for each one not found.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs (at most 100).")],
    ) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise PaginationError(f"`nodes` takes at most {MAX_PAGE} ids; got {len(ids)}.")
        # gathered, so the DataLoaders batch one query per type
        return list(await asyncio.gather(*(load_node(info, i) for i in ids)))

    @field(description="The signed-in user.", graphql_type=Optional[UserType])
    def viewer(self, info: Info) -> Actor | None:
        return info.context.user  # the User row that authenticated (the Actor protocol's one implementation)

    @field(
        description="A pipeline's stages in pipeline order (the default pipeline's when none is named).",
        graphql_type=list[StageType],
    )
    async def stages(
        self,
        info: Info,
        pipeline_id: Annotated[
            Optional[strawberry.ID], strawberry.argument(description="The pipeline (default: the default pipeline).")
        ] = None,
    ) -> list[m.Stage]:
        pk = None
        if pipeline_id is not None:
            try:
                type_name, pk = from_global_id(pipeline_id)
            except MalformedId:
                return []
            if type_name != "Pipeline":
                return []
        return await reads.stages(info.context.user, pk)

    @field(description="A quote by its human-readable number (its latest revision).", graphql_type=Optional[QuoteType])
    async def quote_by_number(
        self, info: Info, number: Annotated[str, strawberry.argument(description='The quote number, e.g. "Q-00042".')]
    ) -> m.Quote | None:
        return await reads.quote_by_number(info.context.user, number)

    @field(description="Exchange rates to the base currency.", graphql_type=list[ExchangeRateType])
    async def exchange_rates(self, info: Info) -> list[m.ExchangeRate]:
        return await reads.exchange_rates(info.context.user)

    accounts = list_field("Account", description="Accounts (customers).")
    contacts = list_field(
        "Contact",
        description="People at accounts; those under a private account only for its owner; a PARTNER user sees only those its assigned leads and deals hang on.",
    )
    leads = list_field(
        "Lead",
        description="Prospects not yet qualified (and the qualified ones, read-only); a PARTNER user sees only those assigned to their partner account.",
    )
    opportunities = list_field("Opportunity", description="Opportunities (deals).")
    quotes = list_field(
        "Quote",
        description="Priced offers with their totals; visible with their account and opportunity (a partner's only those of its deals).",
    )
    sales_orders = list_field(
        "SalesOrder",
        description="Orders made from quotes (converting accepts the quote); visible with their account and opportunity (a partner's only those of its deals).",
    )
    invoices = list_field(
        "Invoice",
        description="Invoices made from quotes, orders or opportunities; visible with their account and opportunity (a partner's only those of its deals).",
    )
    contracts = list_field(
        "Contract",
        description="Contracts created by winning opportunities, one per product line; visible with their account and opportunity.",
    )
    products = list_field("Product", description="The catalog: every user reads it; admins and managers change it.")
    pricebooks = list_field(
        "Pricebook",
        description="Price lists of the catalog (prices per product, currency and unit); every user reads them, admins and managers change them.",
    )
    bundles = list_field(
        "Bundle",
        description="Product bundles sold at one price split over their components; every user reads them, admins and managers change them.",
    )
    activities = list_field(
        "Activity",
        description="Calls, e-mails, meetings, tasks and notes; visible when every record they are attached to is.",
    )
    users = list_field(
        "User",
        description="Every user, inactive ones included; a PARTNER user sees only themselves and the users of their partner account.",
    )
    campaigns = list_field("Campaign", description="Marketing campaigns (none for PARTNER users).")
    document_templates = list_field("DocumentTemplate", description="Templates quotes render into documents with.")

    account = singular("Account", "An account by ID.")
    contact = singular("Contact", "A contact by ID.")
    lead = singular("Lead", "A lead by ID.")
    stage = singular("Stage", "A stage by ID.")
    opportunity = singular("Opportunity", "An opportunity by ID.")
    opportunity_item = singular("OpportunityItem", "An opportunity item by ID.")
    product = singular("Product", "A product by ID.")
    pricebook = singular("Pricebook", "A price book by ID.")
    pricebook_entry = singular("PricebookEntry", "A price book entry by ID.")
    bundle = singular("Bundle", "A bundle by ID.")
    quote = singular("Quote", "A quote by ID.")
    quote_item = singular("QuoteItem", "A quote line by ID.")
    sales_order = singular("SalesOrder", "A sales order by ID.")
    invoice = singular("Invoice", "An invoice by ID.")
    contract = singular("Contract", "A contract by ID.")
    activity = singular("Activity", "An activity by ID.")
    user = singular("User", "A user by ID.")
    campaign = singular("Campaign", "A campaign by ID.")
    document = singular("Document", "A rendered quote document by ID.")
