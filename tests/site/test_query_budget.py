"""Every list page runs the same number of queries for 3 results as for 50."""

import datetime

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import Actor
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import CriterionAssessment, Deployment, Initiative, Involvement, Sector
from territories.models import Territory
from tests.conftest import static_files_without_collectstatic
from tests.factories import built_in_bulk
from tests.sharing import shared_per_module

pytestmark = pytest.mark.django_db

# Pinned: a change here must be deliberate (see initiatives/views.py). Every facet of a list is
# counted by one statement (communs.listing.count_facets), the text query's matches found once in
# it; on /initiatives/ two more queries count the actors and schemes a search also finds. Each
# search() also asks once whether anything matches as typed (else it looks for typos): one more per
# search, not for the counts of actors and schemes (they take the words as typed). Cards of commons
# read their criteria (one prefetch per page) for the label's summary. A search in relevance order
# reads its page in two queries: the best documents, then their entries (communs.search.ranked_page).
# A search with no other filter counts its matches and its facets in one pass over the matching
# documents' facet keys, reading the list's own search (not running it again with its "anything as
# typed?" question): two queries less.
# /financements/ reads its desk in two: the dated editions of the listed schemes, then the recurring
# ones and the proposals. The uses of the commons (initiatives.Deployment) are one section of a
# place's page.
PAGES = {
    # The map of France: the régions and départements, and the commons they hold.
    "/": 10,
    "/initiatives/": 5,
    "/initiatives/?q=commun&sector=secteur-0&kind=software&actor=acteur-0&role=carrier&tag=tag-0&ordering=-name": 12,
    "/acteurs/": 3,
    "/initiatives/?q=commun": 8,
    "/acteurs/?kind=agency&sector=secteur-0&q=acteur": 7,
    "/financements/": 7,
    "/financements/?availability=open&operator=acteur-0&ordering=deadline": 8,
    "/secteurs/secteur-0/": 7,
    "/territoires/com-1/": 11,
    "/territoires/reg-53/": 11,
    "/territoires/": 2,
}


def populate(size, start=0):
    """Initiatives, actors and schemes numbered `start` to `size` - 1, all linked to everything a
    page shows (the sectors and places come with the first ones)."""
    with built_in_bulk():
        today = timezone.localdate()
        if start == 0:
            sectors = [Sector.objects.create(name=f"Secteur {i}", slug=f"secteur-{i}") for i in range(2)]
            # In a département and a région, which count its commons (the map, the région's page).
            region = Territory.objects.create(code="reg-53", kind="region", name="Bretagne", official_code="53")
            departement = Territory.objects.create(
                code="dep-29", kind="departement", name="Finistère", official_code="29", parent=region
            )
            Territory.objects.create(code="com-1", kind="commune", name="Commune 1", parent=departement)
        sectors = list(Sector.objects.filter(slug__in=["secteur-0", "secteur-1"]))
        territory = Territory.objects.get(code="com-1")
        for i in range(start, size):
            actor = Actor.objects.create(
                name=f"Acteur {i}",
                slug=f"acteur-{i}",
                kind="agency",
                publication_status="published",
                territory=territory,
            )
            initiative = Initiative.objects.create(
                name=f"Commun {i}",
                slug=f"commun-{i}",
                kind="software",
                summary="Un commun",
                publication_status="published",
                development_status="stable",
            )
            initiative.sectors.set(sectors)
            initiative.territories.set([territory])
            initiative.tags.add("tag-0", f"tag-{i}")
            Involvement.objects.create(initiative=initiative, actor=actor, role="carrier")
            Involvement.objects.create(initiative=initiative, actor=Actor.objects.get(slug="acteur-0"), role="user")
            Deployment.objects.create(
                initiative=initiative,
                actor=actor,
                url=f"https://commun-{i}.example.fr",
                territory=territory,
                publication_status="published",
            )
            CriterionAssessment.objects.create(initiative=initiative, criterion="open_licence", status="met")
            scheme = FundingScheme.objects.create(
                name=f"Dispositif {i}",
                slug=f"dispositif-{i}",
                kind="fund",
                status="open",
                publication_status="published",
                eligible_association=True,
            )
            scheme.operators.set([actor, Actor.objects.get(slug="acteur-0")])
            scheme.sectors.set(sectors)
            edition = FundingEdition.objects.create(
                scheme=scheme, label="2030", closes_on=today + datetime.timedelta(days=i + 1)
            )
            Award.objects.create(edition=edition, initiative=initiative, amount=1000)


