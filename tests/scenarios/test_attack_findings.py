"""Regressions for the outside attack's domain and access findings (F4 ... F25), through the
GraphQL API over HTTP: each refusal checks the error code and that nothing changed."""

from __future__ import annotations

from typing import Any

from factories import catalog, create, make_user, mutate

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role

OPP = "id version owner { id } isRestricted status probability stage { id name } account { id }"
READ_OPP = f"query($id: ID!) {{ opportunity(id: $id) {{ {OPP} timeline(first: 100) {{ totalCount }} }} }}"


async def read(gql: Any, query: str, gid: str) -> Any:
    return next(iter((await gql(query, {"id": gid})).values()))


def as_token(gql: Any, token: str) -> Any:
    return type(gql)(gql.client, token)


def uid(user: Any) -> str:
    return to_global_id("User", user.id)


# --- F4: being on the access list is not owning the deal -------------------------------------


async def test_f4_user_on_the_access_list_cannot_take_a_restricted_deal_over(gql: Any, actors: Any) -> None:
    # given rep A's restricted deal that rep B may work on
    rep_a = gql.as_(actors[Role.SALES_REP])
    b_user, b_token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = as_token(gql, b_token)
    account = await create(rep_a, "Account", {"name": "Public Co"})
    deal = await create(rep_a, "Opportunity", {"title": "Secret", "accountId": account, "isRestricted": True})
    await mutate(rep_a, "setOpportunityAccess", {"opportunityId": deal, "userIds": [uid(b_user)]}, "opportunity { id }")
    before = await read(rep_a, READ_OPP, deal)
    # when rep B tries to become the owner, to rewrite the list, or to lift the restriction
    await mutate(rep_b, "updateOpportunity", {"id": deal, "ownerId": uid(b_user)}, codes=["FORBIDDEN"])
    await mutate(rep_b, "setOpportunityAccess", {"opportunityId": deal, "userIds": []}, codes=["FORBIDDEN"])
    await mutate(rep_b, "updateOpportunity", {"id": deal, "isRestricted": False}, codes=["FORBIDDEN"])
    # then nothing changed: A still owns it, B is still listed
    assert await read(rep_a, READ_OPP, deal) == before
    assert await m.OpportunityAccess.filter(user_id=b_user.id).count() == 1
    # while B still works on the deal, and A (the owner) and a manager may reassign it
    await mutate(rep_b, "updateOpportunity", {"id": deal, "description": "B's notes"})
    await mutate(rep_a, "updateOpportunity", {"id": deal, "ownerId": uid(b_user)})
    assert (await read(rep_b, READ_OPP, deal))["owner"]["id"] == uid(b_user)
    public = await create(rep_a, "Opportunity", {"title": "Open", "accountId": account})
    manager = gql.as_(actors[Role.MANAGER])
    await mutate(manager, "updateOpportunity", {"id": public, "ownerId": uid(b_user)})


async def deal_with_quote(gql: Any, *lines: str) -> dict[str, str]:
    """An account, an open deal and its (active) quote with one manual line per unit price."""
    account = await create(gql, "Account", {"name": "Globex"})
    deal = await create(gql, "Opportunity", {"title": "Fleet", "accountId": account, "currency": "EUR"})
    quote = await create(gql, "Quote", {"opportunityId": deal})
    for price in lines:
        await mutate(
            gql, "addManualQuoteItem", {"quoteId": quote, "name": "Service", "unitPrice": price}, "item { id }"
        )
    return {"account": account, "deal": deal, "quote": quote}


SALES = "query { salesOrders(first: 100) { totalCount } invoices(first: 100) { totalCount } }"
READ_QUOTE = "query($id: ID!) { quote(id: $id) { id version status isActive netTotal isDeleted } }"


# --- F7: a won deal is locked, deleting included ---------------------------------------------


async def test_f7_won_opportunity_cannot_be_deleted(gql: Any) -> None:
    # given a deal won with its quote
    ids = await deal_with_quote(gql, "100.00")
    await mutate(gql, "winOpportunity", {"opportunityId": ids["deal"]}, "opportunity { id }")
    before = (await read(gql, READ_OPP, ids["deal"]), await read(gql, READ_QUOTE, ids["quote"]))
    # when someone deletes it
    await mutate(gql, "deleteOpportunity", {"id": ids["deal"]}, "deletedId", codes=["LOCKED"])
    # then the deal and its quote are untouched
    assert (await read(gql, READ_OPP, ids["deal"]), await read(gql, READ_QUOTE, ids["quote"])) == before
    # and once reopened it can be deleted
    await mutate(gql, "reopenOpportunity", {"opportunityId": ids["deal"]}, "opportunity { id }")
    await mutate(gql, "deleteOpportunity", {"id": ids["deal"]}, "deletedId")


