from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from crm_graphql.enums import LeadStatus
from crm_graphql.models.base import SoftDeletable

if TYPE_CHECKING:
    from crm_graphql.models.accounts import Account, Contact
    from crm_graphql.models.campaigns import Campaign
    from crm_graphql.models.pipeline import Opportunity
    from crm_graphql.models.users import User


class Lead(SoftDeletable):
    first_name = fields.CharField(max_length=100, null=True)
    last_name = fields.CharField(max_length=100, null=True)
    company = fields.CharField(max_length=200, null=True)
    title = fields.CharField(max_length=100, null=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    source = fields.CharField(max_length=100, null=True)
    description = fields.TextField(null=True)
    status = fields.CharEnumField(LeadStatus, max_length=16, default=LeadStatus.NEW)
    is_archived = fields.BooleanField(default=False)
    disqualified_reason = fields.CharField(max_length=500, null=True)
    #: Set by anonymizeLead: personal fields are erased for good.
    anonymized_at = fields.DatetimeField(null=True)
    qualified_at = fields.DatetimeField(null=True)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None
    #: The partner account the lead is assigned to (its PARTNER users see it).
    partner: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    partner_id: int | None
    #: The marketing campaign it came from (DOMAIN.md 11), kept when the campaign is deleted.
    campaign: fields.ForeignKeyNullableRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    campaign_id: int | None
    converted_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, null=True, related_name=False
    )
    converted_account_id: int | None
    converted_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", db_index=True, null=True, related_name=False
    )
    converted_contact_id: int | None
    converted_opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, null=True, related_name=False
    )
    converted_opportunity_id: int | None

    class Meta:
        table = "leads"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)
