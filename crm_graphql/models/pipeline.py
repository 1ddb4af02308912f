from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from tortoise import fields

from crm_graphql.enums import AmountSource, ContactRoleKind, OpportunityStatus, StageKind
from crm_graphql.models.base import Entity, MoneyField, SoftDeletable, single_value
from crm_graphql.models.lines import LineItem

if TYPE_CHECKING:
    from crm_graphql.models.accounts import Account, Contact
    from crm_graphql.models.campaigns import Campaign
    from crm_graphql.models.catalog import Pricebook, PricebookEntry
    from crm_graphql.models.users import User


class Pipeline(Entity):
    """A named sales process with its own ordered stages (DOMAIN.md 11)."""

    name = fields.CharField(max_length=100, unique=True)
    #: The pipeline new opportunities, ``stages`` and ``pipelineSummary`` use when none is named.
    is_default = fields.BooleanField(default=False)

    class Meta:
        table = "pipelines"


class Stage(Entity):
    #: Never null (see Opportunity.pipeline).
    pipeline: fields.ForeignKeyNullableRelation[Pipeline] = fields.ForeignKeyField(
        "models.Pipeline", db_index=True, null=True, related_name="stages", on_delete=fields.CASCADE
    )
    pipeline_id: int | None
    name = fields.CharField(max_length=100)
    #: Pipeline order, ascending.
    position = fields.IntField(default=0)
    probability = fields.IntField(default=0)
    kind = fields.CharEnumField(StageKind, max_length=8, default=StageKind.OPEN)
    #: The open stage new opportunities start in.
    is_default = fields.BooleanField(default=False)

    class Meta:
        table = "stages"


class Opportunity(SoftDeletable):
    title = fields.CharField(max_length=200, db_index=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, related_name="opportunities"
    )
    account_id: int
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", db_index=True, null=True, related_name="opportunities"
    )
    contact_id: int | None
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None
    #: The partner account the deal is assigned to (its PARTNER users see it).
    partner: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    partner_id: int | None
    #: The marketing campaign it came from (DOMAIN.md 11), kept when the campaign is deleted.
    campaign: fields.ForeignKeyNullableRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    campaign_id: int | None
    stage: fields.ForeignKeyRelation[Stage] = fields.ForeignKeyField(
        "models.Stage", db_index=True, related_name="opportunities"
    )
    stage_id: int
    #: Always the stage's pipeline (kept with the stage, so filters and reports group in SQL).
    #: Never null: the services set it with the stage (nullable only so that migration 0006
    #: could add it to existing rows on SQLite; on PostgreSQL the column is NOT NULL).
    pipeline: fields.ForeignKeyNullableRelation[Pipeline] = fields.ForeignKeyField(
        "models.Pipeline", db_index=True, null=True, related_name="opportunities", on_delete=fields.RESTRICT
    )
    pipeline_id: int | None
    status = fields.CharEnumField(OpportunityStatus, max_length=8, default=OpportunityStatus.OPEN)
    probability = fields.IntField(default=0)
    currency = fields.CharField(max_length=3)
    pricebook: fields.ForeignKeyNullableRelation[Pricebook] = fields.ForeignKeyField(
        "models.Pricebook", db_index=True, null=True, related_name=False
    )
    pricebook_id: int | None
    #: The budget entered by hand, kept but ignored while items or an active quote exist.
    manual_amount = MoneyField(null=True)
    #: Derived (see services), stored so that filters and sorts run in SQL.
    amount = MoneyField(null=True, db_index=True)
    amount_source = fields.CharEnumField(AmountSource, max_length=8, default=AmountSource.MANUAL)
    expected_revenue = MoneyField(null=True)
    close_date = fields.DateField(null=True)
    closed_at = fields.DatetimeField(null=True)
    #: When the deal entered its current stage (set with every stage change, win, loss, reopen
    #: and pipeline move). Never null: nullable only so that migration 0009 could add it.
    stage_entered_at = fields.DatetimeField(null=True)
    source = fields.CharField(max_length=100, null=True)
    competitors = fields.CharField(max_length=500, null=True)
    description = fields.TextField(null=True)
    lost_reason = fields.CharField(max_length=500, null=True)
    #: Visible only to the users listed in OpportunityAccess (and the owner) when set.
    is_restricted = fields.BooleanField(default=False)
    #: The contract an upsell opportunity came from (a plain id: quotes and contracts
    #: already point at opportunities, and a foreign key back would make a cycle).
    origin_contract_id = fields.IntField(null=True)

    async def save(self, *args: Any, **kwargs: Any) -> None:
        """A row created straight through the ORM (demo data, fixtures) joins its stage's
        pipeline; the services set ``pipeline_id`` themselves and skip this query. A new row
        enters its stage when it is created."""
        stage_id = getattr(self, "stage_id", None)
        if not self._saved_in_db and getattr(self, "stage_entered_at", None) is None:
            # a new deal enters its first stage as it is created (the same instant)
            self.created_at = self.created_at or datetime.datetime.now(datetime.UTC)
            self.stage_entered_at = self.created_at
        if getattr(self, "pipeline_id", None) is None and stage_id is not None:
            stages = Stage.filter(id=stage_id).using_db(kwargs.get("using_db"))
            self.pipeline_id = await single_value(stages.first().values_list("pipeline_id", flat=True))
        await super().save(*args, **kwargs)

    class Meta:
        table = "opportunities"
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)


class OpportunityAccess(Entity):
    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, related_name="access"
    )
    opportunity_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("models.User", db_index=True, related_name=False)
    user_id: int

    class Meta:
        table = "opportunity_access"
        unique_together = (("opportunity", "user"),)


class OpportunityContactRole(Entity):
    """A contact's business role on a deal: at most one primary per deal, and each contact and
    role once per deal (DOMAIN.md 11)."""

    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, related_name="contact_roles", on_delete=fields.CASCADE
    )
    opportunity_id: int
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", db_index=True, related_name=False, on_delete=fields.CASCADE
    )
    contact_id: int
    role = fields.CharEnumField(ContactRoleKind, max_length=24)
    description = fields.CharField(max_length=500, null=True)
    is_primary = fields.BooleanField(default=False)

    class Meta:
        table = "opportunity_contact_roles"
        unique_together = (("opportunity", "contact", "role"),)


class OpportunityItem(LineItem):
    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, related_name="items"
    )
    opportunity_id: int
    pricebook_entry: fields.ForeignKeyNullableRelation[PricebookEntry] = fields.ForeignKeyField(
        "models.PricebookEntry", db_index=True, null=True, related_name=False
    )
    pricebook_entry_id: int | None

    class Meta:
        table = "opportunity_items"


__all__ = ["Opportunity", "OpportunityAccess", "OpportunityContactRole", "OpportunityItem", "Pipeline", "Stage"]
