from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from crm_graphql.enums import ContractKind, ContractStatus
from crm_graphql.models.base import Entity, MoneyField

if TYPE_CHECKING:
    from crm_graphql.models.accounts import Account
    from crm_graphql.models.catalog import Product
    from crm_graphql.models.pipeline import Opportunity
    from crm_graphql.models.users import User


class Contract(Entity):
    number = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(ContractKind, max_length=12)
    status = fields.CharEnumField(ContractStatus, max_length=10, default=ContractStatus.ACTIVE)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, related_name="contracts"
    )
    account_id: int
    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, related_name="contracts"
    )
    opportunity_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", db_index=True, related_name=False
    )
    product_id: int
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None
    start_date = fields.DateField()
    #: start + the product's term in calendar months (clamped to the month's end).
    end_date = fields.DateField(null=True)
    quantity = MoneyField()
    #: The line's share of the net total, in ``currency``.
    value = MoneyField()
    currency = fields.CharField(max_length=3)
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "contracts"
