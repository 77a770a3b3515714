"""A throw-away PostgreSQL server with PostGIS for tests: initdb in a temp dir, started on a free port.

PostgreSQL refuses to run as root, so when the tests run as root the cluster
belongs to the ``postgres`` system user (created by Debian's package). The
migrations switch PostGIS on in every database they upgrade: Debian's
``postgresql-postgis`` must be installed for the server's version (``make
test`` installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def postgres_bin() -> Path:
    """The newest PostgreSQL server's ``bin`` folder that has PostGIS beside it."""
    for folder in BIN_DIRS:
        if (folder / "initdb").exists():
            version = folder.parent.name
            if not Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
                msg = f"PostGIS for PostgreSQL {version} not found; `make test` installs Debian's postgresql-postgis"
                raise RuntimeError(msg)
            return folder
    msg = "PostgreSQL server binaries not found; `make test` installs Debian's postgresql package"
    raise RuntimeError(msg)


def new_database(url: str, name: str, *, owner: str | None = None) -> str:
    """Create the empty database ``name`` on the server of ``url`` (owned by ``owner``); returns its URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' OWNER "{owner}"' if owner else ""))
    finally:
        engine.dispose()
    made = make_url(url).set(database=name)
    return (made.set(username=owner) if owner else made).render_as_string(False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, empty database; stop and delete the server afterwards."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="abcd-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "abcd", "--auth=trust", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-t",
            "30",
            "-l",
            str(root / "log"),
            "-o",
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"postgresql+psycopg://abcd@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)
