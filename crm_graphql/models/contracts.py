from __future__ import annotations

from tortoise import fields

from crm_graphql.enums import ContractKind, ContractStatus
from crm_graphql.models.base import Entity, MoneyField


class Contract(Entity):
    number = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(ContractKind, max_length=12)
    status = fields.CharEnumField(ContractStatus, max_length=10, default=ContractStatus.ACTIVE)
    account = fields.ForeignKeyField("models.Account", db_index=True, related_name="contracts")
    opportunity = fields.ForeignKeyField("models.Opportunity", db_index=True, related_name="contracts")
    product = fields.ForeignKeyField("models.Product", db_index=True, related_name=False)
    owner = fields.ForeignKeyField("models.User", db_index=True, null=True, related_name=False)
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
