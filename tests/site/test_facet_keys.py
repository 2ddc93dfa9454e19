"""The facet values on the search documents: a search page counts its facets from the matching
documents in one pass (communs.listing.count_facets), with the same counts as the statement that
joins each relation, and the documents follow the rows they count."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Actor
from communs import listing
from communs.models import FacetKey, SearchDocument
from communs.search_index import facet_keys_of, key_text
from initiatives.models import CriterionAssessment, Deployment, Initiative
from tests.factories import PUBLISHED, make_actor, make_initiative, make_territory

pytestmark = pytest.mark.django_db


def facets(client, query):
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200
    return response.context["facets"]


def keys_of(slug):
    initiative = Initiative.objects.get(slug=slug)
    return facet_keys_of(SearchDocument.objects.get(object_id=initiative.pk, content_type__model="initiative"))


@pytest.mark.parametrize("query", ["q=IGN", "q=cartographie", "q=logiciels", "q=commun", "q=cartografie", "q=zzzz"])
def test_counted_from_the_documents_as_from_the_relations(client, directory, monkeypatch, query):
    used = []
    real = listing.count_from_documents

    def spy(filterset):
        used.append(result := real(filterset))
        return result

    monkeypatch.setattr(listing, "count_from_documents", spy)
    response = client.get(f"/initiatives/?{query}")
    assert used and used[0] is not None
    monkeypatch.setattr(listing, "count_from_documents", lambda filterset: None)
    usual = client.get(f"/initiatives/?{query}&ordering=name")  # another key for the facet cache
    assert response.context["facets"] == usual.context["facets"]
    assert response.context["total"] == usual.context["total"] == used[0][0]


def test_a_narrowing_filter_counts_the_usual_way(client, directory, monkeypatch):
    used = []
    real = listing.count_from_documents
    monkeypatch.setattr(listing, "count_from_documents", lambda fs: used.append(real(fs)) or used[-1])
    facets(client, "q=IGN&kind=data")
    assert used == [None]


def test_a_document_without_keys_is_counted_the_usual_way(client, directory):
    expected = facets(client, "q=cartographie")
    SearchDocument.objects.update(facet_ids=None)
    assert facets(client, "q=cartographie&ordering=name") == expected


def test_the_documents_follow_the_rows_they_count(directory):
    initiative = Initiative.objects.get(slug="fabrique-des-geocommuns")
    brest = make_territory("com-99001", "Testville", parent=make_territory("dep-990", "Testdépartement"))
    rennes = make_actor("ville-de-rennes", "Ville de Rennes", publication_status=PUBLISHED)
    use = Deployment.objects.create(initiative=initiative, actor=rennes, territory=brest, publication_status=PUBLISHED)
    keys = keys_of(initiative.slug)
    assert ("used_by", "ville-de-rennes", "Ville de Rennes", "") in keys
    assert {("used_in", "com-99001", "Testville"), ("used_in", "dep-990", "Testdépartement")} <= keys

    Actor.objects.filter(pk=rennes.pk).update(publication_status="draft")
    rennes.refresh_from_db()
    rennes.save()  # the actor's own save rewrites the documents that count it
    assert not any(key[0] == "used_by" for key in keys_of(initiative.slug))

    use.delete()
    assert not any(key[0] == "used_in" for key in keys_of(initiative.slug))

    partial = CriterionAssessment.objects.get(initiative=initiative, criterion="shared_governance")
    assert ("criterion", "shared_governance") not in keys_of(initiative.slug)
    partial.status = CriterionAssessment.Status.MET
    partial.save()
    assert ("criterion", "shared_governance") in keys_of(initiative.slug)


def test_many_matches_a_sample_counted_with_the_exact_total(client, monkeypatch):
    for number in range(40):
        make_initiative(f"commun-{number}", f"Commun {number}", publication_status=PUBLISHED)
    monkeypatch.setattr(listing, "FACET_EXACT_MAX", 10)
    monkeypatch.setattr(listing, "FACET_SAMPLE_SIZE", 10)
    response = client.get("/initiatives/?q=commun")
    assert response.context["total"] == 40  # exact, from the same pass as the sample
    kind = next(f for f in response.context["facets"] if f["name"] == "kind")
    software = next(o for o in kind["options"] if o["value"] == "software")
    assert software["shown"] == f"≈ {software['count']}"
    monkeypatch.setattr(listing, "count_from_documents", lambda filterset: None)
    usual = client.get("/initiatives/?q=commun&ordering=name")
    assert usual.context["facets"] == response.context["facets"]  # the same sample, the same estimates


def test_a_new_commons_carries_its_keys(directory):
    make_initiative("nouveau", "Nouveau commun", kind="data", launch_year=2020, publication_status=PUBLISHED)
    keys = keys_of("nouveau")
    assert {("kind", "data"), ("launch_year", "2020")} <= keys


def kinds(response):
    kind = next(facet for facet in response.context["facets"] if facet["name"] == "kind")
    return {option["value"]: option["count"] for option in kind["options"]}


def test_a_search_counts_from_the_documents_alone_and_follows_publication(client, directory):
    """A search with no other filter counts its matches from the documents' `public` flag: a
    draft that matches is not counted, and publishing it (its own save) counts it at once."""
    draft = make_initiative("cartographie-en-brouillon", "Cartographie en brouillon", kind="data")
    with CaptureQueriesContext(connection) as queries:
        before = client.get("/initiatives/?q=cartographie")
    counting = [query["sql"] for query in queries if "facet_key" in query["sql"]]
    assert len(counting) == 1 and "initiatives_initiative" not in counting[0]
    assert draft.slug not in [entry.slug for entry in before.context["page"]]

    draft.publication_status = PUBLISHED
    draft.save()
    after = client.get("/initiatives/?q=cartographie")
    assert after.context["total"] == before.context["total"] + 1
    assert kinds(after)["data"] == kinds(before).get("data", 0) + 1


def test_a_document_whose_visibility_is_unknown_is_counted_the_usual_way(client, directory):
    expected = facets(client, "q=cartographie")
    SearchDocument.objects.update(public=None)
    assert facets(client, "q=cartographie&ordering=name") == expected


def test_a_renamed_value_gets_a_new_key_and_a_rebuild_drops_the_old_one(directory):
    initiative = Initiative.objects.get(slug="fabrique-des-geocommuns")
    sector = initiative.sectors.order_by("slug").first()
    old = ("sector", sector.slug, sector.name)
    assert old in keys_of(initiative.slug)
    sector.name = "Géodonnées et cartes"
    sector.save()  # rewrites the documents that name it
    assert ("sector", sector.slug, "Géodonnées et cartes") in keys_of(initiative.slug)
    assert old not in keys_of(initiative.slug)
    assert FacetKey.objects.filter(key=key_text(old)).exists()  # kept until a rebuild
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert not FacetKey.objects.filter(key=key_text(old)).exists()
    assert ("sector", sector.slug, "Géodonnées et cartes") in keys_of(initiative.slug)
