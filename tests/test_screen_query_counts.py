"""The Kanban board and account 360 example operations (schema/examples) cost the same number
of statements for a few rows and for many: every list, relation and figure of a level is read
by one batched statement (issue 12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.db import count_statements
from crm_graphql.enums import AccountRelationKind, OpportunityStatus, StageKind
from crm_graphql.services import timeline

EXAMPLES = Path(__file__).resolve().parents[1] / "schema" / "examples"
KANBAN = (EXAMPLES / "KanbanBoard.graphql").read_text()
ACCOUNT_360 = (EXAMPLES / "Account360.graphql").read_text()


async def build(n: int) -> str:
    """An account with ``n`` deals in every stage (EUR and USD, each with a contact role, a quote
    with a product line, open activities, a timeline event), ``n`` contacts, ``n`` related
    accounts; its global ID."""
    await m.ExchangeRate.create(currency="USD", rate=Decimal("0.92"))
    owner = await m.User.filter(role="ADMIN").first()
    account = await m.Account.create(name="Acme", owner=owner)
    due = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    product = await m.Product.create(name="Widget", code="W-1")
    for i in range(n):
        contact = await m.Contact.create(last_name=f"Contact {i}", account=account)
        await m.AccountRelation.create(
            account=account, linked=await m.Account.create(name=f"Related {i}"), kind=list(AccountRelationKind)[i % 6]
        )
        for stage in await m.Stage.filter(pipeline__is_default=True).order_by("position"):
            status = {
                StageKind.OPEN: OpportunityStatus.OPEN,
                StageKind.WON: OpportunityStatus.WON,
                StageKind.LOST: OpportunityStatus.LOST,
            }[stage.kind]
            opp = await m.Opportunity.create(
                title=f"Deal {i} {stage.name}",
                account=account,
                stage=stage,
                status=status,
                owner=owner,
                currency="USD" if i % 2 else "EUR",
                amount=Decimal(100 + i),
                contact=contact,
            )
            await m.OpportunityContactRole.create(opportunity=opp, contact=contact, role="USER", is_primary=True)
            quote = await m.Quote.create(
                number=f"Q-{opp.id}", name="Q", account=account, opportunity=opp, currency=opp.currency, is_active=True
            )
            await m.QuoteItem.create(
                quote=quote,
                currency=opp.currency,
                name="Line",
                quantity=Decimal(1),
                unit_price=Decimal(10),
                line_total=Decimal(10),
                product=product,
            )
            await timeline.record(None, opp, "CREATED", owner)  # type: ignore[arg-type]
            for days in (3, 1):
                await m.Activity.create(
                    type="CALL",
                    subject=f"Call {days}",
                    opportunity=opp,
                    assignee=owner,
                    due_at=due + dt.timedelta(days=days),
                )
    return to_global_id("Account", account.id)


async def statements(gql: Any, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
    await gql("{ viewer { id } }")  # warm
    with count_statements() as counter:
        data = await gql(query, variables)
    return counter.count, data


async def measure(gql: Any, n: int) -> tuple[int, int]:
    account = await build(n)
    kanban, board = await statements(gql, KANBAN, {})
    deals = [o for s in board["stages"] for o in s["opportunities"]["nodes"]]
    assert len(deals) == 6 * n and all(d["nextActivity"]["subject"] == "Call 1" for d in deals)
    page, data = await statements(gql, ACCOUNT_360, {"id": account})
    assert len(data["account"]["relatedAccounts"]) == n
    assert len(data["account"]["opportunities"]["nodes"]) == min(6 * n, 20)
    return kanban, page


# KanbanBoard: the default pipeline, its stages, their opportunities and totalCount (windowed,
# grouped), their accounts, owners, exchange rates and next activities: one statement each.
# Account360: the account, its owner and parent, children, open/won sums, exchange rates,
# relations, related accounts, contacts, opportunities, their stages, contact roles, the roles'
# contacts, next activities, quotes, quote items, products, timeline events (their actor is a
# user read already: the loader keeps it).
async def test_screens_with_few_rows(gql: Any) -> None:
    few = await measure(gql, 1)
    assert few == EXPECTED


async def test_screens_with_many_rows(gql: Any) -> None:
    many = await measure(gql, 8)
    assert many == EXPECTED


EXPECTED = (8, 17)


ACCOUNT_LIST = """{ accounts(first: 50) { nodes { name openPipelineAmount(currency: "USD") wonAmount(currency: "EUR")
  relatedAccounts { kind relatedAccount { name } } } } }"""


async def accounts_with_figures(gql: Any, n: int) -> int:
    """``n`` accounts, each related to the next and with an open and a won deal."""
    await m.ExchangeRate.create(currency="USD", rate=Decimal("0.92"))
    stages = {s.kind: s for s in await m.Stage.filter(pipeline__is_default=True)}
    accounts = [await m.Account.create(name=f"Account {i:02d}") for i in range(n)]
    for i, account in enumerate(accounts):
        await m.AccountRelation.create(account=account, linked=accounts[(i + 1) % n], kind="PARTNER")
        for kind, status in ((StageKind.OPEN, OpportunityStatus.OPEN), (StageKind.WON, OpportunityStatus.WON)):
            await m.Opportunity.create(
                title=f"Deal {i}",
                account=account,
                stage=stages[kind],
                status=status,
                currency="EUR",
                amount=Decimal("10.05"),
            )
    count, data = await statements(gql, ACCOUNT_LIST, {})
    nodes = data["accounts"]["nodes"]
    assert len(nodes) == n and all(len(a["relatedAccounts"]) == 2 for a in nodes)
    assert {(a["openPipelineAmount"], a["wonAmount"]) for a in nodes} == {("10.92", "10.05")}
    return count


# accounts, their open/won sums, the rates, the relations, the related accounts
async def test_account_list_figures_with_few_accounts(gql: Any) -> None:
    assert await accounts_with_figures(gql, 3) == 5


async def test_account_list_figures_with_many_accounts(gql: Any) -> None:
    assert await accounts_with_figures(gql, 30) == 5
