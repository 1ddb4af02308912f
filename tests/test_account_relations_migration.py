"""Migration 0009 (account relations) on a database filled before it: the account links keep
their rows and read as kind OTHER from both sides, and every opportunity gets stageEnteredAt
from its latest stage event (stage change, win, loss, reopening) or else its creation."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from migrating import Client, database_before, insert_sql, migration_named
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import db
from crm_graphql.api.relay import to_global_id
from crm_graphql.app import create_app, startup
from crm_graphql.enums import Role
from crm_graphql.services import users
from crm_graphql.settings import Settings

MIGRATION = migration_named("account_relations")
CREATED = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
#: (opportunity id, title, events on it: (kind, days after creation))
OLD_DEALS = [
    (1, "Never moved", [("UPDATED", 3)]),
    (2, "Moved twice", [("STAGE_CHANGED", 2), ("UPDATED", 9), ("STAGE_CHANGED", 5)]),
    (3, "Won", [("STAGE_CHANGED", 1), ("WON", 4)]),
]


async def _fill_old_rows(url: str, conn: BaseDBAsyncClient) -> None:
    """Accounts, a link between two of them, and deals with their timeline events."""
    async with in_transaction() as tx:
        for pk, name in ((1, "Acme"), (2, "Steel Co"), (3, "Rival")):
            await tx.execute_insert(
                insert_sql(
                    url,
                    "INSERT INTO accounts (id, version, created_at, updated_at, type, name, is_private, "
                    "is_partner) VALUES (?, 1, ?, ?, 'ORGANIZATION', ?, ?, ?)",
                ),
                [pk, CREATED, CREATED, name, False, False],
            )
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO account_links (id, version, created_at, updated_at, account_id, linked_id, "
                "note) VALUES (1, 1, ?, ?, 1, 2, 'Steel for the plant')",
            ),
            [CREATED, CREATED],
        )
        _, pipelines = await tx.execute_query("SELECT id FROM pipelines")  # 0006 made the default one
        pipeline = pipelines[0]["id"]
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO stages (id, version, created_at, updated_at, name, position, probability, "
                "kind, is_default, pipeline_id) VALUES (1, 1, ?, ?, 'Prospecting', 1, 10, 'OPEN', ?, ?)",
            ),
            [CREATED, CREATED, True, pipeline],
        )
        stage = 1
        event = 1
        for pk, title, events in OLD_DEALS:
            await tx.execute_insert(
                insert_sql(
                    url,
                    "INSERT INTO opportunities (id, version, created_at, updated_at, title, account_id, "
                    "stage_id, pipeline_id, status, probability, currency, amount_source, is_restricted) "
                    "VALUES (?, 1, ?, ?, ?, 1, ?, ?, 'OPEN', 10, 'EUR', 'MANUAL', ?)",
                ),
                [pk, CREATED, CREATED, title, stage, pipeline, False],
            )
            for kind, days in events:
                at = CREATED + dt.timedelta(days=days)
                await tx.execute_insert(
                    insert_sql(
                        url,
                        "INSERT INTO timeline_events (id, version, created_at, updated_at, subject_type, "
                        "subject_id, account_id, kind, data) VALUES (?, 1, ?, ?, 'Opportunity', ?, 1, ?, ?)",
                    ),
                    [event, at, at, pk, kind, "{}"],
                )
                event += 1
    if not db.is_sqlite(url):
        await conn.execute_script(
            "SELECT setval('accounts_id_seq', 3); SELECT setval('account_links_id_seq', 1); "
            "SELECT setval('stages_id_seq', 1); "
            f"SELECT setval('opportunities_id_seq', 3); SELECT setval('timeline_events_id_seq', {event})"
        )


@pytest.fixture
async def old_database(tmp_path: Path) -> AsyncIterator[str]:
    async with database_before(MIGRATION, tmp_path, _fill_old_rows) as url:
        yield url


async def test_links_become_relations_and_deals_get_stage_entered_at(old_database: str) -> None:
    conn = connections.get("default")
    # then the link is kept, of kind OTHER
    _, links = await conn.execute_query("SELECT id, account_id, linked_id, note, kind FROM account_links")
    assert [(r["id"], r["account_id"], r["linked_id"], r["note"], r["kind"]) for r in links] == [
        (1, 1, 2, "Steel for the plant", "OTHER")
    ]
    # and an app on the migrated database shows it from both sides, and the deals' stage times
    settings = Settings(database_url=old_database)
    app = create_app(settings, manage_db=False)
    await startup(settings, connect=False)
    _, token = await users.create_user("admin@example.com", "Admin", Role.ADMIN)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        gql = Client(client, token)
        query = "query($id: ID!) { account(id: $id) { relatedAccounts { id kind note relatedAccount { name } } } }"
        relation = to_global_id("AccountRelation", 1)
        for account, other in ((1, "Steel Co"), (2, "Acme")):
            data = await gql(query, {"id": to_global_id("Account", account)})
            assert data["account"]["relatedAccounts"] == [
                {"id": relation, "kind": "OTHER", "note": "Steel for the plant", "relatedAccount": {"name": other}}
            ]
        data = await gql("{ opportunities(orderBy: [{field: TITLE}]) { nodes { title stageEnteredAt } } }")
        entered = {o["title"]: dt.datetime.fromisoformat(o["stageEnteredAt"]) for o in data["opportunities"]["nodes"]}
        assert entered == {
            "Never moved": CREATED,
            "Moved twice": CREATED + dt.timedelta(days=5),
            "Won": CREATED + dt.timedelta(days=4),
        }
        # the migrated relation is unlinked and a new one made with a kind
        unlink = "mutation($i: UnlinkAccountsInput!) { unlinkAccounts(input: $i) { userErrors { code } } }"
        assert (await gql(unlink, {"i": {"id": relation}}))["unlinkAccounts"]["userErrors"] == []
        link = "mutation($i: LinkAccountsInput!) { linkAccounts(input: $i) { relation { kind } userErrors { code } } }"
        made = await gql(
            link,
            {
                "i": {
                    "accountId": to_global_id("Account", 1),
                    "relatedAccountId": to_global_id("Account", 3),
                    "kind": "COMPETITOR",
                }
            },
        )
        assert made["linkAccounts"] == {"relation": {"kind": "COMPETITOR"}, "userErrors": []}
