"""Command line: ``crm-graphql serve | migrate | seed | export-schema | export-models | import | export | user``."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from crm_graphql.settings import Settings, split_list

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO_ROOT / "schema" / "schema.graphql"
MODELS_PATH = REPO_ROOT / "models" / "erd.md"


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        database_url=getattr(args, "database", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        workers=getattr(args, "workers", None),
        demo=True if getattr(args, "demo", False) else None,
        allowed_hosts=split_list(args.allowed_hosts) if getattr(args, "allowed_hosts", None) else None,
    )


async def _with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    from crm_graphql import db
    from crm_graphql.app import startup

    await db.init(settings.database_url)
    try:
        await startup(settings, connect=False)
        return await work()
    finally:
        await db.close()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from crm_graphql import db

    settings = _settings(args)
    if settings.workers > 1 and db.is_sqlite(settings.database_url):
        print(
            "SQLite serves one worker process; use PostgreSQL (CRM_DATABASE_URL=postgres://...) for --workers > 1.",
            file=sys.stderr,
        )
        return 2
    if settings.workers > 1 or settings.demo:
        # Prepare the database once, before workers start (schema, reference data, demo data).
        asyncio.run(_with_db(settings, _noop))
    os.environ["CRM_DATABASE_URL"] = settings.database_url
    os.environ["CRM_ALLOWED_HOSTS"] = ",".join(settings.allowed_hosts)
    if settings.demo:
        os.environ["CRM_DEMO"] = "1"
        print(
            f"Demo mode: open http://{settings.host}:{settings.port}/graphql (loopback requests act as the demo admin)"
        )
    from crm_graphql.api.transport import logs, metrics

    clean_up = metrics.prepare_workers(settings.workers)
    # uvicorn raises the SIGTERM it handled once more when it is done: answered here, so a
    # graceful shutdown exits 0 (the worker's drain is crm_graphql.lifecycle)
    signal.signal(signal.SIGTERM, lambda sig, frame: None)
    try:
        uvicorn.run(
            "crm_graphql.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="info",
            proxy_headers=False,
            log_config=logs.uvicorn_log_config(),
            access_log=False,
            # the worker's drain (crm_graphql.lifecycle) already waited CRM_SHUTDOWN_TIMEOUT for
            # requests in flight before uvicorn's own shutdown starts: a short bound after it
            timeout_graceful_shutdown=3,
            # a WebSocket message is bounded like an HTTP body (uvicorn's default is 16 MiB)
            ws_max_size=settings.max_body_bytes,
        )
    finally:
        clean_up()
    return 0


async def _noop() -> None:
    return None


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(_with_db(_settings(args), _noop))
    print("Database is up to date.")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    import dataclasses

    from crm_graphql.services import demo

    # not demo mode at start-up: that would load the data set once more before `load`
    settings = dataclasses.replace(_settings(args), demo=False)

    async def work() -> Any:
        return await demo.load(scale=args.scale)

    counts = asyncio.run(_with_db(settings, work))
    print(", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def export_schema_text() -> str:
    from crm_graphql.api.schema import build_schema

    return str(build_schema()).rstrip("\n") + "\n"


def _check_or_write(text: str, path: Path, check: bool, command: str) -> int:
    import difflib

    if check:
        current = path.read_text() if path.exists() else ""
        if current != text:
            sys.stdout.writelines(
                difflib.unified_diff(current.splitlines(True), text.splitlines(True), str(path), "generated")
            )
            print(f"\n{path} is out of date: run `{command}`.", file=sys.stderr)
            return 1
        return 0
    if path.exists() or command:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return 0


def cmd_export_schema(args: argparse.Namespace) -> int:
    text = export_schema_text()
    if args.check:
        return _check_or_write(text, SCHEMA_PATH, True, "crm-graphql export-schema --write")
    if args.write:
        return _check_or_write(text, SCHEMA_PATH, False, "write")
    sys.stdout.write(text)
    return 0


def cmd_export_models(args: argparse.Namespace) -> int:
    from crm_graphql.services.er_diagram import render

    text = render()
    if args.check:
        return _check_or_write(text, MODELS_PATH, True, "crm-graphql export-models --write")
    if args.write:
        return _check_or_write(text, MODELS_PATH, False, "write")
    sys.stdout.write(text)
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    from crm_graphql.enums import Role
    from crm_graphql.errors import DomainError
    from crm_graphql.services import users

    settings = _settings(args)
    if args.user_command == "create":
        try:
            role = Role(args.role.upper())
        except ValueError:
            print(f"Unknown role {args.role!r}: one of {', '.join(r.value for r in Role)}", file=sys.stderr)
            return 2

        async def create() -> Any:
            partner = None
            if args.partner_account:
                from crm_graphql.api.relay import MalformedId, from_global_id
                from crm_graphql.errors import Invalid

                value = args.partner_account
                try:
                    partner = int(value) if value.isdigit() else from_global_id(value)[1]
                except MalformedId:
                    raise Invalid(f"{value!r} is no account id.", ("partnerAccount",)) from None
            return await users.create_user(args.email, args.name, role, partner_account_id=partner)

        try:
            _user, token = asyncio.run(_with_db(settings, create))
        except DomainError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 1
        print(token)
        return 0

    async def revoke() -> bool:
        return await users.revoke_token(args.token)

    if not asyncio.run(_with_db(settings, revoke)):
        print("No active token matches.", file=sys.stderr)
        return 1
    print("Token revoked.")
    return 0


def _progress(total: int | None, description: str) -> Any:
    """A progress bar on standard error when it is a terminal; silent when piped."""
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit=" rows", file=sys.stderr, disable=not sys.stderr.isatty())


def cmd_import(args: argparse.Namespace) -> int:
    from crm_graphql.services import importer

    settings = _settings(args)

    async def work() -> Any:
        rows = importer.read_rows(Path(args.file))
        with _progress(len(rows), f"import {args.kind}") as bar:
            actor = await importer.import_actor()
            return await importer.import_rows(importer.KINDS[args.kind], rows, actor, bar.update)

    report = asyncio.run(_with_db(settings, work))
    if report.errors:
        for error in report.errors:
            print(f"row {error.row}, column {error.column}: {error.message}", file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 1
    print(f"Imported {report.count} {args.kind}.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import csv

    from crm_graphql.services import exporter

    settings = _settings(args)
    writer = csv.writer(sys.stdout, lineterminator="\n")

    async def work() -> None:
        with _progress(await exporter.count(args.kind), f"export {args.kind}") as bar:
            writer.writerow(exporter.header(args.kind))
            async for rows in exporter.export_rows(args.kind, progress=bar.update):
                writer.writerows(rows)

    try:
        asyncio.run(_with_db(settings, work))
        sys.stdout.flush()
    except BrokenPipeError:  # `crm-graphql export ... | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-graphql", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def db_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database", help="Database URL (default: CRM_DATABASE_URL or sqlite://crm.sqlite3)")

    serve = sub.add_parser("serve", help="Run the HTTP server (migrates a new database)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="Worker processes (PostgreSQL only for more than 1)")
    serve.add_argument("--demo", action="store_true", help="Load demo data; loopback requests act as the demo admin")
    serve.add_argument(
        "--allowed-hosts",
        help="Comma-separated Host header values to answer (default: any; only loopback names with --demo)",
    )
    db_flag(serve)
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="Create or update the database schema")
    db_flag(migrate)
    migrate.set_defaults(func=cmd_migrate)

    seed = sub.add_parser("seed", help="Load the demo data set")
    seed.add_argument("--demo", action="store_true", help="The demo data set (the default)")
    seed.add_argument("--scale", type=int, default=1, help="Multiply the data set")
    db_flag(seed)
    seed.set_defaults(func=cmd_seed)

    for name, func, what in (
        ("export-schema", cmd_export_schema, "schema/schema.graphql"),
        ("export-models", cmd_export_models, "models/erd.md"),
    ):
        p = sub.add_parser(name, help=f"Print {what} (--write to update it, --check to diff it)")
        p.add_argument("--check", action="store_true", help=f"Exit 1 with a diff when {what} is stale")
        p.add_argument("--write", action="store_true", help=f"Write {what}")
        p.set_defaults(func=func)

    kinds = ["accounts", "contacts", "leads", "opportunities", "products", "pricebook-entries"]
    imp = sub.add_parser("import", help="Import a CSV file: every row lands or none does")
    imp.add_argument("kind", choices=kinds)
    imp.add_argument("file")
    db_flag(imp)
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="Write KIND as CSV to standard output, in the columns `import KIND` reads")
    exp.add_argument("kind", choices=kinds)
    db_flag(exp)
    exp.set_defaults(func=cmd_export)

    user = sub.add_parser("user", help="Manage users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="Create a user and print its API token")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, help="ADMIN, MANAGER, SALES_REP, READ_ONLY or PARTNER")
    create.add_argument("--partner-account", help="A PARTNER user's partner account (global ID or number)")
    db_flag(create)
    create.set_defaults(func=cmd_user)
    revoke = user_sub.add_parser("revoke-token", help="Revoke an API token")
    revoke.add_argument("token")
    db_flag(revoke)
    revoke.set_defaults(func=cmd_user)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Exception as exc:
        from crm_graphql import faults

        found = faults.classify(exc)
        if found is None:
            raise
        # the database is locked by another process, unreachable, full or read-only: say so, no traceback
        print(f"error: {found.message} ({found.detail})", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
