"""Subscriptions deliver committed events to users allowed to see the record."""

from __future__ import annotations

import asyncio
from typing import Any

from crm_graphql.api.context import Context
from crm_graphql.api.schema import build_schema
from crm_graphql.enums import Role

TIMELINE = "subscription Timeline($id: ID) { timelineEvent(subjectId: $id) { kind subjectType subject { id } } }"
CHANGED = 'subscription Changed { opportunityChanged(filter: { title: { startsWith: "Big" } }) { title amount } }'
CREATE_ACCOUNT = """mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } userErrors { code } } }"""
CREATE_OPPORTUNITY = """mutation CreateOpportunity($input: CreateOpportunityInput!) {
  createOpportunity(input: $input) { opportunity { id } userErrors { code } } }"""


async def _next(stream: Any) -> Any:
    result = await asyncio.wait_for(stream.__anext__(), timeout=5)
    assert not result.errors, result.errors
    return result.data


async def test_timeline_event_streams_account_events(gql, actors, settings) -> None:
    # given an account and a subscription to its timeline
    account = (await gql(CREATE_ACCOUNT, {"input": {"name": "Acme"}}))["createAccount"]["account"]["id"]
    schema = build_schema()
    context = Context(settings=settings, user=actors[Role.ADMIN].user)
    stream = await schema.subscribe(TIMELINE, variable_values={"id": account}, context_value=context)
    pending = asyncio.ensure_future(_next(stream))
    await asyncio.sleep(0.3)
    # when an opportunity is created under it
    await gql(CREATE_OPPORTUNITY, {"input": {"title": "Deal", "accountId": account}})
    # then the account's subscriber gets the fanned-out event
    data = await pending
    assert data["timelineEvent"]["kind"] == "CREATED"
    assert data["timelineEvent"]["subjectType"] == "Opportunity"
    await stream.aclose()


async def test_opportunity_changed_respects_filter_and_visibility(gql, actors, settings) -> None:
    # given a private account of the admin, and a sales rep subscribed
    schema = build_schema()
    rep = Context(settings=settings, user=actors[Role.SALES_REP].user)
    admin = Context(settings=settings, user=actors[Role.ADMIN].user)
    rep_stream = await schema.subscribe(CHANGED, context_value=rep)
    admin_stream = await schema.subscribe(CHANGED, context_value=admin)
    rep_next = asyncio.ensure_future(_next(rep_stream))
    admin_next = asyncio.ensure_future(_next(admin_stream))
    await asyncio.sleep(0.3)
    private = await gql(CREATE_ACCOUNT, {"input": {"name": "Secret", "isPrivate": True, "ownerId": None}})
    private_id = private["createAccount"]["account"]["id"]
    await gql(
        "mutation($id: ID!) { updateAccount(input: {id: $id, ownerId: null}) { userErrors { code } } }",
        {"id": private_id},
    )
    public = (await gql(CREATE_ACCOUNT, {"input": {"name": "Open"}}))["createAccount"]["account"]["id"]
    # when opportunities are created: one filtered out, one hidden from the rep, one visible
    await gql(CREATE_OPPORTUNITY, {"input": {"title": "Small", "accountId": public}})
    await gql(CREATE_OPPORTUNITY, {"input": {"title": "Big secret", "accountId": private_id}})
    await gql(CREATE_OPPORTUNITY, {"input": {"title": "Big deal", "accountId": public, "manualAmount": "10"}})
    # then the rep sees only the visible, matching one; the admin sees the private one first
    assert (await rep_next)["opportunityChanged"] == {"title": "Big deal", "amount": "10.00"}
    assert (await admin_next)["opportunityChanged"]["title"] in {"Big secret", "Big deal"}
    await rep_stream.aclose()
    await admin_stream.aclose()


async def test_one_event_costs_two_statements_however_many_users_subscribe(gql, actors, settings) -> None:
    from crm_graphql import db

    schema = build_schema()
    plain = "subscription Plain { timelineEvent { kind subjectType } }"

    async def create_counted(name: str) -> int:
        with db.count_statements() as counter:
            await gql(CREATE_ACCOUNT, {"input": {"name": name}})
            await asyncio.sleep(0.3)  # delivery happens after the response
        return counter.count

    # given the cost of a change nobody listens to (the token lookup already cached)
    await create_counted("Warm-up")
    alone = await create_counted("Nobody listens")
    # and one subscription per user (every role), one of them twice
    streams = []
    for actor in [*actors.values(), actors[Role.ADMIN]]:
        context = Context(settings=settings, user=actor.user)
        streams.append(await schema.subscribe(plain, context_value=context))
    pending = [asyncio.ensure_future(_next(s)) for s in streams]
    await asyncio.sleep(0.3)
    # when the same change is made
    watched = await create_counted("Everyone listens")
    # then every subscriber got it, for two more statements: the event, and who may see it
    for result in pending:
        assert (await result)["timelineEvent"] == {"kind": "CREATED", "subjectType": "Account"}
    assert watched - alone == 2
    for stream in streams:
        await stream.aclose()


async def test_a_subscription_sent_over_http_is_refused_with_400(client, admin) -> None:
    response = await client.post(
        "/graphql", json={"query": TIMELINE}, headers={"Authorization": f"Bearer {admin.token}"}
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in error["message"]
