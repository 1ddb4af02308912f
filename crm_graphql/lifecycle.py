"""Graceful shutdown: SIGTERM drains the worker before uvicorn stops it.

On SIGTERM a worker

1. refuses new HTTP requests with a 503 ``SERVICE_UNAVAILABLE`` (``Retry-After``,
   ``Connection: close``) and new WebSockets with close code 1001;
2. closes its open WebSockets with 1001 (going away; uvicorn's own shutdown would send 1012);
3. waits for the requests in flight to finish, at most ``shutdown_timeout`` seconds;
4. hands over to uvicorn's own handler, which closes the listening socket, waits (bounded
   by ``timeout_graceful_shutdown``) and runs the lifespan shutdown that closes the pool.

A second SIGTERM hands over at once. :class:`Drain` counts requests and sockets through the
:class:`GracefulShutdown` middleware; it knows nothing of GraphQL, so any WebSocket route
is closed the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from crm_graphql import faults

logger = logging.getLogger("crm_graphql.lifecycle")

GOING_AWAY = 1001


class _Socket:
    def __init__(self, send: Any) -> None:
        self._send = send
        self.accepted = False
        self.closed = False
        self.closing = asyncio.Event()

    async def send(self, message: Any) -> None:
        if self.closed:
            return  # closed by the drain: the app's late messages have nowhere to go
        if message["type"] == "websocket.accept":
            self.accepted = True
        elif message["type"] == "websocket.close":
            self.closed = True
        await self._send(message)

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.closing.set()
        if self.accepted:
            with contextlib.suppress(Exception):  # the client left already
                await self._send({"type": "websocket.close", "code": GOING_AWAY, "reason": "server shutting down"})


class Drain:
    def __init__(self) -> None:
        self.draining = False
        self.in_flight = 0
        self.sockets: set[_Socket] = set()
        self.idle = asyncio.Event()
        self.idle.set()

    def enter(self) -> None:
        self.in_flight += 1
        self.idle.clear()

    def leave(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self.idle.set()

    async def run(self, hand_over: Callable[[], None], bound: float) -> None:
        logger.info(
            "SIGTERM: refusing new requests, closing %d WebSocket(s), waiting for %d request(s) in flight",
            len(self.sockets),
            self.in_flight,
        )
        await asyncio.gather(*(s.close() for s in list(self.sockets)), return_exceptions=True)
        try:
            async with asyncio.timeout(bound):
                await self.idle.wait()
        except TimeoutError:
            logger.warning("Shutdown timeout: %d request(s) still in flight are cut off", self.in_flight)
        hand_over()

    def install(self, timeout: float) -> None:
        """Take over SIGTERM from uvicorn's handler in this worker (which it then calls)."""
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return  # not under uvicorn (tests drive the app in process)
        loop = asyncio.get_running_loop()

        def on_term(sig: int, frame: Any) -> None:
            if self.draining:
                previous(sig, frame)
                return
            self.draining = True
            loop.call_soon_threadsafe(lambda: loop.create_task(self.run(lambda: previous(sig, frame), timeout)))

        signal.signal(signal.SIGTERM, on_term)


class GracefulShutdown:
    """ASGI middleware: counts HTTP requests in flight, tracks WebSockets, refuses both
    while draining."""

    def __init__(self, app: Any, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        drain = self.drain
        if scope["type"] == "http":
            if drain.draining:
                faults.note(faults.fault("draining"))
                await faults.response(faults.fault("draining"), close=True)(scope, receive, send)
                return
            drain.enter()
            try:
                await self.app(scope, receive, send)
            finally:
                drain.leave()
            return
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        if drain.draining:
            await send({"type": "websocket.close", "code": GOING_AWAY})
            return
        sock = _Socket(send)

        async def ws_receive() -> Any:
            if sock.closing.is_set():
                return {"type": "websocket.disconnect", "code": GOING_AWAY}
            incoming = asyncio.ensure_future(receive())
            closing = asyncio.ensure_future(sock.closing.wait())
            done, _ = await asyncio.wait({incoming, closing}, return_when=asyncio.FIRST_COMPLETED)
            if incoming in done:
                closing.cancel()
                return incoming.result()
            incoming.cancel()
            return {"type": "websocket.disconnect", "code": GOING_AWAY}

        drain.sockets.add(sock)
        try:
            await self.app(scope, ws_receive, sock.send)
        finally:
            drain.sockets.discard(sock)
