"""The API's filters are the site's: the same query string gives the same entries."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from actors.filters import ActorFilter
from actors.models import Actor
from funding.filters import FundingSchemeFilter
from funding.models import FundingScheme
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

INITIATIVE_QUERIES = [
    "",
    "sector=geodonnees",
    "kind=data&kind=programme",
    "actor=ign",
    "actor=ign&role=funder",
    "role=carrier",
    "actor=dinum&role=funder",
    "territory=reg-53",
    "development_status=mature&development_status=beta",
    "funding_scheme=appel-a-communs-ademe",
    "tag=adresses",
    "scope=national&sector=geodonnees",
    "q=adresse",
    "q=geocommuns",
    "q=IGN",
    "q=decidim&kind=software",
    "ordering=-name",
    "ordering=-updated_at&kind=software&kind=data",
]


def api_slugs(api, path, query):
    response = api.get(f"{path}?{query}&page_size=100")
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def site_slugs(client, query):
    """The slugs that the site's list page shows in its results, in order."""
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    total = int(re.search(r'data-total="(\d+)"', html).group(1))
    assert total <= 20, "the comparison needs every result on the site's first page"
    if "annuaire-results" not in html:
        return []
    results = html[html.index("annuaire-results") :]
    results = results.split('class="fr-pagination"')[0]
    # One card per result; its title links to the initiative's page.
    return re.findall(r'class="fr-card__title"><a href="/initiatives/([-\w]+)/"', results)


@pytest.mark.parametrize("query", INITIATIVE_QUERIES)
def test_initiatives_same_query_string_same_entries_as_the_site(api, client, directory, query):
    from django.http import QueryDict

    expected = [i.slug for i in InitiativeFilter(QueryDict(query), queryset=Initiative.objects.published()).qs]
    found = api_slugs(api, "/api/v1/initiatives/", query)
    assert found == expected
    assert found == site_slugs(client, query)


def test_the_parity_cases_are_not_trivial(api, directory):
    # Each combination above narrows the list differently; a filter ignored by both would pass
    # the parity test, so a few expected sets are pinned here.
    assert api_slugs(api, "/api/v1/initiatives/", "actor=ign&role=funder") == []
    assert api_slugs(api, "/api/v1/initiatives/", "actor=dinum&role=funder") == ["base-adresse-nationale"]
    assert api_slugs(api, "/api/v1/initiatives/", "sector=geodonnees") == [
        "base-adresse-nationale",
        "fabrique-des-geocommuns",
    ]
    assert api_slugs(api, "/api/v1/initiatives/", "territory=reg-53") == ["decidim"]
    assert api_slugs(api, "/api/v1/initiatives/", "funding_scheme=appel-a-communs-ademe") == ["fabrique-des-geocommuns"]
    assert api_slugs(api, "/api/v1/initiatives/", "q=geocommuns") == ["fabrique-des-geocommuns"]
    assert api_slugs(api, "/api/v1/initiatives/", "ordering=-name") == [
        "fabrique-des-geocommuns",
        "decidim",
        "base-adresse-nationale",
    ]


@pytest.mark.parametrize("query", ["", "kind=agency", "sector=geodonnees", "role=carrier", "territory=reg-53", "q=IGN"])
def test_actors_same_entries_as_the_filterset(api, directory, query):
    from django.http import QueryDict

    expected = [a.slug for a in ActorFilter(QueryDict(query), queryset=Actor.objects.published()).qs]
    assert api_slugs(api, "/api/v1/actors/", query) == expected


