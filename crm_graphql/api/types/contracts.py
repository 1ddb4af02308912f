"""Contract."""

from __future__ import annotations

import datetime as dt

import strawberry

from crm_graphql import enums as e
from crm_graphql import models as m
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.activity import Convertible
from crm_graphql.api.types.common import Entity, amount_field, number_field, ref_field


@strawberry.type(name="Contract", description="What a won opportunity sold: one per product line.")
class ContractType(Entity, Convertible):
    number: str = strawberry.field(description="Contract number.")
    name: str = strawberry.field(description="What the contract covers.")
    kind: e.ContractKind = strawberry.field(description="ONE_TIME or TIME_BASED.")
    status: e.ContractStatus = strawberry.field(description="ACTIVE, EXPIRED or CANCELLED.")
    start_date: dt.date = strawberry.field(description="Start: the close date of the deal.")
    end_date: dt.date | None = strawberry.field(description="End: start + the product's term (TIME_BASED).")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    quantity = number_field("quantity", "Quantity sold.")
    value = amount_field("value", "The line's share of the net total.")
    account = ref_field("Account", "account_id", description="The customer.", required=True)
    opportunity = ref_field("Opportunity", "opportunity_id", description="The won opportunity.", required=True)
    product = ref_field(
        "Product",
        "product_id",
        description="The product the contract is for; still resolves once deleted (isDeleted: true).",
        required=True,
    )
    owner = ref_field("User", "owner_id", description="The salesperson.")
    is_type_of = model_type(m.Contract)
