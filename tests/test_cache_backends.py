"""The shared cache's backends: where settings put it, atomic counters on files, a Redis clear() of its own keys."""

import ast
import multiprocessing
import os
import subprocess
import sys
import time
import uuid

import pytest

from communs.cache import FileCache, RedisCache
from tests.conftest import require_redis

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _caches_with(**variables):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print({alias: (conf['BACKEND'], str(conf['LOCATION'])) for alias, conf in settings.CACHES.items()})"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "communs.settings", "SECRET_KEY": "x", **variables}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return ast.literal_eval(result.stdout)


def test_without_redis_the_workers_of_a_machine_share_files_in_cache_dir(tmp_path):
    caches = _caches_with(REDIS_URL="", CACHE_DIR=str(tmp_path))
    assert caches == {
        "default": ("communs.cache.FileCache", str(tmp_path / "default")),
        "pages": ("communs.cache.FileCache", str(tmp_path / "pages")),
    }
    by_default = _caches_with(REDIS_URL="", CACHE_DIR="")
    assert by_default["default"][1].endswith(os.path.join("var", "cache", "default"))  # git-ignored


def test_with_redis_url_every_cache_is_in_redis():
    caches = _caches_with(REDIS_URL="redis://127.0.0.1:6379/3")
    assert {backend for backend, _ in caches.values()} == {"communs.cache.RedisCache"}


def _count(location, times):
    cache = FileCache(location, {})
    for _ in range(times):
        cache.add("hits", 0, timeout=60)
        cache.incr("hits")


def _in_four_processes(target, *args):
    """Run target(*args) in four processes at once; each must end well."""
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=args) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0


def test_file_counters_lose_no_count_when_processes_count_at_once(tmp_path):
    _in_four_processes(_count, str(tmp_path), 100)
    assert FileCache(str(tmp_path), {}).get("hits") == 400


def test_a_file_counter_keeps_its_window(tmp_path):
    cache = FileCache(str(tmp_path), {})  # default timeout: 300 seconds
    cache.add("window", 0, timeout=1)
    assert cache.incr("window") == 1 and cache.incr("window", 2) == 3
    time.sleep(1.2)
    assert cache.get("window") is None  # the window ended after its second, not 300
    with pytest.raises(ValueError):
        cache.incr("window")


def test_a_file_window_counts_its_slices_in_one_entry(tmp_path):
    cache = FileCache(str(tmp_path), {})
    assert [cache.count_in_window("window", 100, 10, 60)[-1] for _ in range(3)] == [1, 2, 3]
    assert cache.count_in_window("window", 103, 10, 60) == [0] * 6 + [3, 0, 0, 1]
    # Slice 100 has left the period of slice 110: it is no longer summed, nor kept.
    assert cache.count_in_window("window", 110, 10, 60) == [0, 0, 1] + [0] * 6 + [1]
    cache.uncount("window", 110, 60)
    assert cache.count_in_window("window", 110, 10, 60)[-1] == 1
    assert len(cache._list_cache_files()) == 1


def test_a_file_window_counts_a_request_of_a_later_slice_that_came_first(tmp_path):
    # A request that read the clock in slice 100 may reach the counter after one that read it in
    # slice 101: it must see that one's count, or one request more than the limit passes.
    cache = FileCache(str(tmp_path), {})
    assert cache.count_in_window("window", 101, 10, 60) == [0] * 9 + [1]
    assert cache.count_in_window("window", 100, 10, 60) == [0] * 9 + [2]
    assert cache.count_in_window("window", 102, 10, 60) == [0] * 7 + [1, 1, 1]


def test_a_file_window_ends_with_its_timeout_and_survives_a_torn_write(tmp_path):
    cache = FileCache(str(tmp_path), {})
    cache.count_in_window("window", 5, 10, 1)
    time.sleep(1.2)
    assert cache.count_in_window("window", 5, 10, 1) == [0] * 9 + [1]  # the window ended after its second
    (entry,) = cache._list_cache_files()
    with open(entry, "r+b") as file:  # a process killed mid-write
        file.truncate(5)
    assert cache.count_in_window("window", 5, 10, 60) == [0] * 9 + [1]


