import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.sharing import release_unless_used_by, shared_per_module

IN_CI = os.environ.get("CI", "").lower() == "true"


def chromium_path() -> str:
    """The Chromium that the browser tests drive: Debian's, unless CHROMIUM_PATH (environment or .env) names another."""
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


def require_shared_data(*parts) -> Path:
    """The path of a file or folder of the shared public data; skip locally when it is absent.

    In CI the data sits beside the clone, so a missing file is a failure there, never a skip.
    """
    path = Path(settings.SHARED_DATA_DIR, *parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"shared data missing in CI: {path}")
        pytest.skip(f"shared data not found at {path} (the ../shared folder is beside the clone in CI)")
    return path


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    release_unless_used_by(item)


def load_demo_data():
    call_command("load_demo_data", verbosity=0)


_demo_data = shared_per_module(load_demo_data)


@pytest.fixture
def demo_data(db, _demo_data):
    """The demo fixtures, loaded as `make run` loads them (once per module: see tests/sharing.py)."""
    return _demo_data.get()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The default hasher is slow by design; no test is about its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # Production serves hashed files after collectstatic; tests serve them from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # WhiteNoise then finds each file when it is asked for, as under `make run`, instead of indexing
    # the apps' static files and STATIC_ROOT (a `staticfiles/` left by collectstatic) every time a
    # test client builds the middleware.
    settings.WHITENOISE_AUTOREFRESH = True
