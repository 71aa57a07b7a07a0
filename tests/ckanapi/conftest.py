"""Fixtures for the ckanapi acceptance tests: a real `kho serve` process per storage engine.

Environment:
  KHO_BIN          the kho binary (default: $CARGO_TARGET_DIR/debug/kho, then
                   ~/.cache/kho-target/debug/kho)
  KHO_TEST_PG_URL  admin URL of a PostgreSQL server where throwaway databases may be created;
                   without it the postgres runs are skipped (they fail when CI is set)
  KHO_TEST_PSQL    the psql binary (default: psql on PATH, then /usr/lib/postgresql/*/bin/psql)
"""

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ADMIN_NAME = "admin"
ADMIN_PASSWORD = "MatKhau-2024!"
STARTUP_TIMEOUT = 60.0


def kho_bin() -> str:
    candidates = []
    if os.environ.get("KHO_BIN"):
        candidates.append(os.environ["KHO_BIN"])
    else:
        if os.environ.get("CARGO_TARGET_DIR"):
            candidates.append(os.path.join(os.environ["CARGO_TARGET_DIR"], "debug", "kho"))
        candidates.append(os.path.expanduser("~/.cache/kho-target/debug/kho"))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    pytest.fail(f"kho binary not found (tried {candidates}); set KHO_BIN", pytrace=False)


def psql_bin() -> str:
    found = os.environ.get("KHO_TEST_PSQL") or shutil.which("psql")
    if not found:
        found = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), reverse=True)), None)
    if not found:
        pytest.fail("KHO_TEST_PG_URL is set but psql was not found; set KHO_TEST_PSQL",
                    pytrace=False)
    return found


def psql(admin_url: str, sql: str) -> None:
    subprocess.run(
        [psql_bin(), "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-q", "-d", admin_url, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )


def with_database(admin_url: str, database: str) -> str:
    """Returns `admin_url` pointing at another database (keeps credentials, host, query)."""
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(data_dir: Path) -> dict:
    """The process environment minus any Kho settings of the caller, plus a private data dir."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KHO_") and key != "DATABASE_URL"
    }
    env["KHO_DATA_DIR"] = str(data_dir)
    env["KHO_LOG_FORMAT"] = "text"
    return env


@dataclass
class Kho:
    engine: str
    url: str
    sysadmin_token: str
    sysadmin_id: str


def run_cli(binary: str, args: list, env: dict, cwd: Path) -> str:
    result = subprocess.run(
        [binary, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        pytest.fail(
            f"`kho {' '.join(args)}` exited {result.returncode}:\n{result.stdout}{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def wait_until_ready(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"kho serve exited with {process.returncode}:\n{log_path.read_text()}",
                pytrace=False,
            )
        try:
            response = requests.get(f"{url}/api/3/action/status_show", timeout=2)
            if response.status_code == 200 and response.json().get("success") is True:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"kho serve did not answer within {STARTUP_TIMEOUT}s:\n{log_path.read_text()}",
        pytrace=False,
    )


@contextlib.contextmanager
def running_kho(engine: str, demo: bool = False):
    """A `kho serve` process on a fresh store of `engine`, optionally with the demo catalogue
    loaded first (`kho demo load`); skipped (failed in CI) for PostgreSQL without a server."""
    binary = kho_bin()
    admin_url = os.environ.get("KHO_TEST_PG_URL", "")
    if engine == "postgres" and not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI is set but KHO_TEST_PG_URL is not: the PostgreSQL runs cannot be "
                        "skipped in CI", pytrace=False)
        pytest.skip("KHO_TEST_PG_URL is not set")

    workdir = Path(tempfile.mkdtemp(prefix=f"kho-ckanapi-{engine}-"))
    env = base_env(workdir / "data")
    database = None
    if engine == "postgres":
        database = f"kho_ckanapi_{secrets.token_hex(6)}"
        psql(admin_url, f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = with_database(admin_url, database)

    process = None
    log_file = None
    try:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # The site URL is fixed before anything is stored (it is part of the cached dicts).
        env["KHO_SITE_URL"] = url
        # The demo catalogue has its own `admin`; the tests' sysadmin is another account then.
        admin = "kiem-thu" if demo else ADMIN_NAME
        if demo:
            run_cli(binary, ["demo", "load"], env, workdir)
        sysadmin_id = run_cli(
            binary,
            ["user", "add", admin, "--email", f"{admin}@example.vn",
             "--password", ADMIN_PASSWORD, "--sysadmin"],
            env, workdir,
        ).strip()
        token = run_cli(binary, ["token", "create", admin], env, workdir).strip()
        assert token and "\n" not in token, f"unexpected token output {token!r}"

        log_path = workdir / "kho.log"
        log_file = open(log_path, "wb")
        process = subprocess.Popen(
            [binary, "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            cwd=workdir,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        wait_until_ready(url, process, log_path)
        yield Kho(engine=engine, url=url, sysadmin_token=token, sysadmin_id=sysadmin_id)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log_file is not None:
            log_file.close()
        if database is not None:
            try:
                psql(admin_url, f'DROP DATABASE IF EXISTS "{database}"')
            except subprocess.SubprocessError as error:
                print(f"warning: could not drop {database}: {error}")
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def kho(request):
    with running_kho(request.param) as server:
        yield server


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def kho_demo(request):
    """Kho serving the demo catalogue (`kho demo load`)."""
    with running_kho(request.param, demo=True) as server:
        yield server
