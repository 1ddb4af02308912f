"""The command line: user create, export-schema --check, migrate, seed.

Commands that open a database run ``cli.main`` in a child process: Tortoise caches
per-model SQL for the backend it last saw, so a SQLite file opened in this process would
break the next test on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm_graphql import cli

RUN = "import sys; from crm_graphql import cli; sys.exit(cli.main(sys.argv[1:]))"
WHO = """
import asyncio, sys
from crm_graphql import db
from crm_graphql.services import users
async def main():
    await db.init(sys.argv[1])
    try:
        for token in sys.argv[2:]:
            user = await users.authenticate(token)
            print(user.email if user else None)
    finally:
        await db.close()
asyncio.run(main())
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


def main(*argv: str) -> Result:
    done = subprocess.run([sys.executable, "-c", RUN, *argv], capture_output=True, text=True, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def test_user_create_prints_a_token_that_authenticates(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    created = main(
        "user", "create", "--email", "ops@example.com", "--name", "Ops", "--role", "manager", "--database", url
    )
    assert created.code == 0, created.err
    token = created.out.strip()
    assert len(token) >= 32 and "\n" not in token
    who = subprocess.run([sys.executable, "-c", WHO, url, token, token + "x"], capture_output=True, text=True)
    assert who.stdout.split() == ["ops@example.com", "None"], who.stderr
    # the same e-mail again is refused; so is an unknown role
    again = main(
        "user", "create", "--email", "ops@example.com", "--name", "Ops", "--role", "MANAGER", "--database", url
    )
    assert again.code == 1 and "exists" in again.err
    assert (
        main("user", "create", "--email", "x@example.com", "--name", "X", "--role", "boss", "--database", url).code == 2
    )


def test_export_schema_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.graphql"
    monkeypatch.setattr(cli, "SCHEMA_PATH", path)
    assert cli.main(["export-schema", "--check"]) == 1  # missing file is stale
    capsys.readouterr()
    assert cli.main(["export-schema", "--write"]) == 0
    assert path.read_text() == cli.export_schema_text()
    assert cli.main(["export-schema", "--check"]) == 0
    path.write_text(path.read_text() + "\n# drift\n")
    assert cli.main(["export-schema", "--check"]) == 1
    assert "out of date" in capsys.readouterr().err


def test_migrate_creates_tables(tmp_path: Path) -> None:
    file = tmp_path / "new.sqlite3"
    migrated = main("migrate", "--database", f"sqlite://{file}")
    assert migrated.code == 0 and "up to date" in migrated.out
    with sqlite3.connect(file) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        stages = con.execute("SELECT count(*) FROM stages").fetchone()[0]
    assert {"accounts", "opportunities", "quotes", "quote_items", "users", "api_tokens"} <= tables
    assert stages == 6
    # running it again is harmless
    assert main("migrate", "--database", f"sqlite://{file}").code == 0


def test_seed_demo(tmp_path: Path) -> None:
    file = tmp_path / "demo.sqlite3"
    seeded = main("seed", "--demo", "--database", f"sqlite://{file}")
    assert seeded.code == 0, seeded.err
    assert "25 accounts" in seeded.out
    with sqlite3.connect(file) as con:
        assert con.execute("SELECT count(*) FROM accounts").fetchone()[0] == 25
