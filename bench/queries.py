"""The bench operations: GraphQL documents, their variables, and the expected answer size.

Every operation has a ``count(data)`` that measures its answer and an ``expected`` count
derived from the generator's fan-out, so a wrong or truncated answer fails the run instead
of looking fast. The floor app (bench/floor_app.py) answers the same reads (``floor``) with
hand-written SQL; its JSON carries the same counts.
"""

from __future__ import annotations

import base64
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.generate import (
    CONTACTS_PER_ACCOUNT,
    ITEMS_PER_QUOTE,
    OPPORTUNITIES_PER_ACCOUNT,
    QUOTES_PER_OPPORTUNITY,
    Sizes,
)

PAGE = 50
PIPELINE_PAGE = 100


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


ACCOUNTS_PAGE = """
query AccountsPage($first: Int!) {
  accounts(first: $first, orderBy: [{field: NAME}]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name city country industry email phone } }
  }
}"""

ACCOUNT_360 = """
query Account360($id: ID!) {
  node(id: $id) {
    ... on Account {
      id name city industry
      contacts(first: 20) { nodes { id firstName lastName email } }
      opportunities(first: 20) {
        nodes {
          id title amount closeDate stage { name }
          quotes(first: 10) {
            nodes {
              id number status total
              items(first: 20) { nodes { id quantity unitPrice lineTotal product { id name code } } }
            }
          }
        }
      }
    }
  }
}"""

DEEP_GRAPH = """
query DeepGraph($first: Int!) {
  accounts(first: $first, orderBy: [{field: NAME}]) {
    nodes {
      id name
      opportunities(first: 10) {
        nodes {
          id title amount
          quotes(first: 10) {
            nodes {
              id number total
              items(first: 10) { nodes { id quantity unitPrice lineTotal product { id name code } } }
            }
          }
        }
      }
    }
  }
}"""

PIPELINE_BY_STAGE = """
query PipelineByStage($first: Int!) {
  opportunities(first: $first, filter: {stage: {kind: {eq: OPEN}}}, orderBy: [{field: AMOUNT, direction: DESC}]) {
    totalCount
    nodes { id amount expectedRevenue stage { id name } }
  }
}"""

PIPELINE_SUMMARY = """
query PipelineSummary {
  pipelineSummary(groupBy: STAGE, filter: {stage: {kind: {eq: OPEN}}}) { key label count amount weightedAmount }
}"""

CONVERT_QUOTE_TO_ORDER = """
mutation ConvertQuoteToOrder($quoteId: ID!) {
  convertQuoteToOrder(input: {quoteId: $quoteId}) {
    salesOrder { id number total items { totalCount } }
    userErrors { field message code }
  }
}"""

ADD_QUOTE_ITEMS = """
mutation AddQuoteItems($quoteId: ID!, $productId: ID!) {
  addQuoteItems(input: {quoteId: $quoteId, items: [{productId: $productId, quantity: "2"}]}) {
    quote { id total }
    items { id lineTotal }
    userErrors { field message code }
  }
}"""


@dataclass
class Operation:
    name: str
    document: str
    #: Variables of the i-th request.
    variables: Callable[[int], dict[str, Any]]
    expected: int
    count: Callable[[dict[str, Any]], int]
    #: The floor app's operation name and arguments for the i-th request (None: no floor).
    floor: Callable[[int], dict[str, Any]] | None = None
    mutation: bool = False
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _deep_items(accounts: list[dict[str, Any]]) -> int:
    return sum(
        len(q["items"]["nodes"])
        for a in accounts
        for o in a["opportunities"]["nodes"]
        for q in o["quotes"]["nodes"]
        if all(i["product"] is not None for i in q["items"]["nodes"])
    )


def _account_360(data: dict[str, Any]) -> int:
    node = data["node"]
    if node is None or len(node["contacts"]["nodes"]) != CONTACTS_PER_ACCOUNT:
        return -1
    return _deep_items([node])


def _pipeline(data: dict[str, Any]) -> int:
    nodes = data["opportunities"]["nodes"]
    groups = Counter(n["stage"]["name"] for n in nodes)  # the client-side grouping
    return sum(groups.values())


