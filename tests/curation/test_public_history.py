"""The public history says what changed: old and new values of public fields, never who or private fields."""

import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curation import services
from funding.models import Award, FundingEdition
from initiatives.models import Involvement
from tests.factories import make_actor, make_initiative, make_scheme, make_sector

from .conftest import form_data, logged_in

LONG_TEXT = " ".join(f"mot{i}" for i in range(60))


def published(editor, **fields):
    initiative = make_initiative(publication_status="in_review", **fields)
    return services.apply_transition(initiative, "publish", editor)


def history_page(client, initiative, page=None):
    url = reverse("curation:history", args=[initiative.slug])
    response = client.get(url, {"page": page} if page else {})
    assert response.status_code == 200
    return response.text


def text(html):
    """The page as a reader hears it: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def test_a_curators_admin_edit_shows_old_and_new_public_values_and_nothing_private(client, curator, editor):
    geo, sante = make_sector(name="Géodonnées"), make_sector(name="Santé")
    initiative = published(
        editor,
        summary="Ancien résumé",
        description=f"Début {LONG_TEXT} ancienne phrase finale.",
        kind="software",
        sectors=[geo],
    )
    admin = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = form_data(admin, url)
    data.update(summary="Nouveau résumé", kind="data", logic_sovereignty="on", sectors=[str(sante.pk)])
    data["description"] = f"Début {LONG_TEXT} nouvelle phrase finale."
    assert admin.post(url, data).status_code == 302
    client.logout()

    html = history_page(client, initiative)
    page = text(html)
    assert "Modification : Fiche" in page
    assert "Avant : Ancien résumé → après : Nouveau résumé" in page
    assert "Avant : Logiciel → après : Données" in page  # choices by their label
    assert "Avant : Non → après : Oui" in page  # a boolean
    assert "Ajouté : Santé" in page and "Retiré : Géodonnées" in page
    # A long text reads as a word diff around the change, its unchanged middle shortened.
    assert '<del><span class="fr-sr-only">[retiré : </span>ancienne' in html
    assert '<ins><span class="fr-sr-only">[ajouté : </span>nouvelle' in html
    assert "… mot52 mot53 mot54 mot55 mot56 mot57 mot58 mot59 [retiré : ancienne]" in page
    assert "mot20 " not in page
    # No author, no workflow internals.
    for private in (curator.username, curator.email, editor.username, "version", "relu par", "mis à jour le"):
        assert private not in page
    assert "statut modifié" not in page


def test_changes_made_before_publication_show_no_values(client, editor):
    initiative = make_initiative(summary="Brouillon confidentiel")
    initiative.summary = "Texte relu"
    initiative.save()
    initiative.publication_status = "in_review"
    initiative.save()
    initiative = services.apply_transition(initiative, "publish", editor)

    page = text(history_page(client, initiative))
    assert "résumé modifié avant publication (valeurs non publiques)" in page
    assert "Brouillon confidentiel" not in page and "Texte relu" not in page
    # The status's values are labels, never content: the reader sees when the entry went public.
    assert "Avant : En relecture → après : Publié" in page


def test_involvement_and_award_changes_show_their_public_values(client, editor):
    initiative = published(editor)
    actor = make_actor(name="Ville de Brest", publication_status="published")
    involvement = Involvement.objects.create(initiative=initiative, actor=actor, role="user")
    involvement.role, involvement.since = "carrier", 2021
    involvement.save()
    edition = FundingEdition.objects.create(
        scheme=make_scheme(name="Appel public", publication_status="published"), label="2024"
    )
    award = Award.objects.create(edition=edition, initiative=initiative, amount=1000)
    award.amount = 25000
    award.save()

    page = text(history_page(client, initiative))
    assert "Modification : Implication : Ville de Brest (Porteur)" in page
    assert "rôle Avant : Utilisateur → après : Porteur" in page
    assert "depuis (année) Avant : — → après : 2021" in page
    assert "montant (€) Avant : 1 000 € → après : 25 000 €" in page


def _queries(client, initiative):
    with CaptureQueriesContext(connection) as queries:
        history_page(client, initiative)
    return len(queries)


def test_the_page_runs_the_same_queries_for_a_short_and_a_long_history(client, editor, django_assert_num_queries):
    sector = make_sector()
    actor = make_actor(publication_status="published")
    short, long = published(editor, slug="courte"), published(editor, slug="longue")
    for initiative, edits in ((short, 2), (long, 20)):
        involvement = Involvement.objects.create(initiative=initiative, actor=actor, role="user")
        for i in range(edits):
            initiative.summary, initiative.description = f"Résumé {i}", f"Texte {i} {LONG_TEXT}"
            initiative.save()
            (initiative.sectors.add if i % 2 else initiative.sectors.remove)(sector)
            involvement.since = 2000 + i
            involvement.save()
    assert _queries(client, short) == _queries(client, long)
    # The entry, its versions, the sectors', categories' and territories' links, the sectors' names
    # (no territory or category ever: no query), involvements, awards and uses (deployments) with their
    # actors and editions: a fixed number.
    with django_assert_num_queries(11):
        page = history_page(client, long)
    # 62 versions (the entry created, published, changed 39 times; its involvement created, changed 20
    # times): a first page of 50.
    assert page.count('<h2 class="fr-h6') == 50 and "Page 1 sur 2" in text(page)


def test_a_long_history_is_paginated(client, editor):
    initiative = published(editor)
    for i in range(55):
        initiative.summary = f"Résumé {i}"
        initiative.save()
    first, second = text(history_page(client, initiative)), text(history_page(client, initiative, page=2))
    assert "Page 1 sur 2" in first and "après : Résumé 54" in first
    assert "après : Résumé 0 " in second and "après : Résumé 54" not in second


def test_an_actors_detail_page_links_to_its_history_of_values(client, editor):
    actor = make_actor(name="Ville de Brest", publication_status="published", website="https://ancien.example.org")
    actor.website, actor.kind = "https://brest.example.org", "local_authority"
    actor.save()
    detail = client.get(actor.get_absolute_url()).text
    url = reverse("curation:actor_history", args=[actor.slug])
    assert f'href="{url}"' in detail

    page = text(client.get(url).text)
    assert "Historique des modifications : Ville de Brest" in page
    assert "Avant : https://ancien.example.org → après : https://brest.example.org" in page
    assert "Avant : Administration de l'État → après : Collectivité territoriale" in page
    assert "Signaler une correction" not in page  # corrections are reported on initiatives
    assert client.get(reverse("curation:actor_history", args=[make_actor().slug])).status_code == 404


def test_a_schemes_history_names_no_unpublished_operator(client, db, django_assert_num_queries):
    scheme = make_scheme(name="Appel à communs", publication_status="published", amount_max=10000)
    public_actor = make_actor(name="ADEME", publication_status="published")
    draft_actor = make_actor(name="Opérateur en préparation")
    scheme.operators.add(public_actor, draft_actor)
    scheme.amount_max = 50000
    scheme.save()
    detail = client.get(scheme.get_absolute_url()).text
    url = reverse("curation:scheme_history", args=[scheme.slug])
    assert f'href="{url}"' in detail

    # The scheme, its versions, the links and names of its three versioned m2m.
    with django_assert_num_queries(6):
        page = text(client.get(url).text)
    assert "opérateurs Ajouté : ADEME" in page
    assert "Opérateur en préparation" not in page
    assert "Avant : 10 000 € → après : 50 000 €" in page
