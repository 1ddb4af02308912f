from __future__ import annotations

from tortoise import fields

from crm_graphql.models.base import Entity


class DocumentTemplate(Entity):
    """A text template with ``{{token}}`` placeholders for rendering quotes."""

    name = fields.CharField(max_length=200)
    #: "text/markdown", "text/html" or "text/plain": the rendered file's type.
    content_type = fields.CharField(max_length=50, default="text/markdown")
    body = fields.TextField()

    class Meta:
        table = "document_templates"


class Document(Entity):
    """A quote rendered from a template, kept as a file attached to the opportunity."""

    name = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=50)
    content = fields.TextField()
    quote = fields.ForeignKeyField("models.Quote", db_index=True, related_name="documents")
    opportunity = fields.ForeignKeyField("models.Opportunity", db_index=True, null=True, related_name="documents")
    template = fields.ForeignKeyField("models.DocumentTemplate", db_index=True, null=True, related_name=False,
                                      on_delete=fields.SET_NULL)  # fmt: skip

    class Meta:
        table = "documents"
