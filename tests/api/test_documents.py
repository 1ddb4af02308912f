"""renderQuoteDocument: a quote rendered from a template, kept on its opportunity."""

from __future__ import annotations

from crm_graphql import models as m
from crm_graphql.enums import Role

ERR = "userErrors { field message code }"
CREATE_ACCOUNT = (
    f"mutation($input: CreateAccountInput!) {{ createAccount(input: $input) {{ account {{ id }} {ERR} }} }}"
)
CREATE_OPP = (
    f"mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{ opportunity {{ id }} {ERR} }} }}"
)
CREATE_QUOTE = f"mutation($input: CreateQuoteInput!) {{ createQuote(input: $input) {{ quote {{ id number }} {ERR} }} }}"
ADD_MANUAL = (
    f"mutation($input: AddManualQuoteItemInput!) {{ addManualQuoteItem(input: $input) {{ quote {{ total }} {ERR} }} }}"
)
CREATE_TEMPLATE = """mutation($input: CreateDocumentTemplateInput!) {
  createDocumentTemplate(input: $input) { documentTemplate { id } userErrors { field message code } } }"""
RENDER = """mutation RenderQuoteDocument($input: RenderQuoteDocumentInput!) {
  renderQuoteDocument(input: $input) {
    document { id name contentType content size quote { id } opportunity { id documents { totalCount } } }
    userErrors { field message code }
  }
}"""


async def _quote(gql) -> dict[str, str]:
    account = await gql(CREATE_ACCOUNT, {"input": {"name": "Acme <Labs>", "city": "Paris", "postalCode": "75001"}})
    account_id = account["createAccount"]["account"]["id"]
    opp = await gql(CREATE_OPP, {"input": {"title": "Laptops", "accountId": account_id}})
    opp_id = opp["createOpportunity"]["opportunity"]["id"]
    quote = (await gql(CREATE_QUOTE, {"input": {"opportunityId": opp_id, "validUntil": "2026-12-31"}}))["createQuote"]
    added = await gql(ADD_MANUAL, {"input": {"quoteId": quote["quote"]["id"], "name": "Laptop Pro 14",
                                              "quantity": "2", "unitPrice": "999.50", "taxRate": "20"}})  # fmt: skip
    assert added["addManualQuoteItem"]["userErrors"] == []
    return {"quote": quote["quote"]["id"], "number": quote["quote"]["number"], "opportunity": opp_id}


async def test_render_with_the_default_template(gql) -> None:
    # given a quote with one line
    ids = await _quote(gql)
    # when it is rendered
    data = (await gql(RENDER, {"input": {"quoteId": ids["quote"]}}))["renderQuoteDocument"]
    # then the document carries customer, number, validity, the line and the totals to the cent
    assert data["userErrors"] == []
    doc = data["document"]
    assert doc["contentType"] == "text/markdown"
    assert f"# Quote {ids['number']} (revision 1)" in doc["content"]
    assert "**Acme <Labs>**" in doc["content"] and "75001 Paris" in doc["content"]
    assert "until 2026-12-31" in doc["content"]
    assert "| Laptop Pro 14 | 2 | pcs | 999.50 | 1999.00 |" in doc["content"]
    assert "| **Total** | **2398.80** |" in doc["content"]
    assert doc["size"] == len(doc["content"].encode())
    # and it is kept on the opportunity, with a timeline event on quote and opportunity
    assert doc["opportunity"] == {"id": ids["opportunity"], "documents": {"totalCount": 1}}
    kinds = [e.kind for e in await m.TimelineEvent.filter(kind="DOCUMENT_RENDERED")]
    assert kinds == ["DOCUMENT_RENDERED", "DOCUMENT_RENDERED"]


async def test_html_template_escapes_values(gql) -> None:
    ids = await _quote(gql)
    template = await gql(CREATE_TEMPLATE, {"input": {"name": "HTML", "contentType": "text/html",
                                                    "body": "<h1>{{customer.name}}</h1><p>{{totals.total}} {{currency}}</p>"}})  # fmt: skip
    template_id = template["createDocumentTemplate"]["documentTemplate"]["id"]
    data = (await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": template_id}}))["renderQuoteDocument"]
    assert data["document"]["content"] == "<h1>Acme &lt;Labs&gt;</h1><p>2398.80 EUR</p>"


async def test_unknown_token_is_refused_when_the_template_is_saved(gql) -> None:
    data = await gql(CREATE_TEMPLATE, {"input": {"name": "Bad", "body": "Dear {{customer.nam}}"}})
    errors = data["createDocumentTemplate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "body"], "INVALID")]
    assert "customer.nam" in errors[0]["message"]
    assert await m.DocumentTemplate.all().count() == 0


async def test_render_refusals_change_nothing(gql, actors) -> None:
    ids = await _quote(gql)
    # a template id of another type, and a quote hidden from a rep (private account of the admin)
    wrong = await gql(RENDER, {"input": {"quoteId": ids["quote"], "templateId": ids["opportunity"]}})
    assert wrong["renderQuoteDocument"]["userErrors"] == [
        {"field": ["input", "templateId"], "message": "No DocumentTemplate with this id.", "code": "NOT_FOUND"}
    ]
    account = await m.Account.get(name="Acme <Labs>")
    await m.Account.filter(id=account.id).update(is_private=True, owner_id=actors[Role.ADMIN].user.id)
    hidden = await gql.as_(actors[Role.SALES_REP])(RENDER, {"input": {"quoteId": ids["quote"]}})
    assert hidden["renderQuoteDocument"]["userErrors"] == [
        {"field": ["input", "quoteId"], "message": "No Quote with this id.", "code": "NOT_FOUND"}
    ]
    read_only = await gql.as_(actors[Role.READ_ONLY])(RENDER, {"input": {"quoteId": ids["quote"]}})
    assert read_only["renderQuoteDocument"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert await m.Document.all().count() == 0