@pytest.mark.parametrize(
    "query",
    ["", "kind=call_for_commons", "beneficiary=association", "availability=closed", "operator=ademe", "q=ademe"],
)
def test_funding_schemes_same_entries_as_the_filterset(api, directory, query):
    from django.http import QueryDict

    expected = [s.slug for s in FundingSchemeFilter(QueryDict(query), queryset=FundingScheme.objects.published()).qs]
    found = api_slugs(api, "/api/v1/funding-schemes/", query)
    assert found == expected
    if query:
        assert found == ["appel-a-communs-ademe"]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("kind=bogus", "kind"),
        ("sector=no-such-sector", "sector"),
        ("actor=acteur-brouillon", "actor"),  # unpublished: not a valid choice for the public
        ("role=king", "role"),
        ("territory=dep-99", "territory"),
        ("ordering=price", "ordering"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2024-13-45T00:00:00Z", "updated_since"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=ten", "page_size"),
        ("page=abc", "page"),
        ("q=" + "x" * 10_001, "q"),
        ("tag=%00", "tag"),
    ],
)
def test_an_invalid_filter_value_is_a_400_naming_the_parameter(api, directory, query, parameter):
    response = api.get(f"/api/v1/initiatives/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert parameter in body["errors"]
    assert parameter in body["detail"]
    assert body["status"] == 400 and body["title"] == "Bad Request"


def test_updated_since_returns_the_entries_changed_since(api, directory):
    old = timezone.now() - timedelta(days=30)
    Initiative.objects.filter(slug__in=["decidim", "fabrique-des-geocommuns"]).update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.get("/api/v1/initiatives/", {"updated_since": since})
    assert [row["slug"] for row in response.json()["results"]] == ["base-adresse-nationale"]
    # A date alone is ISO 8601 too.
    day = (timezone.now() - timedelta(days=60)).date().isoformat()
    assert api.get("/api/v1/initiatives/", {"updated_since": day}).json()["count"] == 3


def test_updated_since_catches_a_new_role_written_through_the_api(curator_client, api, directory):
    old = timezone.now() - timedelta(days=30)
    Initiative.objects.update(updated_at=old)
    since = (timezone.now() - timedelta(seconds=1)).isoformat()
    assert api.get("/api/v1/initiatives/", {"updated_since": since}).json()["count"] == 0
    response = curator_client.post(
        "/api/v1/involvements/", {"initiative": "decidim", "actor": "dinum", "role": "promoter"}, format="json"
    )
    assert response.status_code == 201
    assert [r["slug"] for r in api.get("/api/v1/initiatives/", {"updated_since": since}).json()["results"]] == [
        "decidim"
    ]


def test_pagination_has_count_next_previous_and_results(api, db):
    for number in range(25):
        Initiative.objects.create(
            name=f"Commun {number:02}", slug=f"commun-{number:02}", kind="data", publication_status="published"
        )
    first = api.get("/api/v1/initiatives/").json()
    assert first["count"] == 25 and len(first["results"]) == 20 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None and second["previous"]
    assert [r["slug"] for r in first["results"] + second["results"]] == [f"commun-{n:02}" for n in range(25)]
    assert len(api.get("/api/v1/initiatives/?page_size=100").json()["results"]) == 25
    assert len(api.get("/api/v1/initiatives/?page_size=7").json()["results"]) == 7
    past_the_end = api.get("/api/v1/initiatives/?page=9")
    assert past_the_end.status_code == 404 and past_the_end["Content-Type"] == "application/problem+json"
    response = api.get("/api/v1/initiatives/?page_size=10")
    assert 'rel="next"' in response["Link"]


def test_filters_are_ignored_on_a_detail_url(api, directory):
    assert api.get("/api/v1/initiatives/decidim/?kind=data").status_code == 200


def _site_page(client, query):
    html = client.get(f"/initiatives/?{query}").content.decode()
    total = int(re.search(r'data-total="(\d+)"', html).group(1))
    results = (
        html[html.index("annuaire-results") :].split('class="fr-pagination"')[0] if "annuaire-results" in html else ""
    )
    return total, re.findall(r'class="fr-card__title"><a href="/initiatives/([-\w]+)/"', results)


def test_site_and_api_agree_on_the_demo_data(api, client, demo_data):
    """On the real demo data: same totals and same first page for combinations of its own values."""
    from django.http import QueryDict

    published = Initiative.objects.published()
    assert published.exists()
    queries = ["", "q=commun", "q=IGN", "ordering=-name", "ordering=-updated_at"]
    for initiative in published.prefetch_related("sectors", "territories", "tags", "involvements__actor")[:6]:
        queries.append(f"kind={initiative.kind}")
        queries += [f"sector={sector.slug}" for sector in initiative.sectors.all()[:1]]
        queries += [f"territory={territory.code}" for territory in initiative.territories.all()[:1]]
        queries += [f"tag={tag.slug}" for tag in initiative.tags.all()[:1]]
        queries += [
            f"actor={i.actor.slug}&role={i.role}" for i in initiative.involvements.all()[:1] if i.actor.is_published
        ]
        if initiative.development_status:
            queries.append(f"development_status={initiative.development_status}&kind={initiative.kind}")
    for query in dict.fromkeys(queries):
        expected = [i.slug for i in InitiativeFilter(QueryDict(query), queryset=published).qs]
        response = api.get(f"/api/v1/initiatives/?{query}&page_size=100")
        assert response.status_code == 200, (query, response.content)
        assert [row["slug"] for row in response.json()["results"]] == expected[:100], query
        total, first_page = _site_page(client, query)
        assert total == response.json()["count"] == len(expected), query
        assert first_page == expected[:20], query


@pytest.mark.parametrize("offset", ["-19:41", "+23:59", "+14:00", "Z"])
def test_updated_since_takes_any_iso_8601_offset(api, client, directory, offset):
    # Found by the fuzz run: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows.
    from urllib.parse import quote

    value = quote(f"1964-08-16T01:05:22.4{offset}")
    response = api.get(f"/api/v1/initiatives/?updated_since={value}")
    assert response.status_code == 200 and response.json()["count"] == 3
    assert client.get(f"/initiatives/?updated_since={value}").status_code == 200
