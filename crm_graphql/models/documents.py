from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from crm_graphql.enums import DocumentFormat
from crm_graphql.models.base import Entity

if TYPE_CHECKING:
    from crm_graphql.models.pipeline import Opportunity
    from crm_graphql.models.quotes import Quote


class DocumentTemplate(Entity):
    """A Jinja2 template (sandboxed, services.documents.templating) for rendering quotes."""

    name = fields.CharField(max_length=200)
    #: "text/markdown", "text/html" or "text/plain": the rendered file's type.
    content_type = fields.CharField(max_length=50, default="text/markdown")
    body = fields.TextField()

    class Meta:
        table = "document_templates"


class Document(Entity):
    """A quote rendered from a template, kept as a file attached to the opportunity."""

    name = fields.CharField(max_length=200)
    #: A database default too, so the column can be added to a table that has rows.
    format = fields.CharEnumField(
        DocumentFormat, max_length=10, default=DocumentFormat.MARKDOWN, db_default=DocumentFormat.MARKDOWN
    )
    content_type = fields.CharField(max_length=50)
    #: The rendered text of a text format; null for a PDF (its bytes are in DocumentFile).
    content = fields.TextField(null=True)
    #: Bytes of the file (the UTF-8 encoded content, or the PDF).
    size = fields.IntField(default=0, db_default=0)
    quote: fields.ForeignKeyRelation[Quote] = fields.ForeignKeyField(
        "models.Quote", db_index=True, related_name="documents"
    )
    quote_id: int
    opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", db_index=True, null=True, related_name="documents"
    )
    opportunity_id: int | None
    template: fields.ForeignKeyNullableRelation[DocumentTemplate] = fields.ForeignKeyField(
        "models.DocumentTemplate", db_index=True, null=True, related_name=False, on_delete=fields.SET_NULL
    )
    template_id: int | None

    class Meta:
        table = "documents"


class DocumentFile(Model):
    """The bytes of a binary document (a PDF), apart from Document so lists stay light."""

    id = fields.IntField(primary_key=True)
    document: fields.OneToOneRelation[Document] = fields.OneToOneField(
        "models.Document", related_name=False, on_delete=fields.CASCADE
    )
    document_id: int
    data = fields.BinaryField()

    class Meta:
        table = "document_files"
