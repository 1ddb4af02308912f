"""Partners (DOMAIN.md 8, seed: Easy Project): a PARTNER user sees exactly the leads and deals
assigned to their partner account, what those hang on, and nothing else, through every path:
``node``/``nodes`` enumeration of every Node type, every relation and connection of what they
see, lists, counts, ``pipelineSummary`` and writes. The oracle is written here from
DOMAIN.md 8, independently of services.access."""

from __future__ import annotations

from typing import Any

from factories import ERR, call, catalog, gid, partner_actor, sales_world, user_error
from introspection import INTROSPECT, NODES, PAGE, Schema, check_counts, ids_in

from crm_graphql import models as m
from crm_graphql.api.relay import MODELS, to_global_id
from crm_graphql.enums import Role
from crm_graphql.services import access

ASSIGN = f"""mutation($input: AssignToPartnerInput!) {{ assignToPartner(input: $input) {{
  lead {{ id partner {{ id }} }} opportunity {{ id partner {{ id }} }} {ERR} }} }}"""
UNASSIGN = f"""mutation($input: UnassignFromPartnerInput!) {{ unassignFromPartner(input: $input) {{
  lead {{ id }} opportunity {{ id partner {{ id }} }} {ERR} }} }}"""
CREATE_USER = f"""mutation($input: CreateUserInput!) {{ createUser(input: $input) {{
  user {{ id role partnerAccount {{ id }} }} {ERR} }} }}"""


async def _world(admin: Any, partner: Any) -> tuple[Any, Any]:
    """Two worlds of every sales record; the two deals of the second assigned to the partner."""
    shared = await catalog()
    foreign = await sales_world(admin, shared)
    mine = await sales_world(admin, shared)
    await m.Opportunity.filter(id__in=[o.id for o in mine.records["Opportunity"]]).update(partner_id=partner.id)
    lead = await m.Lead.create(last_name="Partner lead", partner_id=partner.id)
    mine.add(lead)
    return foreign, mine


async def _allowed(partner: Any, partner_user: Any) -> set[str]:
    """What the partner user may see (DOMAIN.md 8), from the rows themselves."""
    deals = {o.id for o in await m.Opportunity.filter(partner_id=partner.id, deleted_at__isnull=True)}
    leads = {x.id for x in await m.Lead.filter(partner_id=partner.id, deleted_at__isnull=True)}
    accounts = {o.account_id for o in await m.Opportunity.filter(id__in=deals)} | {partner.id}
    allowed: set[str] = set()
    for row in await m.Account.filter(id__in=accounts, deleted_at__isnull=True):
        allowed.add(gid(row))
    for row in await m.Contact.filter(account_id__in=accounts, deleted_at__isnull=True):
        allowed.add(gid(row))
    allowed |= {to_global_id("Opportunity", i) for i in deals} | {to_global_id("Lead", i) for i in leads}
    documents: dict[str, set[int]] = {}
    for model in (m.Quote, m.SalesOrder, m.Invoice, m.Contract):
        rows = await model.filter(opportunity_id__in=deals)
        rows = [r for r in rows if getattr(r, "deleted_at", None) is None]
        documents[model.__name__] = {r.id for r in rows}
        allowed |= {gid(r) for r in rows}
    for model, column, parent in (
        (m.OpportunityItem, "opportunity_id", "Opportunity"),
        (m.QuoteItem, "quote_id", "Quote"),
        (m.SalesOrderItem, "sales_order_id", "SalesOrder"),
        (m.InvoiceItem, "invoice_id", "Invoice"),
        (m.Document, "quote_id", "Quote"),
    ):
        for row in await model.all():
            if to_global_id(parent, getattr(row, column)) in allowed:
                allowed.add(gid(row))
    for row in await m.Activity.all():
        attached = [
            (t, getattr(row, f"{c}_id"))
            for t, c in (
                ("Lead", "lead"),
                ("Opportunity", "opportunity"),
                ("Account", "account"),
                ("Contact", "contact"),
                ("Quote", "quote"),
            )
            if getattr(row, f"{c}_id")
        ]
        if any(to_global_id(t, i) in allowed for t, i in attached if t in ("Lead", "Opportunity", "Quote")):
            allowed.add(gid(row))
    for event in await m.TimelineEvent.all():
        if to_global_id(event.subject_type, event.subject_id) in allowed:
            allowed.add(gid(event))
    allowed.add(gid(partner_user))
    return allowed


