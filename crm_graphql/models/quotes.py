from __future__ import annotations

from tortoise import fields

from crm_graphql.enums import QuoteStatus
from crm_graphql.models.lines import DocumentTotals, LineItem


class Quote(DocumentTotals):
    #: Human-facing number ("Q-00042"), allocated by services.numbering, shared by revisions.
    number = fields.CharField(max_length=32, db_index=True)
    revision = fields.IntField(default=1)
    name = fields.CharField(max_length=200)
    account = fields.ForeignKeyField("models.Account", db_index=True, related_name="quotes")
    contact = fields.ForeignKeyField("models.Contact", db_index=True, null=True, related_name=False)
    opportunity = fields.ForeignKeyField("models.Opportunity", db_index=True, null=True, related_name="quotes")
    pricebook = fields.ForeignKeyField("models.Pricebook", db_index=True, null=True, related_name=False)
    owner = fields.ForeignKeyField("models.User", db_index=True, null=True, related_name=False)
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
    quote = fields.ForeignKeyField("models.Quote", db_index=True, related_name="items")
    pricebook_entry = fields.ForeignKeyField("models.PricebookEntry", db_index=True, null=True, related_name=False)

    class Meta:
        table = "quote_items"
