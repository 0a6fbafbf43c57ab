"""A throwaway PostgreSQL server that a test owns, so it may kill and restart it.

Test helper. The shared server the other tests use (``CLINICOPS_TEST_POSTGRES_URL``) must stay
up, so a test of an outage runs its own cluster: ``initdb`` into a fresh folder, trust
authentication, listening on 127.0.0.1 at a free port and on a Unix socket inside that folder
only. PostgreSQL refuses to run as root, so under root the server runs as the ``postgres``
account (through ``runuser``). The binaries are the newest under ``/usr/lib/postgresql/*/bin``
(Debian's layout), else those on ``PATH``; ``CLINICOPS_TEST_POSTGRES_BIN`` names another folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

SERVICE_ACCOUNT = "postgres"
DEBIAN_ROOT = Path("/usr/lib/postgresql")
#: Speed over durability: the cluster lives for one test, and a kill loses nothing that
#: crash recovery does not replay (fsync matters only when the machine itself goes down).
SERVER_OPTIONS = ("-c fsync=off", "-c full_page_writes=off", "-c max_connections=40")


class ClusterUnavailable(RuntimeError):
    """The machine cannot run a private PostgreSQL server (binaries or account missing)."""


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in folder.name.split("."))


def find_binaries() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    configured = os.environ.get("CLINICOPS_TEST_POSTGRES_BIN")
    if configured:
        candidates = [Path(configured)]
    else:
        versions = sorted(DEBIAN_ROOT.glob("*/"), key=_version_key, reverse=True)
        candidates = [version / "bin" for version in versions]
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    searched = ", ".join(str(folder) for folder in candidates) or f"{DEBIAN_ROOT}/*/bin, PATH"
    raise ClusterUnavailable(f"no PostgreSQL server binaries (initdb, pg_ctl) in {searched}")


def _run_as() -> tuple[list[str], int | None, int | None]:
    """The command prefix, uid and gid the server runs under (root cannot run it)."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        account = pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        raise ClusterUnavailable(f"running as root and no {SERVICE_ACCOUNT!r} account") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterUnavailable("running as root and runuser is not installed")
    return [runuser, "-u", SERVICE_ACCOUNT, "--"], account.pw_uid, account.pw_gid


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class PrivateCluster:
    """One initialised cluster: ``start``, ``kill`` (an immediate stop: every backend dies
    at once, as in a crash) and ``start`` again on the same port."""

    binaries: Path
    folder: Path
    port: int
    prefix: tuple[str, ...]

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *arguments: str) -> None:
        command = [*self.prefix, str(self.binaries / "pg_ctl"), "-D", str(self.data_dir)]
        _run([*command, *arguments], f"pg_ctl {arguments[-1]}", self.log_file)

    def start(self) -> None:
        listen = (f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-k {self.folder}")
        options = " ".join((*listen, *SERVER_OPTIONS))
        self._pg_ctl("-l", str(self.log_file), "-o", options, "-w", "-t", "30", "start")

    def kill(self) -> None:
        self._pg_ctl("-m", "immediate", "-w", "-t", "30", "stop")

    def create_database(self, name: str) -> None:
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

    def is_running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()


def _run(command: Sequence[str], what: str, log_file: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        log = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr}{done.stdout}\n{log}")


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A new cluster, started; stopped and deleted afterwards whatever happened."""
    binaries = find_binaries()
    prefix, uid, gid = _run_as()
    # Not pytest's tmp_path: its folders are private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="clinicops-pg-"))
    try:
        if uid is not None and gid is not None:
            os.chown(folder, uid, gid)
        initdb = [str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres"]
        options = ["--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"]
        _run([*prefix, *initdb, *options], "initdb", folder / "server.log")
        cluster = PrivateCluster(binaries, folder, free_port(), tuple(prefix))
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.is_running():
                cluster.kill()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