# --- F24, F25: what a quote conversion may still sell ------------------------------------------


async def test_f24_a_cancelled_sale_is_not_invoiced_from_its_quote(gql: Any) -> None:
    # given a quote turned into an order that was then cancelled
    ids = await deal_with_quote(gql, "100.00")
    order = (await mutate(gql, "convertQuoteToOrder", {"quoteId": ids["quote"]}, "salesOrder { id }"))["salesOrder"]
    await mutate(gql, "cancelOrder", {"salesOrderId": order["id"]}, "salesOrder { status }")
    before = (await gql(SALES), await read(gql, READ_QUOTE, ids["quote"]))
    # when the quote, or the deal through its active quote, is invoiced
    await mutate(
        gql, "convertQuoteToInvoice", {"quoteId": ids["quote"]}, "invoice { id }", codes=["INVALID_TRANSITION"]
    )
    await mutate(
        gql,
        "createInvoiceFromOpportunity",
        {"opportunityId": ids["deal"]},
        "invoice { id }",
        codes=["INVALID_TRANSITION"],
    )
    # then nothing was invoiced
    assert (await gql(SALES), await read(gql, READ_QUOTE, ids["quote"])) == before


async def test_f24_an_empty_quote_converts_to_nothing(gql: Any) -> None:
    # given a deal whose quote has no lines
    ids = await deal_with_quote(gql)
    before = (await gql(SALES), await read(gql, READ_QUOTE, ids["quote"]))
    # when it is converted to an order or an invoice, or the deal is invoiced
    await mutate(
        gql, "convertQuoteToOrder", {"quoteId": ids["quote"]}, "salesOrder { id }", codes=["INVALID_TRANSITION"]
    )
    await mutate(
        gql, "convertQuoteToInvoice", {"quoteId": ids["quote"]}, "invoice { id }", codes=["INVALID_TRANSITION"]
    )
    await mutate(
        gql,
        "createInvoiceFromOpportunity",
        {"opportunityId": ids["deal"]},
        "invoice { id }",
        codes=["INVALID_TRANSITION"],
    )
    # then no 0.00 order or invoice exists and the quote is still a draft
    assert (await gql(SALES), await read(gql, READ_QUOTE, ids["quote"])) == before


async def test_f25_a_won_deal_sells_only_its_active_quote(gql: Any) -> None:
    # given a deal with an active quote and a draft alternative, won and invoiced
    ids = await deal_with_quote(gql, "100.00")
    alternative = await create(gql, "Quote", {"opportunityId": ids["deal"]})
    await mutate(gql, "addManualQuoteItem", {"quoteId": alternative, "name": "Alt", "unitPrice": "80"}, "item { id }")
    await mutate(gql, "winOpportunity", {"opportunityId": ids["deal"]}, "opportunity { id }")
    await mutate(gql, "createInvoiceFromOpportunity", {"opportunityId": ids["deal"]}, "invoice { id }")
    before = (await gql(SALES), await read(gql, READ_QUOTE, alternative))
    # when the alternative is converted to an order or an invoice
    await mutate(
        gql, "convertQuoteToOrder", {"quoteId": alternative}, "salesOrder { id }", codes=["INVALID_TRANSITION"]
    )
    await mutate(gql, "convertQuoteToInvoice", {"quoteId": alternative}, "invoice { id }", codes=["INVALID_TRANSITION"])
    # then the sale stays invoiced once, and the alternative is still a draft
    assert (await gql(SALES), await read(gql, READ_QUOTE, alternative)) == before
    # while the active quote (the sale) still becomes an order: converting is not editing
    await mutate(gql, "convertQuoteToOrder", {"quoteId": ids["quote"]}, "salesOrder { id }")


