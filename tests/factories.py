"""Plain async builders for tests: they go through the GraphQL API (the ``gql`` fixture)."""

from __future__ import annotations

from typing import Any

ERR = "userErrors { field message code }"


def _lower(name: str) -> str:
    return name[0].lower() + name[1:]


async def create(gql: Any, type_name: str, values: dict[str, Any]) -> str:
    """``createX(input: values)``; the new record's global ID (no user errors allowed)."""
    key = _lower(type_name)
    data = await gql(
        f"mutation($input: Create{type_name}Input!) {{ create{type_name}(input: $input) {{ {key} {{ id }} {ERR} }} }}",
        {"input": values},
    )
    payload = data[f"create{type_name}"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return str(payload[key]["id"])


async def mutate(gql: Any, name: str, values: dict[str, Any], select: str = "") -> dict[str, Any]:
    """A domain mutation ``name(input: values) { <select> userErrors }``; asserts no user errors."""
    type_name = name[0].upper() + name[1:]
    data = await gql(
        f"mutation($input: {type_name}Input!) {{ {name}(input: $input) {{ {select} {ERR} }} }}", {"input": values}
    )
    assert data[name]["userErrors"] == [], data[name]["userErrors"]
    return dict(data[name])


async def quote_with_lines(
    gql: Any,
    lines: list[dict[str, Any]],
    *,
    account: dict[str, Any] | None = None,
    quote: dict[str, Any] | None = None,
    round_to: str | None = None,
) -> dict[str, str]:
    """An account, an opportunity and a quote with manual ``lines`` (``addManualQuoteItem``
    inputs without ``quoteId``), rounded to ``round_to`` when given. Returns their ids."""
    account_id = await create(gql, "Account", account or {"name": "Acme"})
    opportunity_id = await create(gql, "Opportunity", {"title": "Deal", "accountId": account_id})
    quote_id = await create(gql, "Quote", {"opportunityId": opportunity_id, **(quote or {})})
    for line in lines:
        await mutate(gql, "addManualQuoteItem", {"quoteId": quote_id, **line}, "item { id }")
    if round_to is not None:
        await mutate(gql, "roundQuoteTotal", {"quoteId": quote_id, "roundTo": round_to}, "item { id }")
    return {"account": account_id, "opportunity": opportunity_id, "quote": quote_id}
