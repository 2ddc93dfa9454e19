"""No lost update: the second of two concurrent admin saves is refused with what changed."""

import html
import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.urls import reverse

from curation.roles import CURATOR
from initiatives.models import Initiative
from tests.factories import make_initiative

from .conftest import form_data, logged_in


def test_version_increments_on_every_save(db):
    initiative = make_initiative()
    assert initiative.version == 1
    initiative.save()
    initiative.save(update_fields=["summary"])
    initiative.refresh_from_db()
    assert initiative.version == 3


def test_second_stale_save_is_refused_with_what_changed(client, curator, other_curator):
    initiative = make_initiative(summary="Résumé d'origine", website="https://origine.example.org")
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    alice, bob = logged_in(Client(), curator), logged_in(Client(), other_curator)

    # Both open the form at the same version.
    alice_data, bob_data = form_data(alice, url), form_data(bob, url)
    assert alice_data["loaded_version"] == bob_data["loaded_version"] == "1"

    alice_data["summary"] = "Résumé d'Alice"
    assert alice.post(url, alice_data).status_code == 302

    bob_data["website"] = "https://bob.example.org"
    response = bob.post(url, bob_data)
    assert response.status_code == 200  # the form again, with the refusal
    page = html.unescape(response.text)
    assert "a été modifiée par curatrice" in page
    assert "Résumé d'Alice" in page and "Résumé d'origine" in page
    assert "n'ont pas été enregistrées" in page

    initiative.refresh_from_db()
    assert initiative.summary == "Résumé d'Alice"
    assert initiative.website == "https://origine.example.org"
    assert initiative.version == 2

    # Reloading gives the current version, and Bob's edit then goes through.
    bob_data = form_data(bob, url)
    bob_data["website"] = "https://bob.example.org"
    assert bob.post(url, bob_data).status_code == 302
    initiative.refresh_from_db()
    assert (initiative.summary, initiative.website) == ("Résumé d'Alice", "https://bob.example.org")


def test_a_transition_meanwhile_also_makes_the_form_stale(client, curator, editor):
    from curation import services

    initiative = make_initiative(publication_status="in_review")
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    client = logged_in(client, curator)
    data = form_data(client, url)
    services.apply_transition(initiative, "publish", editor)
    data["summary"] = "Modifié"
    response = client.post(url, data)
    assert response.status_code == 200 and "statut de publication" in response.text.lower()
    initiative.refresh_from_db()
    assert initiative.summary == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads on SQLite's shared-cache in-memory test database hit table locks that a real "
    "SQLite file does not have; the interleaved race above runs on both databases",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_race_only_one_wins(roles):
    """Two curators post at the same moment from two threads (two connections)."""
    users = []
    for name in ("alice", "bob"):
        user = User.objects.create_user(name, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=CURATOR))
        users.append(user)
    initiative = make_initiative(summary="Origine")
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    clients = [logged_in(Client(), user) for user in users]
    payloads = [form_data(c, url) for c in clients]
    payloads[0]["summary"], payloads[1]["summary"] = "Alice", "Bob"

    barrier = threading.Barrier(2)
    statuses = [None, None]
    errors = []

    def post(i):
        try:
            barrier.wait()
            statuses[i] = clients[i].post(url, payloads[i]).status_code
        except Exception as error:  # a locked SQLite database refuses too: no lost update
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    initiative = Initiative.objects.get(pk=initiative.pk)
    # The row lock makes the second save wait, then see version 2 and refuse with the form.
    assert sorted(statuses) == [200, 302], (statuses, errors)
    winner = statuses.index(302)
    assert initiative.summary == ("Alice", "Bob")[winner]
    assert initiative.version == 2
    assert initiative.history.count() == 2


@pytest.mark.parametrize(
    "admin_name,factory",
    [
        ("actors_actor", "make_actor"),
        ("funding_fundingscheme", "make_scheme"),
    ],
)
def test_stale_saves_are_refused_for_actors_and_schemes(curator, other_curator, admin_name, factory):
    from tests import factories

    obj = getattr(factories, factory)(description="Avant")
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    first, second = logged_in(Client(), curator), logged_in(Client(), other_curator)
    first_data, second_data = form_data(first, url), form_data(second, url)
    first_data["description"] = "Première"
    assert first.post(url, first_data).status_code == 302
    second_data["description"] = "Seconde"
    response = second.post(url, second_data)
    assert response.status_code == 200
    assert "Première" in html.unescape(response.text)
    obj.refresh_from_db()
    assert obj.description == "Première"
