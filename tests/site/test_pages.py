"""Detail pages, sector and territory pages, home, about, drafts and 404s."""

import re

import pytest

pytestmark = pytest.mark.django_db


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_home(client, directory):
    html = html_of(client, "/")
    assert re.search(r'data-count="initiatives">\s*4\s*<', html)
    assert re.search(r'data-count="schemes">\s*3\s*<', html)
    assert 'action="/initiatives/"' in html and 'name="q"' in html
    assert "Géodonnées (2)" in html
    assert "Fabrique des géocommuns" in html  # latest additions
    # Calls closing soon: the soonest first, past editions never.
    assert html.index("Fonds pour les communs — Vague 1") < html.index("Appel à communs — 2030")
    assert "Appel à communs — 2023" not in html
    assert 'href="/proposer/"' in html
    assert 'href="/api/v1/docs/"' in html
    assert html.count("<h1") == 1


def test_initiative_detail(client, directory):
    html = html_of(client, "/initiatives/fabrique-des-geocommuns/")
    assert html.count("<h1") == 1
    assert "Incubateur de communs de données géographiques" in html
    # Markdown rendered, its heading under the page's h2 "Description".
    assert "<h4>Objectifs</h4>" in html and "<strong>communs</strong>" in html
    assert "Programme de soutien" in html and "En service" in html
    # Actors grouped by role, carriers first; drafts hidden.
    assert html.index('data-role="carrier"') < html.index('data-role="funder"')
    assert "Institut national de l&#x27;information géographique et forestière (IGN)" in html
    assert "Acteur en brouillon" not in html
    # Funding received, how to get involved, criteria with evidence, sources.
    assert "Appel à communs" in html and "50\u202f000\u00a0€" in html
    assert 'href="mailto:contact@example.org"' in html
    assert 'href="https://example.org/gouvernance"' in html
    assert 'href="https://example.org/contribuer"' in html
    assert "Rejoignez les ateliers." in html
    assert re.search(r'data-criterion="open_licence">.*?Rempli.*?href="https://example.org/licence"', html, re.S)
    assert re.search(r'data-criterion="heterogeneous_community">.*?Non évalué', html, re.S)
    # The citation names its source record: title as a link, publisher and date, then the note.
    assert re.search(
        r'data-source="fabmob-2024">\s*<a class="fr-link" href="https://example.org/source" rel="noopener">'
        r"Les communs numériques en vogue</a>\s*<span[^>]*> \(La Fabrique des Mobilités, 2024-07-19\)</span>\s*— IGN, 2022",
        html,
    )
    # Similar: shares the geodata sector and a tag.
    assert re.search(r"Initiatives similaires.*Base Adresse Nationale", html, re.S)
    assert 'href="/initiatives/fabrique-des-geocommuns/signaler/"' in html
    assert 'href="/initiatives/fabrique-des-geocommuns/historique/"' in html
    assert "Géodonnées" in html and 'href="/territoires/fr/"' in html
    assert "cartographie" in html


def test_description_is_sanitised(client, directory):
    fabrique = directory["initiatives"]["fabrique"]
    fabrique.description = (
        '<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n'
        '[lien](javascript:alert(2)) <a href="https://ok.example">ok</a>'
    )
    fabrique.save()
    html = html_of(client, fabrique.get_absolute_url())
    description = re.search(r'data-testid="description">(.*?)</div>', html, re.S).group(1)
    assert "<script" not in description
    assert "onerror" not in description
    assert "javascript:" not in description
    assert "<img" not in description
    assert 'href="https://ok.example"' in description


def test_dangerous_urls_in_data_are_not_links(client, directory):
    fabrique = directory["initiatives"]["fabrique"]
    fabrique.sources = [{"document": "doc", "url": "javascript:alert(1)"}]
    fabrique.save()
    assert "javascript:alert" not in html_of(client, fabrique.get_absolute_url())


def test_actor_detail(client, directory):
    html = html_of(client, "/acteurs/dinum/")
    assert html.count("<h1") == 1
    assert "Administration de l&#x27;État" in html
    assert html.index('data-role="carrier"') < html.index('data-role="funder"') < html.index('data-role="user"')
    assert 'href="/acteurs/etalab/"' in html  # child
    assert "Prix des communs fermé" in html  # operated scheme
    etalab = html_of(client, "/acteurs/etalab/")
    assert 'href="/acteurs/dinum/"' in etalab  # parent
    ign = html_of(client, "/acteurs/ign/")
    assert "Commun en brouillon" not in ign
    assert 'href="/initiatives/?actor=ign"' in ign


