"""Migration 0010 (splits) is additive: a database filled before it keeps every lead and deal,
which come out unsplit (no shares, no revenue splits) and can be split at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from migrating import database_before, insert_sql, migration_named
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.services import splits

MIGRATION = migration_named("splits")


async def _fill_old_rows(url: str, conn: BaseDBAsyncClient) -> None:
    """A user, a lead, a stage of the default pipeline (migration 0006 made it) and a deal of 100.00
    from before splits."""
    now = dt.datetime.now(dt.UTC)
    async with in_transaction() as tx:
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO users (id, version, created_at, updated_at, email, name, role, is_active) "
                "VALUES (1, 1, ?, ?, 'ann@example.com', 'Ann', 'SALES_REP', ?)",
            ),
            [now, now, True],
        )
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO leads (id, version, created_at, updated_at, last_name, status, is_archived) "
                "VALUES (1, 1, ?, ?, 'Doe', 'NEW', ?)",
            ),
            [now, now, False],
        )
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO accounts (id, version, created_at, updated_at, type, name, is_private, "
                "is_partner) VALUES (1, 1, ?, ?, 'ORGANIZATION', 'Acme', ?, ?)",
            ),
            [now, now, False, False],
        )
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO stages (id, version, created_at, updated_at, name, position, probability, "
                "kind, is_default, pipeline_id) VALUES (1, 1, ?, ?, 'Prospecting', 1, 10, 'OPEN', ?, 1)",
            ),
            [now, now, True],
        )
        await tx.execute_insert(
            insert_sql(
                url,
                "INSERT INTO opportunities (id, version, created_at, updated_at, title, account_id, "
                "stage_id, pipeline_id, status, probability, currency, amount_source, is_restricted, amount, "
                "manual_amount) VALUES (1, 1, ?, ?, 'Deal', 1, ?, ?, 'OPEN', 10, 'EUR', 'MANUAL', ?, ?, ?)",
            ),
            [now, now, 1, 1, False, 1_000_000, 1_000_000],
        )


async def test_old_leads_and_deals_are_kept_unsplit(tmp_path: Path) -> None:
    async with database_before(MIGRATION, tmp_path, _fill_old_rows):
        assert connections.get("default") is not None
        # then every row is kept and nothing is split
        lead = await m.Lead.get(id=1)
        deal = await m.Opportunity.get(id=1)
        assert (lead.last_name, deal.title, str(deal.amount)) == ("Doe", "Deal", "100.0000")
        assert await m.LeadShare.all().count() == 0 and await m.RevenueSplit.all().count() == 0
        assert await m.LeadSplitRule.all().count() == 0
        # and the new tables take splits at once
        await m.RevenueSplit.create(opportunity_id=1, user_id=1, percent=100)
        assert [str(a) for a in splits.split_amounts(deal.amount, [60, 40], deal.currency)] == ["60.00", "40.00"]
