"""The anonymous API rate limit holds under concurrency: real gunicorn, two workers of eight threads each
(issue 31, item 5). DRF's throttles read and write a list: 200 concurrent requests all passed 120/min."""

import collections
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from tests.test_rate_limits_workers import (  # noqa: F401 (migrated_database is a fixture)
    REDIS_URL,
    Server,
    _environment,
    _require_redis,
    migrated_database,
)

LIMIT = 120


class ThreadedServer(Server):
    """Server of tests/test_rate_limits_workers.py, with eight threads per worker (gthread)."""

    def __init__(self, folder, env):
        self.folder, self.env = folder, env
        self.access_log = folder / "access.log"
        self.error_log = folder / "error.log"
        (folder / "empty.conf.py").write_text("")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "communs.wsgi:application", "--config", str(folder / "empty.conf.py")]
            + ["--workers", "2", "--threads", "8", "--bind", "127.0.0.1:0"]
            + ["--access-logfile", str(self.access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s"]
            + ["--error-logfile", str(self.error_log)],
            env=env,
            cwd=settings.BASE_DIR,
        )
        self.port = self._wait_until_up()
        self._wait_until_both_workers_answer()


@pytest.fixture(params=["files", "redis"])
def server(request, migrated_database, tmp_path):  # noqa: F811 (the imported fixture)
    if request.param == "redis":
        _require_redis()
    shutil.copy(migrated_database, tmp_path / "db.sqlite3")
    env = {**_environment(tmp_path, request.param), "API_THROTTLE_ANON": f"{LIMIT}/minute"}
    if request.param == "redis":
        env["REDIS_URL"] = REDIS_URL.rsplit("/", 1)[0] + "/14"
    server = ThreadedServer(tmp_path, env)
    yield server
    server.stop()
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(env["REDIS_URL"])
        for key in client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}*"):
            client.delete(key)


def test_200_concurrent_anonymous_requests_let_at_most_the_limit_through(server):
    def ask(number):
        # Fifty URLs: some reach a view, others the page cache, which counts them too.
        status, headers, _ = server.request("GET", f"/api/v1/sectors/?page_size={1 + number % 50}")
        return status, headers.get("Retry-After")

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(ask, range(200)))

    statuses = collections.Counter(status for status, _ in answers)
    assert set(statuses) <= {200, 429}
    assert statuses[200] == LIMIT
    assert statuses[429] == 200 - LIMIT
    assert all(int(retry_after) > 0 for status, retry_after in answers if status == 429)
    assert len(server.workers_that_answered("GET", "/api/v1/sectors/")) == 2