async def test_partner_user_sees_exactly_the_partners_records_through_every_path(gql: Any, actors: Any) -> None:
    # given a partner with a partner user, and two worlds of every record, two deals assigned
    partner, actor = await _partner()
    foreign, mine = await _world(actors[Role.ADMIN].user, partner)
    puser = gql.as_(actor)
    schema = Schema(await gql(INTROSPECT))
    allowed = await _allowed(partner, actor.user)
    narrowed = {
        t
        for t in schema.nodes
        if access.PARTNER_RULES[MODELS[t]] is not access.unrestricted
        or t in ("TimelineEvent", "OpportunityItem", "QuoteItem", "SalesOrderItem", "InvoiceItem", "Document")
    }

    # when the partner user enumerates every id of every type
    visible: dict[str, list[str]] = {}
    for type_name in schema.nodes:
        top = (await MODELS[type_name].all().order_by("-id").first() or type("N", (), {"id": 0})).id
        ids = [to_global_id(type_name, i) for i in range(1, top + 6)]
        for start in range(0, len(ids), PAGE):
            found = await puser(NODES, {"ids": ids[start : start + PAGE]})
            visible.setdefault(type_name, []).extend(n["id"] for n in found["nodes"] if n)
    # then of the partner-scoped types they see exactly the oracle's records
    seen = {i for t in narrowed for i in visible.get(t, [])}
    expected = {i for i in allowed if _type(i) in narrowed}
    assert seen == {i for i in expected if _type(i) in narrowed}, (
        sorted(_decode(i) for i in seen - expected),
        sorted(_decode(i) for i in expected - seen),
    )
    assert {_decode(i) for i in visible["Opportunity"]} == {("Opportunity", o.id) for o in mine.records["Opportunity"]}

    # when they follow every relation and connection of every record they see
    public_ok = {i for t in schema.nodes if t not in narrowed for i in visible.get(t, [])}
    for type_name, ids in visible.items():
        selection = schema.selection(type_name)
        for start in range(0, len(ids), 20):
            data = await puser(
                f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {type_name} {{ {selection} }} }} }}",
                {"ids": ids[start : start + 20]},
            )
            # then every record reached is one they may see, and every count is what they see
            reached = {i for i in ids_in(data) if _is_gid(i)}
            assert reached <= allowed | public_ok, (
                type_name,
                sorted(_decode(i) for i in reached - allowed - public_ok),
            )
            assert all(total == shown for total, shown in check_counts(data)), type_name

    # and every root list answers only what they see, with counts to match
    for node_type, field in schema.roots().items():
        listed = (await puser(f"{{ {field['name']}(first: 100) {{ totalCount nodes {{ id }} }} }}"))[field["name"]]
        ids = {n["id"] for n in listed["nodes"]}
        assert ids <= allowed | public_ok, node_type
        assert listed["totalCount"] == len(ids), node_type

    # and sums cover their two deals only
    summary = await puser("{ pipelineSummary(groupBy: PIPELINE) { count } }")
    assert [g["count"] for g in summary["pipelineSummary"]] == [2]
    # grouped by owner or split owner, the owners they may not see are one "Other users" group:
    # no name or id of a user hidden from them
    visible_users = {u["id"] for u in (await puser("{ users { nodes { id } } }"))["users"]["nodes"]}
    for group_by in ("OWNER", "SPLIT_OWNER"):
        groups = (await puser(f"{{ pipelineSummary(groupBy: {group_by}) {{ key label count }} }}"))["pipelineSummary"]
        if group_by == "OWNER":
            assert sum(g["count"] for g in groups) == 2
        assert {g["key"] for g in groups} <= visible_users | {None}, groups
        assert [g for g in groups if g["key"] is None and g["label"] not in ("Unassigned", "Other users")] == []
    foreign_deal = gid(foreign.records["Opportunity"][0])
    assert (await puser("query($id: ID!) { node(id: $id) { id } }", {"id": foreign_deal}))["node"] is None


def _is_gid(value: str) -> bool:
    try:
        _decode(value)
    except Exception:
        return False
    return True


