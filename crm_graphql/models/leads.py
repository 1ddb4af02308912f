from __future__ import annotations

from tortoise import fields

from crm_graphql.enums import LeadStatus
from crm_graphql.models.base import SoftDeletable


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
    owner = fields.ForeignKeyField("models.User", db_index=True, null=True, related_name=False)
    #: The partner account the lead is assigned to (its PARTNER users see it).
    partner = fields.ForeignKeyField(
        "models.Account", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    #: The marketing campaign it came from (DOMAIN.md 11), kept when the campaign is deleted.
    campaign = fields.ForeignKeyField(
        "models.Campaign", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    converted_account = fields.ForeignKeyField("models.Account", db_index=True, null=True, related_name=False)
    converted_contact = fields.ForeignKeyField("models.Contact", db_index=True, null=True, related_name=False)
    converted_opportunity = fields.ForeignKeyField("models.Opportunity", db_index=True, null=True, related_name=False)

    class Meta:
        table = "leads"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)
