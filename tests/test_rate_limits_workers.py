"""Rate limits hold across the workers of one server: a real gunicorn with two worker processes.

Each server reads its own migrated SQLite file and its own cache: files in a folder of the test
(the default without REDIS_URL), or Redis under a key prefix of the test. With a cache of each
process's memory, as before, each worker kept its own count and twice the limit got through.
"""

import collections
import http.client
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tests.conftest import require_redis
from tests.curation.test_suggestions import PROPOSAL

LIMIT = 5
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _environment(folder, backend):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        # DEBUG on serves the static files without collectstatic; the limits do not depend on it.
        "DEBUG": "1",
        "SECRET_KEY": "insecure-key-for-tests-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PAGE_CACHE_TIMEOUT": "600",
        "CURATION_SUGGESTION_RATE": str(LIMIT),
        "API_THROTTLE_ANON": f"{LIMIT}/minute",
        "TRUSTED_PROXY_COUNT": "0",
        "API_NUM_PROXIES": "0",
        "REDIS_URL": "",
        "CACHE_DIR": str(folder / "cache"),
        "CACHE_KEY_PREFIX": "",
    }
    if backend == "redis":
        env.update(REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=f"test-workers-{uuid.uuid4().hex[:12]}")
    return env


def _require_redis():
    require_redis(REDIS_URL)


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory, migrated_sqlite):
    return migrated_sqlite(tmp_path_factory.mktemp("workers-db") / "db.sqlite3")


class Server:
    def __init__(self, folder, env):
        self.folder, self.env = folder, env
        self.access_log = folder / "access.log"
        self.error_log = folder / "error.log"
        (folder / "empty.conf.py").write_text("")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "communs.wsgi:application",
                # Options on the command line only: a gunicorn.conf.py in the project is not read.
                "--config",
                str(folder / "empty.conf.py"),
                "--workers",
                "2",
                "--bind",
                "127.0.0.1:0",
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                "%(p)s %(m)s %(U)s %(s)s",
                "--error-logfile",
                str(self.error_log),
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        self.port = self._wait_until_up()
        self._wait_until_both_workers_answer()

    def _wait_until_up(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn stopped: {self.error_log.read_text()}")
            log = self.error_log.read_text() if self.error_log.exists() else ""
            port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if port and log.count("Booting worker") >= 2:
                return int(port[1])
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not start: {self.error_log.read_text()}")

    def _wait_until_both_workers_answer(self, seconds=90):
        # "Booting worker" is logged before a worker imports the application: on a busy machine the
        # first one can answer everything while the second is still loading, and a test of "whichever
        # worker answers" would then see one worker. Pages (never the rate-limited POST or API) are
        # asked four at a time until both workers have answered one.
        deadline = time.monotonic() + seconds
        with ThreadPoolExecutor(max_workers=4) as pool:
            while time.monotonic() < deadline:
                list(pool.map(lambda _: self.request("GET", "/a-propos/"), range(8)))
                if len(self.workers_that_answered("GET", "/a-propos/")) == 2:
                    return
        pytest.fail(f"one gunicorn worker never answered: {self.error_log.read_text()}")

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode()
        finally:
            connection.close()

    def workers_that_answered(self, method, path):
        time.sleep(0.5)  # a worker writes its access line just after the answer
        lines = self.access_log.read_text().splitlines()
        return {line.split()[0] for line in lines if line.split()[1:3] == [method, path]}

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module", params=["files", "redis"])
def server(request, migrated_database, tmp_path_factory):
    if request.param == "redis":
        _require_redis()
    folder = tmp_path_factory.mktemp(f"workers-{request.param}")
    shutil.copy(migrated_database, folder / "db.sqlite3")
    env = _environment(folder, request.param)
    server = Server(folder, env)
    yield server
    server.stop()
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}*"):
            client.delete(key)


def test_the_suggestion_limit_holds_whichever_worker_answers(server):
    status, headers, page = server.request("GET", "/proposer/")
    assert status == 200
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"])[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def propose(number):
        body = urlencode({**PROPOSAL, "name": f"Commun {number}", "csrfmiddlewaretoken": token})
        form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
        return server.request("POST", "/proposer/", body, form)[0]

    # Four senders at once: both workers are busy, and they count in the same place.
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = collections.Counter(pool.map(propose, range(3 * LIMIT)))
    assert statuses == {302: LIMIT, 429: 2 * LIMIT}
    assert len(server.workers_that_answered("POST", "/proposer/")) == 2
    with sqlite3.connect(server.folder / "db.sqlite3") as database:
        assert database.execute("SELECT COUNT(*) FROM curation_suggestion").fetchone()[0] == LIMIT


def test_the_api_rate_limit_holds_whichever_worker_answers(server):
    answers = [server.request("GET", "/api/v1/sectors/", headers={"Accept": "application/json"}) for _ in range(20)]
    assert [status for status, _, _ in answers] == [200] * LIMIT + [429] * (20 - LIMIT)
    # The page cache answered some of them (from another worker's rendering, too): they counted all the same.
    assert "hit" in {headers["X-Cache"] for _, headers, _ in answers[:LIMIT]}
    assert int(answers[-1][1]["Retry-After"]) > 0
    assert len(server.workers_that_answered("GET", "/api/v1/sectors/")) == 2
