"""Render a quote into a document: a Jinja2 template in a sandbox (``templating``) over
what the customer must see (``figures``), in any ``DocumentFormat`` (``formats``, ``pdf``).

The document is kept, attached to the quote's opportunity, and lands on both timelines.
Text formats are stored in ``Document.content``; a PDF in ``DocumentFile`` (so lists of
documents do not read files). Every document downloads from ``/documents/<id>``
(``api.downloads``). Without a template, the built-in one for the format is used
(``defaults``); with one, ``format`` defaults to the template's own.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import DocumentFormat
from crm_graphql.errors import Conflict, Invalid, NotFound
from crm_graphql.services import access, timeline
from crm_graphql.services.documents import defaults, figures, formats, templating

#: Without a template: the built-in template language for each format.
_DEFAULT_SOURCE = {
    DocumentFormat.MARKDOWN: DocumentFormat.MARKDOWN,
    DocumentFormat.HTML: DocumentFormat.HTML,
    DocumentFormat.TEXT: DocumentFormat.TEXT,
    DocumentFormat.PDF: DocumentFormat.HTML,
}


def check_template(body: str, content_type: str) -> None:
    if content_type not in templating.SOURCE_FORMATS:
        raise Invalid(
            f"contentType is one of {', '.join(sorted(templating.SOURCE_FORMATS))}.", ("input", "contentType")
        )
    templating.check_template(body)


async def template_before_create(conn: BaseDBAsyncClient, actor: Actor, data: dict[str, Any]) -> None:
    data["content_type"] = data.get("content_type") or "text/markdown"
    check_template(data["body"], data["content_type"])


async def template_before_update(
    conn: BaseDBAsyncClient, actor: Actor, row: m.DocumentTemplate, data: dict[str, Any]
) -> None:
    check_template(data.get("body") or row.body, data.get("content_type") or row.content_type)


def file_name(document: m.Document) -> str:
    return f"{document.name}.{formats.EXTENSIONS[DocumentFormat(document.format)]}"


async def render_quote_document(
    actor: Actor, *, quote_id: int, template_id: int | None, format: DocumentFormat | None = None
) -> m.Document:
    """Render and store the document; raises NotFound, or Invalid for a format the template
    does not render into or a template that cannot render (nothing is written then)."""
    # Typesetting (a PDF can take a second) runs outside the transaction, so it never holds
    # SQLite's write lock; the write below checks again and refuses a quote changed meanwhile.
    quote = await access.load_for_write(None, actor, m.Quote, quote_id, ("input", "quoteId"))
    template = None
    if template_id is not None:
        template = await m.DocumentTemplate.filter(id=template_id).first()
        if template is None:
            raise NotFound("No DocumentTemplate with this id.", ("input", "templateId"))
    source: DocumentFormat | None
    if template is None:
        target = format or DocumentFormat.MARKDOWN
        source, body = _DEFAULT_SOURCE[target], defaults.TEMPLATES[_DEFAULT_SOURCE[target]]
    else:
        source = templating.SOURCE_FORMATS.get(template.content_type)
        if source is None:
            raise Invalid(f"The template's contentType {template.content_type!r} is unknown.", ("input", "templateId"))
        target, body = format or source, template.body
    formats.check_target(source, target)
    account = await m.Account.get(id=quote.account_id)
    contact = await m.Contact.filter(id=quote.contact_id).first() if quote.contact_id else None
    items = await m.QuoteItem.filter(quote_id=quote.id).order_by("position", "id")
    name = f"Quote {quote.number}-{quote.revision}"
    text = templating.render(body, source, figures.quote_context(quote, account, contact, items))
    output = (
        await asyncio.to_thread(formats.convert, text, source, target, name)
        if target == DocumentFormat.PDF
        else formats.convert(text, source, target, name)
    )
    data = output if isinstance(output, bytes) else output.encode("utf-8")
    async with in_transaction() as conn:
        current = await access.load_for_write(conn, actor, m.Quote, quote_id, ("input", "quoteId"))
        if current.version != quote.version:
            raise Conflict(
                "The quote changed while its document was being rendered; render it again.", ("input", "quoteId")
            )
        document = await m.Document.create(
            using_db=conn,
            name=name,
            format=target,
            content_type=formats.CONTENT_TYPES[target],
            content=None if isinstance(output, bytes) else output,
            size=len(data),
            quote_id=quote.id,
            opportunity_id=quote.opportunity_id,
            template_id=template.id if template else None,
        )
        if isinstance(output, bytes):
            await m.DocumentFile.create(using_db=conn, document_id=document.id, data=output)
        await timeline.record(conn, quote, "DOCUMENT_RENDERED", actor, {"document": document})
        if quote.opportunity_id is not None:
            opportunity = await m.Opportunity.get(id=quote.opportunity_id, using_db=conn)
            await timeline.record(conn, opportunity, "DOCUMENT_RENDERED", actor, {"document": document})
    return document


async def download(actor: Actor, document_id: int) -> tuple[m.Document, bytes] | None:
    """A document the actor may see (its quote's visibility), with the file's bytes; None
    when it is missing or hidden."""
    document = await access.get_visible(m.Document, actor, document_id)
    if document is None:
        return None
    if document.content is not None:
        return document, document.content.encode("utf-8")
    file = await m.DocumentFile.filter(document_id=document.id).first()
    return (document, bytes(file.data)) if file is not None else None
