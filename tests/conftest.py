import contextlib
import datetime
import functools
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import django
import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS
from django.db.backends.signals import connection_created
from django.test import override_settings
from django.utils import translation

from communs.cache import advance_content_version
from tests.sharing import release_unless_used_by, shared_per_module

IN_CI = os.environ.get("CI", "").lower() == "true"


def chromium_path() -> str:
    """The Chromium that the browser tests drive: Debian's, unless CHROMIUM_PATH (environment or .env) names another."""
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


def require_redis(url):
    """Fail in CI, skip elsewhere, when no Redis answers at `url` (the tests of the Redis cache)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis unreachable in CI at {url}: {error}")
        pytest.skip(f"Redis unreachable at {url}: {error}")


def data_path(*parts) -> Path:
    """The path of a file or folder of the project's public data (data/README.md says where each comes from).

    The files ship with the project, so a missing one is a broken checkout: the test fails, never skips.
    """
    path = Path(settings.DATA_DIR, *parts)
    if not path.exists():
        pytest.fail(f"public data file missing from the project: {path}")
    return path


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="HH:MM",
        help="run with the clock set to this UTC time of today, ticking from there (`make test-clock` uses 23:30, "
        "when the UTC date and the Paris date differ)",
    )


@pytest.fixture(scope="session", autouse=True)
def _clock_of_this_run(request):
    """The clock of the whole run, when --clock sets it; otherwise the machine's.

    A test that compares dates must hold at any hour: CI runs the suite once more at 23:30 UTC (the
    hour in which Paris is already on the next day) under a far time zone, and a test that needs a
    given instant freezes it itself (the `time_machine` fixture).
    """
    value = request.config.getoption("--clock")
    if not value:
        yield
        return
    hours, minutes = (int(part) for part in value.split(":"))
    start = datetime.datetime.now(datetime.UTC).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    with time_machine.travel(start, tick=True):
        yield


# The longest modules (10 s or more of one worker in `make test`), started first: the workers take
# modules in the order of collection (pytest-xdist's loadfile), so that the short ones fill the end
# of the run instead of one of these. The top-level modules (tests/test_*.py) are collected last.
LONGEST_FIRST = (
    "tests/test_demo_data.py",
    "tests/site/test_demo_pages.py",
    "tests/catalogues/test_import_sill.py",
    "tests/api/test_fuzz.py",
    "tests/api/test_light_list.py",
    "tests/test_security.py",
    "tests/test_backup.py",
    "tests/test_migrations.py",
    "tests/test_cache_backends.py",
    "tests/test_rate_limits_workers.py",
    "tests/actors_identity/test_matching.py",
    "tests/api/test_query_budget.py",
    "tests/catalogues/test_derive.py",
    "tests/deployments/test_import.py",
)


def pytest_collection_modifyitems(items):
    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within each module and among the others is kept


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    release_unless_used_by(item)


def load_demo_data():
    call_command("load_demo_data", verbosity=0)


_demo_data = shared_per_module(load_demo_data)


def _migrated_template(tmp_path_factory):
    """Where this run keeps a SQLite database with every migration applied (see migrated_sqlite)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    root = tmp_path_factory.getbasetemp()
    return (root.parent if worker else root) / f"migrated-{worker or 'main'}.sqlite3"


@functools.cache
def _migrations_key():
    """A digest of what the migrated schema depends on: every migration file of every installed app
    (the project's and the libraries'), Django's and SQLite's versions."""
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
        digest.update(Path(sys.modules[loader.disk_migrations[key].__module__].__file__).read_bytes())
    return digest.hexdigest()[:16]


# Kept between runs, outside git (var/): the test database of the last run, as just migrated.
MIGRATED_CACHE = Path(settings.BASE_DIR) / "var" / "test-databases"


def _restore_migrated(path):
    """Fill the in-memory test database from `path` when Django first connects to it."""

    def restore(sender, connection, **kwargs):
        if connection.alias == DEFAULT_DB_ALIAS and connection.is_in_memory_db():
            connection_created.disconnect(restore)
            source = sqlite3.connect(path)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    connection_created.connect(restore, weak=False)
    return restore


def _kept_in_a_file(connection):
    """Whether the test database is SQLite's in-memory one, which var/test-databases keeps."""
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.creation._get_test_db_name()
    )


