"""Production bugs of the public pages, each pinned by what a visitor sees."""

import datetime

import pytest
from django.utils import timezone

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative

ARCHIVED_AT = timezone.make_aware(datetime.datetime(2026, 3, 14, 10, 0))


def archive(model, slug, reason):
    # As curation.services.archive leaves it: the status, when, and why.
    model.objects.filter(slug=slug).update(
        publication_status="archived", status_changed_at=ARCHIVED_AT, archived_reason=reason
    )


@pytest.mark.parametrize(
    "model, slug, url",
    [
        (Initiative, "decidim", "/initiatives/decidim/"),
        (Actor, "ign", "/acteurs/ign/"),
        (FundingScheme, "appel-a-communs", "/financements/appel-a-communs/"),
    ],
)
def test_an_archived_entry_page_is_gone_and_says_when_and_why(client, directory, model, slug, url):
    assert client.get(url).status_code == 200
    archive(model, slug, "Projet arrêté en 2025 <b>faute de mainteneurs</b>")
    response = client.get(url)
    assert response.status_code == 410
    text = response.content.decode()
    assert "archivée le 14 mars 2026" in text
    assert "Projet arrêté en 2025 &lt;b&gt;faute de mainteneurs&lt;/b&gt;" in text  # escaped
    assert text.count("<h1") == 1


def test_a_draft_page_is_still_not_found(client, directory):
    assert client.get("/initiatives/commun-en-brouillon/").status_code == 404
    assert client.get("/acteurs/acteur-brouillon/").status_code == 404
    assert client.get("/initiatives/nexiste-pas/").status_code == 404
