"""PDF typesetting: fpdf2 (pure Python, installs from PyPI alone) with Unicode fonts.

fpdf2's built-in PDF fonts only know Latin-1, so "€" or "Łódź" would not print. The fonts
come from the ``pymupdf-fonts`` package (Noto Sans for text, Cascadia Mono for plain-text
documents, both TrueType; SIL Open Font License): nothing is committed to this repository and nothing
comes from the system. fpdf2 wants font files, so each process writes them once into a
private temporary directory (removed at exit); fpdf2 embeds only the glyphs a document
uses.

HTML goes through fpdf2's ``write_html`` without images: an ``<img>`` in a template would
make the server fetch a URL or read a local file.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import pymupdf_fonts
from fpdf import FPDF
from fpdf.errors import FPDFException
from fpdf.fonts import FontFace, TextStyle
from fpdf.html import DEFAULT_TAG_STYLES, HTML2FPDF

from crm_graphql.errors import Invalid

SANS = "NotoSans"
MONO = "CascadiaMono"
_FONTS = {
    (SANS, ""): "notos", (SANS, "B"): "notosbo", (SANS, "I"): "notosit", (SANS, "BI"): "notosbi",
    (MONO, ""): "cascadia", (MONO, "B"): "cascadiab",
}  # fmt: skip
_lock = threading.Lock()

# fontTools reports every table it does not subset (harmless) at WARNING level.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


_files: dict[tuple[str, str], Path] = {}


def _font_files() -> dict[tuple[str, str], Path]:
    with _lock:
        if not _files:
            directory = Path(tempfile.mkdtemp(prefix="crm-graphql-fonts-"))
            atexit.register(shutil.rmtree, directory, True)
            for (family, style), key in _FONTS.items():
                path = directory / f"{family}-{style or 'R'}.ttf"
                path.write_bytes(pymupdf_fonts.fontbuffers[key]())
                _files[(family, style)] = path
        return _files


class _SafeHTML(HTML2FPDF):
    """``write_html`` that ignores ``<img>`` (and ``<toc>``)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("img", "toc"):
            super().handle_starttag(tag, attrs)


class _Pdf(FPDF):
    HTML2FPDF_CLASS = _SafeHTML

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        for (family, style), path in _font_files().items():
            self.add_font(family, style, path)
        self.set_title(title)
        self.set_creator("crm-graphql")
        self.set_auto_page_break(True, margin=15)
        self.alias_nb_pages()
        self.add_page()

    def image(self, *args: Any, **kwargs: Any) -> Any:
        raise Invalid("Documents cannot contain images.", ("input", "templateId"))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(SANS, "", 8)
        self.cell(0, 6, f"{self.title} - page {self.page_no()}/{{nb}}", align="C")


_TAG_STYLES = {
    **DEFAULT_TAG_STYLES,
    "code": FontFace(family=MONO),
    "pre": TextStyle(t_margin=4, font_family=MONO),
    "p": TextStyle(b_margin=2),
    **{h: TextStyle(color="#222222", b_margin=1, font_size_pt=size, t_margin=4)
       for h, size in (("h1", 18), ("h2", 15), ("h3", 13), ("h4", 12), ("h5", 11), ("h6", 10))},
}  # fmt: skip


def _output(pdf: _Pdf) -> bytes:
    return bytes(pdf.output())


def from_html(html: str, title: str) -> bytes:
    """A PDF typeset from HTML (headings, paragraphs, bold/italic, lists, tables)."""
    pdf = _Pdf(title)
    pdf.set_font(SANS, "", 9)
    try:
        pdf.write_html(html, font_family=SANS, tag_styles=_TAG_STYLES, warn_on_tags_not_matching=False)
        return _output(pdf)
    except (FPDFException, ValueError, KeyError, IndexError) as exc:
        raise Invalid(f"The document cannot be typeset as PDF: {exc}", ("input", "templateId")) from None


def from_text(text: str, title: str) -> bytes:
    """A PDF of plain text in a monospaced font, lines kept as they are (long ones wrap)."""
    pdf = _Pdf(title)
    pdf.set_font(MONO, "", 9)
    pdf.multi_cell(0, 4.5, text)
    return _output(pdf)
