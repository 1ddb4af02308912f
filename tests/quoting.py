"""Quote operations shared by the pricing tests: the quote and quote-item mutations with
their full selections, readers, and ``world`` (an account, a price book with products in
several currencies, a quote and an opportunity)."""

from __future__ import annotations

from typing import Any

from factories import ERR, create, priced_products

LINE = "id name quantity unitPrice discountPercent taxRate lineTotal source weight currency version"
QUOTE = f"""id version number revision status isActive isLocked currency discountPercent
  subtotal discountTotal netTotal taxTotal total items(first: 100) {{ totalCount nodes {{ {LINE} }} }}"""
READ_QUOTE = f"query($id: ID!) {{ quote(id: $id) {{ {QUOTE} }} }}"


READ_OPP = """query($id: ID!) { opportunity(id: $id) { id version amount amountSource expectedRevenue
  activeQuote { id } items(first: 100) { totalCount nodes { id lineTotal quantity unitPrice source } } } }"""
ADD_ITEMS = f"""mutation($input: AddQuoteItemsInput!) {{ addQuoteItems(input: $input) {{
  quote {{ {QUOTE} }} items {{ {LINE} }} {ERR} }} }}"""
ADD_MANUAL = f"""mutation($input: AddManualQuoteItemInput!) {{ addManualQuoteItem(input: $input) {{
  quote {{ {QUOTE} }} item {{ {LINE} }} {ERR} }} }}"""
ADD_BUNDLE = f"""mutation($input: AddBundleToQuoteInput!) {{ addBundleToQuote(input: $input) {{
  quote {{ {QUOTE} }} items {{ {LINE} }} {ERR} }} }}"""
UPDATE_ITEM = f"""mutation($input: UpdateQuoteItemInput!) {{ updateQuoteItem(input: $input) {{
  quote {{ {QUOTE} }} item {{ {LINE} }} {ERR} }} }}"""
REMOVE_ITEM = f"""mutation($input: RemoveQuoteItemInput!) {{ removeQuoteItem(input: $input) {{
  quote {{ {QUOTE} }} {ERR} }} }}"""
ROUND = f"""mutation($input: RoundQuoteTotalInput!) {{ roundQuoteTotal(input: $input) {{
  quote {{ {QUOTE} }} item {{ {LINE} }} {ERR} }} }}"""
CHANGE_CURRENCY = f"""mutation($input: ChangeQuoteCurrencyInput!) {{ changeQuoteCurrency(input: $input) {{
  quote {{ {QUOTE} }} {ERR} }} }}"""
UPDATE_QUOTE = f"""mutation($input: UpdateQuoteInput!) {{ updateQuote(input: $input) {{
  quote {{ {QUOTE} }} {ERR} }} }}"""
SET_RATE = f"""mutation($input: SetExchangeRateInput!) {{ setExchangeRate(input: $input) {{
  exchangeRate {{ currency rate }} {ERR} }} }}"""
SET_BUNDLE_PRICE = f"""mutation($input: SetBundlePriceInput!) {{ setBundlePrice(input: $input) {{
  bundle {{ id }} {ERR} }} }}"""


async def read_quote(gql: Any, quote_id: str) -> Any:
    return (await gql(READ_QUOTE, {"id": quote_id}))["quote"]


async def read_opp(gql: Any, opp_id: str) -> Any:
    return (await gql(READ_OPP, {"id": opp_id}))["opportunity"]


async def world(gql: Any) -> dict[str, str]:
    """An account, a price book with products A (100.00 EUR / 110.00 USD), B (0.125 EUR, no
    USD), C (2.675 EUR / 3 USD) and J (1000 JPY), a quote in EUR, and an opportunity."""
    w: dict[str, str] = {}
    w["account"] = await create(gql, "Account", {"name": "Acme"})
    w["book"] = await create(gql, "Pricebook", {"name": "Standard"})
    w["other_book"] = await create(gql, "Pricebook", {"name": "Other"})
    prices = {
        "A": [("EUR", "100.00"), ("USD", "110.00")],
        "B": [("EUR", "0.125")],
        "C": [("EUR", "2.675"), ("USD", "3")],
        "J": [("JPY", "1000")],
    }
    w |= await priced_products(gql, w["book"], prices, "Product")
    w["opp"] = await create(
        gql, "Opportunity", {"title": "Deal", "accountId": w["account"], "currency": "EUR", "pricebookId": w["book"]}
    )
    w["quote"] = await create(gql, "Quote", {"accountId": w["account"], "pricebookId": w["book"], "currency": "EUR"})
    return w


def totals(quote: dict[str, Any]) -> dict[str, str]:
    keys = ("subtotal", "discountTotal", "netTotal", "taxTotal", "total")
    return {k: quote[k] for k in keys}


DUPLICATE = f"""mutation($input: DuplicateQuoteInput!) {{ duplicateQuote(input: $input) {{
  quote {{ {QUOTE} }} {ERR} }} }}"""
REVISE = f"""mutation($input: ReviseQuoteInput!) {{ reviseQuote(input: $input) {{
  quote {{ {QUOTE} }} previous {{ {QUOTE} }} {ERR} }} }}"""
SET_ACTIVE = f"""mutation($input: SetActiveQuoteInput!) {{ setActiveQuote(input: $input) {{
  quote {{ {QUOTE} }} opportunity {{ id amount amountSource }} {ERR} }} }}"""
SEND = f"mutation($input: SendQuoteInput!) {{ sendQuote(input: $input) {{ quote {{ {QUOTE} }} {ERR} }} }}"
ACCEPT = f"mutation($input: AcceptQuoteInput!) {{ acceptQuote(input: $input) {{ quote {{ {QUOTE} }} {ERR} }} }}"
DELETE_QUOTE = f"mutation($input: DeleteQuoteInput!) {{ deleteQuote(input: $input) {{ {ERR} }} }}"
