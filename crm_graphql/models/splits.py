"""The lead splitter and revenue splits (DOMAIN.md 11): split rules, a lead's shares, a deal's
revenue splits. Percents are whole numbers summing to 100 per lead, deal and rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields

from crm_graphql.models.base import Entity

if TYPE_CHECKING:
    from crm_graphql.models.leads import Lead
    from crm_graphql.models.pipeline import Opportunity
    from crm_graphql.models.users import User


class LeadSplitRule(Entity):
    """A lead filter (stored as the LeadFilter input it was given) and the shares every matching
    lead without shares gets when the rule runs."""

    name = fields.CharField(max_length=200)
    #: The LeadFilter input as the client wrote it (GraphQL field names), applied when run.
    lead_filter: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    #: [{"user": user id, "percent": whole percent}], in the order given, summing to 100.
    shares: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "lead_split_rules"


class LeadShare(Entity):
    """A user's share of a lead, given by a split rule, carried to the deal on qualification."""

    lead: fields.ForeignKeyRelation[Lead] = fields.ForeignKeyField(
        "models.Lead", db_index=True, related_name="shares", on_delete=fields.CASCADE
    )
    lead_id: int
    #: Null once the user is deleted: the percent stays, so the shares still add up to 100.
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    user_id: int | None
    percent = fields.IntField()
    #: Order of the shares as given (ties of the largest remainder go to the earlier one).
    position = fields.IntField(default=0)
    #: The rule that gave it (null once the rule is deleted).
    rule: fields.ForeignKeyNullableRelation[LeadSplitRule] = fields.ForeignKeyField(
        "models.LeadSplitRule", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    rule_id: int | None

    class Meta:
        table = "lead_shares"
        unique_together = (("lead", "user"),)


class RevenueSplit(Entity):
    """A user's share of a deal's amount: the amount is computed at read time by largest
    remainder from the deal's current amount."""

    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, related_name="revenue_splits", on_delete=fields.CASCADE
    )
    opportunity_id: int
    #: Null once the user is deleted: the percent stays, so the shares still add up to 100.
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    user_id: int | None
    percent = fields.IntField()
    position = fields.IntField(default=0)

    class Meta:
        table = "revenue_splits"
        unique_together = (("opportunity", "user"),)


__all__ = ["LeadShare", "LeadSplitRule", "RevenueSplit"]
