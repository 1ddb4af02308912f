"""Per-request context and DataLoaders: one batched query per relation and level."""

from __future__ import annotations

import enum
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo
from tortoise.models import Model

from crm_graphql.actor import Actor
from crm_graphql.api import batch
from crm_graphql.api import connection as conn
from crm_graphql.api.filters import SPECS, to_q
from crm_graphql.services import loaders
from crm_graphql.settings import Settings


@dataclass
class Context:
    settings: Settings
    user: Actor | None
    request: Any = None
    #: graphql-transport-ws ``connection_init`` payload (subscriptions authenticate with it).
    connection_params: Any = None
    #: Subscriptions: called once the subscription listens for events (transport.websocket).
    on_listening: Any = None
    #: Subscriptions: set when the subscription fell too far behind the events and stopped.
    overflowed: bool = False
    _loaders: dict[Hashable, DataLoader[Any, Any]] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        """The signed-in user a mutation acts as (the view answers 401 before any operation
        runs without one, so a mutation always has it)."""
        if self.user is None:
            raise RuntimeError("an operation that changes data ran without a signed-in user")
        return self.user

    def fresh_loaders(self) -> None:
        """Forget what the loaders cached: a subscription reads each event with fresh ones."""
        self._loaders.clear()

    def by_id(self, model: type[Model], *, include_deleted: bool = False) -> DataLoader[int, Any]:
        """Visible rows of ``model`` by primary key (None where missing or hidden).

        Relations resolve soft-deleted targets too (``include_deleted``): an order keeps
        showing its deleted account, flagged ``isDeleted``.
        """
        key = ("by_id", model, include_deleted)
        loader = self._loaders.get(key)
        if loader is None:
            user = self.user

            async def load(ids: Sequence[int]) -> list[Any]:
                rows = await loaders.by_ids(user, model, ids, include_deleted=include_deleted)
                found = {row.pk: row for row in rows}
                return [found.get(i) for i in ids]

            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader

    async def load(self, model: type[Model], pk: int | None) -> Any:
        """The related row behind a foreign key (deleted rows included)."""
        if pk is None:
            return None
        return await self.by_id(model, include_deleted=True).load(pk)

    def children(self, spec_name: str, fk: str, args: conn.Page, flt: Any, order_by: Any) -> DataLoader[int, Any]:
        """A page of ``spec_name`` rows per parent id, all parents in one query."""
        key = ("children", spec_name, fk, args, _freeze(flt), _freeze(order_by))
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(
                load_fn=lambda ids: self._load_children(spec_name, fk, args, flt, order_by, ids)
            )
        return loader

    async def _load_children(
        self, spec_name: str, fk: str, page: conn.Page, flt: Any, order_by: Any, parent_ids: Sequence[int]
    ) -> list[Any]:
        """One windowed SELECT for the pages of every parent (``first + 1`` rows each, limited
        in SQL); ``totalCount`` is one grouped COUNT, run only when selected."""
        spec = SPECS[spec_name]
        keys = conn.sort_keys(spec, order_by, under=fk)
        forward = not page.backward
        base = loaders.matching(self.user, spec.model, to_q(spec_name, flt, self.user))
        qs = base.filter(**{f"{fk}__in": list(set(parent_ids))})
        if page.cursor is not None:
            qs = qs.filter(conn.keyset_q(spec.model, keys, page.cursor, forward))
        partition = batch.column(spec.model, fk)
        grouped = await batch.windowed(qs, partition, keys, forward, page.limit + 1) if page.limit else {}
        counter = self._counter(spec_name, fk, base, partition)
        result = []
        for pid in parent_ids:

            async def count(pid: int = pid) -> int:
                return int(await counter.load(pid))

            result.append(conn.make_connection(grouped.get(pid, []), page, keys, count))
        return result

    def _counter(self, spec_name: str, fk: str, base: Any, partition: str) -> DataLoader[int, int]:
        key = ("count", spec_name, fk, id(base))
        loader = self._loaders.get(key)
        if loader is None:

            async def load(ids: Sequence[int]) -> list[int]:
                counts = await batch.grouped_counts(base.filter(**{f"{fk}__in": list(set(ids))}), partition)
                return [counts.get(i, 0) for i in ids]

            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader


def _freeze(value: Any) -> Hashable:
    """A hashable, order-preserving image of filter/order inputs (loader cache keys)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, enum.Enum):  # members have a __dict__ that refers back to the class
        return (type(value).__name__, value.name)
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if hasattr(value, "__dict__"):
        return (type(value).__name__, tuple((k, _freeze(v)) for k, v in sorted(vars(value).items())))
    return repr(value)


Info = StrawberryInfo[Context, None]