def open_opportunities(sizes: Sizes) -> int:
    """Opportunity ``k`` (1-based) sits in stage ``k % 6`` of the six default stages; four are OPEN."""
    return sum(1 for k in range(1, sizes.opportunities + 1) if k % 6 in (0, 1, 2, 3))


def _open_quote_ids(sizes: Sizes, index: int) -> list[int]:
    """Quote ``index`` (0 = active SENT, 1 = DRAFT) of every opportunity of an OPEN stage."""
    return [
        (k - 1) * QUOTES_PER_OPPORTUNITY + index + 1 for k in range(1, sizes.opportunities + 1) if k % 6 in (0, 1, 2, 3)
    ]


def operations(sizes: Sizes, schema_sdl: str) -> tuple[list[Operation], list[str]]:
    """The operations this schema supports, and notes on what was skipped or substituted."""
    notes: list[str] = []
    n_accounts = sizes.accounts
    page = min(PAGE, n_accounts)
    per_account = OPPORTUNITIES_PER_ACCOUNT * QUOTES_PER_OPPORTUNITY * ITEMS_PER_QUOTE
    ops = [
        Operation(
            "Q1 AccountsPage",
            ACCOUNTS_PAGE,
            lambda i: {"first": page},
            page,
            lambda d: len(d["accounts"]["edges"]),
            lambda i: {"op": "accounts_page", "first": page},
        ),
        Operation(
            "Q2 Account360",
            ACCOUNT_360,
            lambda i: {"id": gid("Account", i % n_accounts + 1)},
            per_account,
            _account_360,
            lambda i: {"op": "account_360", "id": i % n_accounts + 1},
        ),
        Operation(
            "Q3 DeepGraph",
            DEEP_GRAPH,
            lambda i: {"first": page},
            page * per_account,
            lambda d: _deep_items(d["accounts"]["nodes"]),
            lambda i: {"op": "deep_graph", "first": page},
        ),
    ]
    open_count = open_opportunities(sizes)
    if "pipelineSummary(" in schema_sdl:
        ops.append(
            Operation(
                "Q4 PipelineByStage",
                PIPELINE_SUMMARY,
                lambda i: {},
                open_count,
                lambda d: sum(g["count"] for g in d["pipelineSummary"]),
                lambda i: {"op": "pipeline_summary"},
                note="pipelineSummary(groupBy: STAGE)",
            )
        )
    else:
        first = min(PIPELINE_PAGE, open_count)
        ops.append(
            Operation(
                "Q4 PipelineByStage",
                PIPELINE_BY_STAGE,
                lambda i: {"first": first},
                first,
                _pipeline,
                lambda i: {"op": "pipeline_page", "first": first},
                note="no pipelineSummary: first 100 OPEN opportunities by amount, grouped client-side",
            )
        )
        notes.append(
            "Q4: `pipelineSummary` is not in the schema; measured the first 100 OPEN opportunities "
            "(by amount, with totalCount) grouped by stage on the client."
        )
    if "convertQuoteToOrder(" in schema_sdl:
        orders_pool = _open_quote_ids(sizes, 0)
        ops.append(
            Operation(
                "M1 ConvertQuoteToOrder",
                CONVERT_QUOTE_TO_ORDER,
                # one counter across warm-up and every concurrency level: each quote converts once
                lambda i, taken=itertools.count(): {
                    "quoteId": gid("Quote", orders_pool[next(taken) % len(orders_pool)])
                },
                1,
                lambda d: 0 if d["convertQuoteToOrder"]["userErrors"] else 1,
                mutation=True,
                extra={"pool": len(orders_pool)},
            )
        )
    else:
        notes.append("M1 ConvertQuoteToOrder: `convertQuoteToOrder` is not in the schema; skipped.")
    if "addQuoteItems(" in schema_sdl:
        items_pool = _open_quote_ids(sizes, 1)
        ops.append(
            Operation(
                "M2 AddQuoteItems",
                ADD_QUOTE_ITEMS,
                lambda i: {
                    "quoteId": gid("Quote", items_pool[i % len(items_pool)]),
                    "productId": gid("Product", i % 5 + 1),
                },
                1,
                lambda d: len(d["addQuoteItems"]["items"] or []) if not d["addQuoteItems"]["userErrors"] else 0,
                mutation=True,
            )
        )
    else:
        notes.append("M2 AddQuoteItems: `addQuoteItems` is not in the schema; skipped.")
    return ops, notes