def _decode(value: str) -> tuple[str, int]:
    from crm_graphql.api.relay import from_global_id

    type_name, pk = from_global_id(value)
    if type_name not in MODELS:
        raise ValueError(value)
    return type_name, pk


def _type(value: str) -> str:
    return _decode(value)[0]


async def _partner() -> tuple[Any, Any]:
    return await partner_actor()


async def test_partner_works_on_assigned_deals_like_a_sales_rep(gql: Any, actors: Any) -> None:
    partner, actor = await _partner()
    foreign, mine = await _world(actors[Role.ADMIN].user, partner)
    puser = gql.as_(actor)
    deal, other = mine.records["Opportunity"][0], foreign.records["Opportunity"][0]
    update = f"""mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{
      opportunity {{ title }} {ERR} }} }}"""
    # an assigned deal they change; a foreign one does not exist for them
    p = await call(puser, update, {"id": gid(deal), "title": "Renamed by partner"})
    assert p["opportunity"]["title"] == "Renamed by partner"
    await call(
        puser,
        update,
        {"id": gid(other), "title": "X"},
        [user_error("input.id", "NOT_FOUND", "No Opportunity with this id.")],
    )
    assert (await m.Opportunity.get(id=other.id)).title == other.title
    # what they create is assigned to their partner (and so stays visible to them)
    account = gid(mine.records["Account"][0])
    made = await puser(f"""mutation {{ createOpportunity(input: {{title: "Partner's own", accountId: "{account}"}}) {{
      opportunity {{ partner {{ id }} }} {ERR} }} }}""")
    assert made["createOpportunity"]["opportunity"]["partner"] == {"id": gid(partner)}
    # no catalog, stages, pipelines or users for them; no assigning either
    forbidden = [user_error("input", "FORBIDDEN", "Only admins and managers manage the catalog, stages and users.")]
    await call(
        puser,
        "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { userErrors { field message code } } }",
        {"name": "Mine"},
        forbidden,
    )
    before = await m.Opportunity.filter(partner_id=partner.id).count()
    await call(
        puser,
        UNASSIGN,
        {"opportunityId": gid(deal)},
        [user_error("input", "FORBIDDEN", "Assigning to a partner is for admins, managers and the record's owner.")],
    )
    assert await m.Opportunity.filter(partner_id=partner.id).count() == before


