"""Lineage links: ``source`` was converted into ``target`` (written in the caller's transaction)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from crm_graphql import models as m
from crm_graphql.enums import ConversionKind
from crm_graphql.models.base import Entity


async def link(conn: BaseDBAsyncClient, source: Entity, target: Entity, kind: ConversionKind) -> m.LineageLink:
    """Record that ``target`` was made from ``source`` by the conversion ``kind``."""
    return await m.LineageLink.create(
        using_db=conn,
        source_type=type(source).__name__,
        source_id=source.id,
        target_type=type(target).__name__,
        target_id=target.id,
        kind=kind,
    )