def test_actor_list_and_facets(client, directory):
    response = client.get("/acteurs/")
    assert response.status_code == 200
    names = [actor.slug for actor in response.context["page"].object_list]
    assert "acteur-brouillon" not in names and len(names) == 5
    response = client.get("/acteurs/?q=IGN")
    assert [a.slug for a in response.context["page"].object_list] == ["ign"]
    response = client.get("/acteurs/?kind=agency")
    assert sorted(a.slug for a in response.context["page"].object_list) == ["ademe", "ign"]
    kind_counts = {o["value"]: o["count"] for o in response.context["facets"][0]["options"]}
    assert kind_counts == {"state": 2, "agency": 2, "local_authority": 1}
    response = client.get("/acteurs/?sector=geodonnees")
    assert sorted(a.slug for a in response.context["page"].object_list) == ["dinum", "ign"]
    response = client.get("/acteurs/?territory=com-29019")
    assert [a.slug for a in response.context["page"].object_list] == ["ville-de-brest"]


def test_scheme_detail(client, directory):
    html = html_of(client, "/financements/appel-a-communs/")
    assert html.count("<h1") == 1
    assert "Agence de la transition écologique (ADEME)" in html
    assert "Associations" in html and "Collectivités" in html
    assert "100\u202f000\u00a0€" in html
    assert "1\u202f000\u202f000\u00a0€" in html and "20 lauréats" in html
    assert "Plus de 80 candidats" in html
    assert "Candidatures ouvertes : 2030" in html
    assert 'href="/initiatives/fabrique-des-geocommuns/"' in html  # laureate


def test_sector_page(client, directory):
    html = html_of(client, "/secteurs/geodonnees/")
    assert html.count("<h1") == 1
    assert "Fabrique des géocommuns" in html and "Base Adresse Nationale" in html
    assert "Commun en brouillon" not in html and "Decidim" not in html
    assert 'href="/acteurs/ign/"' in html and 'href="/acteurs/dinum/"' in html
    assert 'href="/acteurs/acteur-brouillon/"' not in html
    assert "Appel à communs" in html
    assert 'href="/initiatives/?sector=geodonnees"' in html


def test_territory_page(client, directory):
    html = html_of(client, "/territoires/com-29019/")
    assert "Decidim" in html and "Ville de Brest" in html
    assert 'href="/territoires/reg-53/"' in html
    assert "Prix des communs fermé" in html_of(client, "/territoires/reg-53/")


def test_about(client, db):
    html = html_of(client, "/a-propos/")
    assert "Communauté d&#x27;acteurs hétérogènes" in html
    assert "Sciences Po" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    "url",
    [
        "/initiatives/commun-en-brouillon/",
        "/acteurs/acteur-brouillon/",
        "/financements/dispositif-brouillon/",
        "/initiatives/nexiste-pas/",
        "/acteurs/nexiste-pas/",
        "/financements/nexiste-pas/",
        "/secteurs/nexiste-pas/",
        "/territoires/nexiste-pas/",
        "/nimporte-quoi/",
    ],
)
def test_drafts_and_unknown_slugs_answer_404_in_the_site_design(client, directory, url):
    html = html_of(client, url, status=404)
    assert "Page introuvable" in html
    assert "fr-header" in html and 'href="/initiatives/"' in html
    assert "brouillon" not in html.lower().replace("acteur-brouillon", "").replace("dispositif-brouillon", "")


def test_drafts_never_listed(client, directory):
    for url in ["/", "/initiatives/", "/acteurs/", "/financements/", "/secteurs/geodonnees/"]:
        html = html_of(client, url)
        assert "Commun en brouillon" not in html
        assert "Acteur en brouillon" not in html
        assert "Dispositif en brouillon" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/initiatives/?page=0",
        "/initiatives/?page=1e9",
        "/initiatives/?sector=%00",
        "/initiatives/?q=%00",
        "/initiatives/?updated_since=hier",
        "/financements/?availability=soon",
        "/acteurs/?kind=&kind=x",
        "/financements/?ordering=deadline&page=-4",
        "/initiatives/?actor=" + "x" * 5000,
    ],
)
def test_no_input_produces_an_error(client, directory, url):
    assert client.get(url).status_code == 200


def test_every_page_has_one_h1_skip_links_and_labelled_search(client, directory):
    for url in [
        "/",
        "/initiatives/",
        "/initiatives/decidim/",
        "/acteurs/",
        "/acteurs/ign/",
        "/financements/",
        "/financements/appel-a-communs/",
        "/secteurs/geodonnees/",
        "/territoires/fr/",
        "/a-propos/",
    ]:
        html = html_of(client, url)
        assert html.count("<h1") == 1, url
        assert 'class="fr-skiplinks"' in html and 'href="#contenu"' in html, url
        assert '<html lang="fr"' in html
        assert "/static/dsfr/" in html, url  # assets served locally, no CDN
        assert "cdn" not in html.lower(), url


def test_similar_commons_share_a_sector_or_a_tag(client, directory):
    # One IN over the union of the sector and tag candidates (initiatives.views._either).
    response = client.get("/initiatives/fabrique-des-geocommuns/")
    similar = [initiative.slug for initiative in response.context["similar"]]
    assert "base-adresse-nationale" in similar  # geodata and cartography, as the Fabrique
    assert "fabrique-des-geocommuns" not in similar
