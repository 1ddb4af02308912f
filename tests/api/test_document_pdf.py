"""renderQuoteDocument(format: PDF): what a customer must see (DOMAIN.md 4), read back from
the PDF file downloaded from Document.url, its text extracted with pypdf."""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from factories import mutate, quote_with_lines
from pypdf import PdfReader

from crm_graphql import models as m
from crm_graphql.services import demo

CENT = Decimal("0.01")

RENDER = """mutation RenderQuoteDocument($input: RenderQuoteDocumentInput!) {
  renderQuoteDocument(input: $input) {
    document { id name format contentType content size fileName url }
    userErrors { field message code }
  }
}"""
QUOTE = """query($id: ID!) { quote(id: $id) {
  number subtotal discountTotal taxTotal total
  items(first: 20) { nodes { name quantity unit unitPrice discountPercent taxRate lineTotal source } }
} }"""

# Four lines at three tax rates, line discounts, a 5 % document discount, rounded to 1:
#   Laptop Pro 14     2 x 999.50 -10 % = 1799.10; tax 20 % of 1799.10 x 0.95 = 341.8290 -> 341.83
#   Wartung Müller €  12 x 49.90       =  598.80; tax  7 % of  598.80 x 0.95 =  39.8202 ->  39.82
#   Dock <USB-C>      3 x 129.99 -15 % =  331.47; tax 19 % of  331.47 x 0.95 =  59.8303 ->  59.83
#   Cable             5 x 9.99         =   49.95; tax 20 % of   49.95 x 0.95 =   9.4905 ->   9.49
#   subtotal 2779.32, discount 5 % 138.97, net 2640.35, tax 450.97 (7 %: 39.82, 19 %: 59.83,
#   20 %: 351.32), before rounding 3091.32, rounding -0.32, total 3091.00.
LINES = [
    {"name": "Laptop Pro 14", "quantity": "2", "unitPrice": "999.50", "discountPercent": "10", "taxRate": "20"},
    {"name": "Wartung Müller €", "quantity": "12", "unit": "month", "unitPrice": "49.90", "taxRate": "7"},
    {"name": "Dock <USB-C>", "quantity": "3", "unitPrice": "129.99", "discountPercent": "15", "taxRate": "19"},
    {"name": "Cable", "quantity": "5", "unitPrice": "9.99", "taxRate": "20"},
]
ROWS = [
    "Laptop Pro 14 2 pcs 999.50 10 % 20 % 1799.10",
    "Wartung Müller € 12 month 49.90 0 % 7 % 598.80",
    "Dock <USB-C> 3 pcs 129.99 15 % 19 % 331.47",
    "Cable 5 pcs 9.99 0 % 20 % 49.95",
]
TOTALS = [
    "Subtotal 2779.32",
    "Document discount (5 %) -138.97",
    "Net total 2640.35",
    "Tax 7 % 39.82",
    "Tax 19 % 59.83",
    "Tax 20 % 351.32",
    "Rounding -0.32",
    "Total 3091.00",
]


async def _demo_quote(gql: Any) -> dict[str, str]:
    return await quote_with_lines(
        gql,
        LINES,
        account={"name": "Müller & Söhne <GmbH>", "street": "Hauptstraße 5", "postalCode": "10115", "city": "Berlin"},
        quote={"name": "Laptops für Berlin", "discountPercent": "5", "validUntil": "2027-01-31"},
        round_to="1",
    )


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages)


