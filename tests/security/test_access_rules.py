"""Access rules fail closed: every type ``node`` can return has a visibility and a write rule
in services.access, and a type without one stops the server from starting instead of being
readable by everyone."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import fields
from tortoise.models import Model

from crm_graphql.api import relay
from crm_graphql.api.schema import build_schema
from crm_graphql.services import access

NODE_TYPES = """{ __type(name: "Node") { possibleTypes { name } } }"""


class Ghost(Model):
    """A model nobody wrote an access rule for."""

    id = fields.IntField(primary_key=True)

    class Meta:
        app = "ghosts"


async def test_every_node_type_has_rules(gql: Any) -> None:
    names = {t["name"] for t in (await gql(NODE_TYPES))["__type"]["possibleTypes"]}
    assert len(names) >= 20
    models = [relay.MODELS[n] for n in names]
    assert access.missing_rules(models) == []
    assert all(m in access.RULES and m in access.WRITE_RULES for m in models)


def test_a_model_without_a_rule_is_refused(admin: Any) -> None:
    with pytest.raises(LookupError, match="Ghost"):
        access.visible(Ghost, admin.user)
    with pytest.raises(LookupError, match="Ghost"):
        access.check_complete([Ghost])


def test_the_schema_does_not_build_with_a_node_type_without_a_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(relay.MODELS, "Ghost", Ghost)
    with pytest.raises(LookupError, match="No access rule for Ghost"):
        build_schema()


async def test_a_model_without_a_write_rule_cannot_be_written(admin: Any) -> None:
    assert await access.may_write(None, admin.user, Ghost()) is False
