"""Prometheus metrics (``prometheus-client``) and ``GET /metrics``.

What is measured, per GraphQL request (``request.ObserveRequests`` feeds it):

- ``crm_graphql_requests_total{operation, outcome}``: ``outcome`` is ``ok``, ``user_error``
  (a mutation answered ``userErrors``), ``error`` (errors during execution, a timeout),
  ``invalid`` (refused before execution: parse, validation, limits, variables,
  ``PERSISTED_QUERY_NOT_FOUND``), ``unauthenticated`` (401), ``rejected`` (other 4xx before
  GraphQL ran: 405, 413, 415, a body that is not JSON) or ``server_error`` (5xx);
- ``crm_graphql_request_duration_seconds{operation}``: latency histogram;
- ``crm_graphql_sql_statements{operation}``: SQL statements per request (histogram);
- ``crm_graphql_open_subscriptions``: open subscriptions (the subscription code calls
  :func:`subscription_opened` / :func:`subscription_closed`, or uses :func:`open_subscription`);
- ``crm_graphql_persisted_queries_total{result}``: APQ ``hit``, ``miss``, ``registered``.

``operation`` is the operation's name (``anonymous`` without one, ``none`` when no
operation ran); at most ``MAX_OPERATION_LABELS`` distinct names per process, later ones
count as ``other``: names come from clients and must not grow the series without bound.

Several workers (``serve --workers N``): ``cli.serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` to
a fresh directory before uvicorn starts the workers, every worker writes its values there
(prometheus-client's multi-process mode) and ``/metrics`` on any worker sums them all. A
worker that stops marks itself dead so the open-subscriptions gauge forgets it.

Access: ``/metrics`` answers a request from an address in ``CRM_METRICS_ALLOW``
(comma-separated addresses or networks, e.g. ``127.0.0.1,10.0.0.0/8``; empty by default),
or one with a valid API token of an internal role (any but ``PARTNER``: a scraper
should use a ``READ_ONLY`` user's token). Otherwise 401 (no or a bad token) or 403.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_LABELS = 200
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")

REQUESTS = Counter("crm_graphql_requests", "GraphQL requests by operation name and outcome.", ["operation", "outcome"])
DURATION = Histogram(
    "crm_graphql_request_duration_seconds",
    "Time from the first byte in to the last byte out, per GraphQL operation.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
STATEMENTS = Histogram(
    "crm_graphql_sql_statements",
    "SQL statements (SELECT/INSERT/UPDATE/DELETE) one GraphQL request ran.",
    ["operation"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233),
)
OPEN_SUBSCRIPTIONS = Gauge(
    "crm_graphql_open_subscriptions", "Subscriptions open right now (all workers).", multiprocess_mode="livesum"
)
PERSISTED_QUERIES = Counter(
    "crm_graphql_persisted_queries", "Automatic persisted queries: hit, miss or registered.", ["result"]
)

_operation_labels: set[str] = set()


def operation_label(name: str | None) -> str:
    """The ``operation`` label for an operation name, bounded in number (see module doc)."""
    if not name:
        return "anonymous"
    if name in _operation_labels:
        return name
    if len(_operation_labels) >= MAX_OPERATION_LABELS or not _GRAPHQL_NAME.fullmatch(name):
        return "other"
    _operation_labels.add(name)
    return name


def observe_request(operation: str, outcome: str, seconds: float, statements: int) -> None:
    REQUESTS.labels(operation, outcome).inc()
    DURATION.labels(operation).observe(seconds)
    STATEMENTS.labels(operation).observe(statements)


def subscription_opened() -> None:
    OPEN_SUBSCRIPTIONS.inc()


def subscription_closed() -> None:
    OPEN_SUBSCRIPTIONS.dec()


@contextmanager
def open_subscription() -> Iterator[None]:
    """Count a subscription as open while the block runs (``with open_subscription(): ...``)."""
    subscription_opened()
    try:
        yield
    finally:
        subscription_closed()


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def prepare_workers(workers: int) -> Callable[[], None]:
    """Before uvicorn starts several workers: a fresh multi-process directory for them all.

    Returns the clean-up to run when the server stops. A directory the operator chose
    (``PROMETHEUS_MULTIPROC_DIR`` already set) is used as it is and kept.
    """
    if workers <= 1 or multiprocess_mode():
        return lambda: None
    path = tempfile.mkdtemp(prefix="crm-graphql-metrics-")
    os.environ[MULTIPROC_ENV] = path

    def clean_up() -> None:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)

    return clean_up


def worker_stopped() -> None:
    """A worker's shutdown: its live gauges (open subscriptions) stop counting."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]  # unannotated in prometheus_client


def exposition() -> bytes:
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client does not annotate this constructor
        return generate_latest(registry)
    return generate_latest(REGISTRY)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``CRM_METRICS_ALLOW`` entries as networks; a bad entry stops the start-up with a clear error."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"CRM_METRICS_ALLOW: {entry!r} is not an IP address or network.") from None
    return tuple(networks)


def _address_allowed(host: str | None, networks: tuple[Network, ...]) -> bool:
    if host is None or not networks:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def endpoint(allow: tuple[str, ...]) -> Callable[[Request], Awaitable[Response]]:
    """``GET /metrics`` with the access rule of the module docstring."""
    networks = parse_networks(allow)

    async def metrics(request: Request) -> Response:
        if not _address_allowed(request.client.host if request.client else None, networks):
            refusal = await _token_refusal(request.headers.get("authorization"))
            if refusal is not None:
                return refusal
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return metrics


async def _token_refusal(authorization: str | None) -> Response | None:
    from crm_graphql.services import users

    scheme, _, token = (authorization or "").partition(" ")
    user = await users.authenticate(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        return JSONResponse(
            {
                "error": "Send an API token (Authorization: Bearer <token>) or scrape from an address in CRM_METRICS_ALLOW."
            },
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="crm-graphql"'},
        )
    if str(getattr(user.role, "value", user.role)) == "PARTNER":
        return JSONResponse({"error": "Partner users may not read the server's metrics."}, status_code=403)
    return None
