"""DocumentTemplate and Document (a rendered quote)."""

from __future__ import annotations

import strawberry

from crm_graphql import models as m
from crm_graphql.api.relay import model_type
from crm_graphql.api.types.common import Entity, ref_field


@strawberry.type(
    name="DocumentTemplate",
    description="A template with {{tokens}} (customer.name, customer.address, quote.number, items, totals.total...).",
)
class DocumentTemplateType(Entity):
    name: str = strawberry.field(description="Template name.")
    content_type: str = strawberry.field(description="text/markdown, text/html or text/plain.")
    body: str = strawberry.field(description="The template text with {{tokens}}.")
    is_type_of = model_type(m.DocumentTemplate)


@strawberry.type(name="Document", description="A quote rendered from a template, attached to the opportunity.")
class DocumentType(Entity):
    name: str = strawberry.field(description="File name.")
    content_type: str = strawberry.field(description="MIME type of the content.")
    content: str = strawberry.field(description="The rendered text.")
    quote = ref_field("Quote", "quote_id", description="The quote rendered.", required=True)
    opportunity = ref_field("Opportunity", "opportunity_id", description="The opportunity it is attached to.")
    template = ref_field("DocumentTemplate", "template_id", description="The template used (null: the default).")
    is_type_of = model_type(m.Document)

    @strawberry.field(description="Size of the content in bytes (UTF-8).")
    def size(root) -> int:  # type: ignore[no-untyped-def]
        return len(root.content.encode("utf-8"))
