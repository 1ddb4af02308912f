"""Subscriptions over real WebSockets (the `websockets` client) against a real
`crm-graphql serve`: SQLite with one process, PostgreSQL with two workers."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import uuid
from typing import Any

import httpx
import pytest
import websockets
from factories import TEST_DATABASE_URL

#: Every test here talks to a real `crm-graphql serve` process.
pytestmark = pytest.mark.slow

TIMELINE = "subscription Timeline { timelineEvent { kind subjectType subject { id } } }"
CREATE_ACCOUNT = """mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { account { id } userErrors { code } } }"""
CREATE_OPPORTUNITY = """mutation CreateOpportunity($input: CreateOpportunityInput!) {
  createOpportunity(input: $input) { opportunity { id } userErrors { code } } }"""


def ws_url(server: Any) -> str:
    return server.url.replace("http://", "ws://") + "/graphql"


async def http(server: Any, query: str, variables: dict[str, Any], token: str, request_id: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if request_id:
        headers["x-request-id"] = request_id
    # a new connection per request: with several workers, the kernel picks one each time
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{server.url}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def create_user(server: Any, database: str, role: str) -> str:
    email = f"{role.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    command = [sys.executable, "-m", "crm_graphql", "user", "create", "--database", database]
    command += ["--email", email, "--name", role.title(), "--role", role]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


async def open_subscriptions(server: Any) -> int:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {server.token}"})).text
    match = re.search(r"^crm_graphql_open_subscriptions(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.MULTILINE)
    return int(float(match.group(1))) if match else 0


async def wait_open(server: Any, count: int) -> None:
    """Until the server counts ``count`` subscriptions listening for events (on all workers)."""
    for _ in range(200):
        if await open_subscriptions(server) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the server never listened on {count} subscriptions")


class Subscriber:
    def __init__(self, socket: Any, protocol: str) -> None:
        self.socket = socket
        self.protocol = protocol

    @classmethod
    async def open(
        cls, server: Any, token: str | None, *, protocol: str = "graphql-transport-ws", request_id: str | None = None
    ) -> Subscriber:
        headers = {"x-request-id": request_id} if request_id else None
        socket = await websockets.connect(ws_url(server), subprotocols=[protocol], additional_headers=headers)
        await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return cls(socket, protocol)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None, op_id: str = "1") -> None:
        kind = "subscribe" if self.protocol == "graphql-transport-ws" else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.socket.send(json.dumps({"id": op_id, "type": kind, "payload": payload}))

    async def next(self, wait: float = 10) -> Any:
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), wait))
            assert isinstance(message, dict)
            if message["type"] in {"ka", "ping", "pong"}:
                continue
            assert message["type"] in {"next", "data"}, message
            assert "errors" not in message["payload"], message
            return message["payload"]["data"]

    async def close(self) -> None:
        await self.socket.close()


# --- refused sockets ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_server(live_server: Any) -> Any:
    with live_server() as server:
        yield server


async def init_until_closed(server: Any, protocol: str, payload: Any) -> tuple[int | None, list[str]]:
    """Open a socket, send ``connection_init`` with ``payload`` and read until the server
    closes it: (the close code, the types of the messages received before)."""
    async with websockets.connect(ws_url(server), subprotocols=[protocol]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        received = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                received.append(json.loads(await asyncio.wait_for(socket.recv(), 10)))
    return (closed.value.rcvd.code if closed.value.rcvd else None), [m["type"] for m in received]


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}])
async def test_a_socket_without_a_valid_token_is_closed_with_4401_before_any_ack(
    sqlite_server: Any, protocol: str, payload: dict[str, str]
) -> None:
    # given a socket at /graphql, when it initialises without a valid token
    code, received = await init_until_closed(sqlite_server, protocol, payload)
    # then it is closed with 4401, and no connection_ack was ever sent
    assert code == 4401
    assert "connection_ack" not in received


async def test_a_subscription_before_connection_init_is_refused(sqlite_server: Any) -> None:
    async with websockets.connect(ws_url(sqlite_server), subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": TIMELINE}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example"], ids=["other", "null", "lookalike"]
)
async def test_a_browser_socket_from_another_origin_is_refused(sqlite_server: Any, origin: str) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(ws_url(sqlite_server), subprotocols=["graphql-transport-ws"], origin=origin)
    assert refused.value.response.status_code == 403


async def test_a_rebound_dns_name_is_refused_even_as_its_own_origin(sqlite_server: Any) -> None:
    # given a page of evil.example whose name now resolves to our server (DNS rebinding):
    # Origin and Host both name evil.example (one Host header: the URL's, sent to our address)
    port = int(sqlite_server.url.rsplit(":", 1)[1])
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(
            f"ws://evil.example:{port}/graphql",
            subprotocols=["graphql-transport-ws"],
            origin=f"http://evil.example:{port}",
            host="127.0.0.1",
            port=port,
        )
    assert refused.value.response.status_code == 403


async def test_an_upgrade_with_two_host_headers_is_refused(sqlite_server: Any) -> None:
    # given an upgrade carrying Host twice (the first would decide the origin check)
    port = sqlite_server.url.rsplit(":", 1)[1]
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(
            ws_url(sqlite_server),
            subprotocols=["graphql-transport-ws"],
            origin=f"http://localhost:{port}",
            additional_headers={"Host": f"localhost:{port}"},
        )
    assert refused.value.response.status_code == 403


async def test_a_socket_from_the_servers_own_origin_is_accepted_and_logged_once(sqlite_server: Any) -> None:
    rid = f"own-{uuid.uuid4().hex[:12]}"
    socket = await websockets.connect(
        ws_url(sqlite_server),
        subprotocols=["graphql-transport-ws"],
        origin=sqlite_server.url,
        additional_headers={"x-request-id": rid},
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {sqlite_server.token}"}}
    await socket.send(json.dumps(init))
    assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
    await socket.close()
    lines = [json.loads(line) for line in sqlite_server.log_lines(f'"request_id":"{rid}"')]
    assert [(line["event"], line["protocol"]) for line in lines] == [("websocket", "graphql-transport-ws")]


# --- delivery -----------------------------------------------------------------------------------


async def _visibility_scenario(server: Any, database: str, protocol: str) -> None:
    # given a private account of the admin, a public one, and a sales rep and the admin subscribed
    rep_token = create_user(server, database, "SALES_REP")
    private = await http(server, CREATE_ACCOUNT, {"input": {"name": "Secret", "isPrivate": True}}, server.token)
    public = await http(server, CREATE_ACCOUNT, {"input": {"name": "Open"}}, server.token)
    private_id = private["createAccount"]["account"]["id"]
    public_id = public["createAccount"]["account"]["id"]
    before = await open_subscriptions(server)
    rep = await Subscriber.open(server, rep_token, protocol=protocol)
    admin = await Subscriber.open(server, server.token, protocol=protocol)
    await rep.subscribe(TIMELINE)
    await admin.subscribe(TIMELINE)
    await wait_open(server, before + 2)
    # when the admin creates a deal under each account over HTTP
    hidden = await http(
        server, CREATE_OPPORTUNITY, {"input": {"title": "Hidden", "accountId": private_id}}, server.token
    )
    shown = await http(server, CREATE_OPPORTUNITY, {"input": {"title": "Shown", "accountId": public_id}}, server.token)
    hidden_id = hidden["createOpportunity"]["opportunity"]["id"]
    shown_id = shown["createOpportunity"]["opportunity"]["id"]
    # then the admin gets both events in commit order; the rep gets only the visible one
    first, second = (await admin.next())["timelineEvent"], (await admin.next())["timelineEvent"]
    assert [first["subject"]["id"], second["subject"]["id"]] == [hidden_id, shown_id]
    assert (await rep.next())["timelineEvent"] == {
        "kind": "CREATED",
        "subjectType": "Opportunity",
        "subject": {"id": shown_id},
    }
    with pytest.raises(TimeoutError):
        await rep.next(wait=0.5)
    await rep.close()
    await admin.close()


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_sqlite_events_reach_the_subscribers_allowed_to_see_them(
    live_server: Any, tmp_path: Any, protocol: str
) -> None:
    database = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    with live_server(database=database) as server:
        await _visibility_scenario(server, database, protocol)


async def test_a_refused_change_delivers_nothing(sqlite_server: Any) -> None:
    # given a subscriber
    before = await open_subscriptions(sqlite_server)
    admin = await Subscriber.open(sqlite_server, sqlite_server.token)
    await admin.subscribe(TIMELINE)
    await wait_open(sqlite_server, before + 1)
    # when a mutation is refused (nothing committed) and then one succeeds
    refused = await http(
        sqlite_server, CREATE_OPPORTUNITY, {"input": {"title": "", "accountId": "nope"}}, sqlite_server.token
    )
    assert refused["createOpportunity"]["userErrors"]
    account = await http(sqlite_server, CREATE_ACCOUNT, {"input": {"name": "Committed"}}, sqlite_server.token)
    # then the first event delivered is the committed one
    event = (await admin.next())["timelineEvent"]
    assert event["subject"]["id"] == account["createAccount"]["account"]["id"]
    await admin.close()


# --- PostgreSQL, two workers ----------------------------------------------------------------------


async def _fresh_database(url: str) -> str:
    import asyncpg

    base, _, name = url.partition("?")[0].rpartition("/")
    live = f"{name}_live"
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{live}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{live}"')
    finally:
        await conn.close()
    return f"{base}/{live}"


@pytest.fixture(scope="module")
def postgres_server(live_server: Any) -> Any:
    database = asyncio.run(_fresh_database(TEST_DATABASE_URL))
    with live_server(workers=2, database=database) as server:
        server.database = database
        yield server


def _pids(server: Any, request_ids: list[str]) -> dict[str, int]:
    found = {}
    for rid in request_ids:
        for line in server.log_lines(f'"request_id":"{rid}"'):
            found[rid] = json.loads(line)["pid"]
    return found


@pytest.mark.postgres(reason="two workers share one database")
async def test_postgres_a_change_on_one_worker_reaches_subscribers_on_the_other(postgres_server: Any) -> None:
    server = postgres_server
    # given subscribers spread over both workers
    subscribers: dict[str, Subscriber] = {}
    before = await open_subscriptions(server)
    for i in range(20):
        rid = f"ws-{uuid.uuid4().hex[:12]}"
        subscribers[rid] = await Subscriber.open(server, server.token, request_id=rid)
        await subscribers[rid].subscribe(TIMELINE)
        if i >= 1 and len(set(_pids(server, list(subscribers)).values())) == 2:
            break
    socket_pids = _pids(server, list(subscribers))
    assert len(set(socket_pids.values())) == 2, "the kernel gave every socket to one worker"
    await wait_open(server, before + len(subscribers))
    # when changes are made over HTTP until each worker has served one
    served: dict[str, int] = {}
    for _ in range(20):
        rid = f"mut-{uuid.uuid4().hex[:12]}"
        data = await http(server, CREATE_ACCOUNT, {"input": {"name": rid}}, server.token, request_id=rid)
        served[data["createAccount"]["account"]["id"]] = _pids(server, [rid])[rid]
        if len(set(served.values())) == 2:
            break
    assert len(set(served.values())) == 2, "the kernel gave every request to one worker"
    # then every subscriber, on either worker, gets every event, in commit order
    for rid, subscriber in subscribers.items():
        got = [(await subscriber.next())["timelineEvent"]["subject"]["id"] for _ in served]
        assert got == list(served), (rid, socket_pids[rid])
    for subscriber in subscribers.values():
        await subscriber.close()


@pytest.mark.postgres(reason="two workers share one database")
async def test_postgres_events_reach_only_the_subscribers_allowed_to_see_them(postgres_server: Any) -> None:
    await _visibility_scenario(postgres_server, postgres_server.database, "graphql-transport-ws")


@pytest.mark.postgres(reason="two workers share one database")
async def test_postgres_a_socket_without_a_token_is_closed_with_4401(postgres_server: Any) -> None:
    async with websockets.connect(ws_url(postgres_server), subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


@pytest.mark.postgres(reason="two workers share one database")
async def test_postgres_a_lost_listen_connection_closes_sockets_with_1013_and_resubscribing_works(
    postgres_server: Any,
) -> None:
    import asyncpg

    server = postgres_server
    # given a subscriber
    before = await open_subscriptions(server)
    subscriber = await Subscriber.open(server, server.token)
    await subscriber.subscribe(TIMELINE)
    await wait_open(server, before + 1)
    # when the database drops the workers' LISTEN connections
    conn = await asyncpg.connect(server.database)
    try:
        killed = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
    finally:
        await conn.close()
    assert killed >= 1
    # then the socket is closed with 1013 (try again later), not left silent
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await subscriber.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    # and a new subscription gets events again
    for _ in range(200):
        if await open_subscriptions(server) <= before:
            break
        await asyncio.sleep(0.05)
    again = await Subscriber.open(server, server.token)
    await again.subscribe(TIMELINE)
    await wait_open(server, before + 1)
    data = await http(server, CREATE_ACCOUNT, {"input": {"name": "After the outage"}}, server.token)
    assert (await again.next())["timelineEvent"]["subject"]["id"] == data["createAccount"]["account"]["id"]
    await again.close()


# --- attack findings (ATTACK-2) -------------------------------------------------------------------


async def test_a_socket_from_localhost_as_its_own_origin_is_accepted(sqlite_server: Any) -> None:
    # given a page served by this server at http://localhost:PORT (README: own origin, localhost included)
    port = int(sqlite_server.url.rsplit(":", 1)[1])
    socket = await websockets.connect(
        f"ws://localhost:{port}/graphql",
        subprotocols=["graphql-transport-ws"],
        origin=f"http://localhost:{port}",
        host="127.0.0.1",
        port=port,
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {sqlite_server.token}"}}
    await socket.send(json.dumps(init))
    assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
    await socket.close()


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
@pytest.mark.parametrize("payload", ["Bearer x", 1, ["Authorization"]], ids=["string", "number", "list"])
async def test_a_connection_init_whose_payload_is_not_an_object_is_closed_with_4400(
    sqlite_server: Any, protocol: str, payload: Any
) -> None:
    code, received = await init_until_closed(sqlite_server, protocol, payload)
    assert code == 4400
    assert "connection_ack" not in received


async def test_a_subscription_over_the_filter_bounds_is_refused_at_subscribe_time(sqlite_server: Any) -> None:
    subscriber = await Subscriber.open(sqlite_server, sqlite_server.token)
    query = "subscription($f: OpportunityFilter) { opportunityChanged(filter: $f) { id } }"
    branches = [{"title": {"eq": f"x{i}"}} for i in range(500)]
    await subscriber.subscribe(query, {"f": {"or": branches}})
    # then, before any event, an `error` message with the code HTTP answers (INVALID)
    message = json.loads(await asyncio.wait_for(subscriber.socket.recv(), 10))
    assert message["type"] == "error", message
    assert message["id"] == "1"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["INVALID"]
    assert await open_subscriptions(sqlite_server) == 0
    await subscriber.close()


async def _closed_code(socket: Any, wait: float = 10) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), wait))
            assert message["type"] not in {"connection_ack", "next", "data"}, message
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.fixture(scope="module")
def bounded_server(live_server: Any) -> Any:
    with live_server(env={"CRM_WS_INIT_TIMEOUT": "1", "CRM_WS_MAX_PENDING": "2"}) as server:
        yield server


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_a_socket_that_never_sends_connection_init_is_closed_with_4408(
    bounded_server: Any, protocol: str
) -> None:
    # given a socket that sends nothing (CRM_WS_INIT_TIMEOUT=1 second)
    async with websockets.connect(ws_url(bounded_server), subprotocols=[protocol]) as socket:
        # then the server closes it with 4408
        assert await _closed_code(socket) == 4408


async def test_sockets_waiting_for_connection_init_are_capped_per_worker(bounded_server: Any) -> None:
    # given two sockets waiting for connection_init (CRM_WS_MAX_PENDING=2)
    url = ws_url(bounded_server)
    first = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
    second = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
    # when a third opens, it is closed at once with 1013 (try again later)
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as third:
        assert await _closed_code(third, wait=0.9) == 1013
    # and once one of them authenticates, a new socket waits again
    await first.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {bounded_server.token}"}})
    )
    assert json.loads(await asyncio.wait_for(first.recv(), 10))["type"] == "connection_ack"
    subscriber = await Subscriber.open(bounded_server, bounded_server.token)
    await subscriber.close()
    await first.close()
    await second.close()


async def test_a_user_has_at_most_ten_sockets_per_worker(sqlite_server: Any) -> None:
    # given a sales rep with ten open sockets
    token = create_user(sqlite_server, _database(sqlite_server), "SALES_REP")
    sockets = [await Subscriber.open(sqlite_server, token) for _ in range(10)]
    # when an eleventh initialises, it is closed with 4429 before any ack
    async with websockets.connect(ws_url(sqlite_server), subprotocols=["graphql-transport-ws"]) as extra:
        await extra.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert await _closed_code(extra) == 4429
    # and another user is not affected; a closed socket frees a place
    other = await Subscriber.open(sqlite_server, sqlite_server.token)
    await sockets.pop().close()
    again = await _open_when_freed(sqlite_server, token)
    for s in [*sockets, other, again]:
        await s.close()


async def _open_when_freed(server: Any, token: str) -> Subscriber:
    for _ in range(100):
        try:
            return await Subscriber.open(server, token)
        except (websockets.ConnectionClosed, AssertionError):
            await asyncio.sleep(0.05)
    raise AssertionError("the closed socket never freed its place")


def _database(server: Any) -> str:
    return f"sqlite://{server.log.parent / 'crm.sqlite3'}"


async def test_a_user_has_at_most_fifty_subscriptions_per_worker(sqlite_server: Any) -> None:
    token = create_user(sqlite_server, _database(sqlite_server), "SALES_REP")
    first = await Subscriber.open(sqlite_server, token)
    second = await Subscriber.open(sqlite_server, token)
    # given 50 subscriptions on two sockets, all listening
    before = await open_subscriptions(sqlite_server)
    for i in range(30):
        await first.subscribe(TIMELINE, op_id=f"a{i}")
    for i in range(20):
        await second.subscribe("subscription { opportunityChanged { id } }", op_id=f"b{i}")
    await wait_open(sqlite_server, before + 50)
    # when one more is sent, it is refused with an `error`, TOO_MANY_SUBSCRIPTIONS
    await second.subscribe(TIMELINE, op_id="extra")
    message = json.loads(await asyncio.wait_for(second.socket.recv(), 10))
    assert message["type"] == "error" and message["id"] == "extra", message
    assert [e["extensions"]["code"] for e in message["payload"]] == ["TOO_MANY_SUBSCRIPTIONS"]
    # and closing a socket frees its subscriptions
    await first.close()
    third = await Subscriber.open(sqlite_server, token)
    for attempt in range(100):
        await third.subscribe(TIMELINE, op_id=f"c{attempt}")
        try:
            message = json.loads(await asyncio.wait_for(third.socket.recv(), 0.2))
        except TimeoutError:
            break  # accepted: no error came
        assert message["type"] == "error", message
    else:
        raise AssertionError("the closed socket never freed its subscriptions")
    await second.close()
    await third.close()


async def test_a_subscription_requesting_too_many_nodes_is_refused(sqlite_server: Any) -> None:
    subscriber = await Subscriber.open(sqlite_server, sqlite_server.token)
    query = "subscription { opportunityChanged { id account { opportunities(first: 50) { edges { node { id } } } } } }"
    await subscriber.subscribe(query)
    message = json.loads(await asyncio.wait_for(subscriber.socket.recv(), 10))
    assert message["type"] == "error", message
    assert [e["extensions"]["code"] for e in message["payload"]] == ["MAX_NODES_EXCEEDED"]
    # a page of the default size is fine
    await subscriber.subscribe("subscription { opportunityChanged { id } }", op_id="2")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(subscriber.socket.recv(), 0.5)
    await subscriber.close()


async def test_a_websocket_message_over_the_body_cap_closes_the_socket(sqlite_server: Any) -> None:
    # given an acknowledged socket
    subscriber = await Subscriber.open(sqlite_server, sqlite_server.token)
    # a message of 900 kB is answered
    await subscriber.subscribe("query { viewer { id } }" + " " * 900_000, op_id="small")
    assert (await subscriber.next())["viewer"]["id"]
    # when it sends a message over 1 MB (the HTTP body cap)
    big = "query { viewer { id } }" + " " * (1024 * 1024 + 10)
    await subscriber.socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": big}}))
    # then the server closes it with 1009 (message too big)
    assert await _closed_code(subscriber.socket) == 1009


# --- partner users --------------------------------------------------------------------------------

ASSIGN = """mutation AssignToPartner($input: AssignToPartnerInput!) {
  assignToPartner(input: $input) { opportunity { id } userErrors { code } } }"""
UPDATE_OPPORTUNITY = """mutation UpdateOpportunity($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { opportunity { id } userErrors { code } } }"""
CHANGED = "subscription Changed { opportunityChanged { id title } }"


def create_partner_user(server: Any, database: str, partner_id: str) -> str:
    email = f"partner-{uuid.uuid4().hex[:8]}@example.com"
    command = [sys.executable, "-m", "crm_graphql", "user", "create", "--database", database]
    command += ["--email", email, "--name", "Partner", "--role", "PARTNER", "--partner-account", partner_id]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


async def _partner_scenario(server: Any, database: str) -> None:
    # given a partner account with its partner user, and two deals, one assigned to the partner
    partner = await http(server, CREATE_ACCOUNT, {"input": {"name": "Reseller", "isPartner": True}}, server.token)
    partner_id = partner["createAccount"]["account"]["id"]
    token = create_partner_user(server, database, partner_id)
    customer = await http(server, CREATE_ACCOUNT, {"input": {"name": "Customer"}}, server.token)
    customer_id = customer["createAccount"]["account"]["id"]
    deals = []
    for title in ("Assigned", "Foreign"):
        created = await http(
            server, CREATE_OPPORTUNITY, {"input": {"title": title, "accountId": customer_id}}, server.token
        )
        deals.append(created["createOpportunity"]["opportunity"]["id"])
    assigned, foreign = deals
    done = await http(
        server, ASSIGN, {"input": {"opportunityId": assigned, "partnerAccountId": partner_id}}, server.token
    )
    assert done["assignToPartner"]["userErrors"] == []
    before = await open_subscriptions(server)
    timeline = await Subscriber.open(server, token)
    await timeline.subscribe(TIMELINE)
    changes = await Subscriber.open(server, token, protocol="graphql-ws")
    await changes.subscribe(CHANGED)
    await wait_open(server, before + 2)
    # when the admin changes the foreign deal, then the assigned one
    for deal, title in ((foreign, "Foreign renamed"), (assigned, "Assigned renamed")):
        answer = await http(server, UPDATE_OPPORTUNITY, {"input": {"id": deal, "title": title}}, server.token)
        assert answer["updateOpportunity"]["userErrors"] == []
    # then the partner user hears of the assigned deal only, on both subscriptions
    event = (await timeline.next())["timelineEvent"]
    assert (event["subjectType"], event["subject"]["id"]) == ("Opportunity", assigned)
    assert (await changes.next())["opportunityChanged"] == {"id": assigned, "title": "Assigned renamed"}
    for subscriber in (timeline, changes):
        with pytest.raises(TimeoutError):
            await subscriber.next(wait=0.5)
        await subscriber.close()


async def test_a_partner_user_gets_events_only_of_the_deals_assigned_to_the_partner(
    live_server: Any, tmp_path: Any
) -> None:
    database = f"sqlite://{tmp_path / 'crm.sqlite3'}"
    with live_server(database=database) as server:
        await _partner_scenario(server, database)


@pytest.mark.postgres
async def test_postgres_a_partner_user_gets_events_only_of_the_deals_assigned_to_the_partner(
    postgres_server: Any,
) -> None:
    await _partner_scenario(postgres_server, postgres_server.database)