async def test_f25_a_lost_deal_has_no_sale_to_convert(gql: Any) -> None:
    ids = await deal_with_quote(gql, "100.00")
    await mutate(gql, "loseOpportunity", {"opportunityId": ids["deal"]}, "opportunity { id }")
    before = (await gql(SALES), await read(gql, READ_QUOTE, ids["quote"]))
    await mutate(
        gql, "convertQuoteToOrder", {"quoteId": ids["quote"]}, "salesOrder { id }", codes=["INVALID_TRANSITION"]
    )
    await mutate(
        gql, "convertQuoteToInvoice", {"quoteId": ids["quote"]}, "invoice { id }", codes=["INVALID_TRANSITION"]
    )
    assert (await gql(SALES), await read(gql, READ_QUOTE, ids["quote"])) == before


# --- F19: a qualified lead is read-only, deleting included --------------------------------------

READ_LEAD = "query($id: ID!) { lead(id: $id) { id version status isArchived isDeleted lastName } }"
READ_CONTACT = "query($id: ID!) { contact(id: $id) { id version isDeleted lastName } }"


async def test_f19_qualified_lead_cannot_be_deleted(gql: Any) -> None:
    # given a qualified lead
    lead = await create(gql, "Lead", {"lastName": "Nymous", "company": "Annabel Co"})
    await mutate(gql, "qualifyLead", {"leadId": lead, "account": {"create": {}}}, "lead { status }")
    before = await read(gql, READ_LEAD, lead)
    # when it is deleted
    await mutate(gql, "deleteLead", {"id": lead}, "deletedId", codes=["LOCKED"])
    # then it is still there, as it was
    assert await read(gql, READ_LEAD, lead) == before
    # while an open lead can be deleted
    other = await create(gql, "Lead", {"lastName": "Open"})
    await mutate(gql, "deleteLead", {"id": other}, "deletedId")


# --- F8: a child is restored after what it belongs to --------------------------------------------


async def test_f8_restoring_an_opportunity_or_quote_of_a_deleted_account_is_refused(gql: Any) -> None:
    # given an account with a deal and its quote, the deal deleted and then the account
    ids = await deal_with_quote(gql, "10")
    contact = await create(gql, "Contact", {"lastName": "Buyer", "accountId": ids["account"]})
    await mutate(gql, "deleteOpportunity", {"id": ids["deal"]}, "deletedId")
    await mutate(gql, "deleteAccount", {"id": ids["account"]}, "deletedId")
    # when the deal, its quote or the contact is restored on its own
    await mutate(gql, "restoreOpportunity", {"id": ids["deal"]}, "opportunity { id }", codes=["INVALID_TRANSITION"])
    await mutate(gql, "restoreQuote", {"id": ids["quote"]}, "quote { id }", codes=["INVALID_TRANSITION"])
    await mutate(gql, "restoreContact", {"id": contact}, "contact { id }", codes=["INVALID_TRANSITION"])
    # then all stay deleted
    for query, gid in ((READ_OPP, ids["deal"]), (READ_QUOTE, ids["quote"]), (READ_CONTACT, contact)):
        assert await read(gql, query, gid) is None
    # and once the account is back (with its contact), the deal and then its quote follow
    await mutate(gql, "restoreAccount", {"id": ids["account"]}, "account { id }")
    assert (await read(gql, READ_CONTACT, contact))["isDeleted"] is False
    await mutate(gql, "restoreQuote", {"id": ids["quote"]}, "quote { id }", codes=["INVALID_TRANSITION"])
    await mutate(gql, "restoreOpportunity", {"id": ids["deal"]}, "opportunity { id }")
    assert (await read(gql, READ_QUOTE, ids["quote"]))["isDeleted"] is False


# --- F12, F14: item events name the line, and an equal value is no change ------------------------

TL = "timeline(first: 100) { totalCount nodes { kind data subject { id } } }"
_TIMELINED = ("Opportunity", "Quote", "Lead", "Contact", "Account")
_FRAGMENTS = " ".join(f"... on {t} {{ {TL} }}" for t in _TIMELINED)
EVENTS = f"query($id: ID!) {{ node(id: $id) {{ {_FRAGMENTS} }} }}"


async def events(gql: Any, gid: str, kind: str | None = None) -> Any:
    timeline = (await gql(EVENTS, {"id": gid}))["node"]["timeline"]
    return timeline if kind is None else [e for e in timeline["nodes"] if e["kind"] == kind]


