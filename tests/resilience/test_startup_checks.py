"""gunicorn checks the shared cache when it starts: a Redis that evicts nothing is named in its log."""

import os
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings

from tests.conftest import IN_CI
from tests.test_outage import free_port

REDIS_URL = "redis://127.0.0.1:6379/14"


def redis_bounded():
    try:
        config = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).config_get("maxmemory*")
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis unreachable in CI at {REDIS_URL}: {error}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    return int(config["maxmemory"]) > 0 and config["maxmemory-policy"] != "noeviction"


def start_up_log(tmp_path, migrated_sqlite, redis_url):
    """gunicorn's log from its start until its worker is booted (or 60 s)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{migrated_sqlite(tmp_path / 'db.sqlite3')}",
        "DEBUG": "1",
        "SECRET_KEY": "insecure-key-for-tests-only",
        "REDIS_URL": redis_url,
        "CACHE_DIR": str(tmp_path / "cache"),
        "BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "communs.wsgi"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "Booting worker" not in log.read_text() and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.2)
        return log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_redis_that_evicts_nothing_is_named_at_start_up(tmp_path, migrated_sqlite):
    unbounded = not redis_bounded()
    text = start_up_log(tmp_path, migrated_sqlite, REDIS_URL)
    assert "Booting worker" in text
    assert ("start-up check communs.W001: Redis is not bounded" in text) == unbounded, text
    assert "maxmemory-policy allkeys-lru" in text or not unbounded  # the hint says what to set


def test_the_file_cache_starts_without_a_warning(tmp_path, migrated_sqlite):
    text = start_up_log(tmp_path, migrated_sqlite, "")
    assert "Booting worker" in text and "start-up check" not in text, text