async def test_assign_and_unassign_and_their_errors(gql: Any, actors: Any) -> None:
    partner, actor = await _partner()
    account = await m.Account.create(name="Customer")
    rep = actors[Role.SALES_REP]
    deal = await m.Opportunity.create(
        title="Deal",
        account=account,
        currency="EUR",
        owner_id=rep.user.id,
        stage=await m.Stage.filter(is_default=True).first(),
    )
    lead = await m.Lead.create(last_name="Lead", owner_id=actors[Role.ADMIN].user.id)

    async def state() -> Any:
        return (await m.Opportunity.get(id=deal.id)).partner_id, (await m.Lead.get(id=lead.id)).partner_id

    before = await state()
    # both or neither target; an account that is no partner; a sales rep on a record not theirs
    await call(
        gql,
        ASSIGN,
        {"leadId": gid(lead), "opportunityId": gid(deal), "partnerAccountId": gid(partner)},
        [user_error("input", "INVALID", "Give exactly one of leadId and opportunityId.")],
    )
    await call(
        gql,
        ASSIGN,
        {"partnerAccountId": gid(partner)},
        [user_error("input", "INVALID", "Give exactly one of leadId and opportunityId.")],
    )
    await call(
        gql,
        ASSIGN,
        {"leadId": gid(lead), "partnerAccountId": gid(account)},
        [user_error("input.partnerAccountId", "INVALID", "The account is no partner: mark it isPartner first.")],
    )
    await call(
        gql,
        ASSIGN,
        {"leadId": "junk", "partnerAccountId": gid(partner)},
        [user_error("input.leadId", "INVALID", "Malformed id.")],
    )
    await call(
        gql.as_(rep),
        ASSIGN,
        {"leadId": gid(lead), "partnerAccountId": gid(partner)},
        [
            user_error(
                "input.leadId", "FORBIDDEN", "Assigning to a partner is for admins, managers and the record's owner."
            )
        ],
    )
    # a read-only user meets the role check before anything else, as on every mutation
    await call(
        gql.as_(actors[Role.READ_ONLY]),
        ASSIGN,
        {"leadId": gid(lead), "partnerAccountId": gid(partner)},
        [user_error("input", "FORBIDDEN", "Your role may only read.")],
    )
    assert await state() == before
    # the owner assigns their deal; the partner user then sees it; unassigning takes it away
    p = await call(gql.as_(rep), ASSIGN, {"opportunityId": gid(deal), "partnerAccountId": gid(partner)})
    assert p["opportunity"]["partner"] == {"id": gid(partner)}
    seen = await gql.as_(actor)("{ opportunities { totalCount } }")
    assert seen["opportunities"]["totalCount"] == 1
    await call(gql, UNASSIGN, {"opportunityId": gid(deal)})
    assert (await gql.as_(actor)("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 0
    # a lead assigned to the partner carries it into the deal it is qualified into
    await call(gql, ASSIGN, {"leadId": gid(lead), "partnerAccountId": gid(partner)})
    q = await gql(f"""mutation {{ qualifyLead(input: {{leadId: "{gid(lead)}", account: {{create: {{name: "New Co"}}}},
      opportunity: {{}}}}) {{ opportunity {{ partner {{ id }} }} {ERR} }} }}""")
    assert q["qualifyLead"]["userErrors"] == [] and q["qualifyLead"]["opportunity"]["partner"] == {"id": gid(partner)}


async def test_partner_users_need_a_partner_account(gql: Any, actors: Any) -> None:
    partner, _ = await _partner()
    plain = await m.Account.create(name="Plain")
    count = await m.User.all().count()
    await call(
        gql,
        CREATE_USER,
        {"email": "p2@example.com", "name": "P2", "role": "PARTNER"},
        [user_error("input.partnerAccountId", "REQUIRED", "A PARTNER user needs a partnerAccountId.")],
    )
    await call(
        gql,
        CREATE_USER,
        {"email": "p2@example.com", "name": "P2", "role": "PARTNER", "partnerAccountId": gid(plain)},
        [user_error("input.partnerAccountId", "INVALID", "The account is no partner: mark it isPartner first.")],
    )
    await call(
        gql,
        CREATE_USER,
        {"email": "p2@example.com", "name": "P2", "role": "SALES_REP", "partnerAccountId": gid(partner)},
        [user_error("input.partnerAccountId", "INVALID", "Only PARTNER users belong to a partner account.")],
    )
    assert await m.User.all().count() == count
    p = await call(
        gql, CREATE_USER, {"email": "p2@example.com", "name": "P2", "role": "PARTNER", "partnerAccountId": gid(partner)}
    )
    assert p["user"]["role"] == "PARTNER" and p["user"]["partnerAccount"] == {"id": gid(partner)}


async def test_a_restricted_deal_assigned_to_the_partner_shows_nothing_it_hangs_on(gql: Any, actors: Any) -> None:
    # given a public account whose only deal is restricted (the partner user not on its list)
    # and assigned to the partner, with a contact and a quote
    partner, actor = await _partner()
    admin = actors[Role.ADMIN].user
    account = await m.Account.create(name="Restricted customer", owner_id=admin.id)
    contact = await m.Contact.create(last_name="Hidden", account=account, owner_id=admin.id)
    stage = await m.Stage.filter(kind="OPEN").order_by("position").first()
    deal = await m.Opportunity.create(
        title="Restricted",
        account=account,
        contact=contact,
        stage=stage,
        pipeline_id=stage.pipeline_id,
        currency="EUR",
        owner_id=admin.id,
        is_restricted=True,
        partner_id=partner.id,
    )
    quote = await m.Quote.create(name="Q", number="Q-R-1", account=account, opportunity=deal, currency="EUR")
    puser = gql.as_(actor)
    # then the partner user sees neither the deal nor its account, contact or quote, by any path
    for row in (deal, account, contact, quote):
        assert (await puser("query($id: ID!) { node(id: $id) { id } }", {"id": gid(row)}))["node"] is None
    seen = await puser("{ accounts { nodes { id } } contacts { nodes { id } } opportunities { totalCount } }")
    assert gid(account) not in {a["id"] for a in seen["accounts"]["nodes"]}
    assert gid(contact) not in {c["id"] for c in seen["contacts"]["nodes"]}
    assert seen["opportunities"]["totalCount"] == 0
