"""renderQuoteDocument: a quote rendered from a sandboxed Jinja2 template, escaped for its
format, kept on its opportunity."""

from __future__ import annotations

from typing import Any

import pytest
from factories import ERR, create, mutate, quote_with_lines, user_error
from markdown_it import MarkdownIt

from crm_graphql import models as m
from crm_graphql.enums import Role

CREATE_TEMPLATE = f"""mutation($input: CreateDocumentTemplateInput!) {{
  createDocumentTemplate(input: $input) {{ documentTemplate {{ id format }} {ERR} }} }}"""
UPDATE_TEMPLATE = f"""mutation($input: UpdateDocumentTemplateInput!) {{
  updateDocumentTemplate(input: $input) {{ documentTemplate {{ id version body }} {ERR} }} }}"""
TEMPLATE = "query($id: ID!) { node(id: $id) { ... on DocumentTemplate { version body } } }"
RENDER = f"""mutation RenderQuoteDocument($input: RenderQuoteDocumentInput!) {{
  renderQuoteDocument(input: $input) {{
    document {{ id name format contentType content size quote {{ id }} opportunity {{ id documents {{ totalCount }} }} }}
    {ERR}
  }}
}}"""
TIMELINE = "query($id: ID!) { quote(id: $id) { timeline { totalCount } } }"
LAPTOP = {"name": "Laptop Pro 14", "quantity": "2", "unitPrice": "999.50", "taxRate": "20"}
HOSTILE_ITEM = "<img src=x onerror=alert(1)>"
HOSTILE_PRODUCT = "<script>alert(1)</script>"


async def _quote(gql: Any, **quote: Any) -> dict[str, str]:
    account = {"name": "Acme <Labs>", "city": "Paris", "postalCode": "75001"}
    return await quote_with_lines(gql, [LAPTOP], account=account, quote={"validUntil": "2026-12-31", **quote})


async def _template(gql: Any, body: str, content_type: str | None = None) -> str:
    values = {"name": "T", "body": body, **({"contentType": content_type} if content_type else {})}
    data = (await gql(CREATE_TEMPLATE, {"input": values}))["createDocumentTemplate"]
    assert data["userErrors"] == []
    return str(data["documentTemplate"]["id"])


async def _render(gql: Any, quote_id: str, **args: Any) -> dict[str, Any]:
    data = (await gql(RENDER, {"input": {"quoteId": quote_id, **args}}))["renderQuoteDocument"]
    assert data["userErrors"] == [], data["userErrors"]
    return dict(data["document"])


async def _nothing_written(gql: Any, quote_id: str, timeline: int) -> None:
    assert await m.Document.all().count() == 0
    assert await m.DocumentFile.all().count() == 0
    assert (await gql(TIMELINE, {"id": quote_id}))["quote"]["timeline"]["totalCount"] == timeline


async def test_render_with_the_default_template(gql) -> None:
    # given a quote with one line
    ids = await _quote(gql)
    number = (await gql("query($id: ID!) { quote(id: $id) { number } }", {"id": ids["quote"]}))["quote"]["number"]
    # when it is rendered
    doc = await _render(gql, ids["quote"])
    # then the document carries customer, number, validity, the line and the totals to the cent
    assert (doc["format"], doc["contentType"]) == ("MARKDOWN", "text/markdown")
    assert f"# Quote {number} (revision 1)" in doc["content"]
    assert "**Acme \\<Labs\\>**\\\n75001 Paris" in doc["content"]
    assert "valid until 31 Dec 2026." in doc["content"]
    assert "| Laptop Pro 14 | 2 | pcs | 999.50 | 0 % | 20 % | 1999.00 |" in doc["content"]
    assert "| Tax 20 % | 399.80 |" in doc["content"]
    assert "| **Total** | **2398.80** |" in doc["content"]
    assert doc["size"] == len(doc["content"].encode())
    # and it is kept on the opportunity, with a timeline event on quote and opportunity
    assert doc["opportunity"] == {"id": ids["opportunity"], "documents": {"totalCount": 1}}
    kinds = [e.kind for e in await m.TimelineEvent.filter(kind="DOCUMENT_RENDERED")]
    assert kinds == ["DOCUMENT_RENDERED", "DOCUMENT_RENDERED"]


