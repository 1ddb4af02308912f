"""Which exceptions are database faults (503) and which stay bugs (masked 500 with a traceback)."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError

from crm_graphql import faults


def _chained(outer: BaseException, inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 - the implicit context is the point
    except BaseException as e:
        return e


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"), "connection"),
        (asyncpg.CannotConnectNowError("the database system is starting up"), "connection"),
        (asyncpg.AdminShutdownError("terminating connection due to administrator command"), "connection"),
        (
            asyncpg.InterfaceError("cannot call Transaction.rollback(): the underlying connection is closed"),
            "connection",
        ),
        (asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), "connection"),
        (ConnectionRefusedError(111, "Connection refused"), "connection"),
        (OperationalError(sqlite3.OperationalError("database is locked")), "locked"),
        (OperationalError(sqlite3.OperationalError("database or disk is full")), "full"),
        (OperationalError(sqlite3.OperationalError("attempt to write a readonly database")), "read_only"),
        # a failed rollback chained to the broken query that caused it
        (
            _chained(TransactionManagementError("rollback failed"), asyncpg.ConnectionDoesNotExistError("gone")),
            "connection",
        ),
    ],
)
def test_database_faults_are_recognised(exc: BaseException, kind: str) -> None:
    found = faults.classify(exc)
    assert found is not None and found.kind == kind
    assert "SELECT" not in found.message


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad"),
        KeyError("x"),
        IntegrityError("duplicate key"),
        OperationalError(sqlite3.OperationalError("no such table: accounts")),
        asyncpg.UndefinedColumnError("column x does not exist"),
        asyncpg.InterfaceError("the server expects 2 arguments, 1 was passed"),
    ],
)
def test_bugs_and_client_mistakes_are_not_faults(exc: BaseException) -> None:
    assert faults.classify(exc) is None
