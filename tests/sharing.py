"""Test data built once per module and shared by its tests, as Django's `TestCase.setUpTestData` does.

`shared_per_module(build)` gives a module-scoped fixture that runs `build()` once, inside a
transaction of its own that is rolled back when the module is done. Each test still runs in its
own transaction (a savepoint inside that one, opened by pytest-django's `db`), so what a test writes
is undone before the next test, which therefore sees the data as built; the objects `build()`
returned are deep-copied for each test, so that changing one in a test leaves the others' alone.

Tests of the same module that do not ask for the data must not see it: before such a test the
shared transaction is rolled back (see `release_unless_used_by`, called by tests/conftest.py), and
the module's later tests that ask for the data get it built afresh inside their own transaction.
The result never depends on the order of the tests, only the time taken does.
"""

import copy

import pytest
from django.db import transaction


class _SharedData:
    """The data of one shared fixture, while its transaction is open."""

    current = None  # the one open at the moment, if any: they are never nested

    def __init__(self, fixture_name, build, blocker):
        self.fixture_name = fixture_name
        self.build = build
        self.blocker = blocker
        self.atomic = None
        self.data = None

    def open(self):
        if _SharedData.current is not None:
            # A test asking for two shared fixtures: the first one's data is built for it alone.
            _SharedData.current.close()
        from communs import search_index  # not at the top: conftest imports this module before Django's setup

        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            # As for TestCase's own transactions: an atomic(durable=True) block inside stays allowed.
            self.atomic._from_testcase = True
            self.atomic.__enter__()
            _SharedData.current = self
            try:
                self.data = self.build()
                # As a commit would: the search documents noted while building are written in
                # this transaction, not in the first test's (rolled back after it).
                search_index.flush()
            except BaseException:
                self.close()
                raise

    def close(self):
        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.data = None
        _SharedData.current = None

    def get(self):
        """The data for one test: a copy of the shared data, or built for this test alone."""
        if self.atomic is None:
            return self.build()
        return copy.deepcopy(self.data)


def shared_per_module(build):
    """A module-scoped fixture holding `build()`'s data; ask for it through a function-scoped one:

        _directory = shared_per_module(build_directory)

        @pytest.fixture
        def directory(db, _directory):
            return _directory.get()

    A test sees the shared data only if it asks for this module-scoped fixture, directly or not.
    """

    @pytest.fixture(scope="module")
    def fixture(request, django_db_setup, django_db_blocker):
        shared = _SharedData(request.fixturename, build, django_db_blocker)
        shared.open()
        yield shared
        shared.close()

    return fixture


def release_unless_used_by(item):
    """Before `item` runs (fixtures included): roll the shared data back unless the test asks for it."""
    shared = _SharedData.current
    if shared is not None and shared.fixture_name not in getattr(item, "fixturenames", ()):
        shared.close()