@pytest.mark.parametrize(
    ("dates", "wording", "absent"),
    [
        ({"validFrom": "2027-01-01", "validUntil": "2027-01-31"}, "valid from 1 Jan 2027 until 31 Jan 2027", []),
        ({"validUntil": "2027-01-31"}, "valid until 31 Jan 2027", ["from"]),
        ({"validFrom": "2027-01-01"}, "valid from 1 Jan 2027", ["until"]),
        ({}, None, ["valid", "until", "from"]),
    ],
)
async def test_validity_names_the_dates_that_exist(gql, dates, wording, absent) -> None:
    ids = await quote_with_lines(gql, [LAPTOP], quote={"name": "Laptops", **dates})
    for fmt in ("MARKDOWN", "HTML", "TEXT"):
        content = (await _render(gql, ids["quote"], format=fmt))["content"]
        line = next(x for x in content.splitlines() if "Laptops" in x)
        assert line.removeprefix("<p>").removesuffix("</p>") == (f"Laptops, {wording}." if wording else "Laptops.")
        for word in absent:
            assert word not in content.lower()


async def test_every_format_without_a_template(gql) -> None:
    ids = await _quote(gql)
    html = await _render(gql, ids["quote"], format="HTML")
    assert (html["format"], html["contentType"]) == ("HTML", "text/html")
    assert "<td>Laptop Pro 14</td>" in html["content"] and "<b>Acme &lt;Labs&gt;</b>" in html["content"]
    assert '<td align="right">0 %</td><td align="right">20 %</td><td align="right">1999.00</td>' in html["content"]
    text = await _render(gql, ids["quote"], format="TEXT")
    assert (text["format"], text["contentType"]) == ("TEXT", "text/plain")
    assert "1. Laptop Pro 14: 2 pcs x 999.50, discount 0 %, tax rate 20 % = 1999.00 EUR" in text["content"]
    assert "Acme <Labs>" in text["content"] and "Total: 2398.80 EUR" in text["content"]
    pdf = await _render(gql, ids["quote"], format="PDF")
    assert (pdf["format"], pdf["contentType"], pdf["content"]) == ("PDF", "application/pdf", None)
    assert pdf["size"] > 1000


async def test_format_defaults_to_the_templates_own_and_other_formats_are_refused(gql) -> None:
    # given an HTML template
    ids = await _quote(gql)
    template_id = await _template(gql, "<p>{{ customer.name }}</p>", "text/html")
    # when rendered without a format, it is HTML
    doc = await _render(gql, ids["quote"], templateId=template_id)
    assert (doc["format"], doc["content"]) == ("HTML", "<p>Acme &lt;Labs&gt;</p>")
    timeline = (await gql(TIMELINE, {"id": ids["quote"]}))["quote"]["timeline"]["totalCount"]
    # and as MARKDOWN or TEXT it is refused, and nothing is written
    for fmt in ("MARKDOWN", "TEXT"):
        data = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": template_id, "format": fmt}})
        assert data["renderQuoteDocument"] == {
            "document": None,
            "userErrors": [
                user_error("input.format", "INVALID", f"A text/html template renders as HTML or PDF, not {fmt}.")
            ],
        }
    assert await m.Document.all().count() == 1
    assert (await gql(TIMELINE, {"id": ids["quote"]}))["quote"]["timeline"]["totalCount"] == timeline


async def test_html_template_escapes_values(gql) -> None:
    # an old-syntax body ({{token}}) is valid Jinja2 and keeps its meaning
    ids = await _quote(gql)
    template_id = await _template(gql, "<h1>{{customer.name}}</h1><p>{{totals.total}} {{currency}}</p>", "text/html")
    doc = await _render(gql, ids["quote"], templateId=template_id)
    assert doc["content"] == "<h1>Acme &lt;Labs&gt;</h1><p>2398.80 EUR</p>"


