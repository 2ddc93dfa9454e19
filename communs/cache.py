"""The shared cache: its backends, and the content version that the page cache is keyed by.

Every worker of the site reads one cache (settings.CACHES): Redis when REDIS_URL is set, otherwise
files that all the workers of one machine share. The anonymous page cache (communs/page_cache.py)
keys each page by the *content version*, a counter that every write to the directory's data moves
on, so that a change shows on the very next request without anyone listing which pages it touched.
The writes are seen where they reach the database (watch_content_writes), so that none is missed.
"""

import contextlib
import functools
import logging
import math
import os
import pickle
import re
import secrets
import threading
import time
import zlib

from django.apps import apps
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.core.files import locks
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"

# The apps whose rows the public pages and the API show. `communs` holds shared models (search
# documents) that follow the entries. History rows are skipped: each comes with the entry's own save.
CONTENT_APPS = ("initiatives", "actors", "funding", "curation", "taggit", "communs")


# A request reads the clock, then counts itself: another that read the clock a little later, in the
# next slice, may count first. The later slices' counts are summed with this one's, or the request
# that comes second would not see the first's count and one request more than the limit would pass
# (seen under load: 121 of 200 concurrent requests through a limit of 120, a slice boundary falling
# in the burst). Two slices cover a request held up for more than a whole slice (a tenth of the
# period) between the two; the file cache reads all of them, its window being one entry.
NEWER_SLICES = 2


