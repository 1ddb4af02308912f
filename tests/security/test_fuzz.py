"""Generated queries and mutations never cause a 500, leak internals, or answer a client
mistake with the masked "Unexpected error".

Two generators over the served schema, against the demo data set (so generated ids hit
real records of every type), with strategies for the custom scalars that mix good values
with the mistakes of issue 14 (look-alike ids, loose decimals, dates at the edge of the
range, NUL characters):

- hypothesis-graphql (``from_schema``), queries and mutations;
- schemathesis in GraphQL mode (one operation per root field).

Example counts are small so the suite stays fast; ``CRM_FUZZ_EXAMPLES=N`` runs N per
generator, and ``-s`` prints the counts (requests, responses >= 500, masked errors).
"""

from __future__ import annotations

import base64
import os
from collections import Counter
from typing import Any

import httpx
import pytest
import schemathesis.graphql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from crm_graphql.api.relay import MODELS, to_global_id
from crm_graphql.api.schema import build_schema
from crm_graphql.services import demo

#: Both tests fuzz the whole schema.
pytestmark = pytest.mark.slow

LEAKS = ("Traceback", "SELECT", "sqlite", "asyncpg", 'File "')
EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "0"))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


IDS = [to_global_id(name, pk) for name in sorted(MODELS) for pk in (1, 2, 3, 7)] + [
    "",
    "x",
    "QWNjb3VudDox=",
    _b64("Account:\u00b2"),
    _b64("Account:\u0661"),
    _b64("Account:0"),
    _b64("Account:01"),
    _b64("Account:99999999999999999999"),
    _b64("Nope:1"),
    "QWNjb3VudDoxMh==",
]
DECIMALS = [
    "0",
    "1.5",
    "-3",
    "100",
    "0.0001",
    "1E+2",
    "NaN",
    "Infinity",
    " 1",
    "+5",
    ".5",
    "5.",
    "\uff11\uff12\uff13",
    "1" * 30,
    "922337203685477.5807",
    "99999999999999999999",
    "0.00001",
    "abc",
]
DATES = ["2026-01-31", "2026-02-30", "0001-01-01", "9999-12-31", "0999-12-31", "x"]
DATETIMES = ["2026-01-31T10:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-01-31", "x"]
STRINGS = st.one_of(
    st.sampled_from(["", "EUR", "USD", "x" * 300, "a\x00b", "<img src=x>", "%_\\"]), st.text(max_size=20)
)


def _scalars(string: Any) -> dict[str, Any]:
    return {
        "ID": st.sampled_from(IDS).map(string),
        "Decimal": st.sampled_from(DECIMALS).map(string),
        "Date": st.sampled_from(DATES).map(string),
        "DateTime": st.sampled_from(DATETIMES).map(string),
        "JSON": st.just(string("{}")),
    }


def _examples(strategy: Any, count: int) -> list[Any]:
    found: list[Any] = []

    @settings(
        max_examples=count, database=None, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    collect()
    return found


def hypothesis_documents(count: int) -> list[str]:
    sdl = build_schema().as_str()
    scalars = {k: v for k, v in _scalars(nodes.String).items() if k != "ID"}  # ID is built in there
    strategy = from_schema(sdl, custom_scalars=scalars)
    return [str(doc) for doc in _examples(strategy, count)]


def schemathesis_documents(count: int) -> list[str]:
    for name, strategy in _scalars(schemathesis.graphql.nodes.String).items():
        schemathesis.graphql.scalar(name, strategy)
    schema = schemathesis.graphql.from_file(build_schema().as_str())
    return [str(case.body) for case in _examples(schema.as_strategy(), count)]


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.bad: list[tuple[str, str]] = []

    async def send(self, client: httpx.AsyncClient, token: str, document: str) -> None:
        response = await client.post("/graphql", json={"query": document}, headers={"Authorization": f"Bearer {token}"})
        self.counts["requests"] += 1
        if response.status_code >= 500:
            self.counts[">=500"] += 1
            self.bad.append((document, response.text[:500]))
            return
        if any(leak in response.text for leak in LEAKS):
            self.counts["leaks"] += 1
            self.bad.append((document, response.text[:500]))
        body = response.json()
        codes = Counter(e.get("extensions", {}).get("code") for e in body.get("errors", []))
        for payload in (body.get("data") or {}).values():
            for error in (payload or {}).get("userErrors", []) if isinstance(payload, dict) else []:
                codes[f"user:{error.get('code')}"] += 1
        if codes["INTERNAL_SERVER_ERROR"]:
            self.counts["masked"] += 1
            self.bad.append((document, response.text[:500]))
        self.counts.update(f"code:{c}" for c in codes if c)

    def report(self, name: str) -> None:
        print(f"\n{name}: " + ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items())))
        assert not self.bad, self.bad[:3]
        assert self.counts[">=500"] == 0 and self.counts["masked"] == 0


async def test_hypothesis_graphql_operations_never_fail_badly(client: httpx.AsyncClient, admin: Any) -> None:
    await demo.load()
    documents = hypothesis_documents(EXAMPLES or 30)
    assert len(documents) >= 10
    tally = Tally()
    for document in documents:
        await tally.send(client, admin.token, document)
    tally.report("hypothesis-graphql")


async def test_schemathesis_graphql_operations_never_fail_badly(client: httpx.AsyncClient, admin: Any) -> None:
    await demo.load()
    documents = schemathesis_documents(EXAMPLES or 40)
    assert len(documents) >= 10
    assert any(d.lstrip().startswith("mutation") for d in documents) or EXAMPLES == 0
    tally = Tally()
    for document in documents:
        await tally.send(client, admin.token, document)
    tally.report("schemathesis")
