"""purgeX erases for good: admins only, never under a document that points at the record."""

from __future__ import annotations

from factories import user_error

from crm_graphql import models as m
from crm_graphql.enums import Role

CREATE_ACCOUNT = """mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } userErrors { field message code } } }"""
PURGE_ACCOUNT = """mutation PurgeAccount($input: PurgeAccountInput!) {
  purgeAccount(input: $input) { purgedId userErrors { field message code } } }"""
RESTORE_ACCOUNT = """mutation RestoreAccount($input: RestoreAccountInput!) {
  restoreAccount(input: $input) { account { id } userErrors { field message code } } }"""


async def _account(gql, name: str = "Acme") -> str:
    return (await gql(CREATE_ACCOUNT, {"input": {"name": name}}))["createAccount"]["account"]["id"]


async def test_admin_purges_an_account_for_good(gql) -> None:
    # given an account
    account = await _account(gql)
    # when the admin purges it
    data = await gql(PURGE_ACCOUNT, {"input": {"id": account}})
    # then it is gone: no node, nothing to restore
    assert data["purgeAccount"] == {"purgedId": account, "userErrors": []}
    assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": account}))["node"] is None
    restored = await gql(RESTORE_ACCOUNT, {"input": {"id": account}})
    assert restored["restoreAccount"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert await m.Account.all().count() == 0


async def test_manager_may_not_purge(gql, actors) -> None:
    # given an account
    account = await _account(gql)
    # when a manager tries to purge it
    data = await gql.as_(actors[Role.MANAGER])(PURGE_ACCOUNT, {"input": {"id": account}})
    # then it is refused and the account stays
    assert data["purgeAccount"]["userErrors"] == [user_error("input", "FORBIDDEN", "Only an admin may do this.")]
    assert await m.Account.all().count() == 1


async def test_purge_refused_while_an_order_points_at_the_account(gql) -> None:
    # given an account with a sales order
    account = await _account(gql)
    row = await m.Account.get(name="Acme")
    await m.SalesOrder.create(number="SO-99999", account=row, currency="EUR")
    # when purged
    data = await gql(PURGE_ACCOUNT, {"input": {"id": account}})
    # then IN_USE, and nothing changed
    assert data["purgeAccount"]["userErrors"] == [
        user_error("input.id", "IN_USE", "A SalesOrder still points at this Account; it cannot be purged.")
    ]
    assert await m.Account.filter(id=row.id).count() == 1
    assert await m.SalesOrder.all().count() == 1
