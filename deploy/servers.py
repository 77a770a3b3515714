"""Several abcd app servers behind nginx: the set-up of deploy/README.md, as one command.

Run from the checkout with its virtual environment, with ``ABCD_DATABASE_URL`` set::

    .venv/bin/python deploy/servers.py run --ports 8501,8502 --listen 0.0.0.0:8080 --run-dir /var/lib/abcd/run

``run`` upgrades the schema once (``abcd migrate``), starts one ``streamlit run server.py`` per port on
127.0.0.1 with one shared ``server.cookieSecret``, waits until each answers ``/_stcore/health``, then
runs nginx in the foreground with its own prefix, temp and log files in ``RUN_DIR/nginx`` (sticky
sessions, WebSocket upgrade, long timeouts: ``deploy/nginx-site.conf.in``). It stays in the foreground
and watches: a server that exits, or fails its health check three times in a row, is started again
on its port (its browsers go to another server meanwhile). SIGTERM or Ctrl-C stops everything. Every
server's log is ``RUN_DIR/app-PORT.log``, its process id ``RUN_DIR/app-PORT.pid``; ``RUN_DIR/ready``
appears once all are up.

The cookie secret is ``STREAMLIT_SERVER_COOKIE_SECRET`` when set, otherwise made once and kept in
``RUN_DIR/cookie-secret`` (mode 600). Every server must have the same one (Streamlit signs its cookies
and checks uploads with it), and it must survive restarts.

``nginx`` prints the site configuration for Debian's own nginx instead, when systemd runs the app
servers (``deploy/systemd/``)::

    .venv/bin/python deploy/servers.py nginx --ports 8501,8502 --listen '443 ssl' --server-name abcd.example.nl \\
        --tls-cert /etc/letsencrypt/live/abcd.example.nl/fullchain.pem \\
        --tls-key /etc/letsencrypt/live/abcd.example.nl/privkey.pem > /etc/nginx/sites-available/abcd

Only the standard library: it runs before anything is imported from ``abcd``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx-site.conf.in"
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
START_TIMEOUT_S = 120.0
HEALTH_EVERY_S = 5.0
HEALTH_FAILURES = 3  # in a row, before a server that still runs is restarted
STOP_TIMEOUT_S = 10.0


# ------------------------------------------------------------------ nginx
def site_config(
    upstreams: list[str],
    *,
    listen: str = "127.0.0.1:8080",
    server_name: str = "_",
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> str:
    """The nginx ``http``-level configuration for app servers at ``upstreams`` (``host:port`` each).

    Server ``k`` (from 1) is the upstream ``abcd_k``, with every other server
    as its backup; ``abcd_server=k`` is the cookie that keeps a browser there.
    """
    if not upstreams:
        msg = "no app servers"
        raise ValueError(msg)
    count = len(upstreams)
    blocks, split, routes, served = [], [], [], []
    for k, address in enumerate(upstreams, start=1):
        backups = "".join(f"    server {other} backup;\n" for other in upstreams if other != address)
        blocks.append(f"upstream abcd_{k} {{\n    server {address} max_fails=1 fail_timeout=5s;\n{backups}}}\n")
        share = "*" if k == count else f"{int(10_000 / count) / 100:.2f}%"
        split.append(f"    {share} abcd_{k};\n")
        routes.append(f'    "{k}" abcd_{k};\n')
        secure = "; Secure" if tls_cert else ""
        pattern = address.replace(".", r"\.")
        served.append(f'    "~(^|[ ,]){pattern}$" "abcd_server={k}; Path=/; HttpOnly; SameSite=Lax{secure}";\n')
    tls = ""
    if tls_cert:
        if not tls_key:
            msg = "--tls-cert needs --tls-key"
            raise ValueError(msg)
        tls = f"    ssl_certificate {tls_cert};\n    ssl_certificate_key {tls_key};\n"
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {
        "UPSTREAMS": "\n".join(blocks),
        "SPLIT": "".join(split),
        "ROUTES": "".join(routes),
        "SERVED": "".join(served),
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "TLS": tls,
    }.items():
        text = text.replace(f"@{name}@", value)
    return text


def main_config(run_dir: Path, site: Path) -> str:
    """A whole nginx configuration that keeps every file in ``run_dir`` (for ``nginx -p``), including ``site``."""
    # Run as root, nginx would hand its workers to "nobody", who may not enter run_dir: keep them as the caller.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {run_dir}/nginx.pid;\nerror_log {run_dir}/error.log notice;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n"
        '    log_format abcd \'$remote_addr [$time_local] "$request" $status $body_bytes_sent '
        "upstream=$upstream_addr cookie=$cookie_abcd_server $request_time';\n"
        f"    access_log {run_dir}/access.log abcd;\n"
        + "".join(
            f"    {kind}_temp_path {run_dir}/tmp/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {site};\n}}\n"
    )


# ------------------------------------------------------------------ run
@dataclass
class AppServer:
    """One ``streamlit run server.py`` on 127.0.0.1:``port``, restarted when it dies."""

    port: int
    run_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    health_failures: int = 0
    quick_exits: int = 0
    not_before: float = 0.0
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.run_dir / f"app-{self.port}.log"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"),
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            # A session of its own: Ctrl-C reaches this runner, which stops the servers in order.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        (self.run_dir / f"app-{self.port}.pid").write_text(f"{self.process.pid}\n", encoding="ascii")
        self.started = time.monotonic()
        self.health_failures = 0

    def healthy(self) -> bool:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with direct.open(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=5) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


def _say(text: str) -> None:
    print(f"abcd-servers: {text}", flush=True)


def _cookie_secret(run_dir: Path) -> str:
    given = os.environ.get(COOKIE_SECRET_ENV, "").strip()
    if given:
        return given
    path = run_dir / "cookie-secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="ascii").strip()


def _wait_healthy(servers: list[AppServer], deadline: float, stopping: Callable[[], bool]) -> None:
    waiting = list(servers)
    while waiting and not stopping():
        for server in list(waiting):
            assert server.process is not None
            if server.process.poll() is not None:
                msg = f"the app server on port {server.port} exited with {server.process.returncode}; see {server.log}"
                raise RuntimeError(msg)
            if server.healthy():
                waiting.remove(server)
        if waiting and time.monotonic() > deadline:
            msg = f"no answer from /_stcore/health on port(s) {', '.join(str(s.port) for s in waiting)}"
            raise TimeoutError(msg)
        time.sleep(0.2)


def run(args: argparse.Namespace) -> int:
    """``run``: migrate, start the app servers and nginx, and keep them running until stopped."""
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx_bin).exists():
        _say("nginx not found; install Debian's nginx-light")
        return 2
    run_dir = Path(args.run_dir).resolve()
    nginx_dir = run_dir / "nginx"
    for folder in (
        run_dir,
        nginx_dir,
        *(nginx_dir / "tmp" / k for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
    ):
        folder.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o700)
    (run_dir / "ready").unlink(missing_ok=True)
    if "ABCD_DATABASE_URL" not in os.environ:
        _say("ABCD_DATABASE_URL is not set: every server would use its own SQLite file (see deploy/README.md)")
        return 2

    migrated = subprocess.run([sys.executable, "-m", "abcd.cli", "migrate"], cwd=ROOT, check=False)
    if migrated.returncode != 0:
        return migrated.returncode

    env = {**os.environ, COOKIE_SECRET_ENV: _cookie_secret(run_dir)}
    servers = [AppServer(port, run_dir, env) for port in args.ports]
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    nginx: subprocess.Popen[bytes] | None = None
    try:
        for server in servers:
            server.start()
        _wait_healthy(servers, time.monotonic() + START_TIMEOUT_S, lambda: stopping)
        if stopping:
            return 0
        site = nginx_dir / "abcd-site.conf"
        site.write_text(site_config([f"127.0.0.1:{s.port}" for s in servers], listen=args.listen), encoding="utf-8")
        conf = nginx_dir / "nginx.conf"
        conf.write_text(main_config(nginx_dir, site), encoding="utf-8")
        nginx = subprocess.Popen(
            [nginx_bin, "-p", str(nginx_dir), "-c", str(conf), "-e", str(nginx_dir / "error.log"), "-g", "daemon off;"],
            start_new_session=True,
        )
        _wait_for_port(args.listen, nginx)
        (run_dir / "ready").write_text(f"http://{args.listen}\n", encoding="ascii")
        _say(f"ready: {len(servers)} app servers behind http://{args.listen}")
        next_health = time.monotonic() + HEALTH_EVERY_S
        while not stopping:
            if nginx.poll() is not None:
                _say(f"nginx exited with {nginx.returncode}; see {nginx_dir / 'error.log'}")
                return 1
            now = time.monotonic()
            check_health = now >= next_health
            if check_health:
                next_health = now + HEALTH_EVERY_S
            for server in servers:
                _watch(server, now, check_health=check_health)
            time.sleep(0.2)
        return 0
    finally:
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful: open requests finish
            try:
                nginx.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                nginx.kill()
        for server in servers:
            server.stop()
        (run_dir / "ready").unlink(missing_ok=True)
        _say("stopped")


def _watch(server: AppServer, now: float, *, check_health: bool) -> None:
    """Start ``server`` again when it exited (backing off when it keeps exiting) or stopped answering."""
    process = server.process
    if process is None or process.poll() is not None:
        if process is not None:
            code = process.returncode
            server.quick_exits = server.quick_exits + 1 if now - server.started < 30 else 0
            server.not_before = now + min(30.0, 2.0**server.quick_exits - 1)
            server.process = None
            _say(f"the app server on port {server.port} exited with {code}; starting it again")
        if now >= server.not_before:
            server.start()
        return
    if check_health and now - server.started > START_TIMEOUT_S / 4:
        server.health_failures = 0 if server.healthy() else server.health_failures + 1
        if server.health_failures >= HEALTH_FAILURES:
            _say(f"the app server on port {server.port} failed {HEALTH_FAILURES} health checks; restarting it")
            server.stop()
            server.start()


def _wait_for_port(listen: str, nginx: subprocess.Popen[bytes]) -> None:
    import socket

    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if host in ("0.0.0.0", "*"):
        host = "127.0.0.1"
    deadline = time.monotonic() + 30
    while True:
        if nginx.poll() is not None:
            msg = f"nginx exited with {nginx.returncode}"
            raise RuntimeError(msg)
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# ------------------------------------------------------------------ command line
def _ports(text: str) -> list[int]:
    ports = [int(part) for part in text.split(",") if part.strip()]
    if not ports or len(set(ports)) != len(ports):
        msg = f"ports must be distinct numbers, separated by commas: {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return ports


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deploy/servers.py", description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="migrate, then run the app servers and nginx in the foreground")
    p.add_argument("--ports", type=_ports, default=[8501, 8502], help="the app servers' ports (default 8501,8502)")
    p.add_argument("--listen", default="127.0.0.1:8080", help="nginx's address:port (default 127.0.0.1:8080)")
    p.add_argument("--run-dir", default=str(ROOT / "data" / "run"), help="logs, pid files, nginx's files")
    p = sub.add_parser("nginx", help="print the nginx site configuration for Debian's nginx")
    p.add_argument("--ports", type=_ports, default=[8501, 8502], help="app servers on 127.0.0.1 (default 8501,8502)")
    p.add_argument("--upstream", action="append", help="an app server as HOST:PORT (repeat; instead of --ports)")
    p.add_argument("--listen", default="80", help="nginx's listen parameters (default 80; '443 ssl' with TLS)")
    p.add_argument("--server-name", default="_", help="the host name(s) browsers use")
    p.add_argument("--tls-cert", help="certificate chain (PEM); with --tls-key")
    p.add_argument("--tls-key", help="private key (PEM)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return run(args)
    upstreams = args.upstream or [f"127.0.0.1:{port}" for port in args.ports]
    sys.stdout.write(
        site_config(
            upstreams, listen=args.listen, server_name=args.server_name, tls_cert=args.tls_cert, tls_key=args.tls_key
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
