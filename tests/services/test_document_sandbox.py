"""The second wall: even a template that skipped the save-time check cannot reach Python
through the sandboxed environments (no internals, no mutating calls, no globals)."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from crm_graphql.enums import DocumentFormat
from crm_graphql.services.documents import templating

CONTEXT = {"customer": {"name": "<b>Acme</b>"}, "items": [{"name": "a"}]}


@pytest.mark.parametrize("source", [DocumentFormat.HTML, DocumentFormat.MARKDOWN, DocumentFormat.TEXT])
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{{ customer.__class__ }}", SecurityError),
        ("{{ customer.name.__class__.__mro__ }}", SecurityError),
        ("{{ customer.name.format.__globals__ }}", SecurityError),
        ("{{ items.append(1) }}", SecurityError),
        ("{{ customer.update({'name': 1}) }}", SecurityError),
        ("{{ range(3) }}", UndefinedError),
        ("{{ lipsum(100000) }}", UndefinedError),
        ("{{ cycler.__init__.__globals__ }}", (UndefinedError, SecurityError)),  # no cycler global
        ("{{ customer.nothing }}", UndefinedError),
    ],
)
def test_sandbox_refuses_internals_and_calls(source, body, error) -> None:
    template = templating.sandbox(source).from_string(body)
    with pytest.raises(error):
        template.render(CONTEXT)


def test_sandbox_escapes_by_language() -> None:
    body = "{{ customer.name }}"
    rendered = {s: templating.sandbox(s).from_string(body).render(CONTEXT) for s in templating.SOURCE_FORMATS.values()}
    assert rendered == {
        DocumentFormat.HTML: "&lt;b&gt;Acme&lt;/b&gt;",
        DocumentFormat.MARKDOWN: "\\<b\\>Acme\\</b\\>",
        DocumentFormat.TEXT: "<b>Acme</b>",
    }
