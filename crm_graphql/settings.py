"""Settings: command-line flags > ``CRM_*`` environment variables > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

DEFAULT_DATABASE_URL = "sqlite://crm.sqlite3"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def split_list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    demo: bool = False
    admin_token: str | None = None
    base_currency: str = "EUR"
    #: Production hides field suggestions in validation errors.
    debug: bool = False
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_000_000
    request_timeout_seconds: float = 30.0
    #: Addresses or networks that may read /metrics without a token (CRM_METRICS_ALLOW).
    metrics_allow: tuple[str, ...] = ()
    #: Seconds a browser may reuse a GET query's answer without asking (CRM_GET_MAX_AGE).
    get_max_age: int = 0
    #: SIGTERM waits at most this long for requests in flight (CRM_SHUTDOWN_TIMEOUT).
    shutdown_timeout_seconds: float = 20.0
    #: Host header values the server answers (CRM_ALLOWED_HOSTS, ``--allowed-hosts``; ``*.x``
    #: wildcards as starlette's TrustedHostMiddleware takes them). Empty: any host, except
    #: in demo mode, where only the loopback names are (DNS rebinding would otherwise let
    #: any web page act as the tokenless demo admin).
    allowed_hosts: tuple[str, ...] = ()
    #: A WebSocket that sends no ``connection_init`` this long is closed with 4408
    #: (CRM_WS_INIT_TIMEOUT, seconds).
    ws_init_timeout_seconds: float = 10.0
    #: Sockets of a worker still waiting for ``connection_init`` (not authenticated); one
    #: more is closed at once with 1013 (CRM_WS_MAX_PENDING).
    ws_max_pending: int = 200

    def trusted_hosts(self) -> tuple[str, ...]:
        """The Host header values to accept; ``("*",)`` for any."""
        if self.demo:
            return LOOPBACK_HOSTS
        return self.allowed_hosts or ("*",)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        env = os.environ
        settings = cls(
            database_url=env.get("CRM_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=env.get("CRM_HOST", "127.0.0.1"),
            port=int(env.get("CRM_PORT", "8000")),
            admin_token=env.get("CRM_ADMIN_TOKEN") or None,
            demo=env.get("CRM_DEMO", "") in {"1", "true", "yes"},
            base_currency=env.get("CRM_BASE_CURRENCY", "EUR"),
            debug=env.get("CRM_DEBUG", "") in {"1", "true", "yes"},
            cors_origins=tuple(o for o in env.get("CRM_CORS_ORIGINS", "").split(",") if o),
            metrics_allow=tuple(a.strip() for a in env.get("CRM_METRICS_ALLOW", "").split(",") if a.strip()),
            get_max_age=int(env.get("CRM_GET_MAX_AGE", "0")),
            shutdown_timeout_seconds=float(env.get("CRM_SHUTDOWN_TIMEOUT", "20")),
            allowed_hosts=split_list(env.get("CRM_ALLOWED_HOSTS")),
            ws_init_timeout_seconds=float(env.get("CRM_WS_INIT_TIMEOUT", "10")),
            ws_max_pending=int(env.get("CRM_WS_MAX_PENDING", "200")),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