async def test_hostile_names_print_as_text_in_html(gql) -> None:
    # given a quote with a manual line and a price-book product named like markup
    account = await create(gql, "Account", {"name": "Acme"})
    book = await create(gql, "Pricebook", {"name": "Standard"})
    product = await create(gql, "Product", {"name": HOSTILE_PRODUCT, "code": "XSS"})
    await create(
        gql, "PricebookEntry", {"pricebookId": book, "productId": product, "currency": "EUR", "unitPrice": "10"}
    )
    quote = await create(gql, "Quote", {"accountId": account, "pricebookId": book})
    await mutate(gql, "addQuoteItems", {"quoteId": quote, "items": [{"productId": product}]}, "quote { id }")
    await mutate(gql, "addManualQuoteItem", {"quoteId": quote, "name": HOSTILE_ITEM, "unitPrice": "1"}, "item { id }")
    user_html = await _template(
        gql, "<ul>{% for item in items %}<li>{{ item.name }}</li>{% endfor %}</ul>", "text/html"
    )
    user_markdown = await _template(gql, "{% for item in items %}- {{ item.name }}\n{% endfor %}")
    # when it is rendered as HTML: the built-in template, a user's HTML template, a Markdown one as HTML
    contents = [
        (await _render(gql, quote, format="HTML"))["content"],
        (await _render(gql, quote, templateId=user_html))["content"],
        (await _render(gql, quote, templateId=user_markdown, format="HTML"))["content"],
    ]
    # then both names are text: escaped, never markup
    for content in contents:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert "&lt;img src=x onerror=alert(1)&gt;" in content
        assert "<script" not in content and "<img" not in content
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li><li>&lt;img src=x onerror=alert(1)&gt;</li>" in contents[1]


async def test_markdown_escapes_values(gql) -> None:
    # given lines whose names are Markdown and HTML
    names = [
        "**Big** | [deal](javascript:alert(1)) <b>x</b> & `code`",
        "# not a heading",
        "1. not a list",
        "- nor this",
    ]
    ids = await quote_with_lines(gql, [{"name": n, "unitPrice": "1"} for n in names])
    # when rendered with the built-in Markdown template
    content = (await _render(gql, ids["quote"]))["content"]
    # then every value is escaped, each line still one table row
    assert (
        "| \\*\\*Big\\*\\* \\| \\[deal\\]\\(javascript:alert\\(1\\)\\) \\<b\\>x\\</b\\> \\& \\`code\\` | 1 |" in content
    )
    # and a Markdown renderer shows each name as the text it is
    html = MarkdownIt("commonmark").enable("table").render(content)
    cells = [f"<td>{n.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</td>" for n in names]
    for cell in cells:
        assert cell in html, (cell, html)
    assert "<a " not in html and "<strong>Big" not in html and "<b>" not in html and "<h1>not" not in html


async def test_unknown_name_is_refused_when_the_template_is_saved(gql) -> None:
    data = await gql(CREATE_TEMPLATE, {"input": {"name": "Bad", "body": "Dear {{customer.nam}}"}})
    errors = data["createDocumentTemplate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "body"], "INVALID")]
    assert errors[0]["message"].startswith("Unknown names: customer.nam. Known: contact.name, currency, ")
    assert await m.DocumentTemplate.all().count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ customer.__class__ }}", "Unknown names: customer.__class__."),
        ("{{ quote.number.__class__.__mro__ }}", "Unknown names: quote.number.__class__."),
        ("{{ customer.name.mro }}", "Unknown names: customer.name.mro."),
        ("{{ ''.__class__ }}", "Unknown names: ''.__class__."),
        ("{{ items.append(1) }}", "Line 1: not allowed in templates: calls."),
        ("{{ quote.number.upper() }}", "Line 1: not allowed in templates: calls."),
        ("{{ range(99999) }}", "Line 1: not allowed in templates: calls."),
        ("{{ quote.number }}\n{{ 'x' * 1000000000 }}", "Line 2: not allowed in templates: arithmetic."),
        ("{% set x = customer %}", "Line 1: not allowed in templates: {% set %}."),
        (
            "{{ customer.name|safe }}",
            "Line 1: the filter 'safe' is not allowed (allowed: capitalize, default, "
            "first, last, length, lower, title, trim, upper).",
        ),
        ("{% include 'x' %}", "Line 1: not allowed in templates: including templates."),
        ("{{ " + "(" * 300 + "quote.number" + ")" * 300 + " }}", "The template nests too deeply."),
        ("{% if quote.name %}" * 400 + "{% endif %}" * 400, "The template nests too deeply."),
        (
            "{% for item in items %}",
            "Template syntax error on line 1: Unexpected end of template. Jinja was looking "
            "for the following tags: 'endfor' or 'else'. The innermost block that needs to "
            "be closed is 'for'.",
        ),
    ],
)
async def test_templates_cannot_run_code(gql, body, message) -> None:
    # given a template to update
    template_id = await _template(gql, "{{ quote.number }}")
    # when a template that would reach Python is created, or saved over the good one
    created = await gql(CREATE_TEMPLATE, {"input": {"name": "Evil", "body": body}})
    updated = await gql(UPDATE_TEMPLATE, {"input": {"id": template_id, "body": body}})
    # then both are refused on the body, and nothing changed
    for payload in (created["createDocumentTemplate"], updated["updateDocumentTemplate"]):
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "body"], "INVALID")]
        assert payload["userErrors"][0]["message"].startswith(message), payload["userErrors"][0]["message"]
    assert await m.DocumentTemplate.all().count() == 1
    assert (await gql(TEMPLATE, {"id": template_id}))["node"] == {"version": 1, "body": "{{ quote.number }}"}