async def test_f12_f14_item_updates_equal_as_numbers_are_no_change_and_events_name_items_by_id(gql: Any) -> None:
    # given a deal item and a quote item, quantity 2
    ids = await deal_with_quote(gql)
    item = {"name": "Service", "unitPrice": "10", "quantity": "2"}
    added = await mutate(gql, "addOpportunityItems", {"opportunityId": ids["deal"], "items": [item]}, "items { id }")
    opp_item = added["items"][0]["id"]
    quote_item = (await mutate(gql, "addManualQuoteItem", {"quoteId": ids["quote"], **item}, "item { id }"))["item"][
        "id"
    ]
    before = (await read(gql, READ_OPP, ids["deal"]), await events(gql, ids["quote"]))
    # when each is "changed" to the same number written otherwise
    await mutate(gql, "updateOpportunityItem", {"id": opp_item, "quantity": "2.0000"}, "item { id }")
    await mutate(gql, "updateQuoteItem", {"id": quote_item, "quantity": "2.00", "unitPrice": "10.0000"}, "item { id }")
    # then nothing is recorded and no version moves
    assert (await read(gql, READ_OPP, ids["deal"]), await events(gql, ids["quote"])) == before
    # and a real change names the line by its global ID (DOMAIN.md 6)
    await mutate(gql, "updateOpportunityItem", {"id": opp_item, "quantity": "3"}, "item { id }")
    await mutate(gql, "updateQuoteItem", {"id": quote_item, "quantity": "3"}, "item { id }")
    for parent, line in ((ids["deal"], opp_item), (ids["quote"], quote_item)):
        (event,) = await events(gql, parent, "ITEM_UPDATED")
        assert event["data"]["item"] == {"id": line, "name": "Service"}


async def test_f14_contract_cancelled_event_names_the_contract_by_id(gql: Any) -> None:
    # given a won deal with a contract
    shared = await catalog()
    account = await create(gql, "Account", {"name": "Initech"})
    book = to_global_id("Pricebook", shared["pricebook"].id)
    deal = await create(gql, "Opportunity", {"title": "Licences", "accountId": account, "pricebookId": book})
    product = to_global_id("Product", shared["product"].id)
    await mutate(gql, "addOpportunityItems", {"opportunityId": deal, "items": [{"productId": product}]}, "items { id }")
    won = await mutate(gql, "winOpportunity", {"opportunityId": deal}, "contracts { id number }")
    (contract,) = won["contracts"]
    # when it is cancelled
    await mutate(gql, "cancelContract", {"contractId": contract["id"]}, "contract { status }")
    # then the deal's event names it by global ID (with its number as a fact)
    (event,) = await events(gql, deal, "CONTRACT_CANCELLED")
    assert event["data"]["contract"] == {"id": contract["id"], "number": contract["number"]}


# --- F13: moving to the stage it is in is not a move ---------------------------------------------


async def test_f13_move_to_the_current_stage_changes_nothing(gql: Any) -> None:
    # given an open deal whose probability was overridden
    ids = await deal_with_quote(gql)
    await mutate(gql, "updateOpportunity", {"id": ids["deal"], "probability": 42}, "opportunity { id }")
    before = await read(gql, READ_OPP, ids["deal"])
    # when it is "moved" to the stage it is in, by either mutation
    stage = before["stage"]["id"]
    await mutate(gql, "moveOpportunityToStage", {"opportunityId": ids["deal"], "stageId": stage}, "opportunity { id }")
    await mutate(gql, "updateOpportunity", {"id": ids["deal"], "stageId": stage}, "opportunity { id }")
    # then the probability stays 42 and no STAGE_CHANGED is recorded
    after = await read(gql, READ_OPP, ids["deal"])
    assert after == before and after["probability"] == 42
    assert await events(gql, ids["deal"], "STAGE_CHANGED") == []


# --- F16: one open stage is always the default ---------------------------------------------------

STAGES = "{ stages { id name isDefault version position } }"


async def test_f16_the_default_stage_cannot_be_unset(gql: Any) -> None:
    stages = (await gql(STAGES))["stages"]
    (default,) = [s for s in stages if s["isDefault"]]
    await mutate(gql, "updateStage", {"id": default["id"], "isDefault": False}, "stage { id }", codes=["INVALID"])
    assert (await gql(STAGES))["stages"] == stages
    # making another stage the default moves the flag
    other = next(s for s in stages if not s["isDefault"] and s["name"] == "Qualification")
    await mutate(gql, "updateStage", {"id": other["id"], "isDefault": True}, "stage { id }")
    assert [s["id"] for s in (await gql(STAGES))["stages"] if s["isDefault"]] == [other["id"]]


# --- F17: a quote's contact and validity -------------------------------------------------------------


