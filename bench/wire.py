"""A TCP relay in front of a local server that counts the bytes its WebSocket connections carry to the browser.

The Chrome DevTools Protocol reports a WebSocket frame's payload after decompression: with
permessage-deflate (Streamlit's ``server.enableWebsocketCompression``) the wire carries less than that.
The relay sees the wire: every byte the server sends on a connection that asked for Streamlit's
WebSocket (``GET /_stcore/stream``), the handshake's answer and the frame headers included.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_WEBSOCKET_REQUEST = b"GET /_stcore/stream"
_CHUNK = 1 << 16


class WireCounter:
    """Bytes sent to the browser over WebSocket connections through the relay, counted as they pass."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._websocket_bytes = 0

    @property
    def websocket_bytes(self) -> int:
        with self._lock:
            return self._websocket_bytes

    def _count(self, size: int) -> None:
        with self._lock:
            self._websocket_bytes += size

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, counted: bool) -> None:
        try:
            while chunk := await reader.read(_CHUNK):
                if counted:
                    self._count(len(chunk))
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _serve(self, target_port: int, ready: threading.Event, address: list[str]) -> None:
        async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
            try:
                server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
            except OSError:
                client_writer.close()
                return
            first = await client_reader.read(_CHUNK)
            server_writer.write(first)
            websocket = first.startswith(_WEBSOCKET_REQUEST)
            await asyncio.gather(
                self._pipe(client_reader, server_writer, counted=False),
                self._pipe(server_reader, client_writer, counted=websocket),
            )

        server = await asyncio.start_server(relay, "127.0.0.1", 0, family=socket.AF_INET)
        port = server.sockets[0].getsockname()[1]
        address.append(f"http://127.0.0.1:{port}")
        ready.set()
        async with server:
            await server.serve_forever()


@contextmanager
def relayed(url: str) -> Iterator[tuple[str, WireCounter]]:
    """A relay in front of the server at ``url`` (``http://127.0.0.1:PORT``): its URL, and its counter."""
    target_port = int(url.rsplit(":", 1)[1])
    counter = WireCounter()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    address: list[str] = []
    thread = threading.Thread(target=loop.run_forever, name="wire-relay", daemon=True)
    thread.start()
    serving = asyncio.run_coroutine_threadsafe(counter._serve(target_port, ready, address), loop)
    try:
        if not ready.wait(10):
            msg = "the relay did not start"
            raise RuntimeError(msg)
        yield address[0], counter
    finally:
        serving.cancel()
        concurrent.futures.wait([serving], timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
