"""renderQuoteDocument."""

from __future__ import annotations

import strawberry

from crm_graphql import models as m
from crm_graphql.api.context import Info
from crm_graphql.api.mutations.base import Payload, mutation, out, ref
from crm_graphql.api.types.documents import DocumentType
from crm_graphql.enums import DocumentFormat
from crm_graphql.services import documents


@strawberry.input(description="The quote to render, the template to render it with, and the file format.")
class RenderQuoteDocumentInput:
    quote_id: int = ref("Quote", "Global ID of the quote.")
    template_id: int | None = ref(
        "DocumentTemplate",
        "Global ID of a DocumentTemplate; omitted: the built-in template for the format.",
        default=None,
    )
    format: DocumentFormat | None = strawberry.field(
        default=None,
        description=(
            "The file format; omitted: the template's own (MARKDOWN for the built-in one). A template renders "
            "into its own format or PDF, a Markdown template also into HTML; another is INVALID."
        ),
    )


@strawberry.type(description="Result of renderQuoteDocument.")
class RenderQuoteDocumentPayload(Payload):
    document: m.Document | None = out("The stored document.", of=DocumentType)


@strawberry.type
class Mutation:
    @mutation(
        on="Quote",
        description=(
            "Render a quote into a document kept on its opportunity (and the quote): MARKDOWN, HTML, TEXT or "
            "PDF, downloadable from `Document.url`."
        ),
        input_doc="What to render.",
    )
    async def render_quote_document(self, info: Info, input: RenderQuoteDocumentInput) -> RenderQuoteDocumentPayload:
        document = await documents.render_quote_document(
            info.context.actor, quote_id=input.quote_id, template_id=input.template_id, format=input.format
        )
        return RenderQuoteDocumentPayload(document=document)
