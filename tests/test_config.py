"""The Streamlit configuration keeps its protections, serves only the map's files and holds no secrets."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from abcd import io
from abcd.maps import VENDOR_DIR
from tests.helpers import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"
STATIC = ROOT / "static"
# What a vendored browser library brings: code, styles, images, licence and our provenance note.
VENDOR_SUFFIXES = {".js", ".css", ".png", ".svg", ".md"}
VENDOR_NAMES = {"LICENSE", "LICENSE.md", "LICENSE.txt"}


def server() -> dict[str, Any]:
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    return dict(settings["server"])


def git(*args: str) -> subprocess.CompletedProcess[str]:
    """A read-only git command in the repository."""
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False, timeout=60)


def tracked_files() -> list[str]:
    result = git("ls-files", "-z")
    assert result.returncode == 0, result.stderr
    files = [name for name in result.stdout.split("\0") if name]
    assert "pyproject.toml" in files  # the listing itself worked
    return files


def test_cors_and_xsrf_protection_are_on() -> None:
    settings = server()
    assert settings["enableCORS"] is True
    assert settings["enableXsrfProtection"] is True
    assert "cookieSecret" not in settings  # Streamlit makes one per start; a fixed one would be a secret


def test_usage_statistics_are_not_sent() -> None:
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["browser"]["gatherUsageStats"] is False


def test_the_upload_limit_is_what_imports_accept() -> None:
    # Streamlit counts server.maxUploadSize in MiB (its upload route multiplies by 1024 * 1024),
    # and abcd.io.read_rows refuses anything over MAX_FILE_BYTES: the two limits must agree.
    assert server()["maxUploadSize"] * 1024 * 1024 == io.MAX_FILE_BYTES
    import streamlit.web.server.starlette.starlette_routes as routes

    source = Path(routes.__file__).read_text(encoding="utf-8")
    assert 'config.get_option("server.maxUploadSize") * 1024 * 1024' in source


def test_static_serving_serves_only_the_map_assets() -> None:
    assert server()["enableStaticServing"] is True
    assert VENDOR_DIR == STATIC / "vendor"
    top = sorted(p.name for p in STATIC.iterdir())
    assert set(top) <= {"vendor", "favicon.png"}, top
    served = [p for p in STATIC.rglob("*") if not p.is_dir()]
    assert served, "static/vendor holds the map's files"
    for path in served:
        relative = path.relative_to(STATIC)
        assert not path.is_symlink(), relative  # a link could publish any file on the server
        if relative.parts == ("favicon.png",):
            continue
        assert relative.parts[0] == "vendor", relative
        assert path.suffix.lower() in VENDOR_SUFFIXES or path.name in VENDOR_NAMES, relative


def test_no_command_line_or_environment_overrides_these_settings() -> None:
    # `streamlit run --server.enableCORS false` or STREAMLIT_SERVER_ENABLE_CORS=false would beat the file.
    override = re.compile(
        r"(?i)(--server\.(enableCORS|enableXsrfProtection|enableStaticServing|maxUploadSize)\b"
        r"|STREAMLIT_SERVER_(ENABLE_CORS|ENABLE_XSRF_PROTECTION|ENABLE_STATIC_SERVING|MAX_UPLOAD_SIZE)\b)"
    )
    assert override.search("streamlit run app.py --server.enableCORS false")
    found = []
    for name in tracked_files():
        path = ROOT / name
        if name.startswith(("tests/", "static/")) or path.suffix in (".png", ".gpkg", ".parquet") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [(name, line.strip()) for line in text.splitlines() if override.search(line)]
    assert found == []


def test_no_secrets_file_is_tracked() -> None:
    names = tracked_files()
    suspicious = [
        n
        for n in names
        if Path(n).name in ("secrets.toml", ".env", "credentials.json", ".netrc", ".pgpass")
        or Path(n).suffix in (".pem", ".key", ".p12", ".pfx")
        or re.search(r"(^|/)data/abcd\.db", n)  # the database holds residents' contact details
    ]
    assert suspicious == []


@pytest.mark.parametrize(
    "path",
    [".streamlit/secrets.toml", "data/abcd.db", "data/abcd.db-wal", "data/abcd.db.bak", "data/abcd.db.20260101T0Z.bak"],
)
def test_gitignore_keeps_secrets_and_the_database_out(path: str) -> None:
    result = git("check-ignore", "--no-index", "-q", path)
    assert result.returncode == 0, f"{path} is not ignored by .gitignore"


SECRET_PATTERNS = [
    re.compile(
        r"(?i)\b(password|passwd|pwd|secret|client_secret|cookie_?secret|token|api[_-]?key|private[_-]?key)\b"
        r"\s*[:=]\s*['\"]?[A-Za-z0-9_\-+/=.]{8,}"
    ),
    re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    re.compile(r"\b(ghp|gho|ghu|ghs)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{30,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\bsk-[A-Za-z0-9]{20,}"),
    re.compile(r"postgres(ql)?(\+\w+)?://[^:/\s]+:[^@/\s]+@"),  # a URL with a password in it
]


def test_the_secret_patterns_catch_what_they_should() -> None:
    samples = [
        'client_secret = "Zx9-very-secret-value"',
        "-----BEGIN PRIVATE KEY-----",
        "token: ghp_" + "a" * 36,
        "postgresql+psycopg://abcd:hunter22@db/abcd",
        "AKIA" + "ABCDEFGHIJKLMNOP",
    ]
    for sample in samples:
        assert any(p.search(sample) for p in SECRET_PATTERNS), sample
    assert not any(p.search("password = st.text_input(tr('field.password'))") for p in SECRET_PATTERNS[1:])


def test_no_password_or_token_in_tracked_configuration() -> None:
    config_like = [
        n
        for n in tracked_files()
        if Path(n).suffix in (".toml", ".cfg", ".ini", ".yaml", ".yml", ".env", ".json", ".conf")
        or Path(n).name in ("Makefile", "Dockerfile", "Procfile")
        or n.startswith(".ci/")
        or n.startswith(".streamlit/")
    ]
    assert ".streamlit/config.toml" in config_like and "Makefile" in config_like
    found = []
    for name in config_like:
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        found += [(name, m.group(0)) for p in SECRET_PATTERNS for m in p.finditer(text)]
    assert found == []
