"""The migration to Jinja2 templates: a database with old ``{{token}}`` templates and
documents, migrated, renders the same names through the API, with the items as a loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from factories import quote_with_lines
from migrating import admin_client, database_before, insert_sql, migration_named
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import db

MIGRATION = migration_named("quote_documents")
OLD_MARKDOWN = (
    "Dear {{customer.name}},\n\n{{ items }}\nTotal: {{totals.total}} {{currency}} {% not a tag %} {# nor this\n"
)
OLD_HTML = "<p>{{customer.name}}</p>\n{{items}}"
OLD_TEXT = "{{quote.number}}: {{items}}"
RENDER = """mutation($input: RenderQuoteDocumentInput!) { renderQuoteDocument(input: $input) {
  document { format content } userErrors { field message code } } }"""


async def _fill_old_rows(url: str, conn: BaseDBAsyncClient) -> None:
    """Old-syntax templates and a document that points at no quote."""
    now = dt.datetime.now(dt.UTC)
    async with in_transaction() as tx:
        if not db.is_sqlite(url):
            await tx.execute_script("SET LOCAL session_replication_role = replica")  # no foreign key checks
        for pk, content_type, body in (
            (1, "text/markdown", OLD_MARKDOWN),
            (2, "text/html", OLD_HTML),
            (3, "text/plain", OLD_TEXT),
        ):
            await tx.execute_insert(
                insert_sql(
                    url,
                    "INSERT INTO document_templates (id, version, created_at, updated_at, name, "
                    "content_type, body) VALUES (?, 1, ?, ?, ?, ?, ?)",
                ),
                [pk, now, now, f"Old {pk}", content_type, body],
            )
        if db.is_sqlite(url):  # PostgreSQL checks the foreign key again when the migration updates the row
            await tx.execute_insert(
                insert_sql(
                    url,
                    "INSERT INTO documents (id, version, created_at, updated_at, name, content_type, "
                    "content, quote_id) VALUES (?, 1, ?, ?, 'Quote Q-1-1', 'text/html', ?, 999)",
                ),
                [4, now, now, "<p>Müller</p>"],
            )
    if not db.is_sqlite(url):
        # sequences follow the explicit ids, as they would in a database that made these rows
        await conn.execute_script("SELECT setval('document_templates_id_seq', 3)")


@pytest.fixture
async def old_database(tmp_path: Path) -> AsyncIterator[str]:
    """A database migrated up to the migration before ours, holding old-syntax rows (SQLite
    without foreign keys: the old document points at no quote)."""
    async with database_before(MIGRATION, tmp_path, _fill_old_rows, sqlite_foreign_keys=False) as url:
        yield url


async def test_old_templates_are_migrated_and_keep_working(old_database: str) -> None:
    conn = connections.get("default")
    # then the old documents know their format and size
    if db.is_sqlite(old_database):
        _, rows = await conn.execute_query("SELECT format, size, content FROM documents")
        assert [(r["format"], r["size"]) for r in rows] == [("HTML", len("<p>Müller</p>".encode()))]
    # and the templates are Jinja2: same tokens, the items a loop, literal braces kept literal
    _, rows = await conn.execute_query("SELECT id, body FROM document_templates ORDER BY id")
    bodies = [r["body"] for r in rows]
    assert bodies[0].startswith("Dear {{ customer.name }},\n\n| Item | Quantity |")
    assert "{% for item in items %}" in bodies[0] and "{{items}}" not in bodies[1]
    assert bodies[0].endswith("{% raw %} {% not a tag %} {# nor this\n{% endraw %}")
    # and an app on the migrated database renders them through the API
    async with admin_client(old_database) as gql:
        lines = [
            {"name": "Laptop <Pro>", "quantity": "2", "unitPrice": "10", "taxRate": "20"},
            {"name": "Mouse", "quantity": "1", "unitPrice": "5", "discountPercent": "10"},
        ]
        ids = await quote_with_lines(gql, lines, account={"name": "Acme & Co"})
        templates = await gql("{ documentTemplates(orderBy: [{field: NAME}]) { nodes { id } } }")
        contents = []
        for node in templates["documentTemplates"]["nodes"]:
            data = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": node["id"]}})
            assert data["renderQuoteDocument"]["userErrors"] == []
            contents.append(data["renderQuoteDocument"]["document"]["content"])
    markdown, html, text = contents
    assert markdown == (
        "Dear Acme \\& Co,\n\n"
        "| Item | Quantity | Unit | Unit price | Discount | Tax rate | Total |\n"
        "|---|---:|---|---:|---:|---:|---:|\n"
        "| Laptop \\<Pro\\> | 2 | pcs | 10.00 | 0 % | 20 % | 20.00 |\n"
        "| Mouse | 1 | pcs | 5.00 | 10 % | 0 % | 4.50 |\n"
        "\nTotal: 28.50 EUR {% not a tag %} {# nor this\n"
    )
    assert html.startswith("<p>Acme &amp; Co</p>\n<table>")
    assert "<td>Laptop &lt;Pro&gt;</td><td>2</td><td>pcs</td><td>10.00</td><td>0 %</td><td>20 %</td>" in html
    assert text.startswith("Q-") and "Mouse  1 pcs  5.00  -10 %  tax 0 %  4.50\n" in text
