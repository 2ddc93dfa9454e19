"""Measure search and list pages on a generated directory of N initiatives.

Usage:  .venv/bin/python benchmarks/search_and_lists.py [N]
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/search_and_lists.py 5000

It works in a throwaway test database (created and destroyed here: a file in a
temporary folder on SQLite, TEST_DATABASE_NAME on PostgreSQL), so the development
data is never touched. It measures with DEBUG off, as production runs, whatever
.env says. It prints the median and 95th percentile of each measured request and
the number of queries each one runs.

The generated texts cycle through a small vocabulary, so a one-word query such as
"geographiques" matches every entry: the worst case for a search page. The query
"cybersecurite inclusion 1234" is the more usual case of a narrow match.
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

WORDS = [
    "commun",
    "logiciel",
    "données",
    "géographiques",
    "mobilité",
    "participation",
    "citoyenne",
    "santé",
    "éducation",
    "cybersécurité",
    "inclusion",
    "numérique",
    "territoire",
    "collectivité",
    "plateforme",
    "référentiel",
    "ouverte",
]


def populate(n):
    from actors.models import Actor
    from initiatives.models import Initiative, Involvement, Sector

    sectors = [Sector.objects.create(name=f"Secteur {i}", slug=f"secteur-{i}") for i in range(14)]
    actors = Actor.objects.bulk_create(
        Actor(
            name=f"Acteur public {i}",
            acronym=f"AP{i}",
            slug=f"acteur-{i}",
            kind="agency",
            publication_status=Initiative.PublicationStatus.PUBLISHED,
        )
        for i in range(max(n // 10, 10))
    )
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            name=f"Initiative {WORDS[i % len(WORDS)]} {i}",
            slug=f"initiative-{i}",
            kind="software",
            summary=" ".join(WORDS[(i + k) % len(WORDS)] for k in range(8)),
            description=" ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(60)),
            publication_status=Initiative.PublicationStatus.PUBLISHED,
        )
        for i in range(n)
    )
    through = Initiative.sectors.through
    through.objects.bulk_create(
        through(initiative_id=obj.pk, sector_id=sectors[i % len(sectors)].pk) for i, obj in enumerate(initiatives)
    )
    Involvement.objects.bulk_create(
        Involvement(initiative=obj, actor=actors[i % len(actors)], role="carrier") for i, obj in enumerate(initiatives)
    )


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
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.REST_FRAMEWORK = {**getattr(settings, "REST_FRAMEWORK", {}), "DEFAULT_THROTTLE_CLASSES": []}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        populate(n)
        # Statistics for the planner, as a live database has them (autovacuum on PostgreSQL);
        # without them both databases choose poor plans for freshly bulk-loaded tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{connection.vendor}: {n} initiatives generated in {time.perf_counter() - start:.1f} s")
        client = Client()
        urls = [
            "/",
            "/initiatives/",
            "/initiatives/?q=geographiques",
            "/initiatives/?q=logiciel+mobilite",
            "/initiatives/?q=initiatve",
            "/initiatives/?q=cybersecurite+inclusion+1234",
            "/initiatives/?sector=secteur-3&kind=software",
            "/initiatives/initiative-1/",
            "/acteurs/",
            "/financements/",
            "/api/v1/initiatives/",
            "/api/v1/initiatives/?q=geographiques&page_size=100",
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