async def test_f17_quote_validity_and_contact_are_checked(gql: Any) -> None:
    # given a deal's quote, and a contact of another (private) account
    ids = await deal_with_quote(gql)
    other = await create(gql, "Account", {"name": "Other", "isPrivate": True})
    stranger = await create(gql, "Contact", {"lastName": "Stranger", "accountId": other})
    quotes = "query { quotes(first: 100) { totalCount } }"
    before = (await gql(quotes), await read(gql, READ_QUOTE_FULL, ids["quote"]))
    # when a quote is created or updated with an end before its start, or with that contact
    dates = {"validFrom": "2027-02-01", "validUntil": "2027-01-31"}
    await mutate(gql, "createQuote", {"opportunityId": ids["deal"], **dates}, "quote { id }", codes=["INVALID"])
    await mutate(
        gql, "createQuote", {"accountId": ids["account"], "contactId": stranger}, "quote { id }", codes=["INVALID"]
    )
    await mutate(gql, "updateQuote", {"id": ids["quote"], **dates}, "quote { id }", codes=["INVALID"])
    await mutate(
        gql, "updateQuote", {"id": ids["quote"], "validFrom": "2027-03-01", "validUntil": None}, "quote { id }"
    )
    await mutate(
        gql, "updateQuote", {"id": ids["quote"], "validUntil": "2027-02-28"}, "quote { id }", codes=["INVALID"]
    )
    await mutate(gql, "updateQuote", {"id": ids["quote"], "contactId": stranger}, "quote { id }", codes=["INVALID"])
    # then nothing was created and the quote kept its contact and dates (but the valid start)
    after = await read(gql, READ_QUOTE_FULL, ids["quote"])
    assert (await gql(quotes)) == before[0]
    assert after["contact"] == before[1]["contact"] and after["validFrom"] == "2027-03-01"
    assert after["validUntil"] is None


READ_QUOTE_FULL = "query($id: ID!) { quote(id: $id) { id version validFrom validUntil contact { id } } }"


# --- F18: anonymizing a lead erases it from its activities -------------------------------------------


async def test_f18_anonymize_lead_erases_personal_data_from_its_activities(gql: Any) -> None:
    # given a lead with an activity that names the person
    lead = await create(gql, "Lead", {"firstName": "Annabel", "lastName": "Nymous", "phone": "+49 222"})
    logged = await mutate(
        gql,
        "logActivity",
        {
            "type": "CALL",
            "subject": "Call annabel NYMOUS at +49 222",
            "description": "Ask Annabel about the budget",
            "leadId": lead,
        },
        "activity { id }",
    )
    activity = logged["activity"]["id"]
    # when it is anonymized
    await mutate(gql, "anonymizeLead", {"leadId": lead}, "lead { id }")
    # then neither the activity nor the lead's timeline says who it was
    read_activity = "query($id: ID!) { node(id: $id) { ... on Activity { subject description } } }"
    text = repr(await gql(read_activity, {"id": activity})) + repr(await events(gql, lead))
    for secret in ("annabel", "nymous", "+49 222"):
        assert secret not in text.lower()
    assert (await gql(read_activity, {"id": activity}))["node"][
        "subject"
    ] == "Call [anonymized] [anonymized] at [anonymized]"


# --- F15: linking an existing record to a lead is not creating it ----------------------------------


async def test_f15_qualifying_into_existing_records_records_a_link_not_a_creation(gql: Any) -> None:
    # given an existing account with a contact, and a lead
    account = await create(gql, "Account", {"name": "Existing Co"})
    contact = await create(gql, "Contact", {"lastName": "Known", "accountId": account})
    lead = await create(gql, "Lead", {"lastName": "Known", "company": "Existing Co"})
    # when the lead is qualified into them, with a new deal
    choice = {"leadId": lead, "account": {"existingId": account}, "contact": {"existingId": contact}, "opportunity": {}}
    done = await mutate(gql, "qualifyLead", choice, "opportunity { id }")
    # then the linked records record the link, and only the new deal a creation
    for linked in (account, contact):
        kinds = [e["kind"] for e in (await events(gql, linked))["nodes"] if e["subject"]["id"] == linked]
        assert "LINKED_FROM_LEAD" in kinds and "CREATED_FROM_LEAD" not in kinds
    (made,) = await events(gql, done["opportunity"]["id"], "CREATED_FROM_LEAD")
    assert made["data"]["lead"]["id"] == lead


