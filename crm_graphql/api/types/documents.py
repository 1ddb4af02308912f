"""DocumentTemplate and Document (a rendered quote)."""

from __future__ import annotations

import strawberry

from crm_graphql import models as m
from crm_graphql.api import downloads
from crm_graphql.api.context import Info
from crm_graphql.api.fields import field
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.common import Entity, ref_field
from crm_graphql.enums import DocumentFormat
from crm_graphql.services import documents
from crm_graphql.services.documents import templating


@strawberry.type(
    name="DocumentTemplate",
    description=(
        "A Jinja2 template a quote renders into a document with: `{{ quote.number }}`, "
        "`{% for item in items %}...{% endfor %}`, `{% if totals.hasRounding %}...{% endif %}`. "
        "Templates run sandboxed: only the names of the quote context, `if`, `for`, comparisons, `~` and "
        "a few filters (upper, lower, title, capitalize, trim, default, length, first, last); every value "
        "is escaped for the template's content type."
    ),
)
class DocumentTemplateType(Entity):
    name: str = strawberry.field(description="Template name.")
    content_type: str = strawberry.field(
        description="The template's language: text/markdown, text/html or text/plain (values escaped for it)."
    )
    body: str = strawberry.field(
        description=(
            "The template text. Names: customer (name address vatNumber), contact.name, quote (number revision "
            "name description validFrom validUntil validity), currency, items (a list: name description quantity "
            "unit unitPrice discountPercent taxRate lineTotal), totals (subtotal discountPercent discount "
            "hasDiscount net taxes (a list: rate amount) tax rounding hasRounding total); loop.index and friends "
            "inside a loop. Unknown names are refused when the template is saved."
        )
    )
    is_type_of = model_type(m.DocumentTemplate)

    @field(description="The format this template renders into unless renderQuoteDocument asks for another.")
    @staticmethod
    def format(root: m.DocumentTemplate) -> DocumentFormat:
        return templating.SOURCE_FORMATS.get(root.content_type, DocumentFormat.MARKDOWN)


@strawberry.type(name="Document", description="A quote rendered from a template, attached to the opportunity.")
class DocumentType(Entity):
    name: str = strawberry.field(description="Document name (the file name without its extension).")
    format: DocumentFormat = strawberry.field(description="The file format.")
    content_type: str = strawberry.field(description="MIME type of the file.")
    content: str | None = strawberry.field(
        description="The rendered text for MARKDOWN, HTML and TEXT documents; null for PDF (download it from `url`)."
    )
    size: int = strawberry.field(description="Size of the file in bytes (the UTF-8 encoded content, or the PDF).")
    quote = ref_field("Quote", "quote_id", description="The quote rendered.", required=True)
    opportunity = ref_field("Opportunity", "opportunity_id", description="The opportunity it is attached to.")
    template = ref_field("DocumentTemplate", "template_id", description="The template used (null: the default).")
    is_type_of = model_type(m.Document)

    @field(description="File name for saving the document, with the format's extension (`.pdf`, `.md`...).")
    @staticmethod
    def file_name(root: m.Document) -> str:
        return documents.file_name(root)

    @field(
        description=(
            "Absolute URL the file downloads from: GET it with the same `Authorization: Bearer <token>` header "
            "as /graphql. Answers the file with its content type and file name (Content-Disposition), 401 without "
            "a valid token, 404 when the document is missing or hidden from the user (as its quote)."
        )
    )
    @staticmethod
    def url(root: m.Document, info: Info) -> str:
        path = downloads.path_of(root)
        request = info.context.request
        if request is None:
            return path
        return str(request.base_url).rstrip("/") + path
