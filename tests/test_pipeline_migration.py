"""Migration 0006 (pipelines) on a database filled before it: every stage and opportunity
(soft-deleted ones included) joins the default pipeline "Sales", nothing is lost, and an app
on the migrated database serves pipelines, stages and summaries through the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from migrating import admin_client, database_before, insert_sql, migration_named
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import db

MIGRATION = migration_named("pipelines")
#: The stages an old database had (a custom one among them, not in the default set).
OLD_STAGES = [
    (1, "Prospecting", 1, 10, "OPEN", True),
    (2, "Discovery", 2, 30, "OPEN", False),
    (3, "Negotiation", 3, 75, "OPEN", False),
    (4, "Closed Won", 4, 100, "WON", False),
    (5, "Closed Lost", 5, 0, "LOST", False),
]
#: (id, title, stage, status, probability, amount in ten-thousandths, deleted)
OLD_DEALS = [
    (1, "Open deal", 2, "OPEN", 30, 1_000_000, False),
    (2, "Won deal", 4, "WON", 100, 2_500_100, False),
    (3, "Deleted deal", 3, "OPEN", 75, 10_000, True),
]


async def _fill_old_rows(url: str, conn: BaseDBAsyncClient) -> None:
    """The stages, an account and the deals of a database from before pipelines."""
    now = dt.datetime.now(dt.UTC)
    async with in_transaction() as tx:
        for pk, name, position, probability, kind, default in OLD_STAGES:
            await tx.execute_insert(
                insert_sql(
                    url,
                    "INSERT INTO stages (id, version, created_at, updated_at, name, position, probability, "
                    "kind, is_default) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
                ),
                [pk, now, now, name, position, probability, kind, default],
            )
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO accounts (id, version, created_at, updated_at, type, name, is_private) "
                "VALUES (1, 1, ?, ?, 'ORGANIZATION', 'Acme', ?)",
            ),
            [now, now, False],
        )
        for pk, title, stage, status, probability, amount, deleted in OLD_DEALS:
            await tx.execute_insert(
                insert_sql(
                    url,
                    "INSERT INTO opportunities (id, version, created_at, updated_at, title, account_id, "
                    "stage_id, status, probability, currency, amount_source, is_restricted, amount, "
                    "manual_amount, deleted_at) VALUES (?, 1, ?, ?, ?, 1, ?, ?, ?, 'EUR', 'MANUAL', ?, ?, ?, ?)",
                ),
                [pk, now, now, title, stage, status, probability, False, amount, amount, now if deleted else None],
            )
    if not db.is_sqlite(url):
        await conn.execute_script(
            "SELECT setval('stages_id_seq', 5); SELECT setval('accounts_id_seq', 1); "
            "SELECT setval('opportunities_id_seq', 3)"
        )


@pytest.fixture
async def old_database(tmp_path: Path) -> AsyncIterator[str]:
    """A database migrated up to the migration before 0006, holding stages, an account and deals."""
    async with database_before(MIGRATION, tmp_path, _fill_old_rows) as url:
        yield url


async def test_existing_stages_and_deals_become_the_default_pipeline(old_database: str) -> None:
    conn = connections.get("default")
    # then there is one pipeline, the default, and every row is kept, each in that pipeline
    _, pipelines = await conn.execute_query("SELECT id, name, is_default FROM pipelines")
    assert [(r["name"], bool(r["is_default"])) for r in pipelines] == [("Sales", True)]
    default_id = pipelines[0]["id"]
    _, stages = await conn.execute_query("SELECT id, name, position, pipeline_id FROM stages ORDER BY id")
    assert [(r["id"], r["name"], r["position"], r["pipeline_id"]) for r in stages] == [
        (pk, name, position, default_id) for pk, name, position, *_ in OLD_STAGES
    ]
    _, deals = await conn.execute_query(
        "SELECT id, title, stage_id, pipeline_id, amount, deleted_at FROM opportunities ORDER BY id"
    )
    assert [
        (r["id"], r["title"], r["stage_id"], r["pipeline_id"], int(r["amount"]), r["deleted_at"] is not None)
        for r in deals
    ] == [(pk, title, stage, default_id, amount, deleted) for pk, title, stage, _, _, amount, deleted in OLD_DEALS]
    # and an app on the migrated database serves them through the API
    async with admin_client(old_database) as gql:
        data = await gql("{ pipelines { name isDefault stages { name position } } }")
        assert data["pipelines"] == [
            {"name": "Sales", "isDefault": True, "stages": [{"name": s[1], "position": s[2]} for s in OLD_STAGES]}
        ]
        data = await gql(
            "{ opportunities(orderBy: [{field: TITLE}]) { nodes { title pipeline { name } stage { name } } } }"
        )
        assert data["opportunities"]["nodes"] == [
            {"title": "Open deal", "pipeline": {"name": "Sales"}, "stage": {"name": "Discovery"}},
            {"title": "Won deal", "pipeline": {"name": "Sales"}, "stage": {"name": "Closed Won"}},
        ]
        data = await gql("{ pipelineSummary(groupBy: PIPELINE) { label count amount } }")
        assert data["pipelineSummary"] == [{"label": "Sales", "count": 2, "amount": "350.01"}]
        # a new pipeline gets its own stages next to the migrated ones
        made = await gql(
            'mutation { createPipeline(input: {name: "Renewals"}) { pipeline { stages { name } } '
            "userErrors { code } } }"
        )
        assert made["createPipeline"]["userErrors"] == []
        assert len(made["createPipeline"]["pipeline"]["stages"]) == 6
        # and a restored deal is still in its pipeline and stage
        restored = await gql(
            'mutation { restoreOpportunity(input: {id: "T3Bwb3J0dW5pdHk6Mw=="}) { '
            "opportunity { pipeline { name } stage { name } } userErrors { code } } }"
        )
        assert restored["restoreOpportunity"]["opportunity"] == {
            "pipeline": {"name": "Sales"},
            "stage": {"name": "Negotiation"},
        }
    if not db.is_sqlite(old_database):
        # PostgreSQL enforces the pipeline column itself
        _, rows = await conn.execute_query(
            "SELECT table_name, is_nullable FROM information_schema.columns WHERE column_name = 'pipeline_id' "
            "ORDER BY table_name"
        )
        assert [(r["table_name"], r["is_nullable"]) for r in rows] == [("opportunities", "NO"), ("stages", "NO")]
