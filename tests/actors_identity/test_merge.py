"""Merging two entries that are one: commands, admin action, redirects, histories, re-imports."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from actors.models import Actor
from catalogues.models import Record
from communs.models import Source
from funding.models import Award, FundingEdition
from initiatives.models import Deployment, Initiative, Involvement
from tests.factories import make_actor, make_initiative, make_scheme, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ademe_twice():
    """ADEME as curated (no involvement) and as an import named it (its commons, its Record)."""
    curated = make_actor("ademe", "ADEME", kind="agency", publication_status="published", siren="385290309")
    imported = make_actor(
        "ademe-2",
        "Agence de l'environnement et de la maîtrise de l'énergie",
        acronym="Ademe",
        kind="other",
        publication_status="published",
        website="https://www.ademe.fr/",
    )
    commons = [make_initiative(slug, publication_status="published") for slug in ("publicodes", "dashlord")]
    for initiative in commons:
        Involvement.objects.create(initiative=initiative, actor=imported, role="carrier")
    Involvement.objects.create(initiative=commons[0], actor=curated, role="carrier")  # already said
    scheme = make_scheme("fonds", publication_status="published")
    scheme.operators.add(imported)
    child = make_actor("ademe-service", "Service de l'ADEME", parent=imported, publication_status="published")
    source = Source.objects.create(key="publiccode", title="Fichiers publiccode.yml")
    Record.objects.create(
        source=source,
        content_type_id=_actor_type(),
        object_id=imported.pk,
        external_id="organisation:Ademe",
        imported={"name": "Ademe", "kind": "other", "website": "https://www.ademe.fr/"},
        last_imported_at="2026-01-01T00:00:00Z",
    )
    return curated, imported, commons, scheme, child


def _actor_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Actor).pk


def merge_actors(*args):
    out = io.StringIO()
    call_command("merge_actors", *args, stdout=out)
    return out.getvalue()


def test_merge_moves_everything_and_the_old_address_answers_301(client, ademe_twice):
    curated, imported, commons, scheme, child = ademe_twice

    said = merge_actors("ademe", "ademe-2")

    assert "ademe-2 fusionné dans ademe" in said
    assert not Actor.objects.filter(slug="ademe-2").exists()
    page = client.get("/acteurs/ademe/").content.decode()
    for initiative in commons:
        assert initiative.name in page
    assert Involvement.objects.filter(actor=curated).count() == 2  # the carrier role once on publicodes
    assert list(scheme.operators.all()) == [curated]
    child.refresh_from_db()
    assert child.parent == curated
    assert "Services rattachés" in page and "Service de l&#x27;ADEME" in page
    curated.refresh_from_db()
    assert curated.website == "https://www.ademe.fr/"  # filled from the other
    assert curated.kind == "agency"  # the kept entry's value wins
    # Its other name is kept; "Ademe" is "ADEME" written otherwise, not another name.
    assert curated.alias_list == ["Agence de l'environnement et de la maîtrise de l'énergie"]
    assert Record.objects.get(external_id="organisation:Ademe").object_id == curated.pk
    # The old addresses, site and API.
    response = client.get("/acteurs/ademe-2/")
    assert (response.status_code, response["Location"]) == (301, "/acteurs/ademe/")
    response = APIClient().get("/api/v1/actors/ademe-2/?format=json")
    assert response.status_code == 301 and response["Location"] == "/api/v1/actors/ademe/?format=json"
    # Found by its other name.
    assert "/acteurs/ademe/" in client.get("/acteurs/?q=maîtrise+de+l'énergie").content.decode()


def test_the_histories_say_what_happened(ademe_twice):
    curated, imported, *_ = ademe_twice
    merge_actors("ademe", "ademe-2")
    assert curated.history.first().history_change_reason == "Fusion de ademe-2"
    deleted = Actor.history.filter(id=imported.pk).first()
    assert (deleted.history_type, deleted.history_change_reason) == ("-", "Fusionné dans ademe")
    # The deletion's version holds the other's fields: a curator can bring it back from it.
    assert deleted.instance.website == "https://www.ademe.fr/"


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(client, ademe_twice):
    said = merge_actors("ademe", "ademe-2", "--dry-run")
    assert "Simulation" in said and "déplacés" in said
    assert Actor.objects.filter(slug="ademe-2").exists()
    assert client.get("/acteurs/ademe-2/").status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [(("ademe", "ademe"), "elle-même"), (("ademe", "nulle-part"), "nulle-part"), (("personne", "ademe"), "personne")],
)
def test_bad_input_is_refused_and_nothing_changes(ademe_twice, args, message):
    with pytest.raises(CommandError, match=message):
        merge_actors(*args)
    assert Actor.objects.filter(slug__in=["ademe", "ademe-2"]).count() == 2


def test_merging_initiatives_moves_awards_and_keeps_the_old_name(client):
    kept = make_initiative("apache-http-server", "Apache HTTP Server", publication_status="published")
    other = make_initiative("apache", "Apache", publication_status="published", tags=["serveur"])
    edition = FundingEdition.objects.create(scheme=make_scheme(publication_status="published"), label="2024", year=2024)
    Award.objects.create(edition=edition, initiative=other, amount=1000)

    out = io.StringIO()
    call_command("merge_initiatives", "apache-http-server", "apache", stdout=out)

    assert Award.objects.get().initiative == kept
    kept.refresh_from_db()
    assert kept.alias_list == ["Apache"] and list(kept.tags.names()) == ["serveur"]
    response = client.get(other.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == kept.get_absolute_url()
    assert not Initiative.objects.filter(slug="apache").exists()


def test_merging_moves_the_uses_and_keeps_one_use_of_an_instance_both_listed(client):
    kept = make_initiative("peertube", "PeerTube", publication_status="published")
    other = make_initiative("peertube-2", "Peertube", publication_status="published")
    rennes = make_actor("academie-de-rennes", "Académie de Rennes", publication_status="published")
    lyon = make_actor("academie-de-lyon", "Académie de Lyon", publication_status="published")
    url = "https://tube.ac-rennes.fr/"
    Deployment.objects.create(initiative=kept, actor=rennes, url=url, publication_status="published")
    Deployment.objects.create(initiative=other, actor=rennes, url=url, publication_status="published")
    moved = Deployment.objects.create(
        initiative=other, actor=lyon, url="https://tube.ac-lyon.fr/", publication_status="published"
    )

    call_command("merge_initiatives", "peertube", "peertube-2", stdout=io.StringIO())

    assert sorted(Deployment.objects.values_list("initiative__slug", "url")) == [
        ("peertube", "https://tube.ac-lyon.fr/"),
        ("peertube", url),
    ]
    assert Deployment.objects.get(pk=moved.pk).initiative == kept
    assert "Académie de Lyon" in client.get(kept.get_absolute_url()).content.decode()


def test_the_admin_action_shows_what_it_would_do_then_merges_into_the_entry_chosen(client, ademe_twice):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    ademe, ademe_2 = (Actor.objects.get(slug=slug) for slug in ["ademe", "ademe-2"])
    selected = {"action": "action_merge", "_selected_action": [ademe.pk, ademe_2.pk]}

    # First the plan, the oldest entry offered as the one kept, and nothing merged yet.
    page = client.post("/admin/actors/actor/", selected)
    html = page.content.decode()
    assert page.status_code == 200 and "Ce que ferait la fusion dans « ADEME »" in html
    assert f'value="{ademe.pk}" checked' in html and 'data-merge-plan="ademe-2"' in html
    assert "redirige désormais vers /ademe/" in html
    assert Actor.objects.filter(slug="ademe-2").exists()

    # Choosing the other entry shows that plan before merging: a confirmation of another plan does not merge.
    page = client.post("/admin/actors/actor/", {**selected, "kept": ademe_2.pk, "shown": ademe.pk, "confirm": "yes"})
    assert 'data-merge-plan="ademe"' in page.content.decode()
    assert Actor.objects.filter(slug="ademe").exists() and Actor.objects.filter(slug="ademe-2").exists()

    # Confirmed for the plan shown: merged.
    response = client.post(
        "/admin/actors/actor/", {**selected, "kept": ademe.pk, "shown": ademe.pk, "confirm": "yes"}, follow=True
    )
    assert "ademe-2 fusionné dans ademe" in " ".join(str(m) for m in response.context["messages"])
    assert not Actor.objects.filter(slug="ademe-2").exists()


def test_the_admin_lists_the_old_addresses(client, ademe_twice):
    merge_actors("ademe", "ademe-2")
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    page = client.get("/admin/communs/redirect/").content.decode()
    assert "ademe-2" in page and "Fusionné dans ademe" in page
