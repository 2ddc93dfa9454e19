"""A crowd asking for pages never asked before cannot fill the page cache (issue 31, item 4)."""

import uuid

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import SystemCheckError

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of these tests alone

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["redis", "files"])
def page_store(request, settings, tmp_path):
    """A page cache of this test alone, on Redis (db 14, keys under a prefix of its own) or files."""
    if request.param == "redis":
        prefix = f"test-bounds-{uuid.uuid4().hex[:12]}"
        settings.CACHES = {
            alias: {"BACKEND": "communs.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": f"{prefix}-{alias}"}
            for alias in ("default", "pages")
        }
    else:
        settings.CACHES = {
            alias: {
                "BACKEND": "communs.cache.FileCache",
                "LOCATION": tmp_path / alias,
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            }
            for alias in ("default", "pages")
        }
    settings.PAGE_CACHE_TIMEOUT = 600
    settings.PAGE_CACHE_MAX_VARIANTS = 30
    yield request.param
    for alias in ("default", "pages"):
        caches[alias].clear()


def entries(kind):
    store = caches["pages"]
    if kind == "redis":
        client = store._cache.get_client(None)
        return sum(1 for _ in client.scan_iter(match=f"{store.key_prefix}:*", count=1000))
    return len(list(store._list_cache_files()))


# 20,000 requests (issue 31's figure) take half a minute per backend: the PostgreSQL job runs them.
@pytest.mark.long
def test_unknown_query_parameters_do_not_make_new_entries(client, page_store):
    first = client.get("/a-propos/")
    before = entries(page_store)

    answers = [client.get("/a-propos/", {"q": str(number)}) for number in range(20_000)]

    assert first.status_code == 200 and first["X-Cache"] == "miss"
    assert {answer.status_code for answer in answers} == {200}
    assert {answer["X-Cache"] for answer in answers} == {"hit"}
    assert answers[-1].content == first.content
    assert entries(page_store) == before  # one page, its vary list and its variant counter


def test_a_path_keeps_at_most_the_cap_of_variants(client, page_store):
    answers = [client.get("/acteurs/", {"inconnu": str(number)}) for number in range(100)]

    assert {answer.status_code for answer in answers} == {200}
    assert [answer["X-Cache"] for answer in answers] == ["miss"] * 100
    # 30 pages, their 30 vary lists and the path's counter.
    assert entries(page_store) == 30 * 2 + 1
    # What was stored is still served.
    assert client.get("/acteurs/", {"inconnu": "3"})["X-Cache"] == "hit"
    assert client.get("/acteurs/", {"inconnu": "99"})["X-Cache"] == "miss"


def test_check_deploy_warns_when_redis_evicts_nothing(settings, monkeypatch):
    import redis

    settings.REDIS_URL = REDIS_URL
    unbounded = {"maxmemory": "0", "maxmemory-policy": "noeviction"}
    monkeypatch.setattr(redis.Redis, "config_get", lambda self, pattern: unbounded)
    with pytest.raises(SystemCheckError, match="communs.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "caches")

    bounded = {"maxmemory": "268435456", "maxmemory-policy": "allkeys-lru"}
    monkeypatch.setattr(redis.Redis, "config_get", lambda self, pattern: bounded)
    call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "caches")


def test_check_deploy_reads_the_real_redis(settings):
    # The Redis of this machine is left as installed: whatever it says, the check answers without error.
    settings.REDIS_URL = REDIS_URL
    from communs.checks import redis_bounded

    assert {warning.id for warning in redis_bounded()} <= {"communs.W001"}
