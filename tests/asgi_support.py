"""A fake of Streamlit's static files and one request through an ASGI app, for the middleware tests."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

IMMUTABLE = b"public, immutable, max-age=31536000"
SCRIPT = b"function f(){return 'abcd';}\n" * 400


class Streamlit:
    """Stands in for Streamlit's static files: answers every request with one prepared response."""

    def __init__(self, body: bytes = SCRIPT, *, status: int = 200, headers: dict[bytes, bytes] | None = None) -> None:
        self.body = body
        self.status = status
        self.headers = {
            b"content-type": b"application/javascript",
            b"cache-control": IMMUTABLE,
            b"etag": b'"6c4dc28e"',
            b"accept-ranges": b"bytes",
            **(headers or {}),
        }
        self.calls = 0

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        headers = [*self.headers.items(), (b"content-length", str(len(self.body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        # In two pieces, as a file response streams a bigger file.
        half = len(self.body) // 2
        await send({"type": "http.response.body", "body": self.body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": self.body[half:]})


def get(
    app: Any, path: str = "/static/js/index.DormvYxC.js", *, method: str = "GET", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """One request through the ASGI app: status, headers (lower-case names), body."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(name.replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()],
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    # In a thread of its own: the Playwright tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    answer = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    return start["status"], answer, b"".join(m.get("body", b"") for m in sent[1:])
