"""Who runs a service call: the signed-in user as the services see it.

Services take an ``Actor`` (or ``Actor | None`` where nobody may be signed in, such as
visibility for an anonymous reader, which sees nothing). ``models.User`` is the one
implementation at run time; the protocol keeps the services to the three attributes
their rules read (DOMAIN.md 8), so a test or a script may pass any object that has them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from crm_graphql.enums import Role

if TYPE_CHECKING:
    from crm_graphql.models.users import User


class Actor(Protocol):
    """The user a service acts for: their id, role and (for PARTNER users) partner account."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> Role: ...

    @property
    def partner_account_id(self) -> int | None: ...


if TYPE_CHECKING:

    def _user_is_an_actor(user: User) -> Actor:
        return user  # mypy proves models.User satisfies the protocol
