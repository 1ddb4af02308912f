"""The visibility matrix, built by introspection: for every type implementing ``Node``, rep
A's hidden records (under a private account, on restricted deals, soft-deleted) are
invisible to rep B through ``node``, ``nodes``, every connection and relation of the types
rep B can see, every relation filter (to-one and to-many, two levels deep) of every list,
and an enumeration of sequential ids of every type. A new type is covered by itself; a
type with no hidden instance in the world below fails the test unless its rule makes every
row public and it has no soft delete (nothing of it can be hidden).

The oracle (what must be hidden) is written here from DOMAIN.md 8, independently of
services.access.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from factories import World, catalog, make_user, sales_world
from introspection import INTROSPECT, NODES, PAGE, Schema, check_counts, ids_in, nest, unwrap

from crm_graphql import models as m
from crm_graphql.api.relay import MODELS, from_global_id, to_global_id
from crm_graphql.enums import ConversionKind, Role
from crm_graphql.services import access, lineage, timeline


async def hidden_world(owner: Any, shared: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(global ids rep B may not see among rep A's records by DOMAIN.md 8, the deleted ones)."""
    private = await sales_world(owner, shared, private=True)
    restricted = await sales_world(owner, shared, restricted=True)
    # a public child of the private account, so relation filters have a hidden parent to reach
    child = await m.Account.create(name="Public child", parent=private.records["Account"][0], owner_id=owner.id)
    # lineage from public records to hidden ones
    lead = await m.Lead.create(last_name="Converted", owner_id=owner.id)
    await lineage.link(None, lead, private.records["Account"][0], ConversionKind.LEAD_TO_ACCOUNT)  # type: ignore[arg-type]
    loose = restricted.records["Quote"][2]
    await lineage.link(None, loose, restricted.records["SalesOrder"][0], ConversionKind.QUOTE_TO_ORDER)  # type: ignore[arg-type]
    # an activity on a public lead and a restricted deal
    restricted.add(
        await m.Activity.create(
            type="CALL", subject="Both", lead=lead, opportunity=restricted.records["Opportunity"][0]
        )
    )
    # soft-deleted records of the public types
    gone = dt.datetime.now(dt.UTC)
    deleted = World(owner)
    for model, values in (
        (m.Product, {"name": "Gone", "code": "GONE"}),
        (m.Pricebook, {"name": "Gone"}),
        (m.Bundle, {"name": "Gone", "code": "GONE", "pricebook": shared["pricebook"]}),
        (m.Lead, {"last_name": "Gone"}),
    ):
        deleted.add(await model.create(deleted_at=gone, **values))
    hidden = set(deleted.all_ids())
    hidden |= {i for i in private.all_ids() if from_global_id(i)[0] != "Lead"}
    deals = {o.id for o in restricted.records["Opportunity"]}
    for type_name, rows in restricted.records.items():
        for row in rows:
            if row in restricted.records["Opportunity"] or getattr(row, "opportunity_id", None) in deals:
                hidden.add(to_global_id(type_name, row.id))
            if getattr(row, "deleted_at", None) is not None:
                hidden.add(to_global_id(type_name, row.id))
    parents = {
        "QuoteItem": ("Quote", "quote_id"),
        "SalesOrderItem": ("SalesOrder", "sales_order_id"),
        "InvoiceItem": ("Invoice", "invoice_id"),
        "Document": ("Quote", "quote_id"),
    }
    for type_name, (parent, column) in parents.items():
        for row in await MODELS[type_name].all():
            if to_global_id(parent, getattr(row, column)) in hidden:
                hidden.add(to_global_id(type_name, row.id))
    for event in await m.TimelineEvent.all():
        if to_global_id(event.subject_type, event.subject_id) in hidden:
            hidden.add(to_global_id("TimelineEvent", event.id))
    await timeline.record(None, child, "CREATED", owner)  # type: ignore[arg-type]
    gone_ids = {
        i
        for w in (private, restricted, deleted)
        for t, rows in w.records.items()
        for r in rows
        if getattr(r, "deleted_at", None) is not None
        for i in [to_global_id(t, r.id)]
    }
    return hidden, gone_ids