async def test_a_stored_template_that_escaped_the_check_is_refused_at_render(gql) -> None:
    # given a template row written around the API (as an old row could be)
    ids = await _quote(gql)
    row = await m.DocumentTemplate.create(name="Old", content_type="text/html", body="{{ customer.__class__ }}")
    template_id = (await gql("{ documentTemplates { nodes { id } } }"))["documentTemplates"]["nodes"][0]["id"]
    timeline = (await gql(TIMELINE, {"id": ids["quote"]}))["quote"]["timeline"]["totalCount"]
    # when a quote is rendered with it
    data = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": template_id}})
    # then it is refused on the template, and nothing is written
    errors = data["renderQuoteDocument"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "templateId"], "INVALID")]
    assert errors[0]["message"].startswith("Unknown names: customer.__class__.")
    assert row.id and data["renderQuoteDocument"]["document"] is None
    await _nothing_written(gql, ids["quote"], timeline)


async def test_render_refusals_change_nothing(gql, actors) -> None:
    ids = await _quote(gql)
    timeline = (await gql(TIMELINE, {"id": ids["quote"]}))["quote"]["timeline"]["totalCount"]
    # a template id of another type, and a quote hidden from a rep (private account of the admin)
    wrong = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": ids["opportunity"]}})
    assert wrong["renderQuoteDocument"]["userErrors"] == [
        user_error("input.templateId", "NOT_FOUND", "No DocumentTemplate with this id.")
    ]
    account = await m.Account.get(name="Acme <Labs>")
    await m.Account.filter(id=account.id).update(is_private=True, owner_id=actors[Role.ADMIN].user.id)
    hidden = await gql.as_(actors[Role.SALES_REP])(RENDER, {"input": {"quoteId": ids["quote"]}})
    assert hidden["renderQuoteDocument"]["userErrors"] == [
        user_error("input.quoteId", "NOT_FOUND", "No Quote with this id.")
    ]
    read_only = await gql.as_(actors[Role.READ_ONLY])(RENDER, {"input": {"quoteId": ids["quote"], "format": "PDF"}})
    assert read_only["renderQuoteDocument"]["userErrors"][0]["code"] == "FORBIDDEN"
    await _nothing_written(gql, ids["quote"], timeline)


async def test_a_template_that_fails_while_rendering_is_refused(gql) -> None:
    # given a template that passes the check but compares text with a number
    ids = await _quote(gql)
    template_id = await _template(gql, "{% for item in items %}{% if item.taxRate > 10 %}high{% endif %}{% endfor %}")
    timeline = (await gql(TIMELINE, {"id": ids["quote"]}))["quote"]["timeline"]["totalCount"]
    # when a quote is rendered with it
    data = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": template_id}})
    # then it is a user error on the template, not an internal error, and nothing is written
    assert data["renderQuoteDocument"] == {
        "document": None,
        "userErrors": [
            user_error(
                "input.templateId",
                "INVALID",
                "The template cannot be rendered: '>' not supported between instances of 'Markup' and 'int'",
            )
        ],
    }
    await _nothing_written(gql, ids["quote"], timeline)
