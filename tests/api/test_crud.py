"""Plain CRUD for every entity in services.entities, and the bad inputs it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from factories import gid, lower

from crm_graphql import models as m
from crm_graphql.api.relay import from_global_id, to_global_id
from crm_graphql.services import crud

ERRORS = "userErrors { field message code }"


async def refs() -> dict[str, Any]:
    stage = await m.Stage.filter(is_default=True).first()
    account = await m.Account.create(name="Acme")
    contact = await m.Contact.create(last_name="Doe", account=account)
    opp = await m.Opportunity.create(title="Deal", account=account, stage=stage, currency="EUR")
    product = await m.Product.create(name="Widget", code="W-1")
    book = await m.Pricebook.create(name="Book")
    bundle = await m.Bundle.create(pricebook=book, name="Kit", code="KIT-1")
    return {
        "stage": stage,
        "account": account,
        "contact": contact,
        "opp": opp,
        "product": product,
        "book": book,
        "bundle": bundle,
    }


def cases(r: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str, dict[str, Any], str, Any]]:
    """type -> (create input, field to read, update input, field to read after update, value)."""
    return {
        "Account": (
            {"name": "Globex", "city": "Paris", "parentId": gid(r["account"])},
            "name",
            {"city": "Lyon"},
            "city",
            "Lyon",
        ),
        "Contact": (
            {"lastName": "Roe", "accountId": gid(r["account"]), "email": "roe@example.com"},
            "lastName",
            {"title": "CFO"},
            "title",
            "CFO",
        ),
        "Lead": ({"lastName": "Lee", "company": "Initech"}, "lastName", {"company": "Initrode"}, "company", "Initrode"),
        "Stage": ({"name": "Demo", "probability": 30}, "name", {"probability": 40}, "probability", 40),
        "Pipeline": ({"name": "Partners"}, "name", {"name": "Partner deals"}, "name", "Partner deals"),
        "Campaign": (
            {"name": "Webinar", "budget": "250.00", "currency": "USD"},
            "name",
            {"status": "ACTIVE"},
            "status",
            "ACTIVE",
        ),
        "Opportunity": (
            {"title": "Big deal", "accountId": gid(r["account"]), "manualAmount": "1500.50"},
            "title",
            {"title": "Bigger deal"},
            "title",
            "Bigger deal",
        ),
        "Product": (
            {"name": "Gadget", "code": "G-1", "kind": "TIME_BASED", "termMonths": 12},
            "code",
            {"name": "Gadget 2"},
            "name",
            "Gadget 2",
        ),
        "Pricebook": ({"name": "2027"}, "name", {"name": "2027 v2"}, "name", "2027 v2"),
        "PricebookEntry": (
            {"pricebookId": gid(r["book"]), "productId": gid(r["product"]), "currency": "EUR", "unitPrice": "9.99"},
            "unitPrice",
            {"unitPrice": "10.50"},
            "unitPrice",
            "10.50",
        ),
        "Bundle": (
            {"pricebookId": gid(r["book"]), "name": "Kit 2", "code": "KIT-2"},
            "code",
            {"name": "Kit 3"},
            "name",
            "Kit 3",
        ),
        "BundleItem": (
            {"bundleId": gid(r["bundle"]), "productId": gid(r["product"]), "quantity": "2", "weight": "1"},
            "quantity",
            {"quantity": "3"},
            "quantity",
            "3",
        ),
        "Quote": (
            {"name": "Offer", "accountId": gid(r["account"]), "currency": "EUR"},
            "name",
            {"name": "Offer 2"},
            "name",
            "Offer 2",
        ),
        "Activity": (
            {"type": "CALL", "subject": "Call them", "accountId": gid(r["account"])},
            "subject",
            {"subject": "Call again"},
            "subject",
            "Call again",
        ),
        "User": ({"email": "new@example.com", "name": "New"}, "email", {"name": "Newer"}, "name", "Newer"),
        "ExchangeRate": ({"currency": "GBP", "rate": "1.17"}, "currency", {"rate": "1.18"}, "rate", "1.18"),
        "DocumentTemplate": (
            {"name": "Offer", "body": "Dear {{customer.name}}"},
            "name",
            {"body": "Hello {{contact.name}}"},
            "body",
            "Hello {{contact.name}}",
        ),
    }


def test_every_registered_entity_has_a_case() -> None:
    assert set(crud.REGISTRY) == set(
        cases({k: _Fake() for k in ("stage", "account", "contact", "opp", "product", "book", "bundle")})
    )


class _Fake:
    id = 1


def _normal(value: Any) -> Any:
    return str(Decimal(value).normalize()) if isinstance(value, str) and value.replace(".", "").isdigit() else value


@pytest.mark.parametrize("type_name", sorted(crud.REGISTRY))
async def test_crud_happy_path(gql: Any, type_name: str) -> None:
    r = await refs()
    create_in, read, update_in, read2, value = cases(r)[type_name]
    key = lower(type_name)
    ops = {op for op in (f"create{type_name}", f"update{type_name}", f"delete{type_name}")}
    schema_ops = {
        f["name"] for f in (await gql('{ __type(name: "Mutation") { fields { name } } }'))["__type"]["fields"]
    }
    present = ops & schema_ops
    model = m.__dict__[type_name]
    if f"create{type_name}" in present:
        q = f"mutation($i: Create{type_name}Input!) {{ create{type_name}(input: $i) {{ {key} {{ id version {read} }} {ERRORS} }} }}"
        out = (await gql(q, {"i": create_in}))[f"create{type_name}"]
        assert out["userErrors"] == []
        node = out[key]
        assert node["version"] == 1
        assert _normal(str(node[read])) == _normal(str(create_in[read]))
    else:  # created by a domain mutation (setExchangeRate): make one directly
        row = await model.create(currency="GBP", rate=Decimal("1.17"))
        node = {"id": gid(row), "version": 1}
    if f"update{type_name}" in present:
        q = f"mutation($i: Update{type_name}Input!) {{ update{type_name}(input: $i) {{ {key} {{ id version {read2} }} {ERRORS} }} }}"
        out = (await gql(q, {"i": {"id": node["id"], "version": 1, **update_in}}))[f"update{type_name}"]
        assert out["userErrors"] == []
        assert out[key]["version"] == 2
        assert _normal(str(out[key][read2])) == _normal(str(value))
    if f"delete{type_name}" in present:
        q = f"mutation($i: Delete{type_name}Input!) {{ delete{type_name}(input: $i) {{ deletedId {ERRORS} }} }}"
        out = (await gql(q, {"i": {"id": node["id"]}}))[f"delete{type_name}"]
        assert out == {"deletedId": node["id"], "userErrors": []}
        assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": node["id"]}))["node"] is None
        if f"restore{type_name}" in schema_ops:
            q = f"mutation($i: Restore{type_name}Input!) {{ restore{type_name}(input: $i) {{ {key} {{ id }} {ERRORS} }} }}"
            out = (await gql(q, {"i": {"id": node["id"]}}))[f"restore{type_name}"]
            assert out == {key: {"id": node["id"]}, "userErrors": []}
            assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": node["id"]}))["node"] == {
                "id": node["id"]
            }


UPDATE_ACCOUNT = f"""mutation($i: UpdateAccountInput!) {{ updateAccount(input: $i) {{ account {{ id }} {ERRORS} }} }}"""
CREATE_ACCOUNT = f"""mutation($i: CreateAccountInput!) {{ createAccount(input: $i) {{ account {{ id }} {ERRORS} }} }}"""
CREATE_OPP = (
    f"""mutation($i: CreateOpportunityInput!) {{ createOpportunity(input: $i) {{ opportunity {{ id }} {ERRORS} }} }}"""
)
CREATE_PRODUCT = f"""mutation($i: CreateProductInput!) {{ createProduct(input: $i) {{ product {{ id }} {ERRORS} }} }}"""
UPDATE_PRODUCT = f"""mutation($i: UpdateProductInput!) {{ updateProduct(input: $i) {{ product {{ id }} {ERRORS} }} }}"""
DELETE_ACCOUNT = f"""mutation($i: DeleteAccountInput!) {{ deleteAccount(input: $i) {{ deletedId {ERRORS} }} }}"""


async def snapshot() -> tuple[Any, ...]:
    counts = []
    for model in (m.Account, m.Contact, m.Opportunity, m.Product, m.Quote, m.TimelineEvent):
        counts.append(await model.all().count())
    versions = tuple(await m.Account.all().order_by("id").values_list("version", "name", "city", "deleted_at"))
    return (*counts, versions, tuple(await m.Product.all().order_by("id").values_list("version", "code", "name")))


def E(field: list[str] | None, message: str, code: str) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


async def refused(gql: Any, query: str, variables: dict[str, Any], name: str) -> list[dict[str, Any]]:
    before = await snapshot()
    out = (await gql(query, variables))[name]
    assert all(v is None for k, v in out.items() if k != "userErrors"), out
    assert await snapshot() == before
    return out["userErrors"]  # type: ignore[no-any-return]


async def test_bad_inputs(gql: Any) -> None:
    r = await refs()
    acc = gid(r["account"])
    got = {
        "required": await refused(gql, CREATE_ACCOUNT, {"i": {"city": "Paris"}}, "createAccount"),
        "blank": await refused(gql, CREATE_ACCOUNT, {"i": {"name": "  "}}, "createAccount"),
        "unknown": await refused(
            gql, UPDATE_ACCOUNT, {"i": {"id": to_global_id("Account", 999), "city": "X"}}, "updateAccount"
        ),
        "malformed": await refused(gql, UPDATE_ACCOUNT, {"i": {"id": "xyz", "city": "X"}}, "updateAccount"),
        "wrong_type": await refused(
            gql, UPDATE_ACCOUNT, {"i": {"id": gid(r["contact"]), "city": "X"}}, "updateAccount"
        ),
        "stale": await refused(gql, UPDATE_ACCOUNT, {"i": {"id": acc, "version": 7, "city": "X"}}, "updateAccount"),
        "too_long": await refused(gql, UPDATE_ACCOUNT, {"i": {"id": acc, "name": "x" * 201}}, "updateAccount"),
        "currency": await refused(
            gql, CREATE_OPP, {"i": {"title": "T", "accountId": acc, "currency": "EURO"}}, "createOpportunity"
        ),
        "currency_xyz": await refused(
            gql, CREATE_OPP, {"i": {"title": "T", "accountId": acc, "currency": "XYZ"}}, "createOpportunity"
        ),
        "ref_wrong_type": await refused(
            gql, CREATE_OPP, {"i": {"title": "T", "accountId": gid(r["contact"])}}, "createOpportunity"
        ),
        "ref_malformed": await refused(gql, CREATE_OPP, {"i": {"title": "T", "accountId": "!!"}}, "createOpportunity"),
        "duplicate": await refused(gql, CREATE_PRODUCT, {"i": {"name": "Other", "code": "W-1"}}, "createProduct"),
        "duplicate_update": await refused(
            gql,
            UPDATE_PRODUCT,
            {"i": {"id": gid(await m.Product.create(name="Two", code="W-2")), "code": "W-1"}},
            "updateProduct",
        ),
        "delete_unknown": await refused(
            gql, DELETE_ACCOUNT, {"i": {"id": to_global_id("Account", 999)}}, "deleteAccount"
        ),
    }
    assert got == {
        "required": [E(["input", "name"], "name is required.", "REQUIRED")],
        "blank": [E(["input", "name"], "name is required.", "REQUIRED")],
        "unknown": [E(["input", "id"], "No Account with this id.", "NOT_FOUND")],
        "malformed": [E(["input", "id"], "Malformed id.", "INVALID")],
        "wrong_type": [E(["input", "id"], "No Account with this id.", "NOT_FOUND")],
        "stale": [
            E(["input", "version"], "This Account changed since you read it (version 1, you sent 7).", "CONFLICT")
        ],
        "too_long": [E(["input", "name"], "name is too long (at most 200 characters).", "INVALID")],
        "currency": [E(["input", "currency"], "'EURO' is not an ISO 4217 currency code.", "INVALID")],
        "currency_xyz": [E(["input", "currency"], "'XYZ' is not an ISO 4217 currency code.", "INVALID")],
        "ref_wrong_type": [E(["input", "accountId"], "No Account with this id.", "NOT_FOUND")],
        "ref_malformed": [E(["input", "accountId"], "Malformed id.", "INVALID")],
        "duplicate": [E(["input", "code"], "code 'W-1' is already taken.", "DUPLICATE")],
        "duplicate_update": [E(["input", "code"], "code 'W-1' is already taken.", "DUPLICATE")],
        "delete_unknown": [E(["input", "id"], "No Account with this id.", "NOT_FOUND")],
    }


async def test_stale_version_changes_nothing_and_fresh_one_works(gql: Any) -> None:
    r = await refs()
    acc = gid(r["account"])
    out = (await gql(UPDATE_ACCOUNT, {"i": {"id": acc, "version": 1, "city": "Rome"}}))["updateAccount"]
    assert out["userErrors"] == []
    timeline = await m.TimelineEvent.filter(subject_type="Account", subject_id=r["account"].id).count()
    errors = await refused(gql, UPDATE_ACCOUNT, {"i": {"id": acc, "version": 1, "city": "Oslo"}}, "updateAccount")
    assert [e["code"] for e in errors] == ["CONFLICT"]
    assert await m.TimelineEvent.filter(subject_type="Account", subject_id=r["account"].id).count() == timeline
    assert (await m.Account.get(id=r["account"].id)).city == "Rome"


DELETE_RESTORE = """mutation($i: DeleteAccountInput!, $r: RestoreAccountInput!, $delete: Boolean!) {
  deleteAccount(input: $i) @include(if: $delete) { deletedId userErrors { code } }
  restoreAccount(input: $r) @skip(if: $delete) { account { id isDeleted } userErrors { code } } }"""


async def test_delete_restore_round_trip(gql: Any) -> None:
    r = await refs()
    account = r["account"]
    other = await m.Account.create(name="Other")
    await m.Contact.create(last_name="Elsewhere", account=other)
    quote = await m.Quote.create(number="Q-9", name="Q", account=account, opportunity=r["opp"], currency="EUR")
    order = await m.SalesOrder.create(number="SO-9", account=account, quote=quote, currency="EUR")
    # deleted before the account: the account's restore must not bring it back
    early = await m.Contact.create(
        last_name="Early", account=account, deleted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    acc = gid(account)
    out = await gql(DELETE_RESTORE, {"i": {"id": acc}, "r": {"id": acc}, "delete": True})
    assert out["deleteAccount"] == {"deletedId": acc, "userErrors": []}
    for model in (m.Contact, m.Opportunity, m.Quote):
        assert await model.filter(account_id=account.id, deleted_at__isnull=True).count() == 0, model
    assert await m.Contact.filter(account_id=other.id, deleted_at__isnull=True).count() == 1
    data = await gql("""{ accounts { totalCount } contacts { totalCount } opportunities { totalCount }
                         quotes { totalCount } salesOrders { nodes { number account { name isDeleted } } } }""")
    assert data == {
        "accounts": {"totalCount": 1},
        "contacts": {"totalCount": 1},
        "opportunities": {"totalCount": 0},
        "quotes": {"totalCount": 0},
        "salesOrders": {"nodes": [{"number": "SO-9", "account": {"name": "Acme", "isDeleted": True}}]},
    }
    assert (await m.SalesOrder.get(id=order.id)).deleted_at is None

    out = await gql(DELETE_RESTORE, {"i": {"id": acc}, "r": {"id": acc}, "delete": False})
    assert out["restoreAccount"] == {"account": {"id": acc, "isDeleted": False}, "userErrors": []}
    assert await m.Contact.filter(account_id=account.id, deleted_at__isnull=True).count() == 1  # Doe, not Early
    assert (await m.Contact.get(id=early.id)).deleted_at is not None
    assert await m.Opportunity.filter(account_id=account.id, deleted_at__isnull=True).count() == 1
    assert await m.Quote.filter(account_id=account.id, deleted_at__isnull=True).count() == 1
    # restoring a live record is harmless and brings back nothing else
    out = await gql(DELETE_RESTORE, {"i": {"id": acc}, "r": {"id": acc}, "delete": False})
    assert out["restoreAccount"]["userErrors"] == []
    assert (await m.Contact.get(id=early.id)).deleted_at is not None


async def _input_fields(gql: Any, name: str) -> list[str]:
    query = "query($n: String!) { __type(name: $n) { inputFields { name } } }"
    found = (await gql(query, {"n": name}))["__type"]
    return [] if found is None else [f["name"] for f in found["inputFields"]]


@pytest.mark.parametrize("type_name", sorted(crud.REGISTRY))
async def test_explicit_null_is_not_given_on_create_and_required_or_cleared_on_update(gql: Any, type_name: str) -> None:
    """API.md: an explicit null on create means "not given"; on update it clears a nullable
    field and is REQUIRED for one that cannot be empty; never a database error. Every field
    of every generated create/update input, found by introspection."""
    r = await refs()
    create_in = cases(r)[type_name][0]
    key, model = lower(type_name), m.__dict__[type_name]
    create_doc = (
        f"mutation($i: Create{type_name}Input!) {{ create{type_name}(input: $i) {{ {key} {{ id }} {ERRORS} }} }}"
    )
    allowed = {"REQUIRED", "INVALID", "LOCKED", "IN_USE"}
    for name in await _input_fields(gql, f"Create{type_name}Input"):
        if name in create_in or name == "idempotencyKey":
            continue
        out = (await gql(create_doc, {"i": {**create_in, name: None}}))[f"create{type_name}"]
        assert {e["code"] for e in out["userErrors"]} <= allowed, (name, out["userErrors"])
        if out[key] is not None:  # a unique value (code, email...) must be free for the next round
            await model.filter(id=from_global_id(out[key]["id"])[1]).delete()
    update_fields = await _input_fields(gql, f"Update{type_name}Input")
    if not update_fields:
        return
    made = (await gql(create_doc, {"i": create_in}))[f"create{type_name}"]
    row = await model.get(id=from_global_id(made[key]["id"])[1])
    update = f"mutation($i: Update{type_name}Input!) {{ update{type_name}(input: $i) {{ {ERRORS} }} }}"
    for name in update_fields:
        if name in ("id", "version"):
            continue
        out = (await gql(update, {"i": {"id": gid(row), name: None}}))[f"update{type_name}"]
        assert {e["code"] for e in out["userErrors"]} <= allowed, (name, out["userErrors"])
