"""Output formats: what a template in one language can be rendered into, and how.

A template renders into its own format, or into PDF; a Markdown template also into HTML.
Markdown becomes HTML through markdown-it-py with raw HTML off (a value escaped for
Markdown stays text), HTML becomes PDF through ``pdf.from_html``, plain text through
``pdf.from_text``.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import escape

from crm_graphql.enums import DocumentFormat
from crm_graphql.errors import Invalid
from crm_graphql.services.documents import pdf

F = DocumentFormat
CONTENT_TYPES = {F.MARKDOWN: "text/markdown", F.HTML: "text/html", F.TEXT: "text/plain", F.PDF: "application/pdf"}
EXTENSIONS = {F.MARKDOWN: "md", F.HTML: "html", F.TEXT: "txt", F.PDF: "pdf"}
#: Formats a template in each language renders into (its own first: the default).
TARGETS = {F.MARKDOWN: (F.MARKDOWN, F.HTML, F.PDF), F.HTML: (F.HTML, F.PDF), F.TEXT: (F.TEXT, F.PDF)}

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
_ALIGN = re.compile(r'(<t[hd]) style="text-align:(left|center|right)">')


def check_target(source: DocumentFormat, target: DocumentFormat) -> None:
    if target not in TARGETS[source]:
        allowed = " or ".join(TARGETS[source])
        raise Invalid(f"A {CONTENT_TYPES[source]} template renders as {allowed}, not {target}.", ("input", "format"))


def markdown_to_html(markdown: str, title: str) -> str:
    # fpdf2 reads align="right", not the style markdown-it writes for `---:` columns; values
    # are escaped by markdown-it, so the attribute can only come from the table syntax.
    body = _ALIGN.sub(r'\1 align="\2">', _markdown.render(markdown))
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def convert(text: str, source: DocumentFormat, target: DocumentFormat, title: str) -> str | bytes:
    """``text`` (rendered in the ``source`` language) in the ``target`` format: a string for
    the text formats, bytes for PDF. CPU-bound for PDF: run it off the event loop."""
    if target == source:
        return text
    if target == F.HTML:
        return markdown_to_html(text, title)
    if source == F.TEXT:
        return pdf.from_text(text, title)
    return pdf.from_html(markdown_to_html(text, title) if source == F.MARKDOWN else text, title)
