"""API tokens in the admin: made with the key shown once, listed without it, revoked; nobody else's."""

import re

from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from curation.tokens import ApiToken
from tests.factories import make_initiative, make_token

from .conftest import _user, logged_in

ADD = reverse("admin:curation_apitoken_add")
CHANGELIST = reverse("admin:curation_apitoken_changelist")


def change_url(token):
    return reverse("admin:curation_apitoken_change", args=[token.pk])


def shown_key(response):
    """The key in the message shown after creation (the only time it is ever shown)."""
    match = re.search(r"<code>([A-Za-z0-9_-]{40,})</code>", response.content.decode())
    assert match, "no key in the page after creation"
    return match.group(1)


def api_sees_draft(key, slug):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(f"/api/v1/initiatives/{slug}/")


def test_curator_makes_a_token_sees_its_key_once_and_uses_it(client, curator):
    draft = make_initiative(publication_status="draft")
    client = logged_in(client, curator)
    response = client.post(ADD, {"name": "Script de synchronisation"}, follow=True)
    assert response.status_code == 200
    key = shown_key(response)
    token = ApiToken.objects.get()
    assert (token.user, token.created_by, token.name) == (curator, curator, "Script de synchronisation")
    assert key.startswith(token.prefix)

    assert api_sees_draft(key, draft.slug).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Afterwards neither the list nor the token's page shows the key or its digest.
    for url in (CHANGELIST, change_url(token)):
        page = client.get(url).content.decode()
        assert token.prefix in page
        assert key not in page
        assert token.digest not in page
    assert key not in {str(value) for value in ApiToken.objects.values_list(flat=False).get()}


def test_superuser_page_never_shows_a_key_either(client, superuser, curator):
    key = make_token(curator)
    token = ApiToken.objects.get()
    client = logged_in(client, superuser)
    for url in (CHANGELIST, change_url(token), reverse("admin:index")):
        page = client.get(url).content.decode()
        assert key not in page and token.digest not in page


def test_revoking_in_the_admin_refuses_the_token_at_once(client, curator):
    draft = make_initiative(publication_status="draft")
    key = make_token(curator)
    assert api_sees_draft(key, draft.slug).status_code == 200
    token = ApiToken.objects.get()
    response = logged_in(client, curator).post(
        CHANGELIST, {"action": "action_revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "1 jeton(s) révoqué(s)" in response.content.decode()
    response = api_sees_draft(key, draft.slug)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "This token was revoked."
    assert "révoqué" in client.get(CHANGELIST).content.decode()


def test_an_editor_neither_sees_nor_makes_nor_revokes_another_accounts_tokens(client, editor, curator):
    curators_key = make_token(curator, "Jeton de la curatrice")
    curators_token = ApiToken.objects.get()
    client = logged_in(client, editor)

    page = client.get(CHANGELIST).content.decode()
    assert "Jeton de la curatrice" not in page and curators_token.prefix not in page
    assert client.get(change_url(curators_token)).status_code == 302  # "does not exist", back to the index

    # The add form has no account to pick: a posted one is ignored, the token is the editor's.
    assert "user" not in client.get(ADD).context["adminform"].form.fields
    client.post(ADD, {"name": "Tentative", "user": curator.pk})
    assert ApiToken.objects.get(name="Tentative").user == editor
    assert ApiToken.objects.filter(user=curator).count() == 1

    client.post(CHANGELIST, {"action": "action_revoke", "_selected_action": [curators_token.pk]})
    curators_token.refresh_from_db()
    assert curators_token.revoked_at is None
    assert client.get(reverse("admin:curation_apitoken_delete", args=[curators_token.pk])).status_code in (302, 403)
    assert curators_key not in client.get(CHANGELIST).content.decode()


def test_making_tokens_for_others_needs_the_permission_and_never_reaches_a_superuser(client, editor, superuser, roles):
    service = _user("service-portail")
    editor.user_permissions.add(Permission.objects.get(codename="manage_others_apitoken"))
    editor = type(editor).objects.get(pk=editor.pk)
    client = logged_in(client, editor)

    response = client.post(ADD, {"user": superuser.pk, "name": "Prise de pouvoir"})
    assert response.status_code == 200  # the form again: a superuser is not a valid choice
    assert not ApiToken.objects.filter(user=superuser).exists()

    response = client.post(ADD, {"user": service.pk, "name": "Portail"}, follow=True)
    key = shown_key(response)
    token = ApiToken.objects.get(user=service)
    assert token.created_by == editor
    assert api_sees_draft(key, "inexistant").status_code == 404  # authenticated: not a 401


def test_superuser_makes_a_token_for_any_account(client, superuser, editor):
    response = logged_in(client, superuser).post(ADD, {"user": editor.pk, "name": "Pour l'éditrice"}, follow=True)
    key = shown_key(response)
    assert ApiToken.objects.get(user=editor).created_by == superuser
    assert api_sees_draft(key, "inexistant").status_code == 404


def test_an_expiry_in_the_past_is_refused(client, curator):
    response = logged_in(client, curator).post(
        ADD, {"name": "Déjà mort", "expires_at_0": "01/01/2020", "expires_at_1": "10:00:00"}
    )
    assert response.status_code == 200
    assert "doit être dans le futur" in response.content.decode()
    assert not ApiToken.objects.exists()