def _copy_sqlite(connection, target):
    """Copy the SQLite database of `connection` to the file `target`, which appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f"{target.stem}-{uuid.uuid4().hex[:8]}.building")
    copy = sqlite3.connect(building)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    os.replace(building, target)


def _postgres_template_name():
    """The database on the PostgreSQL server that holds a freshly migrated schema for these migrations."""
    return f"communs_test_migrated_{_migrations_key()}"


def _postgres_databases(pattern):
    from django.db import connection

    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE %s", [pattern])
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_blocker):
    """A test database migrated by an earlier run for the same migrations is copied instead of
    migrated again: migrate then finds nothing to apply (1 to 2 s instead of 8 to 16 s, in each xdist
    worker of each run). On SQLite it is restored from a file (var/test-databases); on PostgreSQL,
    created from a template database on the server (CREATE DATABASE … TEMPLATE, 0.1 s). See
    django_db_setup below, which keeps them."""
    from django.db import connection

    if _kept_in_a_file(connection):
        cached = MIGRATED_CACHE / f"{_migrations_key()}.sqlite3"
        if cached.exists():
            restore = _restore_migrated(cached)
            yield
            connection_created.disconnect(restore)  # never used if no test asked for the database
            return
    elif connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            if _postgres_databases(_postgres_template_name()):
                connection.settings_dict["TEST"]["TEMPLATE"] = _postgres_template_name()
    yield


def _keep_postgres_template():
    """Make this run's freshly migrated test database the template of the next runs."""
    from django.db import DatabaseError, connection

    template = _postgres_template_name()
    if connection.settings_dict["TEST"].get("TEMPLATE") == template:
        return
    source = connection.settings_dict["NAME"]
    connection.close()  # a database is copied only while no one is connected to it
    with connection._nodb_cursor() as cursor:
        for old in _postgres_databases("communs\\_test\\_migrated\\_%") - {template}:
            with contextlib.suppress(DatabaseError):  # in use by another run: left for later
                cursor.execute(f'DROP DATABASE "{old}"')
        with contextlib.suppress(DatabaseError):  # the other worker made it first
            cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{source}"')


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """pytest-django's test database; as soon as it is migrated, also copied for later use.

    On SQLite, one copy is migrated_sqlite's template: the tests that serve the site from processes
    of their own start from it instead of a `migrate` of their own (10 to 16 s per worker). Another
    is the next run's (django_db_modify_db_settings above), for as long as no migration changes, and
    on PostgreSQL a template database on the server. Copied now, before any test has written to the
    database (SQLite's backup takes 0.1 s).
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            _keep_postgres_template()
    elif connection.vendor == "sqlite":
        cached = MIGRATED_CACHE / f"{_migrations_key()}.sqlite3"
        targets = [_migrated_template(tmp_path_factory)]
        if _kept_in_a_file(connection) and not cached.exists():
            targets.append(cached)
        with django_db_blocker.unblock():
            connection.ensure_connection()
            for target in targets:
                _copy_sqlite(connection, target)
        if cached in targets:  # new migrations: the older schemas are of no more use
            for old in MIGRATED_CACHE.glob("*.sqlite3"):
                if old != cached:
                    old.unlink(missing_ok=True)
    yield


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory, django_db_setup):
    """copy_to(path): puts a SQLite database with every migration applied at `path`.

    Tests that serve the site from processes of their own (gunicorn workers, another instance to
    harvest) each needed a `migrate` of about 10 s. On SQLite the worker's own test database is
    copied (django_db_setup above); on PostgreSQL a file is migrated once per worker and copied.
    """
    template = _migrated_template(tmp_path_factory)

    def copy_to(path):
        if not template.exists():
            building = template.with_name(f"{template.stem}-{uuid.uuid4().hex[:8]}.sqlite3")
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{building}", "DEBUG": "1", "REDIS_URL": ""}
            env.setdefault("SECRET_KEY", "insecure-key-for-tests-only")
            manage = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
            subprocess.run(manage, env=env, cwd=settings.BASE_DIR, check=True)
            os.replace(building, template)
        shutil.copyfile(template, path)
        return path

    return copy_to


@pytest.fixture
def demo_data(db, _demo_data):
    """The demo fixtures, loaded as `make run` loads them (once per module: see tests/sharing.py)."""
    return _demo_data.get()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The default hasher is slow by design; no test is about its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def static_files_without_collectstatic():
    """The settings under which tests serve static files: production serves hashed files after
    collectstatic; tests serve them from the apps."""
    return {
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # WhiteNoise then finds each file when it is asked for, as under `make run`, instead of
        # indexing the apps' static files and STATIC_ROOT (a `staticfiles/` left by collectstatic)
        # every time a test client builds the middleware.
        "WHITENOISE_AUTOREFRESH": True,
    }


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    for name, value in static_files_without_collectstatic().items():
        setattr(settings, name, value)


@pytest.fixture(scope="session", autouse=True)
def _shared_cache_of_this_run(tmp_path_factory):
    """The shared cache, page cache on, in a place of this run and this xdist worker alone.

    The page cache stays on in tests, so that the whole suite shows it changes nothing a visitor
    sees. With REDIS_URL, keys get a prefix of this run and worker (the cache's clear() removes
    those only); otherwise the files go to a temporary folder of this worker.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if settings.REDIS_URL:
        prefix = f"test-{uuid.uuid4().hex[:12]}-{worker}:"
        configured = {
            alias: {**conf, "KEY_PREFIX": prefix + conf.get("KEY_PREFIX", "")}
            for alias, conf in settings.CACHES.items()
        }
    else:
        folder = tmp_path_factory.mktemp("cache")
        configured = {alias: {**conf, "LOCATION": folder / alias} for alias, conf in settings.CACHES.items()}
    with override_settings(CACHES=configured, PAGE_CACHE_TIMEOUT=600):
        yield
        # Redis keeps the keys after the run: remove this run's. The files are in pytest's temporary
        # folder, which pytest removes with its old runs; deleting them one by one here took seconds
        # at the end of each worker, when the whole suite waits for its last worker.
        if settings.REDIS_URL:
            for alias in configured:
                caches[alias].clear()


QUERY_BUDGET_FIXTURES = {"django_assert_num_queries", "django_assert_max_num_queries"}


@pytest.fixture(autouse=True)
def _fresh_content_version(request):
    # A rolled-back test leaves no rows behind but its pages would stay cached under the version it
    # reached: each test starts at a version that no earlier test has seen.
    advance_content_version()
    if QUERY_BUDGET_FIXTURES.isdisjoint(request.fixturenames):
        yield
        return
    # A query budget counts what the view runs when asked twice; the page cache would answer the
    # second request with none. tests/test_cache.py counts what a cached answer costs.
    with override_settings(PAGE_CACHE_TIMEOUT=0, FACET_CACHE_TIMEOUT=0):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    # A request to an /en/ page activates English in this thread; the next test must start in
    # French, the default, as a new request would.
    yield
    translation.activate(settings.LANGUAGE_CODE)
