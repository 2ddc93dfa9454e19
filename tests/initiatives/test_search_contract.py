"""The search() contract: the same on SQLite and PostgreSQL."""

import pytest
from django.db import connection

from actors.models import Actor
from communs.search import search
from initiatives.models import Initiative, Involvement

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    ign = Actor.objects.create(
        name="Institut national de l'information géographique et forestière",
        acronym="IGN",
        slug="ign",
        kind="agency",
        publication_status="published",
    )
    fabrique = Initiative.objects.create(
        name="Fabrique des géocommuns",
        slug="fabrique-des-geocommuns",
        kind="programme",
        summary="Incubateur de communs de données géographiques",
        publication_status="published",
    )
    Involvement.objects.create(initiative=fabrique, actor=ign, role="carrier")
    decidim = Initiative.objects.create(
        name="Decidim",
        slug="decidim",
        kind="software",
        summary="Plateforme de participation citoyenne",
        publication_status="published",
    )
    sill = Initiative.objects.create(
        name="Socle interministériel de logiciels libres",
        acronym="SILL",
        slug="sill",
        kind="standard",
        description="Le catalogue des logiciels libres recommandés.",
        publication_status="published",
    )
    return {"fabrique": fabrique, "decidim": decidim, "sill": sill}


def slugs(text):
    return list(search(Initiative.objects.all(), text).order_by("-search_rank", "name").values_list("slug", flat=True))


@pytest.mark.parametrize("text", ["geocommuns", "GÉOCOMMUNS", "Géocommuns", "fabrique geo"])
def test_accents_and_case_are_ignored(entries, text):
    assert slugs(text) == ["fabrique-des-geocommuns"]


def test_acronym_of_an_involved_actor_finds_its_initiatives(entries):
    assert slugs("IGN") == ["fabrique-des-geocommuns"]


def test_own_acronym_matches(entries):
    assert slugs("sill") == ["sill"]


@pytest.mark.parametrize("text", ['"', "' OR 1=1 --", "🙂", "a" * 10_000, "%", "_", "\\", "<script>", "& | ! :*"])
def test_hostile_queries_do_not_fail(entries, text):
    assert isinstance(slugs(text), list)


def test_aliases_tags_and_descriptions_match(entries):
    entries["decidim"].aliases = "Decidim Barcelona\nPlateforme participative"
    entries["decidim"].save()
    entries["sill"].tags.add("Logiciel libre")
    assert slugs("barcelona") == ["decidim"]
    assert "sill" in slugs("recommandés")
    assert "sill" in slugs("logiciel libre")


def test_actor_full_name_without_accents_finds_its_initiatives(entries):
    assert slugs("information geographique") == ["fabrique-des-geocommuns"]


def test_search_works_on_actors_and_schemes(entries):
    from funding.models import FundingScheme

    scheme = FundingScheme.objects.create(name="Appel à communs", slug="aac", kind="call_for_commons")
    scheme.operators.add(Actor.objects.get(slug="ign"))
    assert list(search(Actor.objects.all(), "ign").values_list("slug", flat=True)) == ["ign"]
    assert list(search(FundingScheme.objects.all(), "appel a communs").values_list("slug", flat=True)) == ["aac"]
    assert list(search(FundingScheme.objects.all(), "IGN").values_list("slug", flat=True)) == ["aac"]


def test_empty_query_returns_everything(entries):
    assert len(slugs("   ")) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only: French stemming")
class TestPostgresOnly:
    def test_french_stemming(self, entries):
        assert "sill" in slugs("logiciel")

    def test_french_stemming_of_plurals(self, entries):
        Initiative.objects.create(
            name="Logiciel de cartographie", slug="carto", kind="software", publication_status="published"
        )
        assert "carto" in slugs("logiciels")
        assert "sill" in slugs("logiciel")

    def test_typo_tolerance(self, entries):
        assert slugs("Decidm") == ["decidim"]
        assert slugs("decidim") == ["decidim"]

    def test_typos_of_longer_names(self, entries):
        Initiative.objects.create(name="Wikipédia", slug="wikipedia", kind="content", publication_status="published")
        assert slugs("Wikipdia") == ["wikipedia"]
        assert slugs("Desidim") == ["decidim"]

    def test_a_word_sharing_only_a_suffix_is_not_a_typo(self, entries):
        Initiative.objects.create(
            name="Fabrique des géocommuns", slug="fabrique", kind="programme", publication_status="published"
        )
        Initiative.objects.create(
            name="Assemblée des communs", slug="assemblee", kind="network", publication_status="published"
        )
        found = slugs("geocommuns")
        assert "fabrique" in found and "assemblee" not in found

    def test_the_indexed_search_document_follows_each_edit(self, entries):
        entry = Initiative.objects.create(
            name="Outil",
            slug="outil",
            kind="software",
            publication_status="published",
            description="Gestion des cimetières communaux",
        )
        assert slugs("cimetieres") == ["outil"]
        entry.description = "Gestion des bibliothèques"
        entry.save()
        assert slugs("cimetieres") == []
        assert slugs("bibliotheque") == ["outil"]  # stemmed, from the generated column
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_document::text FROM initiatives_initiative WHERE slug = 'outil'")
            assert "'bibliothequ':" in cursor.fetchone()[0]

    def test_typo_on_the_site(self, entries, client):
        response = client.get("/initiatives/", {"q": "Decidm"})
        assert [i.slug for i in response.context["page"].object_list] == ["decidim"]

    def test_name_match_ranks_before_description_match(self, entries):
        Initiative.objects.create(
            name="Logiciels libres en mairie", slug="llm", kind="network", publication_status="published"
        )
        assert slugs("logiciels libres")[0] == "llm"


@pytest.mark.parametrize("text", ["Collectif discret", "collectif", "COLDI"])
def test_an_unpublished_actor_does_not_make_its_initiatives_match(entries, text):
    draft = Actor.objects.create(name="Collectif discret", acronym="COLDI", slug="coldi", kind="community")
    Involvement.objects.create(initiative=entries["decidim"], actor=draft, role="user")
    assert slugs(text) == []
    draft.publication_status = "published"
    draft.save()
    assert slugs(text) == ["decidim"]
