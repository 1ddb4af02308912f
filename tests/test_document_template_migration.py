"""The migration to Jinja2 templates: a database with old ``{{token}}`` templates and
documents, migrated, renders the same names through the API, with the items as a loop."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from factories import quote_with_lines
from tortoise import Tortoise, connections
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget
from tortoise.transactions import in_transaction

from crm_graphql import db
from crm_graphql.app import create_app, startup
from crm_graphql.enums import Role
from crm_graphql.services import users
from crm_graphql.settings import Settings

TEST_DATABASE_URL = os.environ.get("CRM_TEST_DATABASE_URL", "sqlite://:memory:")

MIGRATION = next(Path(db.__file__).parent.joinpath("migrations").glob("*_quote_documents.py")).stem
OLD_MARKDOWN = (
    "Dear {{customer.name}},\n\n{{ items }}\nTotal: {{totals.total}} {{currency}} {% not a tag %} {# nor this\n"
)
OLD_HTML = "<p>{{customer.name}}</p>\n{{items}}"
OLD_TEXT = "{{quote.number}}: {{items}}"
RENDER = """mutation($input: RenderQuoteDocumentInput!) { renderQuoteDocument(input: $input) {
  document { format content } userErrors { field message code } } }"""


class Client:
    """Like conftest's ``gql``, for an app on the migrated database."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.token = client, token

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                          headers={"Authorization": f"Bearer {self.token}"})  # fmt: skip
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        return response.json()["data"]


def _insert(url: str, sql: str) -> str:
    """``sql`` with ``?`` placeholders in the database's own style."""
    if db.is_sqlite(url):
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


@pytest.fixture
async def old_database(tmp_path: Path) -> AsyncIterator[str]:
    """A database migrated up to the migration before ours, holding old-syntax rows: a new
    SQLite file, or the PostgreSQL test database (emptied) when the suite runs on it."""
    url = TEST_DATABASE_URL if not db.is_sqlite(TEST_DATABASE_URL) else f"sqlite://{tmp_path / 'old.sqlite3'}"
    config = db.tortoise_config(url)
    if db.is_sqlite(url):
        # the old document below points at no quote: keep foreign keys out of the way
        config["connections"]["default"]["credentials"]["foreign_keys"] = "OFF"
    await Tortoise.init(config=config, _enable_global_fallback=True)
    conn = connections.get("default")
    if not db.is_sqlite(url):
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    before = importlib.import_module(f"crm_graphql.migrations.{MIGRATION}").Migration.dependencies
    executor = MigrationExecutor(conn, config["apps"])
    await executor.migrate([MigrationTarget(app, name) for app, name in before])
    now = dt.datetime.now(dt.UTC)
    async with in_transaction() as tx:
        if not db.is_sqlite(url):
            await tx.execute_script("SET LOCAL session_replication_role = replica")  # no foreign key checks
        for pk, content_type, body in ((1, "text/markdown", OLD_MARKDOWN), (2, "text/html", OLD_HTML),
                                       (3, "text/plain", OLD_TEXT)):  # fmt: skip
            await tx.execute_insert(
                _insert(url, "INSERT INTO document_templates (id, version, created_at, updated_at, name, "
                             "content_type, body) VALUES (?, 1, ?, ?, ?, ?, ?)"),
                [pk, now, now, f"Old {pk}", content_type, body],
            )  # fmt: skip
        if db.is_sqlite(url):  # PostgreSQL checks the foreign key again when the migration updates the row
            await tx.execute_insert(
            _insert(url, "INSERT INTO documents (id, version, created_at, updated_at, name, content_type, content, "
                         "quote_id) VALUES (?, 1, ?, ?, 'Quote Q-1-1', 'text/html', ?, 999)"),
            [4, now, now, "<p>Müller</p>"],
            )  # fmt: skip
    if not db.is_sqlite(url):
        # sequences follow the explicit ids, as they would in a database that made these rows
        await conn.execute_script("SELECT setval('document_templates_id_seq', 3)")
    try:
        # when the remaining migrations run (ours included)
        await db.migrate(config)
    except BaseException:
        await db.close()
        raise
    try:
        yield url
    finally:
        if not db.is_sqlite(url):
            tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]
            await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE;")
        await db.close()


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
    settings = Settings(database_url=old_database)
    app = create_app(settings, manage_db=False)
    await startup(settings, connect=False)
    _, token = await users.create_user("admin@example.com", "Admin", Role.ADMIN)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        gql = Client(client, token)
        lines = [{"name": "Laptop <Pro>", "quantity": "2", "unitPrice": "10", "taxRate": "20"},
                 {"name": "Mouse", "quantity": "1", "unitPrice": "5", "discountPercent": "10"}]  # fmt: skip
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
