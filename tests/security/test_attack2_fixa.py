"""Regressions for the outside attack ATTACK-2 (findings 1, 3, 6, 7, 8): each refusal has a
clear code, never "Unexpected error.", and nothing changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.factories import create

SUMMARY = """query($by: PipelineGroupBy!) {
  pipelineSummary(groupBy: $by) { label count amount weightedAmount } }"""


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def test_pipeline_summary_sums_beyond_64_bits_exactly(gql: Any) -> None:
    # given ten deals whose stored amounts (ten-thousandths) sum beyond 2^63
    account = await create(gql, "Account", {"name": "Acme"})
    big = "99999999999999.99"
    for i in range(10):
        await create(gql, "Opportunity", {"title": f"Big {i}", "accountId": account, "manualAmount": big,
                                          "probability": 100})  # fmt: skip
    await create(gql, "Opportunity", {"title": "Small", "accountId": account, "manualAmount": "0.03",
                                      "probability": 100})  # fmt: skip
    assert Decimal(big) * 10 * 10**4 > 2**63
    expected = str(Decimal(big) * 10 + Decimal("0.03"))
    for by in ("STAGE", "OWNER", "ACCOUNT", "PIPELINE", "CLOSE_MONTH"):
        # then the summary answers the exact sum, on SQLite and PostgreSQL
        body = await gql(SUMMARY, {"by": by}, errors=True)
        assert "errors" not in body, (by, body)
        rows = body["data"]["pipelineSummary"]
        assert [(r["count"], r["amount"], r["weightedAmount"]) for r in rows] == [(11, expected, expected)], (by, rows)
