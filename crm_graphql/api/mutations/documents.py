"""renderQuoteDocument."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from crm_graphql.api.context import Info
from crm_graphql.api.errors import UserError
from crm_graphql.api.mutations.base import decode_id, decode_optional, run
from crm_graphql.api.types.documents import DocumentType
from crm_graphql.enums import DocumentFormat
from crm_graphql.services import documents, permissions


@strawberry.input(description="The quote to render, the template to render it with, and the file format.")
class RenderQuoteDocumentInput:
    quote_id: strawberry.ID = strawberry.field(description="Global ID of the quote.")
    template_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global ID of a DocumentTemplate; omitted: the built-in template for the format."
    )
    format: DocumentFormat | None = strawberry.field(
        default=None,
        description=(
            "The file format; omitted: the template's own (MARKDOWN for the built-in one). A template renders "
            "into its own format or PDF, a Markdown template also into HTML; another is INVALID."
        ),
    )


@strawberry.type(description="Result of renderQuoteDocument.")
class RenderQuoteDocumentPayload:
    document: DocumentType | None = strawberry.field(default=None, description="The stored document.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Render a quote into a document kept on its opportunity (and the quote): MARKDOWN, HTML, TEXT or "
            "PDF, downloadable from `Document.url`."
        )
    )
    async def render_quote_document(
        self,
        info: Info,
        input: Annotated[RenderQuoteDocumentInput, strawberry.argument(description="What to render.")],
    ) -> RenderQuoteDocumentPayload:
        async def call() -> dict[str, Any]:
            permissions.authorize(info.context.user, "renderQuoteDocument", "Quote")
            quote_id = decode_id(input.quote_id, "Quote", ("input", "quoteId"))
            template_id = decode_optional(input.template_id, "DocumentTemplate", ("input", "templateId"))
            document = await documents.render_quote_document(
                info.context.user, quote_id=quote_id, template_id=template_id, format=input.format
            )
            return {"document": document}

        return await run(RenderQuoteDocumentPayload, call)
