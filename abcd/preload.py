"""The map frame asks for Leaflet with its own page: a ``Link: rel=preload`` header on the frame's page.

streamlit-folium's frame loads its script, waits for the map from the page around it, and only then
adds Leaflet's script and style. Named in a header of the frame's page, the browser fetches both at once,
while the frame's own script still loads and runs: one round trip less before the map draws, which on a
phone's mobile connection is a tenth of a second or more.
"""

from __future__ import annotations

from collections.abc import Sequence

from abcd.static_gzip import ASGIApp, Message, Receive, Scope, Send


class Preload:
    """ASGI middleware: a ``Link`` header naming ``scripts`` and ``styles`` on successful answers to ``path``."""

    def __init__(self, app: ASGIApp, *, path: str, scripts: Sequence[str] = (), styles: Sequence[str] = ()) -> None:
        self.app = app
        self.path = path
        links = [f"<{url}>; rel=preload; as=script" for url in scripts]
        links += [f"<{url}>; rel=preload; as=style" for url in styles]
        self.link = ", ".join(links).encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or not self.link:
            await self.app(scope, receive, send)
            return

        async def with_link(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [*message["headers"], (b"link", self.link)]
            await send(message)

        await self.app(scope, receive, with_link)
