"""SQLite's own faults: a file locked by another process (an import beside `serve`), a full
disk, a read-only file. Each answers a JSON 503 SERVICE_UNAVAILABLE (or, on the command line,
a clear error) and leaves nothing half-written."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import connections

from crm_graphql import cli, db

TEST_DATABASE_URL = os.environ.get("CRM_TEST_DATABASE_URL", "sqlite://:memory:")
CREATE = "mutation($n: String!) { createAccount(input: {name: $n}) { account { name } userErrors { code } } }"
READ = "{ accounts(first: 1) { totalCount } }"


def _names(path: Path, like: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM accounts WHERE name LIKE ?", (like,))]


def _write_locked_by_other(path: Path) -> bool:
    """Another process holds the write lock right now."""
    conn = sqlite3.connect(path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError as e:
        assert "locked" in str(e)
        return True
    finally:
        conn.close()


def _is_503(answer: httpx.Response) -> bool:
    return (
        answer.status_code == 503
        and answer.headers.get("retry-after") is not None
        and [e["extensions"]["code"] for e in answer.json()["errors"]] == ["SERVICE_UNAVAILABLE"]
    )


@pytest.mark.slow
def test_import_beside_serve_locks_writes_out_with_503_then_heals(live_server: Any, tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite3"
    url = f"sqlite://{path}"
    rows = 5_000
    csv = tmp_path / "accounts.csv"
    csv.write_text("name,city\n" + "".join(f"imported-{i},Paris\n" for i in range(rows)))
    with live_server(database=url, env={"CRM_SQLITE_BUSY_TIMEOUT_MS": "200"}) as server:
        http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, timeout=30)
        assert http.post("/graphql", json={"query": CREATE, "variables": {"n": "served-before"}}).status_code == 200
        # given `crm-graphql import` running beside `serve` on the same file, holding its write lock
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
        importer = subprocess.Popen(
            [sys.executable, "-m", "crm_graphql", "import", "accounts", str(csv), "--database", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        while not _write_locked_by_other(path):
            assert importer.poll() is None, importer.communicate()
            time.sleep(0.02)
        # when clients write and read meanwhile
        answers: dict[str, httpx.Response] = {}
        reads: list[httpx.Response] = []
        i = 0
        while _write_locked_by_other(path) and i < 200:
            i += 1
            answers[f"served-during-{i}"] = http.post(
                "/graphql", json={"query": CREATE, "variables": {"n": f"served-during-{i}"}}
            )
            reads.append(http.post("/graphql", json={"query": READ}))
        out, err = importer.communicate(timeout=300)
        # then the import lands whole
        assert importer.returncode == 0, err
        assert f"Imported {rows} accounts." in out.decode()
        # and each write meanwhile was acknowledged or refused with a JSON 503 (the lock), at least one refused
        refused = [n for n, a in answers.items() if _is_503(a)]
        acknowledged = [n for n, a in answers.items() if a.status_code == 200 and "errors" not in a.json()]
        assert len(refused) + len(acknowledged) == len(answers)
        assert refused, "no write met the lock"
        # and reads went on (WAL: readers do not wait for the writer)
        assert all(r.status_code == 200 and "errors" not in r.json() for r in reads)
        # and once the import is done, writes succeed again
        healed = http.post("/graphql", json={"query": CREATE, "variables": {"n": "served-after"}})
        assert healed.status_code == 200 and "errors" not in healed.json(), healed.text
        http.close()
        log = server.log_text()
    # and nothing was half-written: every row of the import, the acknowledged writes, none refused
    assert len(_names(path, "imported-%")) == rows
    assert sorted(_names(path, "served-%")) == sorted(["served-before", "served-after", *acknowledged])
    assert "Traceback" not in log
    assert log.count('"outcome":"unavailable"') >= len(refused)


def test_import_while_another_process_holds_the_lock_is_a_clear_error(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    url = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    assert cli.main(["migrate", "--database", url]) == 0
    csv = tmp_path / "accounts.csv"
    csv.write_text("name\nAcme\nGlobex\n")
    monkeypatch.setenv("CRM_SQLITE_BUSY_TIMEOUT_MS", "100")
    capsys.readouterr()
    # given another process holding the database's write lock
    other = sqlite3.connect(tmp_path / "crm.sqlite3", timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        # when an import runs
        code = cli.main(["import", "accounts", str(csv), "--database", url])
    finally:
        other.rollback()
        other.close()
    # then it says why, in one line, and exits 75 (try again later) having imported nothing
    err = capsys.readouterr().err
    assert code == 75
    assert err.startswith("error: The database is busy (locked by another process).") and "Traceback" not in err
    assert _names(tmp_path / "crm.sqlite3", "%") == []


@pytest.mark.skipif(not db.is_sqlite(TEST_DATABASE_URL), reason="SQLite's page limit stands in for a full disk")
async def test_full_disk_answers_503_and_writes_nothing(gql: Any) -> None:
    conn = connections.get("default")
    # given a database that cannot grow (as on a full disk)
    _, rows = await conn.execute_query("PRAGMA page_count")
    await conn.execute_script(f"PRAGMA max_page_count = {rows[0][0]}")
    acknowledged, refused = [], None
    try:
        # when accounts are created until it is full
        for i in range(2000):
            answer = await gql.raw(CREATE, {"n": f"full-{i}"})
            if answer.status_code != 200:
                refused = (f"full-{i}", answer)
                break
            assert answer.json()["data"]["createAccount"]["userErrors"] == []
            acknowledged.append(f"full-{i}")
    finally:
        await conn.execute_script("PRAGMA max_page_count = 1073741823")
    # then the refusal is a JSON 503 that says so, and the refused account was not written
    assert refused is not None
    name, answer = refused
    assert _is_503(answer), answer.text
    assert "disk is full" in answer.json()["errors"][0]["message"]
    data = await gql('{ accounts(first: 100, filter: {name: {startsWith: "full-"}}) { totalCount nodes { name } } }')
    assert data["accounts"]["totalCount"] == len(acknowledged)
    assert name not in {n["name"] for n in data["accounts"]["nodes"]}
    # and with room again, writes succeed
    assert (await gql.raw(CREATE, {"n": "full-after"})).status_code == 200


@pytest.mark.skipif(not db.is_sqlite(TEST_DATABASE_URL), reason="SQLite's query_only stands in for a read-only file")
async def test_read_only_database_serves_reads_and_refuses_writes_with_503(gql: Any) -> None:
    # given a database SQLite may only read (as a read-only file; chmod does not stop root)
    conn = connections.get("default")
    await conn.execute_script("PRAGMA query_only = ON")
    try:
        # then reads work and a write is a JSON 503 saying the database is read-only
        assert (await gql.raw(READ)).status_code == 200
        answer = await gql.raw(CREATE, {"n": "ro"})
        assert _is_503(answer), answer.text
        assert "read-only" in answer.json()["errors"][0]["message"]
    finally:
        await conn.execute_script("PRAGMA query_only = OFF")
    # and nothing was written
    data = await gql('{ accounts(filter: {name: {eq: "ro"}}) { totalCount } }')
    assert data["accounts"]["totalCount"] == 0