async def test_hidden_records_do_not_exist_for_rep_b(gql: Any, actors: Any) -> None:
    # given rep A's hidden records of every type, and rep B
    schema = Schema(await gql(INTROSPECT))
    rep_a = gql.as_(actors[Role.SALES_REP])
    _b, b_token = await make_user(Role.SALES_REP, "Rep B")
    rep_b = gql.as_(actors[Role.SALES_REP])
    rep_b.token = b_token
    await sales_world(actors[Role.ADMIN].user, await catalog())  # records rep B does see
    await m.ExchangeRate.create(currency="USD", rate=Decimal(1))
    hidden, deleted = await hidden_world(actors[Role.SALES_REP].user, await catalog())
    by_type: dict[str, set[str]] = {}
    for gid in hidden:
        by_type.setdefault(from_global_id(gid)[0], set()).add(gid)
    # every Node type has a hidden instance, unless nothing of it can be hidden
    unhideable = {
        t
        for t in schema.nodes
        if access.RULES[MODELS[t]] is access.public and "deleted_at" not in MODELS[t]._meta.fields_map
    }
    assert set(schema.nodes) - unhideable == set(by_type), set(schema.nodes) - unhideable ^ set(by_type)

    # when rep B enumerates every id of every type, 1 to the highest + 5
    visible: dict[str, list[str]] = {}
    for type_name in schema.nodes:
        top = (await MODELS[type_name].all().order_by("-id").first() or type("N", (), {"id": 0})).id
        ids = [to_global_id(type_name, i) for i in range(1, top + 6)]
        for start in range(0, len(ids), PAGE):
            found = await rep_b(NODES, {"ids": ids[start : start + PAGE]})
            visible.setdefault(type_name, []).extend(n["id"] for n in found["nodes"] if n)
    # then nothing hidden came back (while rep B sees some of every type), and rep A sees
    # their hidden live records
    assert [t for t in schema.nodes if not visible.get(t)] == []
    leaked = {i for ids in visible.values() for i in ids} & hidden
    assert leaked == set(), sorted(from_global_id(i) for i in leaked)
    live = sorted(hidden - deleted)
    for start in range(0, len(live), PAGE):
        mine = await rep_a(NODES, {"ids": live[start : start + PAGE]})
        assert all(mine["nodes"]), [i for i, n in zip(live[start:], mine["nodes"], strict=False) if n is None]

    # when rep B follows every relation and connection of every record they can see
    for type_name, ids in visible.items():
        selection = schema.selection(type_name)
        for start in range(0, len(ids), 20):
            data = await rep_b(
                f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {type_name} {{ {selection} }} }} }}",
                {"ids": ids[start : start + 20]},
            )
            # then no hidden record is reached, and no count includes one
            assert set(ids_in(data)) & hidden == set(), (type_name, sorted(set(ids_in(data)) & hidden))
            assert all(total == shown for total, shown in check_counts(data)), type_name

    # when rep B lists every type, and filters every list by its own and every related hidden id
    roots = schema.roots()
    reached, found_by_owner = set(), 0
    for node_type, field in roots.items():
        filter_type = unwrap(next(a for a in field["args"] if a["name"] == "filter")["type"])[0]
        own = sorted(by_type.get(node_type, set()))
        query = (
            f"query($f: {filter_type}) {{ {field['name']}(first: 100, filter: $f) {{ totalCount nodes {{ id }} }} }}"
        )
        listed = (await rep_b(query, {"f": None}))[field["name"]]
        assert set(ids_in(listed)) & hidden == set(), node_type
        if own:
            assert (await rep_b(query, {"f": {"id": {"in": own}}}))[field["name"]]["totalCount"] == 0
        for path, target in schema.relation_paths(filter_type):
            targets = sorted(by_type.get(target, set()))
            if not targets:
                continue
            flt = nest(path, {"id": {"in": targets}})
            # then nothing matches for rep B; rep A, who sees them, finds some through some paths
            assert (await rep_b(query, {"f": flt}))[field["name"]]["totalCount"] == 0, (node_type, path)
            found_by_owner += (await rep_a(query, {"f": flt}))[field["name"]]["totalCount"]
            reached.add((filter_type, path[-1][0], target))
    assert found_by_owner > 0
    relation_targets = {t for _, _, t in reached}
    assert {"Account", "Opportunity", "Quote", "QuoteItem", "Contact"} <= relation_targets
