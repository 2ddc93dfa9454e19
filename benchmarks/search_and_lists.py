"""Measure search and list pages on a generated directory of N initiatives.

Usage:  .venv/bin/python benchmarks/search_and_lists.py [N]
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/search_and_lists.py 5000

It works in a throwaway test database (created and destroyed here: a file in a
temporary folder on SQLite, TEST_DATABASE_NAME on PostgreSQL), so the development
data is never touched. It measures with DEBUG off, as production runs, whatever
.env says. It prints the median and 95th percentile of each measured request and
the number of queries each one runs.

The entries come from benchmarks/generate.py, as for benchmarks/serve_bench.py: "cadastre"
finds about 5 % of them, "cdastre" is a typo that only typo tolerance finds. Quicker than the
serving benchmark while working on one query (no gunicorn, no load).
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "communs.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "test_communs_benchmark")
# Measured as production runs, with DEBUG off; the key only signs nothing in a throwaway database.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-key")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def measure(client, url, repeat=15):
    timings = []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    # Counted now: the next request resets the connection's query log.
    query_count = len(queries)
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return statistics.median(timings), p95, query_count


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    setup_test_environment(debug=False)
    scratch = None
    if connection.vendor == "sqlite":
        # A file, as a deployed SQLite is, outside the checkout (an in-memory database would flatter it).
        scratch = tempfile.mkdtemp(prefix="communs-benchmark-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(scratch) / "benchmark.sqlite3")
    settings.ALLOWED_HOSTS = ["testserver"]
    # What the views cost: neither the page cache nor the facet cache answers here.
    settings.PAGE_CACHE_TIMEOUT = settings.FACET_CACHE_TIMEOUT = 0
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.REST_FRAMEWORK = {**getattr(settings, "REST_FRAMEWORK", {}), "DEFAULT_THROTTLE_CLASSES": []}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from benchmarks.generate import populate
        from initiatives.models import Initiative, Sector

        start = time.perf_counter()
        # The serving benchmark's generator: varied texts, the search documents rebuilt, ANALYZE run.
        populate(n)
        print(f"{connection.vendor}: {n} initiatives generated in {time.perf_counter() - start:.1f} s")
        client = Client()
        sector = Sector.objects.order_by("pk").first().slug
        urls = [
            "/",
            "/initiatives/",
            "/initiatives/?q=cadastre",
            "/initiatives/?q=mobilite+covoiturage",
            "/initiatives/?q=cdastre",
            f"/initiatives/?sector={sector}&kind=software",
            Initiative.objects.order_by("pk")[n // 2].get_absolute_url(),
            "/acteurs/",
            "/financements/",
            "/api/v1/initiatives/",
            "/api/v1/initiatives/?q=cadastre&page_size=100",
        ]
        print(f"{'request':58} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for url in urls:
            median, p95, queries = measure(client, url)
            print(f"{url:58} {median:10.1f} {p95:8.1f} {queries:8d}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
