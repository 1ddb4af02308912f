from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from crm_graphql.enums import QuoteStatus
from crm_graphql.models.lines import DocumentTotals, LineItem

if TYPE_CHECKING:
    from crm_graphql.models.accounts import Account, Contact
    from crm_graphql.models.catalog import Pricebook, PricebookEntry
    from crm_graphql.models.pipeline import Opportunity
    from crm_graphql.models.users import User


class Quote(DocumentTotals):
    #: Human-facing number ("Q-00042"), allocated by services.numbering, shared by revisions.
    number = fields.CharField(max_length=32, db_index=True)
    revision = fields.IntField(default=1)
    name = fields.CharField(max_length=200)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", db_index=True, related_name="quotes"
    )
    account_id: int
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", db_index=True, null=True, related_name=False
    )
    contact_id: int | None
    opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, null=True, related_name="quotes"
    )
    opportunity_id: int | None
    pricebook: fields.ForeignKeyNullableRelation[Pricebook] = fields.ForeignKeyField(
        "models.Pricebook", db_index=True, null=True, related_name=False
    )
    pricebook_id: int | None
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", db_index=True, null=True, related_name=False
    )
    owner_id: int | None
    status = fields.CharEnumField(QuoteStatus, max_length=10, default=QuoteStatus.DRAFT)
    #: The opportunity's active quote (at most one per opportunity).
    is_active = fields.BooleanField(default=False)
    #: Set when a newer revision replaced this one: read-only from then on.
    superseded_at = fields.DatetimeField(null=True)
    valid_from = fields.DateField(null=True)
    valid_until = fields.DateField(null=True)
    description = fields.TextField(null=True)
    #: Once-only conversions, claimed with a conditional UPDATE.
    ordered_at = fields.DatetimeField(null=True)
    invoiced_at = fields.DatetimeField(null=True)

    class Meta:
        table = "quotes"
        unique_together = (("number", "revision"),)
        #: Keyset pages in the default order walk this index instead of sorting the table.
        indexes = (("deleted_at", "created_at", "id"),)


class QuoteItem(LineItem):
    quote: fields.ForeignKeyRelation[Quote] = fields.ForeignKeyField(
        "models.Quote", db_index=True, related_name="items"
    )
    quote_id: int
    pricebook_entry: fields.ForeignKeyNullableRelation[PricebookEntry] = fields.ForeignKeyField(
        "models.PricebookEntry", db_index=True, null=True, related_name=False
    )
    pricebook_entry_id: int | None

    class Meta:
        table = "quote_items"