def _count_in_window(location, times):
    cache = FileCache(location, {})
    for _ in range(times):
        cache.count_in_window("window", 7, 10, 60)


def test_file_windows_lose_no_count_when_processes_count_at_once(tmp_path):
    _in_four_processes(_count_in_window, str(tmp_path), 100)
    assert FileCache(str(tmp_path), {}).count_in_window("window", 7, 10, 60)[-1] == 401


def test_a_file_cache_stays_within_max_entries_without_listing_its_folder_at_every_write(tmp_path, monkeypatch):
    # MAX_ENTRIES 500: the folder is counted at most once every 5 writes, so it never holds more
    # than 505 entries; a cull comes before a write, so the entry written last is always there.
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 500}})
    listings = []
    real_listing = FileCache._list_cache_files
    monkeypatch.setattr(FileCache, "_list_cache_files", lambda self: listings.append(1) or real_listing(self))
    most = 0
    for number in range(3000):
        cache.set(f"page-{number}", number)
        most = max(most, len(real_listing(cache)))
    assert 500 <= most <= 505
    assert len(listings) < 3000 / 4  # Django's own set() lists the folder at each of the 3,000 writes
    assert cache.get("page-2999") == 2999


def test_redis_clear_removes_this_caches_keys_only():

    require_redis(REDIS_URL)
    run = uuid.uuid4().hex[:12]
    mine = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{run}-a*"})  # a glob character, taken literally
    other = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{run}-ab"})
    try:
        mine.set("key", 1)
        other.set("key", 2)
        mine.clear()
        assert mine.get("key") is None
        assert other.get("key") == 2
    finally:
        other.clear()
    assert other.get("key") is None


def test_the_redis_cache_makes_one_client_and_shares_it_between_threads():
    import concurrent.futures

    require_redis(REDIS_URL)
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"})
    try:
        client = cache._cache.get_client(write=True)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda number: cache.set(f"key-{number}", number), range(200)))
            values = list(pool.map(lambda number: cache.get(f"key-{number}"), range(200)))
        assert values == list(range(200))
        assert cache._cache.get_client(write=True) is client  # Django's makes a new one per command
    finally:
        cache.clear()


def test_a_redis_window_counts_each_slice_and_reads_the_others_in_one_transaction(monkeypatch):
    import redis

    require_redis(REDIS_URL)
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"})
    try:
        commands, real_execute = [], redis.client.Pipeline.execute

        def execute(pipeline, *args, **kwargs):
            commands.append([command[0][0] for command in pipeline.command_stack])
            return real_execute(pipeline, *args, **kwargs)

        monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
        assert [cache.count_in_window("window", 100, 10, 60)[-1] for _ in range(3)] == [1, 2, 3]
        assert commands == [["SET", "INCRBY", "MGET"]] * 3  # one round trip per count
        monkeypatch.undo()
        assert cache.count_in_window("window", 103, 10, 60) == [0] * 6 + [3, 0, 0, 1]
        assert cache.count_in_window("window", 110, 10, 60) == [0, 0, 1] + [0] * 6 + [1]
        # A request that read the clock in slice 109 but counts after one of slice 110 sees its count.
        assert cache.count_in_window("window", 109, 10, 60) == [3, 0, 0, 1] + [0] * 5 + [2]
        cache.uncount("window", 110, 60)
        assert cache.get("window:110") == 0
        # A slice lives its timeout to the millisecond (EX would round 2.5 s down to 2).
        cache.count_in_window("short", 1, 10, 2.5)
        assert 2000 < cache._cache.get_client(write=True).pttl(cache.make_key("short:1")) <= 2500
    finally:
        cache.clear()
