"""/initiatives/: search, facets with counts, combinations, sorting, pagination, bad input."""

import re

import pytest

from tests.factories import PUBLISHED, make_initiative

pytestmark = pytest.mark.django_db


def get(client, query=""):
    response = client.get("/initiatives/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return response


def slugs(response):
    return [initiative.slug for initiative in response.context["page"].object_list]


def counts(response, facet):
    """{value: count} of one facet as the page shows it."""
    for item in response.context["facets"]:
        if item["name"] == facet:
            return {option["value"]: option["count"] for option in item["options"] + item["more"]}
    raise AssertionError(f"no facet {facet}")


def test_lists_published_initiatives_only(client, directory):
    response = get(client)
    assert slugs(response) == ["base-adresse-nationale", "decidim", "fabrique-des-geocommuns", "sill"]
    html = response.content.decode()
    assert "Commun en brouillon" not in html
    assert 'data-total="4"' in html
    # Announced to screen readers: the count sits in a status live region.
    assert re.search(r'role="status"[^>]*>\s*<h2[^>]*>4 résultats', html)


@pytest.mark.parametrize("text", ["geocommuns", "GÉOCOMMUNS", "géocommuns"])
def test_search_ignores_accents_and_case(client, directory, text):
    assert slugs(get(client, f"q={text}")) == ["fabrique-des-geocommuns"]


def test_search_by_acronym_of_an_involved_actor(client, directory):
    # The draft initiative also involves IGN; it stays hidden.
    assert sorted(slugs(get(client, "q=IGN"))) == ["base-adresse-nationale", "fabrique-des-geocommuns"]


def test_search_by_own_acronym_tag_and_description(client, directory):
    assert slugs(get(client, "q=BAN")) == ["base-adresse-nationale"]
    assert slugs(get(client, "q=adresses")) == ["base-adresse-nationale"]
    assert "sill" in slugs(get(client, "q=catalogue"))


@pytest.mark.parametrize(
    "text", ['"geo', "' OR 1=1 --", "🙂🙂", "a" * 10_000, "%25", "<script>alert(1)</script>", "& | ! :*", "\x00"]
)
def test_hostile_queries_never_fail(client, directory, text):
    response = client.get("/initiatives/", {"q": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_facet_counts_without_filters(client, directory):
    response = get(client)
    assert counts(response, "sector") == {"geodonnees": 2, "participation-citoyenne": 1, "outils-administration": 1}
    assert counts(response, "kind")["data"] == 1
    assert counts(response, "kind")["programme"] == 1
    assert counts(response, "actor") == {"ign": 2, "dinum": 3, "etalab": 1, "ville-de-brest": 1}
    assert counts(response, "role")["carrier"] == 3
    assert counts(response, "role")["user"] == 2
    # A place counts the commons of the places inside it: Brest's commons count for Bretagne and France.
    assert counts(response, "territory") == {"fr": 3, "reg-53": 1, "com-29019": 1}
    assert counts(response, "development_status")["mature"] == 2
    assert counts(response, "funding_scheme") == {"appel-a-communs": 1}
    assert counts(response, "tag") == {"cartographie": 2, "adresses": 1, "participation": 1}
    html = response.content.decode()
    assert re.search(r'data-option="geodonnees" data-count="2"', html)
    assert 'Géodonnées <span class="annuaire-count">(2)</span>' in html


def test_one_facet_value(client, directory):
    response = get(client, "sector=geodonnees")
    assert slugs(response) == ["base-adresse-nationale", "fabrique-des-geocommuns"]
    # A facet's own counts ignore its own selection: ticking another sector adds results.
    assert counts(response, "sector") == {"geodonnees": 2, "participation-citoyenne": 1, "outils-administration": 1}
    # Other facets count within the selection.
    assert counts(response, "kind").get("software", 0) == 0
    assert counts(response, "kind")["data"] == 1
    assert counts(response, "actor") == {"ign": 2, "dinum": 2}


def test_values_of_one_facet_combine_with_or(client, directory):
    response = get(client, "sector=geodonnees&sector=participation-citoyenne")
    assert slugs(response) == ["base-adresse-nationale", "decidim", "fabrique-des-geocommuns"]


def test_facets_combine_with_and(client, directory):
    response = get(client, "sector=geodonnees&kind=data")
    assert slugs(response) == ["base-adresse-nationale"]
    assert counts(response, "sector") == {"geodonnees": 1}
    assert counts(response, "kind")["programme"] == 1  # within the geodata sector


def test_search_and_facets_together(client, directory):
    response = get(client, "q=IGN&kind=programme")
    assert slugs(response) == ["fabrique-des-geocommuns"]
    assert counts(response, "kind")["data"] == 1


@pytest.mark.parametrize("as_list", [True, False], ids=["matches-as-list", "matches-as-subquery"])
def test_search_facet_counts_are_the_same_whether_matches_are_listed_or_not(client, directory, as_list, monkeypatch):
    from initiatives.filters import InitiativeFilter

    # Past MAX_MATCHES_AS_LIST matches the facets run the search as a subquery: same counts.
    monkeypatch.setattr(InitiativeFilter, "MAX_MATCHES_AS_LIST", 10_000 if as_list else 0)
    response = get(client, "q=cartographie&sector=geodonnees")
    assert slugs(response) == ["base-adresse-nationale", "fabrique-des-geocommuns"]
    assert counts(response, "sector") == {"geodonnees": 2}
    assert counts(response, "kind")["data"] == 1
    assert counts(response, "actor") == {"ign": 2, "dinum": 2}
    assert counts(response, "tag") == {"cartographie": 2, "adresses": 1}


def test_actor_and_role_name_the_same_involvement(client, directory):
    assert slugs(get(client, "actor=dinum&role=funder")) == ["fabrique-des-geocommuns"]
    assert slugs(get(client, "actor=ign&role=funder")) == []
    response = get(client, "actor=dinum")
    assert counts(response, "role") == {"carrier": 1, "funder": 1, "user": 1}
    response = get(client, "role=carrier")
    assert counts(response, "actor") == {"ign": 2, "dinum": 1}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=software", ["decidim"]),
        ("territory=com-29019", ["decidim"]),
        ("development_status=mature", ["base-adresse-nationale", "decidim"]),
        ("funding_scheme=appel-a-communs", ["fabrique-des-geocommuns"]),
        ("tag=cartographie", ["base-adresse-nationale", "fabrique-des-geocommuns"]),
        ("actor=etalab", ["sill"]),
        ("role=user", ["base-adresse-nationale", "decidim"]),
    ],
)
def test_every_facet_filters(client, directory, query, expected):
    assert slugs(get(client, query)) == expected


def test_active_filters_show_as_removable_tags(client, directory):
    html = get(client, "sector=geodonnees&sector=participation-citoyenne&kind=data&q=base").content.decode()
    assert "Retirer le filtre </span>Secteur : Géodonnées" in html
    # Removing one sector keeps the other filters and drops only that value.
    assert 'href="?sector=participation-citoyenne&amp;kind=data&amp;q=base"' in html
    assert 'href="?sector=geodonnees&amp;sector=participation-citoyenne&amp;kind=data"' in html
    # The checked boxes reflect the state.
    assert re.search(r'name="sector" value="geodonnees" id="sector-\d+" checked', html)


def test_sorting(client, directory):
    assert slugs(get(client, "ordering=-name"))[0] == "sill"
    directory["initiatives"]["decidim"].save()  # the most recently updated
    assert slugs(get(client, "ordering=-updated_at"))[0] == "decidim"
    assert slugs(get(client, "q=geocommuns&ordering=relevance")) == ["fabrique-des-geocommuns"]


def test_unknown_filter_value_shows_a_message_and_keeps_the_page(client, directory):
    response = get(client, "sector=nope&kind=bogus")
    html = response.content.decode()
    assert "Certains filtres n'ont pas été appliqués" in html
    assert "nope" in html
    assert len(slugs(response)) == 4  # the refused filters are ignored


def test_unknown_ordering_does_not_break(client, directory):
    response = get(client, "ordering=drop table")
    assert len(slugs(response)) == 4


def test_pagination_and_out_of_range_page(client, directory):
    for index in range(25):
        make_initiative(f"commun-{index:02}", f"Commun {index:02}", publication_status=PUBLISHED)
    first = get(client)
    assert len(slugs(first)) == 20
    assert 'href="?page=2"' in first.content.decode()
    last = get(client, "page=2")
    assert len(slugs(last)) == 9
    beyond = get(client, "page=999")
    assert slugs(beyond) == slugs(last)
    assert "La page 999 n&#x27;existe pas" in beyond.content.decode()
    assert get(client, "page=abc").context["page"].number == 1
    assert get(client, "page=-1").context["page"].number == 2


def test_page_links_keep_the_filters(client, directory):
    for index in range(25):
        make_initiative(f"logiciel-{index:02}", f"Logiciel {index:02}", kind="software", publication_status=PUBLISHED)
    html = get(client, "kind=software").content.decode()
    assert 'href="?kind=software&amp;page=2"' in html


def test_links_to_propose_a_commons(client, directory):
    assert 'href="/proposer/"' in get(client).content.decode()


def test_a_selected_value_without_results_stays_visible_to_untick(client, directory):
    response = get(client, "sector=geodonnees&kind=software&tag=participation")
    assert slugs(response) == []
    kind = next(f for f in response.context["facets"] if f["name"] == "kind")
    software = next(o for o in kind["options"] if o["value"] == "software")
    assert software == {"value": "software", "label": "Logiciel", "count": 0, "checked": True}
    tag = next(f for f in response.context["facets"] if f["name"] == "tag")
    assert {"value": "participation", "label": "participation", "count": 0, "checked": True} in tag["options"]
    assert "Aucun commun ne correspond" in response.content.decode()


def test_long_facets_fold_the_rest_in_a_details_element(client, directory):
    for index in range(12):
        make_initiative(f"carto-{index}", f"Carto {index}", tags=[f"theme-{index:02}"], publication_status=PUBLISHED)
    response = get(client)
    tag = next(f for f in response.context["facets"] if f["name"] == "tag")
    assert len(tag["options"]) == 8 and len(tag["options"]) + len(tag["more"]) == 15
    assert "Voir 7 autres options" in response.content.decode()


def test_a_search_points_to_the_actors_and_schemes_it_also_finds(client, directory):
    response = get(client, "q=appel+a+communs")
    html = response.content.decode()
    assert "Aussi dans l'annuaire" in html
    assert 'href="/financements/?q=appel+a+communs">1 dispositif de financement</a>' in html
    ign = get(client, "q=IGN").content.decode()
    assert 'href="/acteurs/?q=IGN">1 acteur</a>' in ign
    assert "Aussi dans l'annuaire" not in get(client).content.decode()
    assert "Aussi dans l'annuaire" not in get(client, "q=zzzzzz").content.decode()


def test_a_sector_name_finds_its_initiatives(client, directory):
    assert sorted(slugs(get(client, "q=geodonnees"))) == ["base-adresse-nationale", "fabrique-des-geocommuns"]


def test_facets_of_many_matches_are_estimated_and_say_so(client, monkeypatch):
    from communs import listing

    for number in range(40):
        make_initiative(f"commun-{number}", f"Commun {number}", publication_status=PUBLISHED)  # software

    def kind_option(response, value):
        kind = next(f for f in response.context["facets"] if f["name"] == "kind")
        return next(o for o in kind["options"] if o["value"] == value)

    exact = get(client, "q=commun")
    assert kind_option(exact, "software")["count"] == 40
    assert "≈" not in exact.content.decode()

    # Past the threshold, the counts come from a sample: shown as estimates, the total still exact.
    monkeypatch.setattr(listing, "FACET_EXACT_MAX", 10)
    monkeypatch.setattr(listing, "FACET_SAMPLE_SIZE", 10)
    estimated = get(client, "q=Commun")  # another query string: the exact counts stay cached for the first
    software = kind_option(estimated, "software")
    assert software["shown"] == f"≈ {software['count']}"
    assert software["count"] % 4 == 0  # about a quarter of the entries, each standing for four
    html = estimated.content.decode()
    assert f'Logiciel <span class="annuaire-count">(≈ {software["count"]})</span>' in html
    assert re.search(r'role="status"[^>]*>\s*<h2[^>]*>40 résultats', html)


def test_a_facet_option_is_escaped_and_keeps_its_checkbox(client, directory):
    make_initiative("balise", "Balise", tags=['<b onmouseover="x">gras</b>'], publication_status=PUBLISHED)
    html = get(client).content.decode()
    assert '<b onmouseover="x">' not in html
    assert '&lt;b onmouseover=&quot;x&quot;&gt;gras&lt;/b&gt; <span class="annuaire-count">(1)</span>' in html
    checked = get(client, "kind=software").content.decode()
    assert re.search(r'<input type="checkbox" name="kind" value="software" id="kind-\d+" checked>', checked)