class FileCache(FileBasedCache):
    """Django's file cache, with add() and incr() atomic across the processes of one machine.

    Django's versions read, then write: two workers counting one address at the same moment could
    both read 4 and write 5, and a limit of 5 would let 6 through. Here they take turns on a lock
    file. incr() also keeps the entry's expiry (Django's would reset it to the default timeout, so a
    one-hour window would end after five minutes).
    """

    # Django's set() lists the whole folder to count the entries before every write, so that filling
    # the cache costs the square of its size: 1,355 pages cached by one process spent 15 s listing.
    # Here one process lists it at most once every MAX_ENTRIES / 100 writes (and not before the
    # entries could have reached MAX_ENTRIES since the last count), so the folder may hold that many
    # entries per process above MAX_ENTRIES before a cull: 1 %.
    _counts = {}  # folder → [writes since the last count, room left at that count]

    def _cull(self):
        count = self._counts.setdefault(self._dir, [0, 0])
        count[0] += 1
        if count[0] < min(max(1, self._max_entries // 100), count[1]):
            return
        entries = len(self._list_cache_files())
        count[:] = [0, self._max_entries - entries]
        if entries >= self._max_entries:
            super()._cull()
            count[1] = 0

    @contextlib.contextmanager
    def _lock(self):
        self._createdir()
        # Not named *.djcache: clear() and culling leave it alone.
        with open(os.path.join(self._dir, "write.lock"), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._lock():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._lock():
            try:
                with open(self._key_to_file(key, version), "rb") as entry:
                    expires_at = pickle.load(entry)
                    value = pickle.loads(zlib.decompress(entry.read()))
            except (FileNotFoundError, EOFError, zlib.error):
                raise ValueError(f"Key '{key}' not found.") from None
            if expires_at is not None and expires_at < time.time():
                raise ValueError(f"Key '{key}' not found.")
            remaining = None if expires_at is None else max(expires_at - time.time(), 0.001)
            self.set(key, value + delta, remaining, version)
            return value + delta

    # A rate limit's window (count_in_window below): its slices' counts in one file, {slice: count}.
    # Counting was add() + incr() of the slice's own entry, each rewritten through a temporary file
    # and a rename, then a read of the nine earlier slices' entries: two turns of the lock, up to two
    # writes and eleven reads per count. It is now one turn of the lock, one read and one write.
    #
    # A window file is written in place, not through a temporary file and a rename as set() does:
    # on ext4 a rename over a file (or a truncation to zero) makes the kernel write the new data out
    # at once (auto_da_alloc): set() took 2.0-2.4 ms on this machine's disk, a write in place 0.1 ms
    # (a rename to a new name 0.2 ms, over an existing file 1.4-1.6 ms). In place is safe because a
    # window is only ever read here, under the lock, never by get() and its lock-free readers. A
    # window left half-written by a process killed mid-write reads as empty: its counts restart.

    def count_in_window(self, key, bucket, buckets, timeout, version=None):
        """One more request in slice `bucket`; the counts of the window's last `buckets` slices,
        oldest first, this one last (with any later slice's: see NEWER_SLICES). Atomic across
        processes: a count and the sum it is checked against are read and written under the lock,
        so concurrent requests get distinct counts."""
        path = self._key_to_file(key, version)
        with self._lock():
            window = self._read_window(path)
            # The slices that have left the period are dropped, so the file stays small.
            window = {number: count for number, count in (window or {}).items() if number > bucket - buckets}
            window[bucket] = window.get(bucket, 0) + 1
            self._write_window(path, window, timeout)
        counts = [window.get(number, 0) for number in range(bucket - buckets + 1, bucket + 1)]
        counts[-1] += sum(count for number, count in window.items() if number > bucket)
        return counts

    def uncount(self, key, bucket, timeout, version=None):
        """Take one request back off slice `bucket` (a refused request)."""
        path = self._key_to_file(key, version)
        with self._lock():
            window = self._read_window(path)
            if window and window.get(bucket, 0) > 0:
                window[bucket] -= 1
                self._write_window(path, window, timeout)

    @staticmethod
    def _read_window(path):
        """The window's {slice: count}; {} when expired or unreadable, None when there is no file."""
        try:
            with open(path, "rb") as entry:
                expires_at = pickle.load(entry)
                window = pickle.loads(zlib.decompress(entry.read()))
        except FileNotFoundError:
            return None
        except Exception:  # half-written by a process killed mid-write
            return {}
        if (expires_at is not None and expires_at < time.time()) or not isinstance(window, dict):
            return {}
        return window

    def _write_window(self, path, window, timeout):
        data = pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol)
        data += zlib.compress(pickle.dumps(window, self.pickle_protocol))
        try:
            entry = open(path, "r+b")  # noqa: SIM115 (closed below)
        except FileNotFoundError:
            self._cull()  # a new entry: counted towards MAX_ENTRIES like any other
            entry = open(path, "wb")  # noqa: SIM115
        with entry:
            entry.write(data)
            entry.truncate()  # at the end of the new data: a shorter window leaves no tail behind


class _ReusedRedisClients(RedisCacheClient):
    """Django's client makes a new redis.Redis object for every command, which builds its table of
    about 170 reply handlers each time: a third of a cached page's answer. One object per server is
    kept instead; a redis.Redis is safe to share between threads (each command takes a connection
    from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, whose clear() removes this cache's keys only, and whose client objects
    are made once (_ReusedRedisClients).

    Django's clear() flushes the whole Redis database: other sites, other aliases and the other test
    workers sharing the server would lose theirs.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedRedisClients

    def count_in_window(self, key, bucket, buckets, timeout, version=None):
        """FileCache.count_in_window on Redis: the slice's own counter (INCR) and the earlier slices'
        counters read in one transaction (MULTI/EXEC), one round trip instead of four (Django's add(),
        incr() as EXISTS then INCRBY, get_many()). The transaction is atomic: the counter cannot expire
        between its creation and its INCR, and concurrent requests get distinct counts."""
        keys = [
            self.make_and_validate_key(f"{key}:{number}", version=version)
            for number in range(bucket - buckets + 1, bucket + 1 + NEWER_SLICES)
        ]
        own = keys[buckets - 1]
        others = keys[: buckets - 1] + keys[buckets:]
        pipeline = self._cache.get_client(own, write=True).pipeline(transaction=True)
        # In milliseconds: a period of one second lives 1.1 s, which EX would round to 1.
        pipeline.set(own, 0, px=max(1, math.ceil(timeout * 1000)), nx=True)
        pipeline.incr(own)
        pipeline.mget(others)
        _, count, found = pipeline.execute()
        found = [int(value) if value is not None else 0 for value in found]
        return found[: buckets - 1] + [count + sum(found[buckets - 1 :])]

    def uncount(self, key, bucket, timeout, version=None):
        """Take one request back off slice `bucket` (a refused request)."""
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to take back
            self.decr(f"{key}:{bucket}", version=version)

    def clear(self):
        client = self._cache.get_client(None, write=True)
        # Django's keys are "<KEY_PREFIX>:<version>:<key>".
        pattern = "".join("\\" + c if c in "*?[]\\" else c for c in f"{self.key_prefix}:") + "*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True


def count_in_window(store, key, bucket, buckets, timeout):
    """Count one request in slice `bucket` of a rate limit's window kept in `store` under `key`, and
    return the counts of its last `buckets` slices, oldest first (this one, counted, last).

    FileCache and RedisCache do it in one operation (one turn of the lock, one round trip). Any other
    backend (Django's own, as some tests configure) counts each slice in its own entry: add() then
    incr(), atomic where the backend's incr() is, then the earlier slices in one get_many().
    """
    own = getattr(store, "count_in_window", None)
    if own is not None:
        return own(key, bucket, buckets, timeout)
    current = f"{key}:{bucket}"
    store.add(current, 0, timeout)
    try:
        count = store.incr(current)
    except ValueError:  # expired between add() and incr()
        store.add(current, 1, timeout)
        count = 1
    earlier = [f"{key}:{number}" for number in range(bucket - buckets + 1, bucket)]
    later = [f"{key}:{number}" for number in range(bucket + 1, bucket + 1 + NEWER_SLICES)]
    found = store.get_many(earlier + later)
    return [found.get(name, 0) for name in earlier] + [count + sum(found.get(name, 0) for name in later)]


def uncount(store, key, bucket, timeout):
    """Take back a request counted by count_in_window (a refused one)."""
    own = getattr(store, "uncount", None)
    if own is not None:
        own(key, bucket, timeout)
    else:
        with contextlib.suppress(ValueError):
            store.decr(f"{key}:{bucket}")


def _cache():
    return caches["default"]


# Per thread: whether the version was read (content_version()) since this thread last moved it.
_seen = threading.local()


def content_version():
    """The current content version: a number that every write to the directory's data moves on."""
    _seen.read = True
    store = _cache()
    version = store.get(VERSION_KEY)
    if version is None:
        _start(store)
        version = store.get(VERSION_KEY)
    return version


def _start(store):
    # A lost counter (evicted, culled, cleared) starts again at a random number, never at 0 or 1,
    # so that it cannot land on a version whose pages, cached before, still sit in the cache.
    store.add(VERSION_KEY, secrets.randbits(48), timeout=None)


def advance_content_version():
    """Move the version on now, whatever transaction is open (bump_content_version also waits for its commit)."""
    store = _cache()
    _seen.read = False
    try:
        try:
            store.incr(VERSION_KEY)
        except ValueError:  # no counter yet (or lost): any new value is a new version
            _start(store)
    except Exception:
        # The cache is down: the write itself must not fail. Pages cached before it may then show
        # the old state until they expire (PAGE_CACHE_TIMEOUT) once the cache is back.
        logger.error("cache unavailable: the content version could not move on", exc_info=True)


def bump_content_version(using=DEFAULT_DB_ALIAS):
    """Make every cached page stale (each write to a content table calls it: see watch_content_writes).

    Inside a transaction the version moves twice: now, so that this transaction's own later reads
    (and a test's, whose transaction never commits) miss; and again once it commits, because a reader
    between the two may have cached the old rows under the intermediate version.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        advance_content_version()
        return
    registered = advance_content_version in (entry[1] for entry in connection.run_on_commit)
    # Moved already by an earlier write of this transaction, and not read since by this thread (the
    # one whose reads must see the transaction's writes: a test's requests, whose transaction never
    # commits): moving it again would hide nothing more, and the commit moves it once more for the
    # others. Saving an entry with its history and links is dozens of statements, each a cache
    # write otherwise.
    if not registered or getattr(_seen, "read", True):
        advance_content_version()
    if not registered:
        transaction.on_commit(advance_content_version, using=using)


# A statement that writes, and the table it writes to ("schema"."table", quoted or not).
_WRITE = re.compile(r'^\s*(?:update|insert\s+into|delete\s+from)\s+(?:"?\w+"?\.)?"?(\w+)"?', re.IGNORECASE)


@functools.cache
def content_tables():
    """The tables of the content apps' models, many-to-many tables included, history tables left out."""
    tables = set()
    for label in CONTENT_APPS:
        if apps.is_installed(label):
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                if not hasattr(model, "instance_type"):  # django-simple-history's rows come with the entry's
                    tables.add(model._meta.db_table)
    return frozenset(tables)


# Set by `bulk_writes()` in this thread: writes mark the version to move instead of moving it each time.
_bulk = threading.local()


@contextlib.contextmanager
def bulk_writes(using=DEFAULT_DB_ALIAS):
    """Within: the content version moves once, at the end, however many rows are written.

    For the loaders that write thousands of rows in one go (the demo data, an import): moving the
    version costs a cache write, which would otherwise be paid at every statement.
    """
    if getattr(_bulk, "written", None) is not None:  # nested: the outer block moves it
        yield
        return
    _bulk.written = False
    try:
        yield
    finally:
        written, _bulk.written = _bulk.written, None
        if written:
            bump_content_version(using)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if sql[:12].lstrip()[:6].upper() in ("UPDATE", "INSERT", "DELETE"):
        match = _WRITE.match(sql)
        if match and match[1] in content_tables():
            if getattr(_bulk, "written", None) is None:
                bump_content_version(context["connection"].alias)
            else:
                _bulk.written = True
    return result


def _connected(sender, connection, **kwargs):
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def _migrated(sender, **kwargs):
    # A new release may render pages differently: a deploy's migrate starts a new version.
    advance_content_version()


def watch_content_writes():
    """Move the version on after every statement that writes to a content table, on every connection.

    At the level of SQL rather than model signals, so that no path is missed: save() and delete()
    as much as queryset update() and delete(), bulk_create(), many-to-many changes, raw SQL and data
    migrations. A `with connection.execute_wrapper(...)` block keeps this one: it appends after it.
    """
    connection_created.connect(_connected, dispatch_uid="content-version:connection")
    for connection in connections.all(initialized_only=True):
        _connected(None, connection)
    post_migrate.connect(_migrated, sender=apps.get_app_config("communs"), dispatch_uid="content-version:migrate")
