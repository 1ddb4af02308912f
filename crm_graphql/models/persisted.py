from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PersistedQuery(Model):
    """A document registered by automatic persisted queries, shared by all workers (pruned)."""

    #: SHA-256 of the document, lower-case hex, as the client sent it.
    hash = fields.CharField(max_length=64, primary_key=True)
    query = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "persisted_queries"
