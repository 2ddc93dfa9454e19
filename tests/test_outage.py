"""The health check, and the database outage for real: a PostgreSQL of our own stopped under gunicorn.

The shared PostgreSQL serves other test runs, so the outage test makes a throwaway cluster
(initdb in a temporary folder, on a free port), migrates it, serves the site from it with gunicorn
in production mode (DEBUG off, collected static files, persistent connections), stops the cluster,
and starts it again, all under the same gunicorn.
"""

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import IN_CI

BASE_DIR = Path(settings.BASE_DIR)


# --- /sante/ in process -----------------------------------------------------------------------


def test_health_check_answers_ok_and_is_never_cached(client, db):
    for url in ("/sante/", "/healthz"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.json() == {"database": "ok", "cache": "ok"}
        assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_health_check_says_503_when_the_cache_does_not_answer(client, db, settings):
    # A real Redis client pointed at a port where nothing listens: the connection is refused.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"].isdigit()
    body = response.json()
    assert (body["database"], body["cache"], body["status"]) == ("ok", "error", 503)


# --- the outage, for real ---------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def need(condition, reason):
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)


def get(port, path):
    """(status, headers, body, seconds) of one GET, on a new connection as a browser's first request."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "text/html,application/json"})
        response = connection.getresponse()
        body = response.read().decode()
        return response.status, dict(response.getheaders()), body, time.monotonic() - started
    finally:
        connection.close()


class Cluster:
    """A PostgreSQL cluster in a temporary folder; run as `postgres` when the tests run as root
    (initdb refuses root)."""

    def __init__(self):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        self.bin = Path(bindir)
        self.dir = Path(tempfile.mkdtemp(prefix="communs-outage-pg-"))
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *command):
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    def init(self):
        self.run(str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust", "-N")

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} -c fsync=off"
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode="fast"):
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster():
    need(shutil.which("pg_config"), "pg_config not found (PostgreSQL's server binaries are needed)")
    need(os.geteuid() != 0 or shutil.which("runuser"), "running as root without runuser")
    cluster = Cluster()
    need((cluster.bin / "initdb").exists(), f"initdb not found in {cluster.bin}")
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop("immediate")
        shutil.rmtree(cluster.dir, ignore_errors=True)


@pytest.fixture
def site(cluster):
    """The site under gunicorn (two workers, persistent connections) on the throwaway cluster."""
    static_root = tempfile.mkdtemp(prefix="communs-outage-static-")
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "DEBUG": "0",
        "SECRET_KEY": "outage-test-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "REDIS_URL": "",
        "STATIC_ROOT": static_root,
        "CACHE_DIR": tempfile.mkdtemp(prefix="communs-outage-cache-"),
        # The outage path itself: with the page cache on, a page visited before the outage would
        # still be served from the cache (its content version has not moved), hiding the 503.
        "PAGE_CACHE_TIMEOUT": "0",
    }
    env.pop("TEST_DATABASE_NAME", None)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    # Both at once: they do not depend on each other.
    setup = [
        subprocess.Popen([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=BASE_DIR),
        subprocess.Popen([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=BASE_DIR),
    ]
    assert [process.wait(timeout=300) for process in setup] == [0, 0]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30"]
        + ["communs.wsgi:application"],
        env=env,
        cwd=BASE_DIR,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/sante/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.2)
        yield server, port
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)


PAGE, API, HEALTH = "/", "/api/v1/initiatives/", "/sante/"


@pytest.mark.postgres
def test_database_stopped_gives_503_fast_and_the_site_recovers_without_restart(cluster, site):
    server, port = site
    # Every worker holds a persistent connection before the database goes away.
    for _ in range(6):
        for path in (PAGE, API):
            assert get(port, path)[0] == 200

    cluster.stop("fast")
    for _ in range(3):
        status, headers, body, seconds = get(port, PAGE)
        assert status == 503 and seconds < 1, (status, seconds)
        assert headers["Content-Type"].startswith("text/html")
        assert "Service momentanément indisponible" in body
        assert headers["Retry-After"].isdigit()

        status, headers, body, seconds = get(port, API)
        assert status == 503 and seconds < 1, (status, seconds)
        assert headers["Content-Type"] == "application/problem+json"
        assert '"status": 503' in body
        assert headers["Retry-After"].isdigit()

        status, headers, body, seconds = get(port, HEALTH)
        assert status == 503 and seconds < 1
        assert '"database": "error"' in body

    cluster.start()
    restarted = time.monotonic()
    # No request fails after the restart: a dead persistent connection is replaced, not used.
    for _ in range(6):
        for path in (PAGE, API, HEALTH):
            assert get(port, path)[0] == 200, path
    assert time.monotonic() - restarted < 5

    # A quick restart between two requests: each worker's persistent connection is dead, unseen.
    cluster.stop("fast")
    cluster.start()
    for _ in range(6):
        for path in (PAGE, API):
            assert get(port, path)[0] == 200, path
    assert server.poll() is None  # the same gunicorn, never restarted