async def test_pdf_shows_every_line_and_the_totals_to_the_cent(gql, client) -> None:
    # given a demo-like quote: discounts, three tax rates, a document discount, a rounding line
    ids = await _demo_quote(gql)
    quote = (await gql(QUOTE, {"id": ids["quote"]}))["quote"]
    # when it is rendered as PDF with the built-in template
    data = (await gql(RENDER, {"input": {"quoteId": ids["quote"], "format": "PDF"}}))["renderQuoteDocument"]
    # then it is a PDF document without text content, downloadable from its url
    assert data["userErrors"] == []
    doc = data["document"]
    assert (doc["format"], doc["contentType"], doc["content"]) == ("PDF", "application/pdf", None)
    assert doc["fileName"] == f"Quote {quote['number']}-1.pdf"
    response = await client.get(doc["url"], headers={"Authorization": f"Bearer {gql.token}"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-") and len(response.content) == doc["size"]
    text = _text(response.content)
    # and it shows the customer (non-ASCII and markup characters as text) and the validity
    assert "Müller & Söhne <GmbH>" in text and "Hauptstraße 5, 10115 Berlin" in text
    assert "Laptops für Berlin, valid until 31 Jan 2027." in text
    # and every line with quantity, unit, unit price, discount, tax rate and line total
    for row in ROWS:
        assert row in text, (row, text)
    # and subtotal, discount, net, tax per rate, rounding and total, to the cent
    for total in TOTALS:
        assert total in text, (total, text)
    # which are the quote's own figures (the rounding line is not one of the items shown)
    assert (quote["subtotal"], quote["discountTotal"], quote["taxTotal"], quote["total"]) == (
        "2779.32",
        "138.97",
        "450.97",
        "3091.00",
    )
    shown = [n for n in quote["items"]["nodes"] if n["source"] != "ROUNDING"]
    assert [n["lineTotal"] for n in shown] == ["1799.10", "598.80", "331.47", "49.95"]
    assert text.count("Rounding") == 1  # in the totals, not among the items


async def test_pdf_from_markdown_and_text_templates(gql, client) -> None:
    # given the demo quote and a Markdown and a plain-text template of the user's
    ids = await _demo_quote(gql)
    markdown = await gql(
        """mutation($input: CreateDocumentTemplateInput!) { createDocumentTemplate(input: $input) {
             documentTemplate { id format } userErrors { field message code } } }""",
        {
            "input": {
                "name": "Short",
                "body": "# {{ customer.name }}\n\n| Item | Total |\n|---|---:|\n"
                "{% for item in items %}| {{ item.name }} | {{ item.lineTotal }} |\n{% endfor %}\n"
                "**Total {{ totals.total }} {{ currency }}**\n",
            }
        },
    )
    template = markdown["createDocumentTemplate"]["documentTemplate"]
    assert template["format"] == "MARKDOWN"
    text_template = await gql(
        """mutation($input: CreateDocumentTemplateInput!) { createDocumentTemplate(input: $input) {
             documentTemplate { id format } userErrors { field message code } } }""",
        {
            "input": {
                "name": "Plain",
                "contentType": "text/plain",
                "body": "{% for item in items %}{{ item.name }} = {{ item.lineTotal }}\n{% endfor %}",
            }
        },
    )
    plain = text_template["createDocumentTemplate"]["documentTemplate"]
    # when each is rendered as PDF
    texts = []
    for template_id in (template["id"], plain["id"]):
        data = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": template_id, "format": "PDF"}})
        doc = data["renderQuoteDocument"]["document"]
        response = await client.get(doc["url"], headers={"Authorization": f"Bearer {gql.token}"})
        texts.append(_text(response.content))
    # then the Markdown became a typeset table (markup gone, values as text), the text kept its lines
    assert "Müller & Söhne <GmbH>" in texts[0] and "Dock <USB-C> 331.47" in texts[0]
    assert "Total 3091.00 EUR" in texts[0] and "|" not in texts[0] and "**" not in texts[0]
    assert "Wartung Müller € = 598.80" in texts[1] and "Cable = 49.95" in texts[1]


DEMO_QUOTES = """{ quotes(first: 100, filter: {status: {eq: DRAFT}}) { nodes {
  id isLocked discountPercent items(first: 1) { totalCount } } } }"""


def _tax_per_rate(items: list[dict[str, Any]], discount_percent: str) -> dict[str, Decimal]:
    """DOMAIN.md 1 step 4, line by line, added per rate: the oracle for the PDF's tax rows."""
    kept = (100 - Decimal(discount_percent)) / 100
    out: dict[str, Decimal] = {}
    for item in items:
        tax = (Decimal(item["lineTotal"]) * kept * Decimal(item["taxRate"]) / 100).quantize(CENT, ROUND_HALF_UP)
        out[item["taxRate"]] = out.get(item["taxRate"], Decimal("0.00")) + tax
    return out


async def test_pdf_of_a_demo_quote(gql, client) -> None:
    # given the demo quote with the most lines among the editable ones with a document discount,
    await demo.load()
    nodes = (await gql(DEMO_QUOTES))["quotes"]["nodes"]
    candidates = [n for n in nodes if not n["isLocked"] and Decimal(n["discountPercent"]) > 0]
    quote_id = max(candidates, key=lambda n: n["items"]["totalCount"])["id"]
    # plus a line at another tax rate with a discount, and its total rounded to 5
    extra = {
        "quoteId": quote_id,
        "name": "Extra cabling",
        "quantity": "3",
        "unitPrice": "33.33",
        "discountPercent": "12.5",
        "taxRate": "7",
    }
    await mutate(gql, "addManualQuoteItem", extra, "item { id }")
    await mutate(gql, "roundQuoteTotal", {"quoteId": quote_id, "roundTo": "5"}, "item { id }")
    quote = (await gql(QUOTE, {"id": quote_id}))["quote"]
    # when it is rendered as PDF and downloaded
    data = (await gql(RENDER, {"input": {"quoteId": quote_id, "format": "PDF"}}))["renderQuoteDocument"]
    response = await client.get(data["document"]["url"], headers={"Authorization": f"Bearer {gql.token}"})
    text = _text(response.content)
    # then every line shows quantity, unit, unit price, discount, tax rate and line total
    items = [n for n in quote["items"]["nodes"] if n["source"] != "ROUNDING"]
    (rounding,) = [n["lineTotal"] for n in quote["items"]["nodes"] if n["source"] == "ROUNDING"]
    assert len(items) >= 3 and len({n["taxRate"] for n in items}) == 2
    for n in items:
        row = f"{n['name']} {n['quantity']} {n['unit']} {n['unitPrice']} {n['discountPercent']} % {n['taxRate']} % "
        assert row + n["lineTotal"] in text, (row, text)
    # and the totals to the cent: tax per rate, rounding, total = subtotal - discount + tax + rounding
    discount = await gql("query($id: ID!) { quote(id: $id) { discountPercent } }", {"id": quote_id})
    percent = discount["quote"]["discountPercent"]
    net = Decimal(quote["subtotal"]) - Decimal(quote["discountTotal"])
    assert f"Subtotal {quote['subtotal']}" in text
    assert f"Document discount ({percent} %) -{quote['discountTotal']}" in text
    assert f"Net total {net}" in text
    taxes = _tax_per_rate(items, percent)
    for rate, tax in taxes.items():
        assert f"Tax {rate} % {tax}" in text
    assert sum(taxes.values()) == Decimal(quote["taxTotal"])
    assert f"Rounding {rounding}" in text and f"Total {quote['total']}" in text
    assert net + Decimal(quote["taxTotal"]) + Decimal(rounding) == Decimal(quote["total"])
    assert Decimal(quote["total"]) % 5 == 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        # images would make the server read files or fetch URLs: ignored
        (
            '<p>{{ customer.name }}</p><img src="/etc/passwd"><table><tr><td><img src="http://127.0.0.1:1/"></td></tr>'
            "</table>",
            None,
        ),
        # font sizes and faces are ours (a 999 pt font sent fpdf2 into endless page breaks)
        ('<p>{{ customer.name }}</p><font size="999" face="Courier">€</font><p style="font-size: 999">x</p>', None),
        # what fpdf2 cannot lay out is the template's problem, said as such
        (
            "<table><tr><td><b>{{ customer.name }}</b> x</td></tr></table>",
            "The document cannot be typeset as PDF: Unsupported nested HTML tags inside <td> element",
        ),
        (
            "{% for item in items %}" + "<p>" + "x" * 60_000 + "</p>{% endfor %}",
            "The document is too long for a PDF (120",
        ),
    ],
)
async def test_pdf_of_hostile_html_is_bounded(gql, client, body, error) -> None:
    # given a quote with two lines and an HTML template
    ids = await quote_with_lines(gql, LINES[:2], account={"name": "Müller"})
    created = await gql(
        "mutation($input: CreateDocumentTemplateInput!) { createDocumentTemplate(input: $input) {"
        " documentTemplate { id } userErrors { code } } }",
        {"input": {"name": "Hostile", "contentType": "text/html", "body": body}},
    )
    template_id = created["createDocumentTemplate"]["documentTemplate"]["id"]
    # when it is rendered as PDF
    data = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": template_id, "format": "PDF"}})
    payload = data["renderQuoteDocument"]
    # then it is a PDF without the hostile parts, or a user error on the template
    if error is None:
        assert payload["userErrors"] == []
        response = await client.get(payload["document"]["url"], headers={"Authorization": f"Bearer {gql.token}"})
        assert "Müller" in _text(response.content)
    else:
        assert payload["document"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "templateId"], "INVALID")]
        assert payload["userErrors"][0]["message"].startswith(error), payload["userErrors"]
        assert await m.Document.all().count() == 0
