"""A throw-away PostgreSQL server for tests: `initdb` into a temporary directory, listening only on
127.0.0.1 on a free port with trust auth, one database created, stopped and removed afterwards.

The server binaries come from Debian's `postgresql` package (`make postgres`, which `make test`
runs first). Debian keeps them in /usr/lib/postgresql/<version>/bin, off PATH; initdb/pg_ctl on
PATH win when present. PostgreSQL refuses to run as root, so as root the cluster is owned by and
run as the `postgres` system user (the Debian package creates it; created here when missing).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

DEBIAN_BIN_DIRS = Path("/usr/lib/postgresql")
SERVICE_USER = "postgres"
SUPERUSER = "postgres"
# runuser/useradd live in sbin, which a non-login root shell may not have on PATH
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def server_bindir() -> Path | None:
    """Directory holding initdb and pg_ctl: PATH first, else the newest Debian version."""
    on_path = [shutil.which(name) for name in ("initdb", "pg_ctl")]
    if all(on_path):
        return Path(on_path[1]).resolve().parent
    versions = sorted((d for d in DEBIAN_BIN_DIRS.glob("*/bin")
                       if (d / "initdb").exists() and (d / "pg_ctl").exists()),
                      key=lambda d: [int(n) for n in re.findall(r"\d+", d.parent.name)], reverse=True)
    return versions[0] if versions else None


def can_install_packages() -> bool:
    if os.geteuid() == 0:
        return True
    return shutil.which("sudo") is not None and subprocess.run(
        ["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


def require_server() -> Path:
    """The server binaries, or fail (installable here: run `make postgres`) or skip (not installable)."""
    bindir = server_bindir()
    if bindir:
        return bindir
    if can_install_packages():
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are not installed: run `make postgres` "
                    "(make test does)")
    pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed and neither root nor sudo "
                "is available to install Debian's postgresql (`make postgres`)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _service_user() -> pwd.struct_passwd:
    """The unprivileged user that owns and runs the cluster when the tests run as root."""
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run([shutil.which("useradd", path=SBIN_PATH) or "useradd", "--system", "--user-group", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", SERVICE_USER], check=True, capture_output=True)
        return pwd.getpwnam(SERVICE_USER)


class PostgresServer:
    """One cluster in `root` (data/, server.log, the Unix socket), run by pg_ctl."""

    def __init__(self, bindir: Path, root: Path, port: int, as_user: str | None):
        self.bindir, self.root, self.port, self.as_user = bindir, root, port, as_user
        self.data = root / "data"
        self.log = root / "server.log"

    def _run(self, tool: str, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / tool), *args]
        if self.as_user:
            runuser = shutil.which("runuser", path=SBIN_PATH)
            cmd = ([runuser, "-u", self.as_user, "--", *cmd] if runuser
                   else ["su", "-s", "/bin/sh", self.as_user, "-c", shlex.join(cmd)])
        proc = subprocess.run(cmd, text=True, capture_output=True, timeout=timeout, cwd=self.root,
                              check=False)
        if proc.returncode != 0:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-2000:]}\n"
                               f"{proc.stderr[-2000:]}\n{log}")
        return proc

    def start(self) -> None:
        # trust auth for local and 127.0.0.1 connections; no fsync: the cluster is thrown away
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        for attempt in range(3):
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                          "-t", "60", "start")
                return
            except RuntimeError:
                if attempt == 2 or (self.data / "postmaster.pid").exists():
                    raise
                self.port = free_port()  # the free port was taken in between: another one

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def url(self, database: str, driver: str = "psycopg2") -> str:
        return f"postgresql+{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres")
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'create database "{name}"')
        finally:
            con.close()


@contextlib.contextmanager
def postgres_database(name: str = "airflow") -> Iterator[str]:
    """Start a throw-away cluster, create database `name`, yield its SQLAlchemy URL
    (postgresql+psycopg2://postgres@127.0.0.1:<port>/<name>); stop and delete it afterwards."""
    bindir = require_server()
    as_user = None
    # under /tmp, not pytest's tmp_path: that one is private to root, and the server user must reach it
    root = Path(tempfile.mkdtemp(prefix="riskradar-pg-"))
    if os.geteuid() == 0:
        user = _service_user()
        as_user = user.pw_name
        os.chown(root, user.pw_uid, user.pw_gid)
    server = PostgresServer(bindir, root, free_port(), as_user)
    try:
        server.start()
        server.create_database(name)
        yield server.url(name)
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
