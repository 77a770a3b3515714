"""`make run-https`: a self-signed certificate for this machine, and the app answering over HTTPS with it.

A phone's browser shares its location only with a secure page, so "mijn locatie" needs HTTPS on the
local network. The check trusts exactly the certificate the Makefile made and asks for 127.0.0.1: the
request only succeeds when the certificate names that address and the server serves it.
"""

from __future__ import annotations

import os
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.browser_support import free_port
from tests.helpers import ROOT


def test_make_https_certificate_and_the_app_over_https(tmp_path: Path) -> None:
    tls = tmp_path / "tls"
    made = subprocess.run(
        ["make", "-C", str(ROOT), f"TLS={tls}", f"{tls}/abcd.crt"], capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    cert, key = tls / "abcd.crt", tls / "abcd.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(tls.stat().st_mode) == 0o700
    text = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-text"], capture_output=True, text=True)
    assert "IP Address:127.0.0.1" in text.stdout and "DNS:localhost" in text.stdout

    port = free_port()
    env = {**os.environ, "ABCD_DATABASE_URL": f"sqlite:///{tmp_path}/abcd.db"}
    command = [
        sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
        "--server.sslCertFile", str(cert), "--server.sslKeyFile", str(key), "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        trusted = ssl.create_default_context(cafile=str(cert))
        answer = ""
        for _ in range(120):
            try:
                with urllib.request.urlopen(
                    f"https://127.0.0.1:{port}/_stcore/health", context=trusted, timeout=2
                ) as r:
                    answer = r.read().decode()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert answer == "ok"
        try:  # the same port does not answer in plain HTTP
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            plain = True
        except (urllib.error.URLError, ConnectionError, OSError):
            plain = False
        assert not plain
    finally:
        server.terminate()
        server.wait(timeout=10)
