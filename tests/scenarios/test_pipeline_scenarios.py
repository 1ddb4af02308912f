"""End-to-end scenarios over HTTP for DOMAIN.md sections 3, 5, 6, 7, 8, 9 and API.md conventions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from factories import ERR, call, create, pk

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import ProductKind, Role

CREATE = "mutation($input: Create{t}Input!) {{ create{t}(input: $input) {{ {k} {{ id }} userErrors {{ field message code }} }} }}"
OPP_FIELDS = (
    "id version title status probability amount amountSource expectedRevenue manualAmount isLocked closedAt "
    "closeDate stage { name } contracts(first: 20) { nodes { id status kind } }"
)
READ_OPP = f"query($id: ID!) {{ opportunity(id: $id) {{ {OPP_FIELDS} }} }}"
UPDATE_OPP = f"""mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{
  opportunity {{ {OPP_FIELDS} }} {ERR} }} }}"""
MOVE = f"""mutation($input: MoveOpportunityToStageInput!) {{ moveOpportunityToStage(input: $input) {{
  opportunity {{ {OPP_FIELDS} }} {ERR} }} }}"""
WIN = f"""mutation($input: WinOpportunityInput!) {{ winOpportunity(input: $input) {{
  opportunity {{ {OPP_FIELDS} }}
  contracts {{ id kind status startDate endDate value quantity currency }} {ERR} }} }}"""
LOSE = f"""mutation($input: LoseOpportunityInput!) {{ loseOpportunity(input: $input) {{
  opportunity {{ {OPP_FIELDS} lostReason }} {ERR} }} }}"""
REOPEN = f"""mutation($input: ReopenOpportunityInput!) {{ reopenOpportunity(input: $input) {{
  opportunity {{ {OPP_FIELDS} }} {ERR} }} }}"""
ADD_OPP_ITEMS = f"""mutation($input: AddOpportunityItemsInput!) {{ addOpportunityItems(input: $input) {{
  opportunity {{ id amount amountSource }} {ERR} }} }}"""
ADD_QUOTE_ITEMS = f"""mutation($input: AddQuoteItemsInput!) {{ addQuoteItems(input: $input) {{
  quote {{ id netTotal }} {ERR} }} }}"""
ADD_MANUAL = f"""mutation($input: AddManualQuoteItemInput!) {{ addManualQuoteItem(input: $input) {{
  quote {{ id netTotal total }} {ERR} }} }}"""
UPDATE_QUOTE = f"""mutation($input: UpdateQuoteInput!) {{ updateQuote(input: $input) {{
  quote {{ id name version }} {ERR} }} }}"""
FROM_OPP = f"""mutation($input: CreateQuoteFromOpportunityInput!) {{ createQuoteFromOpportunity(input: $input) {{
  quote {{ id isActive currency netTotal }} opportunity {{ id amount amountSource }} {ERR} }} }}"""
TO_ORDER = f"""mutation($input: ConvertQuoteToOrderInput!) {{ convertQuoteToOrder(input: $input) {{
  salesOrder {{ id number netTotal total status account {{ id isDeleted }} }} quote {{ id status }} {ERR} }} }}"""
TO_INVOICE = f"""mutation($input: ConvertQuoteToInvoiceInput!) {{ convertQuoteToInvoice(input: $input) {{
  invoice {{ id netTotal }} quote {{ id status }} {ERR} }} }}"""
ORDER_TO_INVOICE = f"""mutation($input: ConvertOrderToInvoiceInput!) {{ convertOrderToInvoice(input: $input) {{
  invoice {{ id netTotal }} {ERR} }} }}"""
REJECT = f"mutation($input: RejectQuoteInput!) {{ rejectQuote(input: $input) {{ quote {{ id status }} {ERR} }} }}"
SEND = f"mutation($input: SendQuoteInput!) {{ sendQuote(input: $input) {{ quote {{ id status }} {ERR} }} }}"
UPSELL = f"""mutation($input: CreateUpsellOpportunityInput!) {{ createUpsellOpportunity(input: $input) {{
  opportunity {{ id title account {{ id }} }} contract {{ id }} {ERR} }} }}"""
LINEAGE = "origin { id } derivatives { id } lineage { from { id } to { id } kind }"
TIMELINE = "timeline(first: 100) { nodes { kind subjectType subject { id } data actor { id } changes { field oldValue newValue } } }"
SUMMARY = """query($by: PipelineGroupBy!, $currency: String) {
  pipelineSummary(groupBy: $by, currency: $currency) { key label count amount weightedAmount } }"""
QUALIFY = f"""mutation($input: QualifyLeadInput!) {{ qualifyLead(input: $input) {{
  lead {{ id status isLocked }} account {{ id name email phone }}
  contact {{ id firstName lastName email phone title account {{ id }} }} opportunity {{ id }} {ERR} }} }}"""
DISQUALIFY = f"""mutation($input: DisqualifyLeadInput!) {{ disqualifyLead(input: $input) {{
  lead {{ id status }} {ERR} }} }}"""
ANONYMIZE = f"""mutation($input: LeadIdInput!) {{ anonymizeLead(input: $input) {{
  lead {{ id firstName lastName email phone }} {ERR} }} }}"""
UPDATE_LEAD = f"mutation($input: UpdateLeadInput!) {{ updateLead(input: $input) {{ lead {{ id }} {ERR} }} }}"
DELETE = "mutation($input: Delete{t}Input!) {{ delete{t}(input: $input) {{ userErrors {{ field message code }} }} }}"
RESTORE = "mutation($input: Restore{t}Input!) {{ restore{t}(input: $input) {{ userErrors {{ field message code }} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id } }"
LOG = f"""mutation($input: LogActivityInput!) {{ logActivity(input: $input) {{
  activity {{ id subject type }} {ERR} }} }}"""


# --- helpers -----------------------------------------------------------------------------------


async def stage(name: str) -> str:
    return to_global_id("Stage", (await m.Stage.get(name=name)).id)


async def product(code: str, kind: ProductKind = ProductKind.ONE_TIME, term: int | None = None) -> str:
    row = await m.Product.filter(code=code).first()
    row = row or await m.Product.create(name=code.title(), code=code, kind=kind, term_months=term)
    return to_global_id("Product", row.id)


async def pricebook(prices: dict[str, str], currency: str = "EUR") -> str:
    """A price book with an entry per product code."""
    book = await m.Pricebook.create(name=f"Book {currency}")
    for code, price in prices.items():
        prod = await m.Product.get(id=pk(await product(code)))
        await m.PricebookEntry.create(
            pricebook=book, product=prod, currency=currency, unit="pcs", unit_price=Decimal(price)
        )
    return to_global_id("Pricebook", book.id)


async def opp(gql: Any, **values: Any) -> dict[str, str]:
    account = await create(gql, "Account", {"name": values.pop("account_name", "Acme")})
    o = await create(gql, "Opportunity", {"title": "Deal", "accountId": account, **values})
    return {"account": account, "opportunity": o}


async def read_opp(gql: Any, gid: str) -> Any:
    return (await gql(READ_OPP, {"id": gid}))["opportunity"]


async def deal_with_quote(gql: Any, lines: list[tuple[str, str, str]] | None = None, **values: Any) -> dict[str, str]:
    """Opportunity with a price book and an active quote holding product lines (code, qty, price)."""
    lines = lines or [("laptop", "2", "500")]
    for code, _, _ in lines:
        await product(code)
    book = await pricebook({code: price for code, _, price in lines})
    ids = await opp(gql, pricebookId=book, **values)
    q = await call(gql, FROM_OPP, {"opportunityId": ids["opportunity"], "pricebookId": book})
    ids["quote"] = q["quote"]["id"]
    ids["pricebook"] = book
    items = [{"productId": await product(code), "quantity": qty} for code, qty, _ in lines]
    await call(gql, ADD_QUOTE_ITEMS, {"quoteId": ids["quote"], "items": items})
    return ids


# --- section 3: stages and probability ---------------------------------------------------------


async def test_probability_override_while_open_then_win_forces_100(gql: Any) -> None:
    ids = await opp(gql, manualAmount="1000")
    o = await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "probability": 33})
    assert o["opportunity"]["probability"] == 33
    assert o["opportunity"]["expectedRevenue"] == "330.00"
    moved = await call(gql, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Proposal")})
    assert moved["opportunity"]["probability"] == 50
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    assert (won["opportunity"]["probability"], won["opportunity"]["status"]) == (100, "WON")
    assert won["opportunity"]["expectedRevenue"] == "1000.00"


async def test_lose_forces_zero_probability_and_zero_expected_revenue(gql: Any) -> None:
    ids = await opp(gql, manualAmount="1000", probability=90)
    lost = await call(gql, LOSE, {"opportunityId": ids["opportunity"], "reason": "Price"})
    o = lost["opportunity"]
    assert (o["probability"], o["status"], o["lostReason"], o["expectedRevenue"]) == (0, "LOST", "Price", "0.00")
    assert o["closedAt"] is not None and o["isLocked"] is True


async def test_create_in_stage_takes_its_probability(gql: Any) -> None:
    ids = await opp(gql, stageId=await stage("Negotiation"), manualAmount="200")
    o = await read_opp(gql, ids["opportunity"])
    assert (o["stage"]["name"], o["probability"], o["expectedRevenue"]) == ("Negotiation", 75, "150.00")


async def test_update_stage_via_update_opportunity_sets_probability(gql: Any) -> None:
    ids = await opp(gql, manualAmount="100")
    o = await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "stageId": await stage("Qualification")})
    assert (o["opportunity"]["probability"], o["opportunity"]["expectedRevenue"]) == (20, "20.00")


async def test_expected_revenue_rounds_half_up(gql: Any) -> None:
    # 0.05 x 10 % = 0.005 -> 0.01 half-up
    ids = await opp(gql, manualAmount="0.05")
    o = await read_opp(gql, ids["opportunity"])
    assert (o["amount"], o["probability"], o["expectedRevenue"]) == ("0.05", 10, "0.01")
    # 333.35 x 15 % = 50.0025 -> 50.00 ; 10.10 x 15 % = 1.515 -> 1.52
    o = (await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "manualAmount": "10.10", "probability": 15}))[
        "opportunity"
    ]
    assert o["expectedRevenue"] == "1.52"


async def test_move_to_won_stage_equals_win_with_contracts(gql: Any) -> None:
    await product("support", ProductKind.TIME_BASED, 12)
    ids = await deal_with_quote(gql, [("support", "1", "1200")])
    moved = await call(gql, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Closed Won")})
    o = moved["opportunity"]
    assert (o["status"], o["probability"], o["isLocked"]) == ("WON", 100, True)
    assert o["closedAt"] is not None
    assert [(c["status"], c["kind"]) for c in o["contracts"]["nodes"]] == [("ACTIVE", "TIME_BASED")]
    # winning again via winOpportunity is refused
    await call(gql, WIN, {"opportunityId": ids["opportunity"]}, codes=["INVALID_TRANSITION"])


async def test_move_to_lost_stage_equals_lose(gql: Any) -> None:
    ids = await opp(gql, manualAmount="100", probability=60)
    moved = await call(gql, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Closed Lost")})
    o = moved["opportunity"]
    assert (o["status"], o["probability"], o["isLocked"]) == ("LOST", 0, True)
    assert o["closedAt"] is not None


async def test_reopen_cancels_contracts_and_unlocks(gql: Any) -> None:
    await product("support", ProductKind.TIME_BASED, 12)
    ids = await deal_with_quote(gql, [("support", "1", "1200"), ("laptop", "1", "300")])
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2026-01-15"})
    assert len(won["contracts"]) == 2
    reopened = await call(gql, REOPEN, {"opportunityId": ids["opportunity"], "stageId": await stage("Negotiation")})
    o = reopened["opportunity"]
    assert (o["status"], o["probability"], o["isLocked"], o["closedAt"]) == ("OPEN", 75, False, None)
    assert sorted(c["status"] for c in o["contracts"]["nodes"]) == ["CANCELLED", "CANCELLED"]
    assert await m.Contract.all().count() == 2
    # reopen of an open opportunity is a wrong state
    await call(gql, REOPEN, {"opportunityId": ids["opportunity"]}, codes=["INVALID_TRANSITION"])


async def test_locked_opportunity_refuses_every_edit_with_locked(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    version = (await m.Opportunity.get(id=pk(ids["opportunity"]))).version
    qversion = (await m.Quote.get(id=pk(ids["quote"]))).version
    await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "title": "x"}, codes=["LOCKED"])
    await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "probability": 5}, codes=["LOCKED"])
    await call(
        gql,
        ADD_OPP_ITEMS,
        {"opportunityId": ids["opportunity"], "items": [{"name": "x", "unitPrice": "1"}]},
        codes=["LOCKED"],
    )
    await call(gql, UPDATE_QUOTE, {"id": ids["quote"], "name": "x"}, codes=["LOCKED"])
    await call(
        gql,
        ADD_QUOTE_ITEMS,
        {"quoteId": ids["quote"], "items": [{"productId": await product("laptop")}]},
        codes=["LOCKED"],
    )
    await call(gql, ADD_MANUAL, {"quoteId": ids["quote"], "name": "x", "unitPrice": "1"}, codes=["LOCKED"])
    await call(gql, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Proposal")}, codes=["LOCKED"])
    assert (await m.Opportunity.get(id=pk(ids["opportunity"]))).version == version
    assert (await m.Quote.get(id=pk(ids["quote"]))).version == qversion


async def test_won_opportunity_quote_still_converts_to_order_and_invoice(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    order = await call(gql, TO_ORDER, {"quoteId": ids["quote"]})
    assert order["salesOrder"]["netTotal"] == "1000.00" and order["quote"]["status"] == "ACCEPTED"
    inv = await call(gql, TO_INVOICE, {"quoteId": ids["quote"]})
    assert inv["invoice"]["netTotal"] == "1000.00"


# --- amounts ----------------------------------------------------------------------------------


async def test_amount_source_manual_then_items_then_quote(gql: Any) -> None:
    await product("laptop")
    book = await pricebook({"laptop": "400"})
    ids = await opp(gql, manualAmount="50", pricebookId=book)
    o = await read_opp(gql, ids["opportunity"])
    assert (o["amount"], o["amountSource"], o["expectedRevenue"]) == ("50.00", "MANUAL", "5.00")
    added = await call(
        gql,
        ADD_OPP_ITEMS,
        {"opportunityId": ids["opportunity"], "items": [{"productId": await product("laptop"), "quantity": "2"}]},
    )
    assert (added["opportunity"]["amount"], added["opportunity"]["amountSource"]) == ("800.00", "ITEMS")
    q = await call(gql, FROM_OPP, {"opportunityId": ids["opportunity"]})
    assert q["quote"]["isActive"] is True
    await call(gql, ADD_MANUAL, {"quoteId": q["quote"]["id"], "name": "Setup", "unitPrice": "100"})
    o = await read_opp(gql, ids["opportunity"])
    assert (o["amount"], o["amountSource"], o["manualAmount"]) == ("900.00", "QUOTE", "50.00")
    assert o["expectedRevenue"] == "90.00"
    # the manual budget is kept but ignored
    o = (await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "manualAmount": "7"}))["opportunity"]
    assert (o["amount"], o["amountSource"], o["manualAmount"]) == ("900.00", "QUOTE", "7.00")


async def test_quote_in_other_currency_converts_amount(gql: Any) -> None:
    await m.ExchangeRate.create(currency="USD", rate=Decimal("0.5"))
    ids = await opp(gql)
    q = await call(gql, FROM_OPP, {"opportunityId": ids["opportunity"], "currency": "USD"})
    assert q["quote"]["currency"] == "USD"
    await call(gql, ADD_MANUAL, {"quoteId": q["quote"]["id"], "name": "Work", "unitPrice": "300"})
    o = await read_opp(gql, ids["opportunity"])
    assert (o["amount"], o["amountSource"]) == ("150.00", "QUOTE")


async def test_pipeline_summary_sums_per_stage_in_requested_currency(gql: Any) -> None:
    await m.ExchangeRate.create(currency="USD", rate=Decimal("0.8"))
    a = await create(gql, "Account", {"name": "A"})
    await create(gql, "Opportunity", {"title": "1", "accountId": a, "manualAmount": "100"})
    await create(gql, "Opportunity", {"title": "2", "accountId": a, "manualAmount": "100", "currency": "USD"})
    await create(
        gql,
        "Opportunity",
        {"title": "3", "accountId": a, "manualAmount": "1000", "stageId": await stage("Negotiation")},
    )
    rows = (await gql(SUMMARY, {"by": "STAGE", "currency": "EUR"}))["pipelineSummary"]
    got = {r["label"]: (r["count"], r["amount"], r["weightedAmount"]) for r in rows}
    assert got["Prospecting"] == (2, "180.00", "18.00")
    assert got["Negotiation"] == (1, "1000.00", "750.00")
    rows = (await gql(SUMMARY, {"by": "STAGE", "currency": "USD"}))["pipelineSummary"]
    got = {r["label"]: (r["count"], r["amount"]) for r in rows}
    assert got["Prospecting"] == (2, "225.00") and got["Negotiation"] == (1, "1250.00")


# --- section 5: conversions and contracts -------------------------------------------------------


async def test_contract_end_date_clamped_to_month_end(gql: Any) -> None:
    await product("monthly", ProductKind.TIME_BASED, 1)
    ids = await deal_with_quote(gql, [("monthly", "1", "10")])
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2028-01-31"})
    assert [(c["startDate"], c["endDate"]) for c in won["contracts"]] == [("2028-01-31", "2028-02-29")]


async def test_win_without_quote_uses_opportunity_items(gql: Any) -> None:
    await product("support", ProductKind.TIME_BASED, 12)
    book = await pricebook({"support": "120"})
    ids = await opp(gql, pricebookId=book)
    await call(
        gql,
        ADD_OPP_ITEMS,
        {
            "opportunityId": ids["opportunity"],
            "items": [{"productId": await product("support"), "quantity": "1"}, {"name": "Manual", "unitPrice": "5"}],
        },
    )
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2026-06-30"})
    assert [(c["kind"], c["value"], c["endDate"]) for c in won["contracts"]] == [("TIME_BASED", "120.00", "2027-06-30")]


async def test_upsell_from_one_time_contract_is_invalid_transition(gql: Any) -> None:
    await product("support", ProductKind.TIME_BASED, 12)
    ids = await deal_with_quote(gql, [("support", "1", "100"), ("laptop", "1", "200")])
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    by_kind = {c["kind"]: c["id"] for c in won["contracts"]}
    before = await m.Opportunity.all().count()
    await call(gql, UPSELL, {"contractId": by_kind["ONE_TIME"]}, codes=["INVALID_TRANSITION"])
    assert await m.Opportunity.all().count() == before
    up = await call(gql, UPSELL, {"contractId": by_kind["TIME_BASED"], "title": "Renewal"})
    assert up["opportunity"]["account"]["id"] == ids["account"] and up["opportunity"]["title"] == "Renewal"
    # repeatable
    await call(gql, UPSELL, {"contractId": by_kind["TIME_BASED"]})
    assert await m.Opportunity.all().count() == before + 2


async def test_second_quote_to_order_is_already_converted(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    first = await call(gql, TO_ORDER, {"quoteId": ids["quote"]})
    assert first["salesOrder"]["status"] == "CONFIRMED"
    await call(gql, TO_ORDER, {"quoteId": ids["quote"]}, codes=["ALREADY_CONVERTED"])
    assert await m.SalesOrder.all().count() == 1
    # order -> invoice once only
    await call(gql, ORDER_TO_INVOICE, {"salesOrderId": first["salesOrder"]["id"]})
    await call(gql, ORDER_TO_INVOICE, {"salesOrderId": first["salesOrder"]["id"]}, codes=["ALREADY_CONVERTED"])


async def test_rejected_quote_cannot_be_converted(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    await call(gql, SEND, {"quoteId": ids["quote"]})
    await call(gql, REJECT, {"quoteId": ids["quote"]})
    await call(gql, TO_ORDER, {"quoteId": ids["quote"]}, codes=["INVALID_TRANSITION"])
    await call(gql, TO_INVOICE, {"quoteId": ids["quote"]}, codes=["INVALID_TRANSITION"])
    assert await m.SalesOrder.all().count() == 0 and await m.Invoice.all().count() == 0
    assert (await m.Quote.get(id=pk(ids["quote"]))).status == "REJECTED"


async def test_idempotency_key_replay_returns_same_order(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    first = await call(gql, TO_ORDER, {"quoteId": ids["quote"], "idempotencyKey": "k-1"})
    again = await call(gql, TO_ORDER, {"quoteId": ids["quote"], "idempotencyKey": "k-1"})
    assert again["salesOrder"]["id"] == first["salesOrder"]["id"]
    assert await m.SalesOrder.all().count() == 1
    other = await deal_with_quote(gql, [("mouse", "1", "5")])
    await call(gql, TO_ORDER, {"quoteId": other["quote"], "idempotencyKey": "k-1"}, codes=["IDEMPOTENCY_KEY_REUSED"])


async def test_idempotent_create_account(gql: Any) -> None:
    first = await create(gql, "Account", {"name": "Once", "idempotencyKey": "acc-1"})
    again = await create(gql, "Account", {"name": "Once", "idempotencyKey": "acc-1"})
    assert first == again and await m.Account.all().count() == 1


# --- section 3: leads ----------------------------------------------------------------------------


async def lead(gql: Any, **values: Any) -> str:
    base = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "company": "Analytical",
        "email": "ada@example.com",
        "phone": "+44 1",
        "title": "CTO",
    }
    return await create(gql, "Lead", {**base, **values})


async def test_qualify_with_contact_of_another_account_is_invalid(gql: Any) -> None:
    a = await create(gql, "Account", {"name": "A"})
    b = await create(gql, "Account", {"name": "B"})
    c = await create(gql, "Contact", {"lastName": "X", "accountId": b})
    lid = await lead(gql)
    await call(
        gql,
        QUALIFY,
        {"leadId": lid, "account": {"existingId": a}, "contact": {"existingId": c}, "opportunity": {}},
        codes=["INVALID"],
    )
    assert await m.Opportunity.all().count() == 0
    assert (await m.Lead.get(id=pk(lid))).status == "NEW"


async def test_linking_fills_only_empty_account_fields(gql: Any) -> None:
    # A person lead (no company): its email and phone are the account's own; only empty ones are filled.
    a = await create(gql, "Account", {"name": "Existing", "phone": "+1 keep"})
    lid = await lead(gql, company=None)
    q = await call(gql, QUALIFY, {"leadId": lid, "account": {"existingId": a}})
    assert (q["account"]["name"], q["account"]["phone"]) == ("Existing", "+1 keep")
    assert q["account"]["email"] == "ada@example.com"
    # A company lead's email is the person's: it goes to the contact, the company is left as it was.
    b = await create(gql, "Account", {"name": "Org"})
    lid = await lead(gql)
    q = await call(gql, QUALIFY, {"leadId": lid, "account": {"existingId": b}, "contact": {"create": {}}})
    assert (q["account"]["name"], q["account"]["email"]) == ("Org", None)
    assert q["contact"]["email"] == "ada@example.com"


async def test_qualified_lead_locked_and_not_disqualifiable(gql: Any) -> None:
    lid = await lead(gql)
    q = await call(gql, QUALIFY, {"leadId": lid, "account": {"create": {}}, "opportunity": {}})
    assert q["lead"]["status"] == "QUALIFIED" and q["lead"]["isLocked"] is True
    await call(gql, DISQUALIFY, {"leadId": lid, "reason": "x"}, codes=["INVALID_TRANSITION"])
    await call(gql, UPDATE_LEAD, {"id": lid, "email": "new@example.com"}, codes=["LOCKED"])
    await call(gql, QUALIFY, {"leadId": lid, "account": {"create": {}}}, codes=["ALREADY_CONVERTED"])
    assert (await m.Lead.get(id=pk(lid))).email == "ada@example.com"


async def test_anonymize_erases_personal_fields_and_timeline(gql: Any) -> None:
    lid = await lead(gql, email="secret@example.com")
    await call(gql, UPDATE_LEAD, {"id": lid, "phone": "+49 555"})
    p = await call(gql, ANONYMIZE, {"leadId": lid})
    assert [p["lead"][k] for k in ("firstName", "lastName", "email", "phone")] == [None] * 4
    body = await gql(f"query($id: ID!) {{ lead(id: $id) {{ id {TIMELINE} }} }}", {"id": lid})
    text = str(body)
    assert "secret@" not in text and "+49 555" not in text and "Ada" not in text and "Lovelace" not in text
    assert body["lead"]["id"] == lid


# --- section 6: lineage, timeline, activities ----------------------------------------------------


async def test_lineage_from_both_ends(gql: Any) -> None:
    lid = await lead(gql)
    q = await call(gql, QUALIFY, {"leadId": lid, "account": {"create": {}}, "opportunity": {}})
    o = q["opportunity"]["id"]
    await product("laptop")
    quote = (await call(gql, FROM_OPP, {"opportunityId": o}))["quote"]["id"]
    await call(gql, ADD_MANUAL, {"quoteId": quote, "name": "W", "unitPrice": "10"})
    order = (await call(gql, TO_ORDER, {"quoteId": quote}))["salesOrder"]["id"]
    inv = (await call(gql, ORDER_TO_INVOICE, {"salesOrderId": order}))["invoice"]["id"]
    lead_view = (await gql(f"query($id: ID!) {{ lead(id: $id) {{ {LINEAGE} }} }}", {"id": lid}))["lead"]
    inv_view = (await gql(f"query($id: ID!) {{ invoice(id: $id) {{ {LINEAGE} }} }}", {"id": inv}))["invoice"]

    def nodes(view: Any) -> set[str]:
        return {e["from"]["id"] for e in view["lineage"]} | {e["to"]["id"] for e in view["lineage"]}

    assert {lid, o, quote, order, inv} <= nodes(lead_view)
    assert {lid, o, quote, order, inv} <= nodes(inv_view)
    assert inv_view["origin"] == {"id": order}
    order_view = await gql(f"query($id: ID!) {{ salesOrder(id: $id) {{ {LINEAGE} }} }}", {"id": order})
    assert {d["id"] for d in order_view["salesOrder"]["derivatives"]} == {inv}


async def test_account_timeline_shows_events_of_its_documents(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    order = (await call(gql, TO_ORDER, {"quoteId": ids["quote"]}))["salesOrder"]["id"]
    inv = (await call(gql, ORDER_TO_INVOICE, {"salesOrderId": order}))["invoice"]["id"]
    await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    body = await gql(f"query($id: ID!) {{ account(id: $id) {{ {TIMELINE} }} }}", {"id": ids["account"]})
    subjects = {n["subject"]["id"] for n in body["account"]["timeline"]["nodes"] if n["subject"]}
    assert {ids["account"], ids["opportunity"], ids["quote"], order, inv} <= subjects
    kinds = {n["kind"] for n in body["account"]["timeline"]["nodes"]}
    assert "WON" in kinds
    assert all(n["actor"] is not None for n in body["account"]["timeline"]["nodes"])


async def test_stage_change_recorded_with_old_and_new(gql: Any) -> None:
    ids = await opp(gql)
    await call(gql, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Proposal")})
    body = await gql(f"query($id: ID!) {{ opportunity(id: $id) {{ {TIMELINE} }} }}", {"id": ids["opportunity"]})
    kinds = [n["kind"] for n in body["opportunity"]["timeline"]["nodes"]]
    assert "STAGE_CHANGED" in kinds and "CREATED" in kinds
    ev = next(n for n in body["opportunity"]["timeline"]["nodes"] if n["kind"] == "STAGE_CHANGED")
    assert ev["changes"] == [
        {"field": "stage", "oldValue": "Prospecting", "newValue": "Proposal"},
        {"field": "probability", "oldValue": "10", "newValue": "50"},
    ]
    # the same through updateOpportunity; an unchanged stage records no stage change
    await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "stageId": await stage("Negotiation")})
    await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "stageId": await stage("Negotiation"), "title": "T"})
    body = await gql(f"query($id: ID!) {{ opportunity(id: $id) {{ {TIMELINE} }} }}", {"id": ids["opportunity"]})
    changes = [n["changes"] for n in body["opportunity"]["timeline"]["nodes"] if n["kind"] == "STAGE_CHANGED"]
    assert sorted(map(str, changes)) == sorted(
        map(
            str,
            [
                [
                    {"field": "stage", "oldValue": "Prospecting", "newValue": "Proposal"},
                    {"field": "probability", "oldValue": "10", "newValue": "50"},
                ],
                [{"field": "stage", "oldValue": "Proposal", "newValue": "Negotiation"}],
            ],
        )
    )


async def test_activity_on_opportunity_appears_on_timelines(gql: Any) -> None:
    ids = await opp(gql)
    a = await call(gql, LOG, {"type": "CALL", "subject": "Intro call", "opportunityId": ids["opportunity"]})
    assert a["activity"]["type"] == "CALL"
    body = await gql(f"query($id: ID!) {{ opportunity(id: $id) {{ {TIMELINE} }} }}", {"id": ids["opportunity"]})
    assert any(n["kind"].startswith("ACTIVITY") for n in body["opportunity"]["timeline"]["nodes"])
    acc = await gql(f"query($id: ID!) {{ account(id: $id) {{ {TIMELINE} }} }}", {"id": ids["account"]})
    assert any(n["kind"].startswith("ACTIVITY") for n in acc["account"]["timeline"]["nodes"])


# --- section 9: soft delete -----------------------------------------------------------------------


async def test_delete_account_cascades_and_restore_brings_back(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    contact = await create(gql, "Contact", {"lastName": "C", "accountId": ids["account"]})
    order = (await call(gql, TO_ORDER, {"quoteId": ids["quote"]}))["salesOrder"]["id"]
    await call(gql, DELETE.format(t="Account"), {"id": ids["account"]})
    for gid in (ids["account"], contact, ids["opportunity"], ids["quote"]):
        assert (await gql(NODE, {"id": gid}))["node"] is None, gid
    assert (await gql("{ opportunities { totalCount } contacts { totalCount } quotes { totalCount } }")) == {
        "opportunities": {"totalCount": 0},
        "contacts": {"totalCount": 0},
        "quotes": {"totalCount": 0},
    }
    so = await gql("query($id: ID!) { salesOrder(id: $id) { id account { id isDeleted } } }", {"id": order})
    assert so["salesOrder"]["account"] == {"id": ids["account"], "isDeleted": True}
    await call(gql, RESTORE.format(t="Account"), {"id": ids["account"]})
    for gid in (ids["account"], contact, ids["opportunity"], ids["quote"]):
        assert (await gql(NODE, {"id": gid}))["node"] == {"id": gid}, gid
    o = await read_opp(gql, ids["opportunity"])
    assert o["amount"] == "1000.00"


async def test_restore_account_keeps_separately_deleted_contact_deleted(gql: Any) -> None:
    a = await create(gql, "Account", {"name": "A"})
    c1 = await create(gql, "Contact", {"lastName": "Gone", "accountId": a})
    c2 = await create(gql, "Contact", {"lastName": "Stay", "accountId": a})
    await call(gql, DELETE.format(t="Contact"), {"id": c1})
    await call(gql, DELETE.format(t="Account"), {"id": a})
    await call(gql, RESTORE.format(t="Account"), {"id": a})
    assert (await gql(NODE, {"id": c1}))["node"] is None
    assert (await gql(NODE, {"id": c2}))["node"] == {"id": c2}


async def test_deleted_opportunity_gone_from_reads_and_mutations(gql: Any) -> None:
    ids = await opp(gql)
    await call(gql, DELETE.format(t="Opportunity"), {"id": ids["opportunity"]})
    assert (await gql(READ_OPP, {"id": ids["opportunity"]}))["opportunity"] is None
    await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "title": "x"}, codes=["NOT_FOUND"])
    await call(
        gql, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Proposal")}, codes=["NOT_FOUND"]
    )
    await call(gql, RESTORE.format(t="Opportunity"), {"id": ids["opportunity"]})
    assert (await read_opp(gql, ids["opportunity"]))["id"] == ids["opportunity"]


# --- conventions / section 8 ------------------------------------------------------------------------


async def test_stale_version_is_conflict(gql: Any) -> None:
    ids = await opp(gql)
    v = (await read_opp(gql, ids["opportunity"]))["version"]
    await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "version": v, "title": "One"})
    await call(gql, UPDATE_OPP, {"id": ids["opportunity"], "version": v, "title": "Two"}, codes=["CONFLICT"])
    assert (await read_opp(gql, ids["opportunity"]))["title"] == "One"


async def test_hidden_record_is_not_found_for_others(gql: Any, actors: Any) -> None:
    rep = gql.as_(actors[Role.SALES_REP])
    manager = gql.as_(actors[Role.MANAGER])
    secret = await create(gql, "Account", {"name": "Secret", "isPrivate": True})
    o = await create(gql, "Opportunity", {"title": "Hidden", "accountId": secret, "manualAmount": "5"})
    for who in (rep, manager):
        assert (await who(NODE, {"id": o}))["node"] is None
        assert (await who(NODE, {"id": secret}))["node"] is None
        await call(who, UPDATE_OPP, {"id": o, "title": "x"}, codes=["NOT_FOUND"])
        await call(who, MOVE, {"opportunityId": o, "stageId": await stage("Proposal")}, codes=["NOT_FOUND"])
        await call(who, WIN, {"opportunityId": o}, codes=["NOT_FOUND"])
        assert (await who("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 0
        await call(
            who,
            CREATE.format(t="Opportunity", k="opportunity"),
            {"title": "X", "accountId": secret},
            codes=["NOT_FOUND"],
        )


async def test_restricted_opportunity_hidden_from_others(gql: Any, actors: Any) -> None:
    a = await create(gql, "Account", {"name": "Open"})
    o = await create(gql, "Opportunity", {"title": "R", "accountId": a, "isRestricted": True})
    rep = gql.as_(actors[Role.SALES_REP])
    assert (await rep(NODE, {"id": o}))["node"] is None
    assert (await rep("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 0
    await call(rep, UPDATE_OPP, {"id": o, "title": "x"}, codes=["NOT_FOUND"])


async def test_read_only_cannot_mutate(gql: Any, actors: Any) -> None:
    ro = gql.as_(actors[Role.READ_ONLY])
    ids = await opp(gql)
    await call(ro, UPDATE_OPP, {"id": ids["opportunity"], "title": "x"}, codes=["FORBIDDEN"])
    await call(ro, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Proposal")}, codes=["FORBIDDEN"])
    await call(ro, WIN, {"opportunityId": ids["opportunity"]}, codes=["FORBIDDEN"])
    await call(ro, CREATE.format(t="Account", k="account"), {"name": "x"}, codes=["FORBIDDEN"])
    await call(ro, LOG, {"type": "NOTE", "subject": "n", "opportunityId": ids["opportunity"]}, codes=["FORBIDDEN"])
    assert (await ro(READ_OPP, {"id": ids["opportunity"]}))["opportunity"]["title"] == "Deal"
    assert await m.Account.all().count() == 1


async def test_malformed_id_invalid_and_wrong_type_not_found(gql: Any) -> None:
    ids = await opp(gql)
    await call(gql, MOVE, {"opportunityId": "garbage!!", "stageId": await stage("Proposal")}, codes=["INVALID"])
    await call(gql, MOVE, {"opportunityId": ids["account"], "stageId": await stage("Proposal")}, codes=["NOT_FOUND"])
    assert (await gql(NODE, {"id": "garbage!!"}))["node"] is None


async def test_opportunity_requires_title_and_account(gql: Any) -> None:
    a = await create(gql, "Account", {"name": "A"})
    await call(gql, CREATE.format(t="Opportunity", k="opportunity"), {"accountId": a}, codes=["REQUIRED"])
    await call(gql, CREATE.format(t="Opportunity", k="opportunity"), {"title": "T"}, codes=["REQUIRED"])
    await call(
        gql,
        CREATE.format(t="Opportunity", k="opportunity"),
        {"title": "T", "accountId": a, "probability": 101},
        codes=["INVALID"],
    )
    assert await m.Opportunity.all().count() == 0


# --- batch 2: more edges ------------------------------------------------------------------------

QUOTE_TO_OPP = f"""mutation($input: CreateOpportunityFromQuoteInput!) {{ createOpportunityFromQuote(input: $input) {{
  opportunity {{ id amount amountSource }} quote {{ id }} {ERR} }} }}"""
INVOICE_FROM_OPP = f"""mutation($input: CreateInvoiceFromOpportunityInput!) {{
  createInvoiceFromOpportunity(input: $input) {{ invoice {{ id netTotal }} {ERR} }} }}"""
CANCEL_ORDER = f"""mutation($input: SalesOrderIdInput!) {{ cancelOrder(input: $input) {{
  salesOrder {{ id status }} {ERR} }} }}"""
DELETE_STAGE = f"""mutation($input: DeleteStageInput!) {{ deleteStage(input: $input) {{ {ERR} }} }}"""
UPDATE_STAGE = f"""mutation($input: UpdateStageInput!) {{ updateStage(input: $input) {{ {ERR} }} }}"""
CREATE_STAGE = f"""mutation($input: CreateStageInput!) {{ createStage(input: $input) {{ stage {{ id }} {ERR} }} }}"""
COMPLETE = f"""mutation($input: CompleteActivityInput!) {{ completeActivity(input: $input) {{
  activity {{ id isDone doneAt }} {ERR} }} }}"""


async def test_reopen_without_stage_goes_to_default_and_win_again_makes_new_contracts(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    o = (await call(gql, REOPEN, {"opportunityId": ids["opportunity"]}))["opportunity"]
    assert (o["stage"]["name"], o["probability"], o["expectedRevenue"]) == ("Prospecting", 10, "100.00")
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    assert [c["status"] for c in won["contracts"]] == ["ACTIVE"]
    statuses = sorted(c["status"] for c in won["opportunity"]["contracts"]["nodes"])
    assert statuses == ["ACTIVE", "CANCELLED"]


async def test_lost_deal_cannot_be_won_or_lost_again(gql: Any) -> None:
    ids = await opp(gql)
    await call(gql, LOSE, {"opportunityId": ids["opportunity"], "reason": "x"})
    await call(gql, WIN, {"opportunityId": ids["opportunity"]}, codes=["INVALID_TRANSITION"])
    await call(gql, LOSE, {"opportunityId": ids["opportunity"]}, codes=["INVALID_TRANSITION"])
    assert (await read_opp(gql, ids["opportunity"]))["status"] == "LOST"


async def test_quote_to_opportunity_once_only(gql: Any) -> None:
    a = await create(gql, "Account", {"name": "A"})
    q = await create(gql, "Quote", {"accountId": a})
    await call(gql, ADD_MANUAL, {"quoteId": q, "name": "W", "unitPrice": "40"})
    made = await call(gql, QUOTE_TO_OPP, {"quoteId": q, "title": "From quote"})
    assert (made["opportunity"]["amount"], made["opportunity"]["amountSource"]) == ("40.00", "QUOTE")
    await call(gql, QUOTE_TO_OPP, {"quoteId": q}, codes=["ALREADY_CONVERTED"])
    assert await m.Opportunity.all().count() == 1


async def test_invoice_from_opportunity_bills_its_active_quote_once(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    one = await call(gql, INVOICE_FROM_OPP, {"opportunityId": ids["opportunity"]})
    assert one["invoice"]["netTotal"] == "1000.00"
    await call(gql, INVOICE_FROM_OPP, {"opportunityId": ids["opportunity"]}, codes=["ALREADY_CONVERTED"])
    assert await m.Invoice.all().count() == 1


async def test_quote_to_invoice_once_only(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    await call(gql, TO_INVOICE, {"quoteId": ids["quote"]})
    await call(gql, TO_INVOICE, {"quoteId": ids["quote"]}, codes=["ALREADY_CONVERTED"])
    assert await m.Invoice.all().count() == 1


async def test_cancelled_order_cannot_be_invoiced(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    order = (await call(gql, TO_ORDER, {"quoteId": ids["quote"]}))["salesOrder"]["id"]
    await call(gql, CANCEL_ORDER, {"salesOrderId": order})
    await call(gql, ORDER_TO_INVOICE, {"salesOrderId": order}, codes=["INVALID_TRANSITION"])
    assert await m.Invoice.all().count() == 0


async def test_idempotency_failed_attempt_not_remembered_and_scoped_per_user(gql: Any, actors: Any) -> None:
    ids = await opp(gql)
    await call(gql, WIN, {"opportunityId": "bad!!", "idempotencyKey": "w"}, codes=["INVALID"])
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"], "idempotencyKey": "w"})
    again = await call(gql, WIN, {"opportunityId": ids["opportunity"], "idempotencyKey": "w"})
    assert again["opportunity"]["id"] == won["opportunity"]["id"]
    # another user with the same key is independent
    manager = gql.as_(actors[Role.MANAGER])
    a1 = await create(manager, "Account", {"name": "M", "idempotencyKey": "same"})
    a2 = await create(gql, "Account", {"name": "M", "idempotencyKey": "same"})
    assert a1 != a2


async def test_stage_rules(gql: Any, actors: Any) -> None:
    ids = await opp(gql, stageId=await stage("Proposal"))
    won = await stage("Closed Won")
    await call(gql, UPDATE_STAGE, {"id": won, "name": "Won!"}, codes=["LOCKED"])
    await call(gql, DELETE_STAGE, {"id": won}, codes=["LOCKED"])
    await call(gql, DELETE_STAGE, {"id": await stage("Proposal")}, codes=["IN_USE"])
    await call(gql, DELETE_STAGE, {"id": await stage("Proposal"), "replacementStageId": await stage("Negotiation")})
    o = await read_opp(gql, ids["opportunity"])
    assert o["stage"]["name"] == "Negotiation"
    await call(gql.as_(actors[Role.SALES_REP]), CREATE_STAGE, {"name": "X", "probability": 5}, codes=["FORBIDDEN"])
    await call(gql, CREATE_STAGE, {"name": "X", "probability": 101}, codes=["INVALID"])


async def test_sales_rep_edits_only_own_records(gql: Any, actors: Any) -> None:
    rep = gql.as_(actors[Role.SALES_REP])
    ids = await opp(gql)  # owned by the admin
    await call(rep, UPDATE_OPP, {"id": ids["opportunity"], "title": "x"}, codes=["FORBIDDEN"])
    mine = await create(rep, "Opportunity", {"title": "Mine", "accountId": ids["account"]})
    await call(rep, UPDATE_OPP, {"id": mine, "title": "Still mine"})
    manager = gql.as_(actors[Role.MANAGER])
    await call(manager, UPDATE_OPP, {"id": mine, "title": "Managed"})


async def test_private_account_hidden_from_admin_too(gql: Any, actors: Any) -> None:
    rep = gql.as_(actors[Role.SALES_REP])
    secret = await create(rep, "Account", {"name": "Rep secret", "isPrivate": True})
    c = await create(rep, "Contact", {"lastName": "C", "accountId": secret})
    o = await create(rep, "Opportunity", {"title": "O", "accountId": secret, "manualAmount": "10"})
    for gid in (secret, c, o):
        assert (await gql(NODE, {"id": gid}))["node"] is None
        assert (await rep(NODE, {"id": gid}))["node"] == {"id": gid}
    totals = await gql("{ accounts { totalCount } contacts { totalCount } opportunities { totalCount } }")
    assert totals == {"accounts": {"totalCount": 0}, "contacts": {"totalCount": 0}, "opportunities": {"totalCount": 0}}
    rows = (await gql(SUMMARY, {"by": "STAGE"}))["pipelineSummary"]
    assert rows == []
    await call(gql, DELETE.format(t="Account"), {"id": secret}, codes=["NOT_FOUND"])


async def test_activity_on_hidden_records(gql: Any, actors: Any) -> None:
    rep = gql.as_(actors[Role.SALES_REP])
    a = await create(gql, "Account", {"name": "Open"})
    o = await create(gql, "Opportunity", {"title": "R", "accountId": a, "isRestricted": True})
    q = await create(gql, "Quote", {"opportunityId": o})
    act_o = (await call(gql, LOG, {"type": "NOTE", "subject": "on opp", "opportunityId": o}))["activity"]["id"]
    act_q = (await call(gql, LOG, {"type": "NOTE", "subject": "on quote", "quoteId": q}))["activity"]["id"]
    for gid in (o, q, act_o, act_q):
        assert (await rep(NODE, {"id": gid}))["node"] is None, gid
    assert (await rep("{ activities { totalCount } }"))["activities"]["totalCount"] == 0
    await call(rep, LOG, {"type": "NOTE", "subject": "x", "quoteId": q}, codes=["NOT_FOUND"])
    await call(rep, COMPLETE, {"activityId": act_q}, codes=["NOT_FOUND"])
    acc = await rep(f"query($id: ID!) {{ account(id: $id) {{ {TIMELINE} }} }}", {"id": a})
    subjects = {n["subjectType"] for n in acc["account"]["timeline"]["nodes"]}
    assert subjects <= {"Account"}, subjects


async def test_activity_complete_and_requires_target(gql: Any) -> None:
    ids = await opp(gql)
    act = (await call(gql, LOG, {"type": "TASK", "subject": "Do", "accountId": ids["account"]}))["activity"]["id"]
    done = await call(gql, COMPLETE, {"activityId": act})
    assert done["activity"]["isDone"] is True and done["activity"]["doneAt"] is not None
    await call(gql, LOG, {"type": "TASK", "subject": "Nowhere"}, codes=["REQUIRED"])
    await call(gql, LOG, {"type": "TASK", "subject": "", "accountId": ids["account"]}, codes=["REQUIRED"])


async def test_person_account_name_from_first_and_last(gql: Any) -> None:
    a = await create(gql, "Account", {"type": "PERSON", "firstName": "Grace", "lastName": "Hopper"})
    got = await gql("query($id: ID!) { account(id: $id) { name type } }", {"id": a})
    assert got["account"] == {"name": "Grace Hopper", "type": "PERSON"}
    await call(gql, CREATE.format(t="Account", k="account"), {"type": "ORGANIZATION"}, codes=["REQUIRED"])


async def test_account_parent_cycle_is_invalid(gql: Any) -> None:
    parent = await create(gql, "Account", {"name": "P"})
    child = await create(gql, "Account", {"name": "C", "parentId": parent})
    upd = f"mutation($input: UpdateAccountInput!) {{ updateAccount(input: $input) {{ {ERR} }} }}"
    await call(gql, upd, {"id": parent, "parentId": child}, codes=["INVALID"])
    kids = await gql("query($id: ID!) { account(id: $id) { children { nodes { id } } } }", {"id": parent})
    assert kids["account"]["children"]["nodes"] == [{"id": child}]


async def test_opportunity_contact_must_belong_to_account(gql: Any) -> None:
    a = await create(gql, "Account", {"name": "A"})
    b = await create(gql, "Account", {"name": "B"})
    c = await create(gql, "Contact", {"lastName": "X", "accountId": b})
    await call(
        gql,
        CREATE.format(t="Opportunity", k="opportunity"),
        {"title": "T", "accountId": a, "contactId": c},
        codes=["INVALID"],
    )


async def test_delete_active_quote_is_in_use_but_account_delete_cascades(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    await call(gql, DELETE.format(t="Quote"), {"id": ids["quote"]}, codes=["IN_USE"])
    lonely = await create(gql, "Quote", {"accountId": ids["account"]})
    await call(gql, DELETE.format(t="Account"), {"id": ids["account"]})
    assert (await gql(NODE, {"id": lonely}))["node"] is None
    assert (await gql(NODE, {"id": ids["quote"]}))["node"] is None
    await call(gql, RESTORE.format(t="Account"), {"id": ids["account"]})
    assert (await gql(NODE, {"id": lonely}))["node"] == {"id": lonely}
    q = await gql("query($id: ID!) { quote(id: $id) { isActive } }", {"id": ids["quote"]})
    assert q["quote"]["isActive"] is True


async def test_deleted_product_on_order_line_resolves_with_is_deleted(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    order = (await call(gql, TO_ORDER, {"quoteId": ids["quote"]}))["salesOrder"]["id"]
    await call(gql, DELETE.format(t="Product"), {"id": await product("laptop")})
    got = await gql(
        "query($id: ID!) { salesOrder(id: $id) { items { nodes { product { id isDeleted } } } } }", {"id": order}
    )
    assert got["salesOrder"]["items"]["nodes"] == [{"product": {"id": await product("laptop"), "isDeleted": True}}]


async def test_deleted_quote_still_resolved_by_its_order(gql: Any) -> None:
    ids = await deal_with_quote(gql)
    order = (await call(gql, TO_ORDER, {"quoteId": ids["quote"]}))["salesOrder"]["id"]
    await call(gql, DELETE.format(t="Account"), {"id": ids["account"]})
    got = await gql(
        "query($id: ID!) { salesOrder(id: $id) { quote { id isDeleted } account { name isDeleted } } }", {"id": order}
    )
    assert got["salesOrder"] == {
        "quote": {"id": ids["quote"], "isDeleted": True},
        "account": {"name": "Acme", "isDeleted": True},
    }
    assert (await gql("{ salesOrders { totalCount } }"))["salesOrders"]["totalCount"] == 1


async def test_only_admin_purges_opportunity(gql: Any, actors: Any) -> None:
    ids = await opp(gql)
    purge = f"mutation($input: PurgeOpportunityInput!) {{ purgeOpportunity(input: $input) {{ {ERR} }} }}"
    await call(gql.as_(actors[Role.MANAGER]), purge, {"id": ids["opportunity"]}, codes=["FORBIDDEN"])
    await call(gql, purge, {"id": ids["opportunity"]})
    assert await m.Opportunity.all().count() == 0


async def test_lead_timeline_records_qualification_and_lineage_hidden(gql: Any, actors: Any) -> None:
    lid = await lead(gql)
    q = await call(gql, QUALIFY, {"leadId": lid, "account": {"create": {}}, "opportunity": {}})
    upd = f"mutation($input: UpdateAccountInput!) {{ updateAccount(input: $input) {{ {ERR} }} }}"
    await call(gql, upd, {"id": q["account"]["id"], "isPrivate": True})
    body = await gql(f"query($id: ID!) {{ lead(id: $id) {{ {TIMELINE} {LINEAGE} }} }}", {"id": lid})
    kinds = [n["kind"] for n in body["lead"]["timeline"]["nodes"]]
    assert "CONVERTED" in kinds or "QUALIFIED" in kinds, kinds
    rep = gql.as_(actors[Role.SALES_REP])
    view = (await rep(f"query($id: ID!) {{ lead(id: $id) {{ {LINEAGE} }} }}", {"id": lid}))["lead"]
    ids = {d["id"] for d in view["derivatives"]}
    assert q["account"]["id"] not in ids and q["opportunity"]["id"] not in ids
    assert all(q["opportunity"]["id"] not in (e["from"]["id"], e["to"]["id"]) for e in view["lineage"])


# --- batch 3 -----------------------------------------------------------------------------------

CANCEL_CONTRACT = f"""mutation($input: ContractIdInput!) {{ cancelContract(input: $input) {{
  contract {{ id status }} {ERR} }} }}"""
UPDATE_ACCOUNT = f"""mutation($input: UpdateAccountInput!) {{ updateAccount(input: $input) {{
  account {{ id version name }} {ERR} }} }}"""


async def test_contract_end_date_leap_day_and_cancelled_contract_upsell(gql: Any) -> None:
    await product("yearly", ProductKind.TIME_BASED, 12)
    ids = await deal_with_quote(gql, [("yearly", "3", "10")])
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2028-02-29"})
    c = won["contracts"][0]
    assert (c["startDate"], c["endDate"], c["quantity"], c["value"], c["currency"]) == (
        "2028-02-29",
        "2029-02-28",
        "3",
        "30.00",
        "EUR",
    )
    await call(gql, CANCEL_CONTRACT, {"contractId": c["id"]})
    await call(gql, UPSELL, {"contractId": c["id"]}, codes=["INVALID_TRANSITION"])


async def test_win_without_anything_makes_no_contracts(gql: Any) -> None:
    ids = await opp(gql, manualAmount="10")
    won = await call(gql, WIN, {"opportunityId": ids["opportunity"], "closeDate": "2026-02-01"})
    assert won["contracts"] == [] and won["opportunity"]["closeDate"] == "2026-02-01"


async def test_contract_and_upsell_lineage(gql: Any) -> None:
    await product("support", ProductKind.TIME_BASED, 12)
    ids = await deal_with_quote(gql, [("support", "1", "100")])
    c = (await call(gql, WIN, {"opportunityId": ids["opportunity"]}))["contracts"][0]["id"]
    up = (await call(gql, UPSELL, {"contractId": c}))["opportunity"]["id"]
    view = await gql(f"query($id: ID!) {{ contract(id: $id) {{ {LINEAGE} }} }}", {"id": c})
    assert view["contract"]["origin"] == {"id": ids["opportunity"]}
    assert [d["id"] for d in view["contract"]["derivatives"]] == [up]
    kinds = {e["kind"] for e in view["contract"]["lineage"]}
    assert {"OPPORTUNITY_TO_CONTRACT", "CONTRACT_TO_OPPORTUNITY"} <= kinds


async def test_update_records_old_and_new_values_and_version(gql: Any) -> None:
    a = await create(gql, "Account", {"name": "Old"})
    got = await call(gql, UPDATE_ACCOUNT, {"id": a, "name": "New", "version": 1})
    assert got["account"]["version"] == 2
    await call(gql, UPDATE_ACCOUNT, {"id": a, "name": "Newer", "version": 1}, codes=["CONFLICT"])
    await call(gql, UPDATE_ACCOUNT, {"id": a, "name": ""}, codes=["REQUIRED"])
    body = await gql(f"query($id: ID!) {{ account(id: $id) {{ name {TIMELINE} }} }}", {"id": a})
    assert body["account"]["name"] == "New"
    updated = [n for n in body["account"]["timeline"]["nodes"] if n["kind"] == "UPDATED"]
    assert updated[0]["changes"] == [{"field": "name", "oldValue": "Old", "newValue": "New"}]


async def test_deleted_account_cannot_take_new_records_and_contracts_survive(gql: Any) -> None:
    await product("support", ProductKind.TIME_BASED, 12)
    ids = await deal_with_quote(gql, [("support", "1", "100")])
    await call(gql, WIN, {"opportunityId": ids["opportunity"]})
    await call(gql, DELETE.format(t="Account"), {"id": ids["account"]})
    await call(
        gql,
        CREATE.format(t="Opportunity", k="opportunity"),
        {"title": "T", "accountId": ids["account"]},
        codes=["NOT_FOUND"],
    )
    got = await gql("{ contracts { totalCount nodes { account { isDeleted } opportunity { isDeleted } } } }")
    assert got["contracts"]["totalCount"] == 1
    assert got["contracts"]["nodes"][0] == {"account": {"isDeleted": True}, "opportunity": {"isDeleted": True}}


async def test_nodes_hides_hidden_and_deleted(gql: Any, actors: Any) -> None:
    rep = gql.as_(actors[Role.SALES_REP])
    open_acc = await create(gql, "Account", {"name": "Open"})
    secret = await create(gql, "Account", {"name": "S", "isPrivate": True})
    gone = await create(gql, "Account", {"name": "Gone"})
    await call(gql, DELETE.format(t="Account"), {"id": gone})
    got = await rep("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [open_acc, secret, gone, "x!"]})
    assert got["nodes"] == [{"id": open_acc}, None, None, None]


async def test_read_only_cannot_convert_or_qualify(gql: Any, actors: Any) -> None:
    ro = gql.as_(actors[Role.READ_ONLY])
    ids = await deal_with_quote(gql)
    lid = await lead(gql)
    await call(ro, TO_ORDER, {"quoteId": ids["quote"]}, codes=["FORBIDDEN"])
    await call(ro, QUALIFY, {"leadId": lid, "account": {"create": {}}}, codes=["FORBIDDEN"])
    await call(ro, DELETE.format(t="Account"), {"id": ids["account"]}, codes=["FORBIDDEN"])
    await call(ro, REOPEN, {"opportunityId": ids["opportunity"]}, codes=["FORBIDDEN"])
    assert await m.SalesOrder.all().count() == 0


async def test_qualify_contact_only_and_hidden_account(gql: Any, actors: Any) -> None:
    lid = await lead(gql)
    q = await call(gql, QUALIFY, {"leadId": lid, "contact": {"create": {}}})
    assert q["account"] is None and q["opportunity"] is None and q["contact"]["account"] is None
    assert q["lead"]["status"] == "QUALIFIED"
    secret = await create(gql, "Account", {"name": "S", "isPrivate": True})
    rep = gql.as_(actors[Role.SALES_REP])
    lid2 = await create(rep, "Lead", {"lastName": "L", "company": "Co"})
    await call(rep, QUALIFY, {"leadId": lid2, "account": {"existingId": secret}}, codes=["NOT_FOUND"])


async def test_expected_revenue_jpy_has_no_decimals(gql: Any) -> None:
    ids = await opp(gql, manualAmount="1005", currency="JPY", probability=15)
    o = await read_opp(gql, ids["opportunity"])
    assert (o["amount"], o["expectedRevenue"]) == ("1005", "151")


async def test_move_to_same_stage_records_nothing_and_reorder(gql: Any) -> None:
    ids = await opp(gql)
    await call(gql, MOVE, {"opportunityId": ids["opportunity"], "stageId": await stage("Prospecting")})
    body = await gql(f"query($id: ID!) {{ opportunity(id: $id) {{ {TIMELINE} }} }}", {"id": ids["opportunity"]})
    assert [n["kind"] for n in body["opportunity"]["timeline"]["nodes"]].count("STAGE_CHANGED") == 0
    names = ["Negotiation", "Proposal", "Qualification", "Prospecting"]
    reorder = f"mutation($input: ReorderStagesInput!) {{ reorderStages(input: $input) {{ {ERR} }} }}"
    await call(gql, reorder, {"stageIds": [await stage(n) for n in names]})
    got = [s["name"] for s in (await gql("{ stages { name } }"))["stages"]]
    assert got == [*names, "Closed Won", "Closed Lost"]


async def test_lead_delete_and_restore(gql: Any) -> None:
    lid = await lead(gql)
    await call(gql, DELETE.format(t="Lead"), {"id": lid})
    assert (await gql("{ leads { totalCount } }"))["leads"]["totalCount"] == 0
    await call(gql, QUALIFY, {"leadId": lid, "account": {"create": {}}}, codes=["NOT_FOUND"])
    await call(gql, RESTORE.format(t="Lead"), {"id": lid})
    assert (await gql("{ leads { totalCount } }"))["leads"]["totalCount"] == 1


async def test_cascaded_delete_and_restore_are_on_the_timelines(gql: Any) -> None:
    ids = await opp(gql)
    c = await create(gql, "Contact", {"lastName": "C", "accountId": ids["account"]})
    await call(gql, DELETE.format(t="Account"), {"id": ids["account"]})
    await call(gql, RESTORE.format(t="Account"), {"id": ids["account"]})
    for query, key, gid in (("opportunity", "opportunity", ids["opportunity"]), ("contact", "contact", c)):
        body = await gql(f"query($id: ID!) {{ {query}(id: $id) {{ {TIMELINE} }} }}", {"id": gid})
        kinds = [n["kind"] for n in body[key]["timeline"]["nodes"]]
        assert {"DELETED", "RESTORED"} <= set(kinds), kinds
        assert all(n["actor"] is not None for n in body[key]["timeline"]["nodes"])
