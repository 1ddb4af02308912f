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
import time
from pathlib import Path
from typing import Any

import pymupdf_fonts
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.errors import FPDFException
from fpdf.fonts import FontFace, TextStyle
from fpdf.html import DEFAULT_TAG_STYLES, HTML2FPDF

from crm_graphql.errors import Invalid

SANS = "NotoSans"
MONO = "CascadiaMono"
_FONTS = {
    (SANS, ""): "notos",
    (SANS, "B"): "notosbo",
    (SANS, "I"): "notosit",
    (SANS, "BI"): "notosbi",
    (MONO, ""): "cascadia",
    (MONO, "B"): "cascadiab",
}
_lock = threading.Lock()
_DROPPED_ATTRIBUTES = frozenset({"style", "size", "face", "line-height"})
#: A runaway layout stops here instead of filling the disk or holding a core.
MAX_PAGES = 200
MAX_SECONDS = 10.0
#: fpdf2 lays out ~20,000 characters a second here: what a PDF may be made from.
MAX_CHARS = 100_000

_log = logging.getLogger(__name__)
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


def _check_time(pdf: Any) -> None:
    if time.monotonic() > pdf.deadline:
        raise Invalid(f"The document takes longer than {MAX_SECONDS:g} seconds to typeset.", ("input", "templateId"))


class _SafeHTML(HTML2FPDF):
    """``write_html`` without ``<img>`` and ``<toc>``, and without the attributes that pick
    fonts or sizes (a 999 pt font sends fpdf2 into endless page breaks; another face has
    no "€")."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        _check_time(self.pdf)
        if tag not in ("img", "toc"):
            super().handle_starttag(tag, [(k, v) for k, v in attrs if k not in _DROPPED_ATTRIBUTES])

    def handle_endtag(self, tag: str) -> None:
        _check_time(self.pdf)
        super().handle_endtag(tag)


class _Pdf(FPDF):
    HTML2FPDF_CLASS = _SafeHTML

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self._added: set[tuple[str, str]] = set()
        self.label = title
        self.deadline = time.monotonic() + MAX_SECONDS
        self.set_creator("crm-graphql")
        self.set_auto_page_break(True, margin=15)
        self.alias_nb_pages()
        self.add_page()

    def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
        """Add our fonts on first use: parsing one costs ~0.1 s, and most documents use two."""
        _check_time(self)
        name = (family or self.font_family or "").lower()
        emphasis = style.style if isinstance(style, TextEmphasis) else str(style or "")
        wanted = (name, "".join(c for c in "BI" if c in emphasis.upper()))
        if wanted not in self._added:
            for (font, font_style), path in _font_files().items():
                if (font.lower(), font_style) == wanted:
                    self.add_font(font, font_style, path)
                    self._added.add(wanted)
        super().set_font(family, style, size)

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        _check_time(self)
        if self.page >= MAX_PAGES:
            raise Invalid(f"The document is longer than {MAX_PAGES} pages.", ("input", "templateId"))
        super().add_page(*args, **kwargs)

    def image(self, *args: Any, **kwargs: Any) -> Any:
        raise Invalid("Documents cannot contain images.", ("input", "templateId"))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(SANS, "", 8)
        self.cell(0, 6, f"{self.label} - page {self.page_no()}/{{nb}}", align="C")


_TAG_STYLES = {
    **DEFAULT_TAG_STYLES,
    "code": FontFace(family=MONO),
    "pre": TextStyle(t_margin=4, font_family=MONO),
    "p": TextStyle(b_margin=2),
    **{
        h: TextStyle(color="#222222", b_margin=1, font_size_pt=size, t_margin=4)
        for h, size in (("h1", 18), ("h2", 15), ("h3", 13), ("h4", 12), ("h5", 11), ("h6", 10))
    },
}


def _output(pdf: _Pdf) -> bytes:
    if not pdf.title:  # an HTML <title> sets it
        pdf.set_title(pdf.label)
    return bytes(pdf.output())


def _check_size(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise Invalid(
            f"The document is too long for a PDF ({len(text)} characters, at most {MAX_CHARS}).",
            ("input", "templateId"),
        )


def _close_fonts(pdf: _Pdf) -> None:
    """fontTools keeps each font file open (lazy loading) until garbage collection."""
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def from_html(html: str, title: str) -> bytes:
    """A PDF typeset from HTML (headings, paragraphs, bold/italic, lists, tables)."""
    _check_size(html)
    pdf = _Pdf(title)
    try:
        pdf.set_font(SANS, "B", 9)  # table headings look for the bold face without setting it
        pdf.set_font(SANS, "", 9)
        pdf.write_html(html, font_family=SANS, tag_styles=_TAG_STYLES, warn_on_tags_not_matching=False)
        return _output(pdf)
    except Invalid:
        raise
    except Exception as exc:  # fpdf2 raises what it likes on HTML it cannot lay out: the template's HTML
        _log.info("PDF typesetting failed", exc_info=True)
        detail = f": {exc}" if isinstance(exc, (FPDFException, NotImplementedError)) else ""
        raise Invalid(f"The document cannot be typeset as PDF{detail}", ("input", "templateId")) from None
    finally:
        _close_fonts(pdf)


def from_text(text: str, title: str) -> bytes:
    """A PDF of plain text in a monospaced font, lines kept as they are (long ones wrap)."""
    _check_size(text)
    pdf = _Pdf(title)
    try:
        pdf.set_font(MONO, "", 9)
        for line in text.splitlines():
            _check_time(pdf)
            if line.strip():
                pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(4.5)
        return _output(pdf)
    finally:
        _close_fonts(pdf)
