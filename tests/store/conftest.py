"""The store's tests run on SQLite and on a real PostgreSQL (Debian's), started here.

PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user, lives in
a scratch folder, and listens on 127.0.0.1 only. In CI it must run: a missing server there
is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(*cmd: str) -> subprocess.CompletedProcess:
    runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*runner, *cmd], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    binaries = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (Debian's postgresql package) is not installed")
        pytest.skip("PostgreSQL is not installed")
    bin_dir = Path(binaries[-1]).parent
    scratch = Path(tempfile.mkdtemp(prefix="acd-pg-"))
    scratch.chmod(0o755)
    data, port = scratch / "data", _free_port()
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    init = _as_postgres(
        str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
    )
    assert init.returncode == 0, init.stderr
    command = [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port)]
    command += ["-k", str(data), "-c", "fsync=off"]
    with open(scratch / "postgres.log", "wb") as log:  # the child keeps its own copy
        server = subprocess.Popen(
            (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + command,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 30
        while _as_postgres(str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)).returncode:
            assert time.monotonic() < deadline, (scratch / "postgres.log").read_text()
            time.sleep(0.2)
        created = _as_postgres(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "acd")
        assert created.returncode == 0, created.stderr
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/acd"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated store of each kind."""
    from acd.store import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
        engine = db.engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    db.migrate(url)
    yield url
