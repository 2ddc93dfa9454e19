"""Each list runs the same number of queries for 3 entries or 100."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import Actor
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import CriterionAssessment, Deployment, Initiative, Involvement, Sector
from territories.models import Territory
from tests.factories import built_in_bulk

pytestmark = pytest.mark.django_db


def build(start, stop):
    """Entries number start … stop-1 of each kind, each linked to several others."""
    with built_in_bulk():
        sector, _ = Sector.objects.get_or_create(name="Géodonnées", slug="geodonnees")
        other_sector, _ = Sector.objects.get_or_create(name="Mobilité", slug="mobilite")
        france, _ = Territory.objects.get_or_create(code="fr", kind="country", name="France")
        for n in range(start, stop):
            place = Territory.objects.create(
                code=f"dep-{n}", kind="departement", name=f"Département {n}", parent=france
            )
            actor = Actor.objects.create(
                name=f"Acteur {n}", slug=f"acteur-{n}", kind="agency", publication_status="published", territory=france
            )
            initiative = Initiative.objects.create(
                name=f"Commun {n}", slug=f"commun-{n}", kind="data", publication_status="published"
            )
            initiative.sectors.add(sector, other_sector)
            initiative.territories.add(france)
            initiative.tags.add(f"tag-{n}", "commun")
            Involvement.objects.create(initiative=initiative, actor=actor, role="carrier")
            Involvement.objects.create(initiative=initiative, actor=actor, role="user")
            Deployment.objects.create(
                initiative=initiative,
                actor=actor,
                url=f"https://commun-{n}.example.fr",
                territory=place,
                publication_status="published",
            )
            CriterionAssessment.objects.create(initiative=initiative, criterion="open_licence", status="met")
            scheme = FundingScheme.objects.create(
                name=f"Dispositif {n}",
                slug=f"dispositif-{n}",
                kind="fund",
                publication_status="published",
                territory=france,
            )
            scheme.operators.add(actor)
            scheme.funders.add(actor)
            scheme.sectors.add(sector)
            edition = FundingEdition.objects.create(scheme=scheme, label="2024", year=2024)
            Award.objects.create(edition=edition, initiative=initiative, amount=1000)
            Initiative.objects.create(
                name=f"Ancien {n}",
                slug=f"ancien-{n}",
                kind="data",
                publication_status="archived",
                status_changed_at=timezone.now(),
            )


LISTS = [
    "/api/v1/initiatives/",
    "/api/v1/actors/",
    "/api/v1/funding-schemes/",
    "/api/v1/involvements/",
    "/api/v1/editions/",
    "/api/v1/awards/",
    "/api/v1/sectors/",
    "/api/v1/territories/",
    "/api/v1/tags/",
    "/api/v1/initiatives/?q=commun&sector=geodonnees&ordering=relevance",
    "/api/v1/actors/?q=acteur&kind=agency",
    "/api/v1/funding-schemes/?availability=open&ordering=deadline",
    "/api/v1/initiatives/?format=csv",
    "/api/v1/funding-schemes/?format=csv",
    "/api/v1/initiatives/archived/",
    "/api/v1/actors/archived/?updated_since=2020-01-01",
]


def page_of_100(url):
    return url + ("&" if "?" in url else "?") + "page_size=100"


def count_queries(api, url):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(page_of_100(url))
    assert response.status_code == 200, response.content
    return len(captured), response


def test_the_initiative_list_budget_is_pinned(api, db, django_assert_num_queries):
    build(0, 3)
    api.get("/api/v1/initiatives/")
    # count, page, sectors, categories, territories, tags, criteria, derived facts with their sources,
    # involvements with actors, awards with schemes, deployments with their organisations and places,
    # and the table's last change (Last-Modified).
    with django_assert_num_queries(12):
        api.get("/api/v1/initiatives/")


def english_descriptions(start, stop):
    """A source's English description for entries start … stop-1 (as the SILL's en-desc is kept)."""
    from django.contrib.contenttypes.models import ContentType

    from catalogues.models import Record
    from communs.models import Source

    source, _ = Source.objects.get_or_create(
        key="sill", defaults={"title": "SILL", "url": "https://code.gouv.fr/sill/"}
    )
    content_type = ContentType.objects.get_for_model(Initiative)
    for initiative in Initiative.objects.filter(slug__in=[f"commun-{n}" for n in range(start, stop)]):
        Record.objects.create(
            source=source,
            external_id=f"sill:{initiative.slug}",
            content_type=content_type,
            object_id=initiative.pk,
            extra={"descriptions": {"en": f"{initiative.name} in English"}},
            last_imported_at=timezone.now(),
        )


def test_every_list_runs_the_same_queries_for_3_or_100_entries(api, db, django_assert_num_queries):
    # One test for every list, in French and in English, so that the 97 more entries are built once.
    build(0, 3)
    english_descriptions(0, 3)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    english_list = page_of_100("/api/v1/initiatives/")
    for url in LISTS:
        api.get(page_of_100(url))  # warm the process-wide caches (content types)
    api.get(english_list, **english)
    few = {url: count_queries(api, url)[0] for url in LISTS}
    with CaptureQueriesContext(connection) as few_in_english:
        api.get(english_list, **english)
    build(3, 100)
    english_descriptions(3, 100)
    for url in LISTS:
        with django_assert_num_queries(few[url]):
            response = api.get(page_of_100(url))
        if (
            "format=csv" not in url
            and "availability" not in url
            and "/sectors/" not in url
            and "/actors/archived/" not in url
        ):
            assert response.json()["count"] >= 100, url

    # Accept-Language: en gives each entry its source's English description: one query for the page,
    # not one per entry.
    with django_assert_num_queries(len(few_in_english)):
        response = api.get(english_list, **english)
    descriptions = {row["slug"]: row["description"] for row in response.json()["results"]}
    assert len(descriptions) == 100 and descriptions["commun-42"] == "Commun 42 in English"
    french = api.get(english_list).json()["results"]
    assert all("in English" not in (row["description"] or "") for row in french)
