from __future__ import annotations

from tortoise import fields

from crm_graphql.enums import CampaignStatus
from crm_graphql.models.base import MoneyField, SoftDeletable


class Campaign(SoftDeletable):
    """A marketing campaign leads and opportunities name (DOMAIN.md 11)."""

    name = fields.CharField(max_length=200, db_index=True)
    #: Free text, as sales teams name them: Webinar, Trade show, E-mail, Advertising...
    type = fields.CharField(max_length=100, null=True)
    status = fields.CharEnumField(CampaignStatus, max_length=16, default=CampaignStatus.PLANNED)
    start_date = fields.DateField(null=True)
    end_date = fields.DateField(null=True)
    #: What the campaign costs, in its currency (at most the minor units of the currency).
    budget = MoneyField(null=True)
    currency = fields.CharField(max_length=3)
    description = fields.TextField(null=True)

    class Meta:
        table = "campaigns"


__all__ = ["Campaign"]
