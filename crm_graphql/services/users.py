"""Users and API tokens (stored as SHA-256 digests, compared by digest lookup)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.enums import Role
from crm_graphql.errors import Duplicate, Invalid, Required

DEMO_EMAIL = "demo@crm.example"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "crm_" + secrets.token_urlsafe(32)


async def issue_token(user: m.User, token: str | None = None) -> str:
    token = token or new_token()
    await m.ApiToken.get_or_create(token_hash=digest(token), defaults={"user_id": user.id, "hint": token[-4:]})
    return token


async def create_user(
    email: str, name: str, role: Role, *, partner_account_id: int | None = None
) -> tuple[m.User, str]:
    """Create a user and return it with a fresh API token (shown once). A PARTNER user needs
    a partner account (REQUIRED; INVALID when the account is no partner)."""
    email, name = email.strip(), name.strip()
    if not email or not name:
        raise Required("email and name are required.", ("email",))
    if "@" not in email:
        raise Invalid(f"{email!r} is not an e-mail address.", ("email",))
    async with in_transaction() as conn:
        if await m.User.filter(email=email).exists():
            raise Duplicate(f"A user with e-mail {email} exists.", ("email",))
        from crm_graphql.services import pipeline_rules

        await pipeline_rules.check_partner_user(conn, role, partner_account_id)
        user = await m.User.create(email=email, name=name, role=role, partner_account_id=partner_account_id)
        token = await issue_token(user)
    return user, token


async def ensure_admin(token: str) -> m.User:
    """Make sure an ADMIN user owns ``token`` (CRM_ADMIN_TOKEN at start-up)."""
    existing = await m.ApiToken.filter(token_hash=digest(token), revoked_at__isnull=True).first()
    if existing is not None:
        return await m.User.get(id=existing.user_id)
    user, _ = await m.User.get_or_create(
        email="admin@crm.local", defaults={"name": "Administrator", "role": Role.ADMIN}
    )
    await issue_token(user, token)
    return user


async def demo_user() -> m.User:
    user, _ = await m.User.get_or_create(email=DEMO_EMAIL, defaults={"name": "Demo Admin", "role": Role.ADMIN})
    return user


#: The token lookup's SQL and parameters per SQL dialect, built once by Tortoise from the
#: same filter as before (so the same statement); only the digest changes per request.
_AUTH_SQL: dict[str, tuple[str, list[Any], int]] = {}
_DIGEST_SENTINEL = "\x00digest"


def _auth_statement(dialect: str) -> tuple[str, list[Any], int]:
    found = _AUTH_SQL.get(dialect)
    if found is None:
        qs: Any = m.User.filter(
            tokens__token_hash=_DIGEST_SENTINEL, tokens__revoked_at__isnull=True, is_active=True
        ).first()
        qs._choose_db_if_not_chosen()
        qs._make_query()
        sql, params = qs.query.get_parameterized_sql()
        params = list(params)
        found = _AUTH_SQL[dialect] = (sql, params, params.index(_DIGEST_SENTINEL))
    return found


async def authenticate(token: str) -> m.User | None:
    """The active user owning an unrevoked ``token``, or None.

    One indexed statement per request and no cache: a revocation (or a deactivated user)
    takes effect on the next request on every worker and host. The lookup is by the
    token's digest, so comparing the clear token in constant time is not needed. The
    statement is Tortoise's own, built once per dialect (building it was a third of the
    fixed cost of a request); the row becomes a ``User`` the way Tortoise makes one.
    """
    db = m.User._meta.db
    sql, params, slot = _auth_statement(db.capabilities.dialect)
    bound = list(params)
    bound[slot] = digest(token)
    _, rows = await db.execute_query(sql, bound)
    if not rows:
        return None
    return m.User._init_from_db(**dict(rows[0]))


async def revoke_token(token: str) -> bool:
    updated = await m.ApiToken.filter(token_hash=digest(token), revoked_at__isnull=True).update(
        revoked_at=dt.datetime.now(dt.UTC)
    )
    return bool(updated)
