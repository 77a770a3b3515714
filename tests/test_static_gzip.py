"""abcd.static_gzip: Streamlit's immutable bundles gzipped once, everything else as Streamlit sends it."""

from __future__ import annotations

import gzip

import pytest

from abcd.static_gzip import GzipOnce, offers_gzip
from tests.asgi_support import IMMUTABLE, SCRIPT, Streamlit, get


def test_a_bundle_goes_gzipped_to_a_browser_that_offers_it() -> None:
    app = GzipOnce(Streamlit())
    status, headers, body = get(app, accept_encoding="gzip, deflate, br, zstd")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == SCRIPT
    assert int(headers["content-length"]) == len(body) < len(SCRIPT) / 10
    assert headers["vary"] == "Accept-Encoding"
    assert headers["cache-control"] == IMMUTABLE.decode()
    assert headers["content-type"] == "application/javascript"
    # Other bytes than the file's: the ETag goes weak, and byte ranges are the plain file's.
    assert headers["etag"] == 'W/"6c4dc28e"'
    assert "accept-ranges" not in headers


def test_a_bundle_is_compressed_once_and_then_served_from_memory() -> None:
    streamlit = Streamlit()
    app = GzipOnce(streamlit)
    first = get(app, accept_encoding="gzip")
    again = get(app, accept_encoding="gzip")
    assert again == first
    assert streamlit.calls == 1
    get(app, "/static/css/index.B7ba2.css", accept_encoding="gzip")
    assert streamlit.calls == 2  # another bundle is another file


@pytest.mark.parametrize("accept", [None, "identity", "br", "gzip;q=0", "*;q=0", "br, gzip;q=0.0"])
def test_a_browser_that_does_not_offer_gzip_gets_the_file_as_it_is(accept: str | None) -> None:
    streamlit = Streamlit()
    app = GzipOnce(streamlit)
    get(app, accept_encoding="gzip")  # a compressed copy is kept ...
    status, headers, body = get(app, **({"accept_encoding": accept} if accept else {}))
    assert (status, body) == (200, SCRIPT)  # ... and not sent to this one
    assert "content-encoding" not in headers
    assert headers["etag"] == '"6c4dc28e"'


@pytest.mark.parametrize(
    ("accept", "offered"),
    [("gzip", True), ("GZIP", True), ("deflate, gzip;q=0.5", True), ("*", True), ("x-gzip", True), ("br", False)],
)
def test_offers_gzip_reads_the_header_as_http_means_it(accept: str, offered: bool) -> None:
    assert offers_gzip(accept) is offered


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/", "GET", {}),  # the page itself: Streamlit keeps it uncompressed and uncached
        ("/_stcore/health", "GET", {}),
        ("/static/js/index.DormvYxC.js", "HEAD", {}),
        ("/static/js/index.DormvYxC.js", "GET", {"range": "bytes=0-99"}),
        ("/static/js/index.DormvYxC.js", "GET", {"if_none_match": '"6c4dc28e"'}),
        ("/static/js/index.DormvYxC.js", "GET", {"if_modified_since": "Wed, 02 Dec 2026 17:25:22 GMT"}),
    ],
)
def test_other_requests_are_streamlits_to_answer(path: str, method: str, headers: dict[str, str]) -> None:
    streamlit = Streamlit()
    app = GzipOnce(streamlit)
    status, answer, body = get(app, path, method=method, accept_encoding="gzip", **headers)
    assert (status, body, streamlit.calls) == (200, SCRIPT, 1)
    assert "content-encoding" not in answer


@pytest.mark.parametrize(
    "streamlit",
    [
        # index.html, which Streamlit sends for an unknown path below /static/, may change: no-cache.
        Streamlit(b"<html>" + b" " * 4000, headers={b"content-type": b"text/html", b"cache-control": b"no-cache"}),
        Streamlit(status=404, headers={b"cache-control": b""}),
        Streamlit(b"\x89PNG" + b"\0" * 4000, headers={b"content-type": b"image/png"}),  # compressed already
        Streamlit(b"x" * 300),  # too small to gain anything
        Streamlit(headers={b"content-encoding": b"br"}),
    ],
    ids=["may-change", "not-found", "image", "small", "encoded"],
)
def test_responses_not_worth_compressing_pass_as_they_came(streamlit: Streamlit) -> None:
    app = GzipOnce(streamlit)
    for _ in range(2):
        status, headers, body = get(app, accept_encoding="gzip")
        assert (status, body) == (streamlit.status, streamlit.body)
        assert headers.get("content-encoding", "") == streamlit.headers.get(b"content-encoding", b"").decode()
    assert streamlit.calls == 2  # nothing was kept


def test_past_its_budget_it_compresses_without_keeping() -> None:
    streamlit = Streamlit()
    app = GzipOnce(streamlit, budget=10)
    for _ in range(2):
        _, headers, body = get(app, accept_encoding="gzip")
        assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == SCRIPT
    assert streamlit.calls == 2


def test_under_a_base_url_it_serves_that_prefix_only() -> None:
    streamlit = Streamlit()
    app = GzipOnce(streamlit, prefix="/abcd/static/")
    assert get(app, accept_encoding="gzip")[1].get("content-encoding") is None
    assert get(app, "/abcd/static/js/index.DormvYxC.js", accept_encoding="gzip")[1]["content-encoding"] == "gzip"


def test_a_kept_vary_is_extended_not_replaced() -> None:
    app = GzipOnce(Streamlit(headers={b"vary": b"Origin"}))
    assert get(app, accept_encoding="gzip")[1]["vary"] == "Origin, Accept-Encoding"