# --- F20: idempotency compares decimals as numbers ---------------------------------------------------


async def test_f20_same_key_with_an_equal_decimal_is_the_same_request(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Idem"})
    values = {"title": "Budget", "accountId": account, "idempotencyKey": "k-1"}
    first = await mutate(gql, "createOpportunity", {**values, "manualAmount": "10.00"}, "opportunity { id }")
    again = await mutate(gql, "createOpportunity", {**values, "manualAmount": "10.0"}, "opportunity { id }")
    assert again["opportunity"] == first["opportunity"]
    await mutate(
        gql,
        "createOpportunity",
        {**values, "manualAmount": "10.01"},
        "opportunity { id }",
        codes=["IDEMPOTENCY_KEY_REUSED"],
    )
    assert (await gql("query { opportunities(first: 10) { totalCount } }"))["opportunities"]["totalCount"] == 1


# --- F21: a target id not given is REQUIRED ------------------------------------------------------------


async def test_f21_missing_or_null_target_id_is_required(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Kept"})
    before = await gql(ACCOUNTS)
    await mutate(gql, "updateAccount", {"name": "Changed"}, "account { id }", codes=["REQUIRED"])
    await mutate(gql, "deleteAccount", {"id": None}, "deletedId", codes=["REQUIRED"])
    # a given but malformed one (blank included) stays INVALID
    await mutate(gql, "updateAccount", {"id": "", "name": "Changed"}, "account { id }", codes=["INVALID"])
    await mutate(gql, "deleteAccount", {"id": "nope"}, "deletedId", codes=["INVALID"])
    assert await gql(ACCOUNTS) == before and before["accounts"]["nodes"][0]["id"] == account


ACCOUNTS = "query { accounts(first: 10) { totalCount nodes { id name version } } }"


# --- F22: pipelineSummary takes a currency as mutations do ---------------------------------------------

SUMMARY = "query($c: String) { pipelineSummary(groupBy: STAGE, currency: $c) { label amount currency } }"


async def test_f22_pipeline_summary_refuses_what_mutations_refuse_as_invalid(gql: Any) -> None:
    for bad in ("eur", "XXX"):
        body = await gql(SUMMARY, {"c": bad}, errors=True)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID"], body
    assert (await gql(SUMMARY, {"c": "EUR"}))["pipelineSummary"] is not None


# --- F23: catalog rules ------------------------------------------------------------------------------

PRODUCTS = "query { products(first: 100) { totalCount nodes { id code kind termMonths version } } }"


async def test_f23_product_codes_terms_and_tax_rates(gql: Any) -> None:
    # given a product
    await create(gql, "Product", {"name": "Tool", "code": "TQ-7f424"})
    before = await gql(PRODUCTS)
    # when another takes its code in other case, or a one-time product gets a term
    await mutate(gql, "createProduct", {"name": "Copy", "code": "tq-7F424"}, "product { id }", codes=["DUPLICATE"])
    await mutate(
        gql,
        "createProduct",
        {"name": "Box", "code": "BOX", "kind": "ONE_TIME", "termMonths": 12},
        "product { id }",
        codes=["INVALID"],
    )
    # then nothing was created
    assert await gql(PRODUCTS) == before
    # and a time-based product that becomes one-time loses its term
    support = await create(gql, "Product", {"name": "Support", "code": "SUP", "kind": "TIME_BASED", "termMonths": 12})
    await mutate(gql, "updateProduct", {"id": support, "kind": "ONE_TIME"}, "product { id }")
    await mutate(gql, "updateProduct", {"id": support, "termMonths": 6}, "product { id }", codes=["INVALID"])
    kept = [p for p in (await gql(PRODUCTS))["products"]["nodes"] if p["id"] == support]
    assert kept[0]["kind"] == "ONE_TIME" and kept[0]["termMonths"] is None
    # a tax rate is a percentage: 0..100
    ids = await deal_with_quote(gql, "10")
    quote = await read(gql, READ_QUOTE, ids["quote"])
    line = {"quoteId": ids["quote"], "name": "Taxed", "unitPrice": "10", "taxRate": "1000"}
    await mutate(gql, "addManualQuoteItem", line, "item { id }", codes=["INVALID"])
    assert await read(gql, READ_QUOTE, ids["quote"]) == quote
    await mutate(gql, "addManualQuoteItem", {**line, "taxRate": "100"}, "item { id }")
