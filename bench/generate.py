"""Deterministic bench data at a scale factor, bulk-loaded into SQLite or PostgreSQL.

SF1 = 1,000 accounts, 2,000 contacts, 5,000 opportunities, 10,000 quotes, 50,000 quote
items, 500 products, 5 price books, 2,500 price book entries, 50 bundles. Fan-out is
uniform (every account has the same number of children) so each bench operation has an
exact expected item count. Usage: ``python -m bench.generate --scale 1 --database URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from crm_graphql import db
from crm_graphql import models as m
from crm_graphql.enums import AmountSource, LineItemSource, OpportunityStatus, QuoteStatus, StageKind
from crm_graphql.services import pricing

CONTACTS_PER_ACCOUNT = 2
OPPORTUNITIES_PER_ACCOUNT = 5
QUOTES_PER_OPPORTUNITY = 2
ITEMS_PER_QUOTE = 5
PRICEBOOKS = 5
ITEMS_PER_BUNDLE = 3
CURRENCY = "EUR"
TAX_RATE = Decimal("20")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 2000

INDUSTRIES = ("Software", "Retail", "Manufacturing", "Finance", "Health", "Energy", "Logistics", "Media")
CITIES = ("Berlin", "Paris", "Madrid", "Rome", "Vienna", "Oslo", "Lisbon", "Prague", "Dublin", "Warsaw")
WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne")


@dataclass(frozen=True)
class Sizes:
    accounts: int
    contacts: int
    opportunities: int
    quotes: int
    items: int
    products: int
    pricebooks: int
    entries: int
    bundles: int

    @classmethod
    def of(cls, scale: float) -> Sizes:
        accounts = max(1, round(1000 * scale))
        products = max(ITEMS_PER_QUOTE, round(500 * scale))
        opportunities = accounts * OPPORTUNITIES_PER_ACCOUNT
        quotes = opportunities * QUOTES_PER_OPPORTUNITY
        return cls(
            accounts=accounts,
            contacts=accounts * CONTACTS_PER_ACCOUNT,
            opportunities=opportunities,
            quotes=quotes,
            items=quotes * ITEMS_PER_QUOTE,
            products=products,
            pricebooks=PRICEBOOKS,
            entries=products * PRICEBOOKS,
            bundles=max(1, round(50 * scale)),
        )


def account_name(i: int) -> str:
    # Names do not sort like ids, so "by name" is a real ORDER BY.
    return f"{WORDS[(i * 7) % len(WORDS)]} {CITIES[(i * 3) % len(CITIES)]} {i:06d}"


def unit_price(product: int, pricebook: int) -> Decimal:
    return Decimal(1000 + (product * 3719 + pricebook * 101) % 99000) / 100


def stamp(i: int) -> datetime:
    return EPOCH + timedelta(seconds=i)


def _base(pk: int) -> dict[str, Any]:
    return {"id": pk, "version": 1, "created_at": stamp(pk), "updated_at": stamp(pk)}


async def _bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await model.bulk_create([model(**row) for row in rows[start : start + BATCH]])


async def _reset_sequences(tables: list[str]) -> None:
    """PostgreSQL: explicit ids do not advance the serial sequences, so move them past the data."""
    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        return
    for table in tables:
        await conn.execute_query(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


async def load(scale: float) -> Sizes:
    """Insert the data set into the connected (empty) database; returns the sizes."""
    s = Sizes.of(scale)
    await db.ensure_reference_data()
    stages = await m.Stage.all().order_by("position")
    models_used: list[Any] = []

    def add(model: Any, rows: list[dict[str, Any]]) -> tuple[Any, list[dict[str, Any]]]:
        models_used.append(model)
        return model, rows

    plan: list[tuple[Any, list[dict[str, Any]]]] = []
    plan.append(add(m.Product, [{**_base(p), "name": f"Product {p:05d}", "code": f"SKU-{p:05d}",
                                  "default_unit": "pcs"} for p in range(1, s.products + 1)]))  # fmt: skip
    plan.append(add(m.Pricebook, [{**_base(b), "name": f"Price book {b}", "version_label": "2026"}
                                   for b in range(1, PRICEBOOKS + 1)]))  # fmt: skip
    entries = []
    for b in range(1, PRICEBOOKS + 1):
        for p in range(1, s.products + 1):
            pk = (b - 1) * s.products + p
            entries.append({**_base(pk), "pricebook_id": b, "product_id": p, "currency": CURRENCY,
                            "unit_price": unit_price(p, b)})  # fmt: skip
    plan.append(add(m.PricebookEntry, entries))
    bundles, bundle_items, bundle_prices = [], [], []
    for k in range(1, s.bundles + 1):
        bundles.append({**_base(k), "pricebook_id": (k - 1) % PRICEBOOKS + 1, "name": f"Bundle {k:03d}",
                        "code": f"BND-{k:03d}"})  # fmt: skip
        bundle_prices.append({**_base(k), "bundle_id": k, "currency": CURRENCY, "price": Decimal(500 + k)})
        for j in range(ITEMS_PER_BUNDLE):
            pk = (k - 1) * ITEMS_PER_BUNDLE + j + 1
            bundle_items.append({**_base(pk), "bundle_id": k, "product_id": (k * 11 + j) % s.products + 1,
                                 "position": j + 1, "quantity": Decimal(1), "weight": Decimal(j + 1)})  # fmt: skip
    plan += [add(m.Bundle, bundles), add(m.BundleItem, bundle_items), add(m.BundlePrice, bundle_prices)]

    accounts, contacts, opportunities, quotes, items = [], [], [], [], []
    for a in range(1, s.accounts + 1):
        accounts.append({**_base(a), "name": account_name(a), "email": f"info@account{a}.example",
                         "city": CITIES[a % len(CITIES)], "country": "DE", "industry": INDUSTRIES[a % len(INDUSTRIES)],
                         "phone": f"+49 30 {a:07d}"})  # fmt: skip
        for c in range(CONTACTS_PER_ACCOUNT):
            pk = (a - 1) * CONTACTS_PER_ACCOUNT + c + 1
            contacts.append({**_base(pk), "first_name": f"First{pk}", "last_name": f"Last{pk:06d}",
                             "email": f"c{pk}@account{a}.example", "account_id": a})  # fmt: skip
        for o in range(OPPORTUNITIES_PER_ACCOUNT):
            opp = (a - 1) * OPPORTUNITIES_PER_ACCOUNT + o + 1
            stage = stages[opp % len(stages)]
            pricebook = opp % PRICEBOOKS + 1
            amount = Decimal(0)
            for q in range(QUOTES_PER_OPPORTUNITY):
                qid = (opp - 1) * QUOTES_PER_OPPORTUNITY + q + 1
                lines, rows = [], []
                for i in range(ITEMS_PER_QUOTE):
                    iid = (qid - 1) * ITEMS_PER_QUOTE + i + 1
                    product = (iid * 13) % s.products + 1
                    price = unit_price(product, pricebook)
                    quantity = Decimal(1 + iid % 9)
                    discount = Decimal((iid % 4) * 5)
                    lines.append(pricing.Line(quantity, price, discount, TAX_RATE))
                    rows.append({**_base(iid), "quote_id": qid, "position": i + 1, "currency": CURRENCY,
                                 "product_id": product, "pricebook_entry_id": (pricebook - 1) * s.products + product,
                                 "name": f"Product {product:05d}", "quantity": quantity, "unit_price": price,
                                 "discount_percent": discount, "tax_rate": TAX_RATE,
                                 "source": LineItemSource.PRICEBOOK})  # fmt: skip
                totals = pricing.document_totals(lines, Decimal(0), CURRENCY)
                for row, total in zip(rows, totals.line_totals, strict=True):
                    row["line_total"] = total
                items += rows
                active = q == 0
                if active:
                    amount = totals.net_total
                quotes.append({**_base(qid), "number": f"Q-{qid:05d}", "revision": 1, "name": f"Quote {qid}",
                               "account_id": a, "contact_id": (a - 1) * CONTACTS_PER_ACCOUNT + 1,
                               "opportunity_id": opp, "pricebook_id": pricebook, "currency": CURRENCY,
                               "status": QuoteStatus.SENT if active else QuoteStatus.DRAFT, "is_active": active,
                               "subtotal": totals.subtotal, "discount_total": totals.discount_total,
                               "net_total": totals.net_total, "tax_total": totals.tax_total, "total": totals.total,
                               "valid_until": date(2026, 12, 31)})  # fmt: skip
            kind = StageKind(stage.kind)
            opportunities.append({**_base(opp), "title": f"Deal {opp:06d}", "account_id": a,
                                  "contact_id": (a - 1) * CONTACTS_PER_ACCOUNT + 1, "stage_id": stage.id, "pipeline_id": stage.pipeline_id,
                                  "status": OpportunityStatus(kind.value), "probability": stage.probability,
                                  "currency": CURRENCY, "pricebook_id": pricebook, "amount": amount,
                                  "amount_source": AmountSource.QUOTE,
                                  "expected_revenue": pricing.expected_revenue(amount, stage.probability, CURRENCY),
                                  "close_date": date(2026, 1 + opp % 12, 1 + opp % 28),
                                  "closed_at": None if kind is StageKind.OPEN else stamp(opp)})  # fmt: skip
    plan += [add(m.Account, accounts), add(m.Contact, contacts), add(m.Opportunity, opportunities),
             add(m.Quote, quotes), add(m.QuoteItem, items)]  # fmt: skip

    async with in_transaction():
        for model, rows in plan:
            await _bulk(model, rows)
        await m.Sequence.filter(name="Q").update(value=s.quotes)
    await _reset_sequences([model._meta.db_table for model in models_used])
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        # What autovacuum does after a bulk load on a deployed PostgreSQL (it is off on the
        # bench machine): without statistics the planner takes every table for a few rows
        # and walks whole tables through the (deleted_at, ...) indexes. SQLite gathers none
        # by itself, so its file is left as a server would find it.
        await conn.execute_script("ANALYZE")
    return s


async def is_empty() -> bool:
    return not await m.Account.exists()


async def main_async(url: str, scale: float, *, reset: bool) -> Sizes:
    if reset:
        await drop_all(url)
    else:
        await db.init(url)
    try:
        started = time.perf_counter()
        sizes = await load(scale)
        print(f"Loaded SF{scale:g} in {time.perf_counter() - started:.1f}s: {sizes}")
        return sizes
    finally:
        await db.close()


async def drop_all(url: str) -> None:
    """Connect to an empty database with an up-to-date schema (drops every row, or on PostgreSQL the schema)."""
    if db.is_sqlite(db.normalize_url(url)):
        path = url.removeprefix("sqlite://")
        if path and path != ":memory:":  # a new file: schema exactly as db.init makes it
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)  # noqa: ASYNC240 - before any I/O starts
        await db.init(url)
    else:
        await db.init(url, create=False)
        # Rebuild the schema the way the server expects it (db.init: migrations or generate_schemas).
        await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await db.close()
        await db.init(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", required=True, help="sqlite://path or postgres://user@host:port/db")
    parser.add_argument("--reset", action="store_true", help="Empty the database first")
    args = parser.parse_args()
    asyncio.run(main_async(args.database, args.scale, reset=args.reset))


if __name__ == "__main__":
    main()
