"""Login throttling (django-axes): an account is locked from an address after too many failures."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

PASSWORD = "le-bon-mot-de-passe"


@pytest.fixture
def curator(db):
    return User.objects.create_user("curatrice", "curatrice@example.org", PASSWORD, is_staff=True)


def log_in(client, password, address="192.0.2.10"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "curatrice", "password": password},
        REMOTE_ADDR=address,
    )


def is_logged_in(client):
    return client.get("/admin/").status_code == 200


def lock_out(client):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = log_in(client, f"mauvais-{attempt}")
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert response.status_code == 200  # the form again, with its error
            assert "Veuillez compléter correctement les champs" in response.content.decode()
    return response


def test_the_default_limit_is_five_failures_for_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60


def test_after_five_failures_even_the_right_password_is_refused(client, curator):
    response = lock_out(client)
    assert response.status_code == 429
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Connexion temporairement bloquée" in text
    assert "Après 5 tentatives de connexion infructueuses" in text and "pendant 30 minutes" in text
    assert '<html lang="fr"' in text
    assert not is_logged_in(client)
    # The lock is stored in the database, so every worker and server applies it; the refused right
    # password counts as one more failure.
    assert AccessAttempt.objects.get(username="curatrice").failures_since_start == 6


def test_the_lock_holds_for_the_account_from_that_address_only(client, curator):
    lock_out(client)
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302
    assert is_logged_in(client)


def test_after_the_cool_off_the_right_password_works_again(client, curator):
    lock_out(client)
    assert log_in(client, PASSWORD).status_code == 429
    # As if the cool-off time had passed since the last failure.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(seconds=1)
    )
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert is_logged_in(client)


def test_a_success_before_the_limit_starts_the_count_again(client, curator):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, f"mauvais-{attempt}")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, f"encore-{attempt}").status_code == 200
    assert log_in(client, PASSWORD).status_code == 302


def test_the_limit_follows_the_setting(client, curator, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert log_in(client, "mauvais").status_code == 200
    assert log_in(client, "mauvais").status_code == 429
    assert log_in(client, PASSWORD).status_code == 429
