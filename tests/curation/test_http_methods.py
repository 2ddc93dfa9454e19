"""Each curation view answers the methods it serves and refuses the others with a 405."""

import pytest
from django.urls import reverse

from curation.models import Suggestion
from tests.factories import make_initiative

from .conftest import logged_in

pytestmark = pytest.mark.django_db


def test_public_forms_serve_get_head_and_post_only(client):
    initiative = make_initiative(publication_status="published")
    for url in (reverse("curation:propose"), reverse("curation:correction", args=[initiative.slug])):
        assert client.get(url).status_code == 200
        assert client.head(url).status_code == 200
        response = client.put(url)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, POST"
    assert not Suggestion.objects.exists()


def test_admin_actions_refuse_get(client, editor):
    initiative = make_initiative(publication_status="published")
    suggestion = Suggestion.objects.create(kind="correction", initiative=initiative, website="https://new.example.org")
    client = logged_in(client, editor)
    for url in (
        reverse("admin:curation_suggestion_accept", args=[suggestion.pk]),
        reverse("admin:curation_suggestion_reject", args=[suggestion.pk]),
        reverse("admin:initiatives_initiative_reviewed", args=[initiative.pk]),
        reverse("admin:initiatives_initiative_revert", args=[initiative.pk, initiative.history.last().history_id]),
    ):
        response = client.get(url)
        assert response.status_code == 405, url
        assert response["Allow"] == "POST"
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING
