import pytest


@pytest.fixture(autouse=True)
def _local_sources_allowed(settings):
    # The importers' tests serve their sources on 127.0.0.1, an address the fetch policy refuses
    # unless its host is allowed (catalogues/fetch.py).
    settings.FETCH_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]
