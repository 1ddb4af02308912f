"""node(id:) / nodes(ids:) for every type; null (never an error) for bad ids."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from crm_graphql import models as m
from crm_graphql.api.relay import MODELS, to_global_id
from crm_graphql.enums import ContractKind, Role

NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Versioned { version } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


async def one_of_each() -> dict[str, Any]:
    one = Decimal(1)
    user = await m.User.create(email="someone@example.com", name="Someone", role=Role.SALES_REP)
    stage = await m.Stage.filter(is_default=True).first()
    account = await m.Account.create(name="Acme")
    contact = await m.Contact.create(last_name="Doe", account=account)
    lead = await m.Lead.create(last_name="Lead")
    opp = await m.Opportunity.create(title="Deal", account=account, stage=stage, currency="EUR")
    product = await m.Product.create(name="Widget", code="W-1")
    book = await m.Pricebook.create(name="Book")
    entry = await m.PricebookEntry.create(pricebook=book, product=product, currency="EUR", unit_price=one)
    bundle = await m.Bundle.create(pricebook=book, name="B", code="B-1")
    line: dict[str, Any] = {"currency": "EUR", "name": "L", "quantity": one, "unit_price": one, "line_total": one}
    quote = await m.Quote.create(number="Q-1", name="Q", account=account, opportunity=opp, currency="EUR")
    order = await m.SalesOrder.create(number="SO-1", account=account, currency="EUR")
    invoice = await m.Invoice.create(number="INV-1", account=account, currency="EUR")
    rows: dict[str, Any] = {
        "User": user,
        "Stage": stage,
        "Pipeline": await m.Pipeline.get(id=stage.pipeline_id),
        "Account": account,
        "Contact": contact,
        "Lead": lead,
        "Opportunity": opp,
        "OpportunityItem": await m.OpportunityItem.create(opportunity=opp, **line),
        "OpportunityContactRole": await m.OpportunityContactRole.create(opportunity=opp, contact=contact, role="USER"),
        "AccountRelation": await m.AccountRelation.create(
            account=account, linked=await m.Account.create(name="Related"), kind="PARTNER"
        ),
        "Product": product,
        "Pricebook": book,
        "PricebookEntry": entry,
        "Bundle": bundle,
        "BundleItem": await m.BundleItem.create(bundle=bundle, product=product, quantity=one, weight=one),
        "BundlePrice": await m.BundlePrice.create(bundle=bundle, currency="EUR", price=one),
        "Quote": quote,
        "QuoteItem": await m.QuoteItem.create(quote=quote, **line),
        "SalesOrder": order,
        "SalesOrderItem": await m.SalesOrderItem.create(sales_order=order, **line),
        "Invoice": invoice,
        "InvoiceItem": await m.InvoiceItem.create(invoice=invoice, **line),
        "Contract": await m.Contract.create(
            number="C-1",
            name="C",
            kind=ContractKind.ONE_TIME,
            account=account,
            opportunity=opp,
            product=product,
            start_date=dt.date(2026, 1, 1),
            quantity=one,
            value=one,
            currency="EUR",
        ),
        "Activity": await m.Activity.create(type="CALL", subject="Call", account=account),
        "TimelineEvent": await m.TimelineEvent.create(subject_type="Account", subject_id=account.id, kind="NOTE"),
        "ExchangeRate": await m.ExchangeRate.create(currency="USD", rate=Decimal("0.92")),
        "DocumentTemplate": await m.DocumentTemplate.create(name="T", body="{{quote.number}}"),
        "Document": await m.Document.create(name="D", content_type="text/plain", content="Q-1", quote=quote),
        "Campaign": await m.Campaign.create(name="Webinar", currency="EUR"),
        "LeadSplitRule": await m.LeadSplitRule.create(name="R", shares=[{"user": user.id, "percent": 100}]),
    }
    return rows


async def test_node_of_every_type(gql: Any) -> None:
    rows = await one_of_each()
    assert set(rows) == set(MODELS), set(MODELS) ^ set(rows)
    for type_name, row in rows.items():
        gid = to_global_id(type_name, row.id)
        q = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on {type_name} {{ id }} }} }}"
        data = await gql(q, {"id": gid})
        assert data["node"] == {"__typename": type_name, "id": gid}, type_name


async def test_nodes_keep_order_and_null_the_bad_ones(gql: Any) -> None:
    rows = await one_of_each()
    account, quote, contact = rows["Account"], rows["Quote"], rows["Contact"]
    deleted = await m.Lead.create(last_name="Gone", deleted_at=dt.datetime.now(dt.UTC))
    ids = [
        to_global_id("Quote", quote.id),
        "not-base64!",  # malformed
        base64.b64encode(b"Nope:1").decode(),  # unknown type
        base64.b64encode(b"Account:abc").decode(),  # malformed key
        to_global_id("Account", 999_999),  # unknown id
        to_global_id("Lead", deleted.id),  # deleted
        to_global_id("Account", account.id),
        to_global_id("Contact", contact.id),
        to_global_id("Account", account.id),  # repeated
    ]
    data = await gql(NODES, {"ids": ids})
    assert data["nodes"] == [
        {"__typename": "Quote", "id": ids[0]},
        None,
        None,
        None,
        None,
        None,
        {"__typename": "Account", "id": ids[6]},
        {"__typename": "Contact", "id": ids[7]},
        {"__typename": "Account", "id": ids[6]},
    ]
    for bad in ids[1:6]:
        body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": bad}, errors=True)
        assert body["data"] == {"node": None} and "errors" not in body, bad


async def test_singular_fields_null_for_wrong_type(gql: Any) -> None:
    rows = await one_of_each()
    account_id = to_global_id("Account", rows["Account"].id)
    data = await gql("query($id: ID!) { account(id: $id) { name } quote(id: $id) { number } }", {"id": account_id})
    assert data == {"account": {"name": "Acme"}, "quote": None}
    # the quote's primary key read as an account id is another record or nothing, never the quote
    quote_as_account = to_global_id("Account", rows["Quote"].id)
    data = await gql("query($id: ID!) { quote(id: $id) { number } }", {"id": quote_as_account})
    assert data == {"quote": None}


async def test_hidden_is_null(gql: Any, actors: Any) -> None:
    owner = actors[Role.SALES_REP].user
    private = await m.Account.create(name="Secret", is_private=True, owner=owner)
    gid = to_global_id("Account", private.id)
    assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": gid}))["node"] is None
    as_owner = await gql.as_(actors[Role.SALES_REP])("query($id: ID!) { node(id: $id) { id } }", {"id": gid})
    assert as_owner["node"] == {"id": gid}


async def test_deleted_target_resolves_from_documents(gql: Any) -> None:
    rows = await one_of_each()
    await m.Account.filter(id=rows["Account"].id).update(deleted_at=dt.datetime.now(dt.UTC))
    q = "query($id: ID!) { node(id: $id) { ... on SalesOrder { account { name isDeleted } } } }"
    data = await gql(q, {"id": to_global_id("SalesOrder", rows["SalesOrder"].id)})
    assert data["node"]["account"] == {"name": "Acme", "isDeleted": True}
    assert (
        await gql(
            NODE.replace(" ... on Versioned { version }", ""), {"id": to_global_id("Account", rows["Account"].id)}
        )
    )["node"] is None


async def test_nodes_refuses_more_than_100_ids(gql: Any) -> None:
    ids = [to_global_id("Account", i) for i in range(1, 102)]
    body = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_PAGINATION"
    assert "at most 100 ids" in body["errors"][0]["message"]
