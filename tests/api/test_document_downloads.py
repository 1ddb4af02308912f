"""Document.url: every rendered document downloads with the same bearer token as /graphql;
401 without one, 404 for a document the user may not see (it follows its quote)."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from factories import quote_with_lines
from pypdf import PdfReader

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.enums import Role
from crm_graphql.services import users

RENDER = """mutation($input: RenderQuoteDocumentInput!) { renderQuoteDocument(input: $input) {
  document { id name format contentType content size fileName url } userErrors { field message code } } }"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
LINES = [{"name": "Wartung Müller €", "quantity": "3", "unitPrice": "19.99", "discountPercent": "10", "taxRate": "7"}]
TYPES = {
    "MARKDOWN": "text/markdown; charset=utf-8",
    "HTML": "text/html; charset=utf-8",
    "TEXT": "text/plain; charset=utf-8",
    "PDF": "application/pdf",
}
EXTENSIONS = {"MARKDOWN": "md", "HTML": "html", "TEXT": "txt", "PDF": "pdf"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _render(gql: Any, quote_id: str, fmt: str) -> dict[str, Any]:
    data = (await gql(RENDER, {"input": {"quoteId": quote_id, "format": fmt}}))["renderQuoteDocument"]
    assert data["userErrors"] == []
    return dict(data["document"])


@pytest.mark.parametrize("fmt", ["MARKDOWN", "HTML", "TEXT", "PDF"])
async def test_every_format_downloads_from_its_url(gql, client, fmt) -> None:
    # given a rendered document
    ids = await quote_with_lines(gql, LINES)
    doc = await _render(gql, ids["quote"], fmt)
    # its url is absolute, on this server, with the document's global id
    url = urlsplit(doc["url"])
    assert (url.scheme, url.netloc, unquote(url.path)) == ("http", "testserver", f"/documents/{doc['id']}")
    # when it is fetched with the token
    response = await client.get(doc["url"], headers=_bearer(gql.token))
    # then it is the file, with its type and file name
    assert response.status_code == 200
    assert response.headers["content-type"] == TYPES[fmt]
    assert doc["fileName"] == f"{doc['name']}.{EXTENSIONS[fmt]}"
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{doc["fileName"]}"')
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.content) == doc["size"]
    if fmt == "PDF":
        assert doc["content"] is None
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "Wartung Müller €" in text and "53.97" in text
    else:
        assert response.content.decode("utf-8") == doc["content"]
        assert "Wartung Müller €" in doc["content"] and "53.97" in doc["content"]


async def test_download_needs_a_valid_token(gql, client) -> None:
    ids = await quote_with_lines(gql, LINES)
    doc = await _render(gql, ids["quote"], "PDF")
    missing = await client.get(doc["url"])
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="crm-graphql"'
    assert missing.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await client.get(doc["url"], headers=_bearer("crm_not-a-token"))).status_code == 401
    assert (await client.get(doc["url"], headers={"Authorization": "Basic eDp5"})).status_code == 401
    # a revoked token stops working too
    _, token = await users.create_user("gone@example.com", "Gone", Role.MANAGER)
    assert (await client.get(doc["url"], headers=_bearer(token))).status_code == 200
    await users.revoke_token(token)
    assert (await client.get(doc["url"], headers=_bearer(token))).status_code == 401


async def test_another_reps_private_quote_document_is_not_found(gql, client, actors) -> None:
    # given rep A's document on a quote of A's private account
    rep_a = actors[Role.SALES_REP]
    as_a = gql.as_(rep_a)
    ids = await quote_with_lines(as_a, LINES, account={"name": "Secret", "isPrivate": True})
    doc = await _render(as_a, ids["quote"], "PDF")
    assert (await client.get(doc["url"], headers=_bearer(rep_a.token))).status_code == 200
    # when rep B (and an admin: private means the owner alone) ask for it
    _, rep_b = await users.create_user("rep-b@example.com", "Rep B", Role.SALES_REP)
    for token in (rep_b, actors[Role.ADMIN].token):
        response = await client.get(doc["url"], headers=_bearer(token))
        # then it does not exist for them, by url as by node(id)
        assert response.status_code == 404
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await gql(NODE, {"id": doc["id"]}, token=token))["node"] is None


async def test_document_of_a_deleted_quote_and_odd_ids_are_not_found(gql, client) -> None:
    ids = await quote_with_lines(gql, LINES)
    doc = await _render(gql, ids["quote"], "TEXT")
    document_pk = (await m.Document.get()).id
    for path in (
        "/documents/not-an-id",
        f"/documents/{to_global_id('Quote', 1)}",
        f"/documents/{to_global_id('Document', document_pk + 1)}",
        "/documents/",
    ):
        assert (await client.get(path, headers=_bearer(gql.token))).status_code == 404, path
    # deleting the account deletes its quote, which hides the quote's documents
    deleted = await gql(
        "mutation($id: ID!) { deleteAccount(input: {id: $id}) { userErrors { code } } }", {"id": ids["account"]}
    )
    assert deleted["deleteAccount"]["userErrors"] == []
    assert (await client.get(doc["url"], headers=_bearer(gql.token))).status_code == 404
