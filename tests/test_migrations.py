"""The migrations in crm_graphql/migrations build exactly the tables the models describe."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from crm_graphql import db


async def test_models_have_no_unmigrated_changes(database: str) -> None:
    # given the models and the committed migrations
    config = db.tortoise_config(database)
    # when the autodetector compares them
    writers = await MigrationAutodetector(Tortoise._get_context().apps, config["apps"]).changes()
    # then nothing is left to migrate
    assert writers == [], "models changed: run `tortoise -c crm_graphql.db.TORTOISE_ORM makemigrations`"


async def _tables(url: str) -> set[str]:
    conn = connections.get("default")
    if db.is_sqlite(url):
        _, rows = await conn.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r["name"] for r in rows}
    _, rows = await conn.execute_query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {r["tablename"] for r in rows}


async def test_migrating_an_empty_database_creates_every_model_table(tmp_path) -> None:
    # given an empty SQLite file
    url = f"sqlite://{tmp_path / 'new.sqlite3'}"
    # when `serve`/`migrate` initialise it (migrations run)
    await db.init(url)
    try:
        tables = await _tables(url)
        expected = {model._meta.db_table for model in Tortoise.apps["models"].values()}
        # then every model's table is there, and running again is a no-op
        assert expected <= tables, expected - tables
        await db.migrate(db.tortoise_config(url))
    finally:
        await db.close()
