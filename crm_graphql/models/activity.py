from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields

from crm_graphql.enums import ActivityType, ConversionKind
from crm_graphql.models.base import Entity

if TYPE_CHECKING:
    from crm_graphql.models.accounts import Account, Contact
    from crm_graphql.models.leads import Lead
    from crm_graphql.models.pipeline import Opportunity
    from crm_graphql.models.quotes import Quote
    from crm_graphql.models.users import User


class Activity(Entity):
    type = fields.CharEnumField(ActivityType, max_length=8)
    subject = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    due_at = fields.DatetimeField(null=True)
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    assignee_id: int | None
    is_done = fields.BooleanField(default=False)
    done_at = fields.DatetimeField(null=True)
    lead: fields.ForeignKeyNullableRelation[Lead] = fields.ForeignKeyField(
        "models.Lead", db_index=True, null=True, related_name="activities"
    )
    lead_id: int | None
    opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, null=True, related_name="activities"
    )
    opportunity_id: int | None
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, null=True, related_name="activities"
    )
    account_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", db_index=True, null=True, related_name="activities"
    )
    contact_id: int | None
    quote: fields.ForeignKeyNullableRelation[Quote] = fields.ForeignKeyField(
        "models.Quote", db_index=True, null=True, related_name="activities"
    )
    quote_id: int | None

    class Meta:
        table = "activities"


class TimelineEvent(Entity):
    """One event on a record's history. ``account_id`` fans it out to the account."""

    subject_type = fields.CharField(max_length=32)
    subject_id = fields.IntField()
    #: The account whose timeline also shows this event (null for the account itself).
    account_id = fields.IntField(null=True, db_index=True)
    #: CREATED, UPDATED, DELETED, RESTORED, STAGE_CHANGED, CONVERTED, WON, ...
    kind = fields.CharField(max_length=32)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    actor_id: int | None
    #: {"changes": {"field": {"old": ..., "new": ...}}, ...}
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "timeline_events"
        indexes = (("subject_type", "subject_id"),)


class LineageLink(Entity):
    """``source`` was converted into ``target``."""

    source_type = fields.CharField(max_length=32)
    source_id = fields.IntField()
    target_type = fields.CharField(max_length=32)
    target_id = fields.IntField()
    kind = fields.CharEnumField(ConversionKind, max_length=32)

    class Meta:
        table = "lineage_links"
        indexes = (("source_type", "source_id"), ("target_type", "target_id"))


class Sequence(Entity):
    """Counters behind human-readable document numbers (Q-00001, SO-00001, ...)."""

    name = fields.CharField(max_length=16, unique=True)
    value = fields.IntField(default=0)

    class Meta:
        table = "sequences"


class IdempotencyKey(Entity):
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("models.User", db_index=True, related_name=False)
    user_id: int
    operation = fields.CharField(max_length=64)
    key = fields.CharField(max_length=200)
    input_hash = fields.CharField(max_length=64)
    #: What the first call returned: {"field": "GlobalTypeName:id", ...}.
    result: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "idempotency_keys"
        unique_together = (("user", "operation", "key"),)
