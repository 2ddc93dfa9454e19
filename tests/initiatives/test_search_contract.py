"""The search() contract: the same on SQLite and PostgreSQL."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from actors.models import Actor
from communs.models import SearchDocument
from communs.search import is_approximate, search
from funding.models import FundingScheme
from initiatives.models import Initiative, Involvement, Sector

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


def test_plural_marks_are_optional(entries):
    Initiative.objects.create(
        name="Logiciel de cartographie", slug="carto", kind="software", publication_status="published"
    )
    assert "carto" in slugs("logiciels")
    assert "sill" in slugs("logiciel")


def test_terms_match_whole_words_or_prefixes_never_inside_a_word(entries):
    Initiative.objects.create(
        name="Cours en ligne",
        slug="cours",
        kind="content",
        summary="Enseigné dans les lycées ; une ligne de conduite souveraine (sovereign).",
        publication_status="published",
    )
    assert slugs("IGN") == ["fabrique-des-geocommuns"]  # IGN, never enseigné, ligne, sovereign
    assert slugs("geocomm") == ["fabrique-des-geocommuns"]
    assert slugs("lig") == ["cours"]
    assert "cours" not in slugs("eign")  # inside "enseigné" only


def test_an_exact_acronym_or_alias_ranks_first(entries):
    Initiative.objects.create(
        name="Bannière des logiciels",
        slug="banniere",
        kind="content",
        summary="Le SILL en bannière",
        publication_status="published",
    )
    Initiative.objects.create(
        name="Base Adresse Nationale", acronym="BAN", slug="ban", kind="data", publication_status="published"
    )
    assert slugs("ban")[0] == "ban"
    assert slugs("sill")[0] == "sill"
    entries["decidim"].aliases = "Decidim Barcelona"
    entries["decidim"].save()
    assert slugs("decidim barcelona")[0] == "decidim"


def test_name_match_ranks_before_description_match(entries):
    Initiative.objects.create(
        name="Logiciels libres en mairie", slug="llm", kind="network", publication_status="published"
    )
    found = slugs("logiciels libres")
    assert found.index("llm") < found.index("sill") or found[0] == "sill"  # both names hold the words
    assert slugs("recommandes") == ["sill"]  # only in the description: still found


class TestTypos:
    def test_typo_tolerance(self, entries):
        assert slugs("Decidm") == ["decidim"]
        assert slugs("decidim") == ["decidim"]

    def test_typos_of_longer_names(self, entries):
        Initiative.objects.create(name="Wikipédia", slug="wikipedia", kind="content", publication_status="published")
        assert slugs("Wikipdia") == ["wikipedia"]
        assert slugs("Desidim") == ["decidim"]

    def test_typos_only_when_nothing_matches_as_typed(self, entries):
        Initiative.objects.create(
            name="Assemblée des communs", slug="assemblee", kind="network", publication_status="published"
        )
        found = slugs("geocommuns")
        assert "fabrique-des-geocommuns" in found and "assemblee" not in found
        assert not is_approximate(search(Initiative.objects.all(), "geocommuns"))

    def test_the_results_say_when_they_are_approximate(self, entries):
        assert is_approximate(search(Initiative.objects.all(), "Decidm"))
        assert not is_approximate(search(Initiative.objects.all(), "Decidim"))
        assert not is_approximate(search(Initiative.objects.all(), ""))

    def test_the_page_says_so(self, entries, client):
        response = client.get("/initiatives/", {"q": "Decidm"})
        assert [i.slug for i in response.context["page"].object_list] == ["decidim"]
        assert "Aucun résultat exact pour « Decidm » ; résultats approchés :" in response.content.decode()
        response = client.get("/initiatives/", {"q": "Decidim"})
        assert "résultats approchés" not in response.content.decode()

    def test_the_api_says_so(self, entries, client):
        response = client.get("/api/v1/initiatives/", {"q": "Decidm"})
        assert response["Search-Approximate"] == "true"
        assert [row["slug"] for row in response.json()["results"]] == ["decidim"]
        assert client.get("/api/v1/initiatives/", {"q": "decidim"})["Search-Approximate"] == "false"
        assert "Search-Approximate" not in client.get("/api/v1/initiatives/")
        schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
        headers = schema["paths"]["/api/v1/initiatives/"]["get"]["responses"]["200"]["headers"]
        assert "Search-Approximate" in headers

    def test_unrelated_words_are_not_typos(self, entries):
        assert slugs("Lille") == []
        assert slugs("zzzzzz") == []


class TestTheIndexFollowsEveryChange:
    def test_an_edit(self, entries):
        entry = Initiative.objects.create(
            name="Outil",
            slug="outil",
            kind="software",
            publication_status="published",
            description="Gestion des cimetières",
        )
        assert slugs("cimetieres") == ["outil"]
        entry.description = "Gestion des bibliothèques"
        entry.save()
        assert slugs("cimetieres") == []
        assert slugs("bibliotheque") == ["outil"]

    def test_an_actor_renamed(self, entries):
        ign = Actor.objects.get(slug="ign")
        ign.acronym = "IGNF"
        ign.save()
        assert slugs("IGNF") == ["fabrique-des-geocommuns"]
        assert list(search(FundingScheme.objects.all(), "IGNF")) == []

    def test_a_sector_or_a_tag_linked_renamed_or_unlinked(self, entries):
        sector = Sector.objects.create(name="Cartographie", slug="cartographie")
        entries["decidim"].sectors.add(sector)
        assert slugs("cartographie") == ["decidim"]
        sector.name = "Géomatique"
        sector.save()
        assert slugs("geomatique") == ["decidim"] and slugs("cartographie") == []
        sector.initiatives.remove(entries["decidim"])
        assert slugs("geomatique") == []
        entries["sill"].tags.add("Souveraineté")
        assert slugs("souverainete") == ["sill"]
        entries["sill"].tags.clear()
        assert slugs("souverainete") == []

    def test_an_involvement_deleted(self, entries):
        Involvement.objects.filter(initiative=entries["fabrique"]).delete()  # a queryset delete: signals per row
        assert slugs("IGN") == []

    def test_an_entry_deleted_leaves_no_document(self, entries):
        entries["decidim"].delete()
        assert not SearchDocument.objects.filter(object_id=entries["decidim"].pk, title__contains="decidim").exists()

    def test_an_entry_deleted_with_its_involvements_leaves_no_document(self, entries):
        # The cascade deletes the involvement first, whose signal rewrites the entry's document.
        entries["fabrique"].tags.add("géodonnées")
        Initiative.objects.filter(pk=entries["fabrique"].pk).delete()
        assert not SearchDocument.objects.filter(title__contains="fabrique").exists()
        assert slugs("geocommuns") == []

    def test_a_bulk_load_is_indexed_by_the_rebuild_command(self, entries):
        Initiative.objects.bulk_create(
            [Initiative(name="Chargé en masse", slug="masse", kind="software", publication_status="published")]
        )
        assert slugs("masse") == []  # bulk_create sends no signal
        call_command("rebuild_search_index", stdout=io.StringIO())
        assert slugs("masse") == ["masse"]
        assert slugs("IGN") == ["fabrique-des-geocommuns"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only: French stemming")
def test_french_stemming_on_postgresql(entries):
    Initiative.objects.create(
        name="Mobilités partagées", slug="mobilites", kind="network", publication_status="published"
    )
    assert slugs("mobile") == ["mobilites"]  # French stems: mobil


@pytest.mark.parametrize("text", ["Collectif discret", "collectif", "COLDI"])
def test_an_unpublished_actor_does_not_make_its_initiatives_match(entries, text):
    draft = Actor.objects.create(name="Collectif discret", acronym="COLDI", slug="coldi", kind="community")
    Involvement.objects.create(initiative=entries["decidim"], actor=draft, role="user")
    assert slugs(text) == []
    draft.publication_status = "published"
    draft.save()
    assert slugs(text) == ["decidim"]


class TestAPageOfRankedResults:
    """A page in relevance order is read from the search documents first (communs.search.ranked_page):
    it must hold what the joined query would give, page after page, drafts and filters included."""

    @pytest.fixture
    def directory(self, settings):
        settings.PAGE_CACHE_TIMEOUT = settings.FACET_CACHE_TIMEOUT = 0
        cadastre = Sector.objects.create(name="Cadastre et foncier", slug="cadastre-et-foncier")
        for i in range(70):
            # Three ranks (the word in the name, the summary or the description), ties within each,
            # one in four a draft, one in seven in the sector.
            texts = [{"name": f"Cadastre {i:02d}"}, {"summary": "Un plan du cadastre"}, {"description": "cadastre"}]
            initiative = Initiative.objects.create(
                slug=f"entree-{i:02d}",
                kind="data",
                publication_status="draft" if i % 4 == 0 else "published",
                **{"name": f"Entrée {69 - i:02d}", **texts[i % 3]},
            )
            if i % 7 == 0:
                initiative.sectors.add(cadastre)
        Initiative.objects.create(name="Cadastre", slug="cadastre", kind="data", publication_status="published")

    @staticmethod
    def pages(client, query):
        site, api = [], []
        for number in range(1, 10):
            response = client.get(f"/api/v1/initiatives/?{query}&page={number}")
            if response.status_code == 404:  # past the last page
                break
            api += [entry["slug"] for entry in response.json()["results"]]
            html = client.get(f"/initiatives/?{query}&page={number}").content.decode()
            site += re.findall(r'class="fr-card__title"><a href="/initiatives/([a-z0-9-]+)/"', html)
        return site, api

    @pytest.mark.parametrize("query", ["q=cadastre", "q=cadastre&sector=cadastre-et-foncier", "q=plan+cadastre"])
    def test_the_same_as_the_joined_query(self, directory, client, monkeypatch, query):
        from_documents = self.pages(client, query)
        monkeypatch.setattr("communs.search.RANKED_PAGE_MAX_CANDIDATES", 0)  # every page: the joined query
        joined = self.pages(client, query)

        assert from_documents == joined
        site, api = from_documents
        assert site == api
        published = set(Initiative.objects.published().values_list("slug", flat=True))
        assert len(site) == len(set(site)) and set(site) <= published
        if query == "q=cadastre":
            assert site[0] == "cadastre"  # the exact name first
            assert len(site) == 1 + 52  # every published match (three in four of 70), on its pages
