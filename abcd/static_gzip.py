"""Streamlit's own scripts and styles, gzipped once and then served from memory.

Streamlit sends its content-hashed bundles (``/static/...``: about 2.7 MB of scripts and styles for the
Kaart page) uncompressed and leaves compression to a proxy, because gzipping on every request costs CPU
on every hit. A cooperative runs ``abcd`` on one machine without a proxy, and a phone on mobile data
fetches those bundles on its first visit. A bundle whose name carries its hash never changes, so this
middleware compresses it once, on its first request, and keeps the result: every later visitor gets the
same bytes from memory (about a quarter of the size) and the server does no work for them.

Only responses Streamlit marks ``immutable`` are touched; the page itself, range and conditional requests,
and clients that do not offer gzip get exactly what Streamlit sends.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Text that compresses; fonts in WOFF/WOFF2 and images are compressed already.
_COMPRESSIBLE: Final = (
    b"text/",
    b"application/javascript",
    b"application/json",
    b"application/manifest+json",
    b"image/svg+xml",
    b"font/ttf",
    b"font/otf",
)
# Below this a compressed answer saves less than its headers cost.
_SMALLEST: Final = 1024
# Conditional and partial requests are Streamlit's to answer (304, 206).
_PASS_HEADERS: Final = frozenset({b"range", b"if-none-match", b"if-modified-since"})


@dataclass(frozen=True, slots=True)
class _Gzipped:
    headers: list[tuple[bytes, bytes]]
    body: bytes


def offers_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value accepts gzip (``gzip;q=0`` and ``*;q=0`` refuse it)."""
    offered: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding:
            offered[coding.strip()] = quality
    return offered.get("gzip", offered.get("x-gzip", offered.get("*", 0.0))) > 0


class GzipOnce:
    """ASGI middleware: immutable responses under ``prefix`` gzipped on first request, kept in memory.

    ``budget`` bounds the memory the compressed copies take (Streamlit's whole static folder gzips to a
    few MB; the bound only matters if something else is served under ``prefix``): past it a response is
    sent as it came.
    """

    def __init__(self, app: ASGIApp, *, prefix: str = "/static/", budget: int = 32 * 2**20) -> None:
        self.app = app
        self.prefix = prefix
        self.budget = budget
        self._kept: dict[str, _Gzipped] = {}
        self._kept_bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        kept = self._kept.get(path)
        if kept is None:
            kept = await self._compress(path, scope, receive, send)
            if kept is None:
                return
        await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
        await send({"type": "http.response.body", "body": kept.body})

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        if not scope["path"].startswith(self.prefix):
            return False
        headers = dict(scope["headers"])
        if any(name in headers for name in _PASS_HEADERS):
            return False
        return offers_gzip(headers.get(b"accept-encoding", b"").decode("latin-1"))

    async def _compress(self, path: str, scope: Scope, receive: Receive, send: Send) -> _Gzipped | None:
        """Streamlit's answer, gzipped and kept if it may be; else sent on as it came (and None)."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = messages[0] if messages and messages[0]["type"] == "http.response.start" else None
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        if start is None or not self._worth_it(start, body):
            for message in messages:
                await send(message)
            return None
        compressed = await asyncio.to_thread(_gzip, body)
        kept = _Gzipped(_gzip_headers(start["headers"], len(compressed)), compressed)
        if self._kept_bytes + len(compressed) <= self.budget and path not in self._kept:
            self._kept[path] = kept
            self._kept_bytes += len(compressed)
        return kept

    @staticmethod
    def _worth_it(start: Message, body: bytes) -> bool:
        headers = {name.lower(): value for name, value in start["headers"]}
        return (
            start["status"] == 200
            and b"immutable" in headers.get(b"cache-control", b"")
            and b"content-encoding" not in headers
            and headers.get(b"content-type", b"").startswith(_COMPRESSIBLE)
            and len(body) >= _SMALLEST
        )


def _gzip(body: bytes) -> bytes:
    # mtime=0: the same bundle gives the same bytes on every server of a cluster.
    return gzip.compress(body, compresslevel=9, mtime=0)


def _gzip_headers(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    """Streamlit's headers for the gzipped copy: its length and encoding, and a weak ETag.

    The ETag goes weak because the bytes differ from the uncompressed file's; Starlette compares
    ``If-None-Match`` without the ``W/``, so a revalidation still gets its 304.
    """
    kept: list[tuple[bytes, bytes]] = []
    vary = [b"Accept-Encoding"]
    for name, value in headers:
        lowered = name.lower()
        if lowered in (b"content-length", b"accept-ranges"):
            continue
        if lowered == b"vary":
            vary.insert(0, value)
            continue
        if lowered == b"etag" and not value.startswith(b"W/"):
            value = b"W/" + value
        kept.append((name, value))
    kept += [
        (b"content-encoding", b"gzip"),
        (b"content-length", str(length).encode()),
        (b"vary", b", ".join(vary)),
    ]
    return kept
