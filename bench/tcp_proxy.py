"""A small TCP proxy that can cut a database off and let it back, for fault tests.

``cut()`` is what a database restart looks like from the client: every open connection is
closed and new ones are refused (the listening socket is closed) until ``heal()``.
The proxy runs its own event loop in a thread, so a test or a benchmark can drive a
server process and HTTP clients beside it without sharing a loop.

    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        url = f"postgres://postgres@127.0.0.1:{proxy.port}/test_x"
        ...
        proxy.cut(); time.sleep(6); proxy.heal()
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TcpProxy:
    def __init__(self, target: tuple[str, int], port: int | None = None) -> None:
        self.target = target
        self.port = port or free_port()
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._pairs: set[_Pair] = set()

    # -- thread-side API -------------------------------------------------------------------
    def __enter__(self) -> TcpProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def __exit__(self, *exc: Any) -> None:
        self._call(self._cut())
        self._call(self._settle())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def cut(self) -> None:
        """Close every connection and refuse new ones."""
        self._call(self._cut())

    def stale(self) -> None:
        """Drop every connection's database side without telling the client (a failover
        behind a load balancer, a lost FIN): each pooled connection fails on its next use."""
        self._call(self._stale())

    def heal(self) -> None:
        """Accept connections again."""
        self._call(self._listen())

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # -- loop-side -------------------------------------------------------------------------
    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for pair in list(self._pairs):
            pair.client.transport.abort()
            pair.upstream.transport.abort()
        self._pairs.clear()

    async def _settle(self) -> None:
        """Let the pipes see their aborted sockets and finish (no unclosed-socket warnings)."""
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if tasks:
            await asyncio.wait(tasks, timeout=2)

    async def _stale(self) -> None:
        for pair in list(self._pairs):
            pair.zombie = True
            pair.upstream.transport.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        pair = _Pair(writer, up_writer)
        self._pairs.add(pair)
        await asyncio.gather(self._pipe(reader, up_writer, pair, True), self._pipe(up_reader, writer, pair, False))
        self._pairs.discard(pair)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pair: _Pair, from_client: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if pair.zombie:
                    break  # the client spoke on a connection whose other end is gone
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            if not pair.zombie or from_client:
                with contextlib.suppress(Exception):
                    pair.client.transport.abort()
                    pair.upstream.transport.abort()


class _Pair:
    def __init__(self, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter) -> None:
        self.client = client
        self.upstream = upstream
        #: upstream gone without the client being told (a lost FIN): it learns on its next write
        self.zombie = False