def queries_of(client, url):
    """The status, size and SQL statements of one request of `url`."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(response.content), [query["sql"] for query in queries.captured_queries]


def measure_every_page():
    """Each page's queries with the first 3 of everything, then with 50: the directory is built once
    for the module (tests/sharing.py) and each page asked for in both states, instead of 47 entries
    built again for every page (2.5 s each)."""
    populate(3)
    client = Client()
    # The page and facet caches would answer the second request with no query at all.
    # (A module's fixture runs before the tests' own settings: the static files' are applied here.)
    with override_settings(PAGE_CACHE_TIMEOUT=0, FACET_CACHE_TIMEOUT=0, **static_files_without_collectstatic()):
        for url in PAGES:
            client.get(url)  # process-wide caches (content types, translations) warmed
        small = {url: queries_of(client, url) for url in PAGES}
        populate(50, start=3)
        large = {url: queries_of(client, url) for url in PAGES}
    return small, large


_measured = shared_per_module(measure_every_page)


@pytest.mark.parametrize("url", list(PAGES))
def test_list_pages_run_a_fixed_number_of_queries(url, _measured):
    small, large = _measured.get()
    (small_status, small_size, small_queries), (large_status, large_size, large_queries) = small[url], large[url]
    assert small_status == large_status == 200
    listing = "\n".join(large_queries)
    assert len(small_queries) == PAGES[url], f"{len(small_queries)} queries with 3 entries:\n" + "\n".join(
        small_queries
    )
    assert len(large_queries) == PAGES[url], f"{len(large_queries)} queries with 50 entries:\n{listing}"
    # The larger directory really shows more on the page (or the test proves nothing).
    assert large_size > small_size


def test_detail_pages_do_not_grow_with_their_relations(client, django_assert_num_queries):
    """An initiative with 2 actors and one with 29 cost the same; likewise actors and schemes."""
    populate(3)
    urls = ["/initiatives/commun-0/", "/acteurs/acteur-0/", "/financements/dispositif-0/"]
    budgets = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        budgets[url] = len(queries)

    initiative = Initiative.objects.get(slug="commun-0")
    main_actor = Actor.objects.get(slug="acteur-0")
    scheme = FundingScheme.objects.get(slug="dispositif-0")
    edition = scheme.editions.get()
    CriterionAssessment.objects.create(initiative=initiative, criterion="shared_governance", status="partial")
    for i in range(3, 30):
        actor = Actor.objects.create(
            name=f"Autre {i}", slug=f"autre-{i}", kind="company", publication_status="published", parent=main_actor
        )
        Involvement.objects.create(initiative=initiative, actor=actor, role="user")
        # Its uses, on the commons' page, and the main actor's, on its page.
        Deployment.objects.create(
            initiative=initiative, actor=actor, url=f"https://autre-{i}.example.fr", publication_status="published"
        )
        laureate = Initiative.objects.create(
            name=f"Lauréat {i}", slug=f"laureat-{i}", kind="data", publication_status="published"
        )
        laureate.sectors.set(initiative.sectors.all())
        Involvement.objects.create(initiative=laureate, actor=main_actor, role="contributor")
        Deployment.objects.create(initiative=laureate, actor=main_actor, publication_status="published")
        Award.objects.create(edition=edition, initiative=laureate)
        scheme.operators.add(actor)

    for url in urls:
        with django_assert_num_queries(budgets[url]):
            assert client.get(url).status_code == 200
