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


# --- Markdown: bounded, rendered when saved -----------------------------------------------------

PATHOLOGICAL = {
    "nested lists": "- " * 1000 + "x",  # was a RecursionError (500)
    "brackets": "[" * 4990,  # was 3.8 s of CPU per view
    "bracket pairs": "[!" * 4900,
    "unclosed links": "[a](" * 2450,
    "emphasis": "*_" * 4900,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_a_pathological_description_renders(client, directory, text):
    decidim = Initiative.objects.get(slug="decidim")
    decidim.description = text + " fin-du-texte"
    decidim.full_clean()
    decidim.save()
    response = client.get("/initiatives/decidim/")
    assert response.status_code == 200
    assert "fin-du-texte" in response.content.decode()


def test_pages_read_the_html_stored_at_save(client, directory, monkeypatch):
    for model, slug in [(Initiative, "decidim"), (Actor, "ign"), (FundingScheme, "appel-a-communs")]:
        entry = model.objects.get(slug=slug)
        entry.description = "## Présentation\n\nUn texte **important**."
        entry.save()

    def no_rendering(text):
        raise AssertionError("a page rendered Markdown")

    monkeypatch.setattr("communs.templatetags.directory.render_markdown", no_rendering)
    for url in ["/initiatives/decidim/", "/acteurs/ign/", "/financements/appel-a-communs/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "<strong>important</strong>" in response.content.decode()


def test_a_text_over_the_limit_saved_anyway_shows_as_plain_text(client, directory):
    # Only the shell or SQL can skip validation; the page still answers, with the text escaped.
    Initiative.objects.filter(slug="decidim").update(description="")
    decidim = Initiative.objects.get(slug="decidim")
    decidim.description = "<b>x</b> " + "[" * 50_000
    decidim.save()
    response = client.get("/initiatives/decidim/")
    assert response.status_code == 200
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()


def test_the_size_limit_is_shown_in_the_admin(client, directory, admin_user):
    from tests.curation.conftest import form_data

    client.force_login(admin_user)
    url = f"/admin/initiatives/initiative/{Initiative.objects.get(slug='decidim').pk}/change/"
    data = form_data(client, url)
    data["description"] = "a" * 10_001
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Ce texte compte 10\u202f001 caractères : 10\u202f000 au plus." in response.content.decode()
    assert Initiative.objects.get(slug="decidim").description != "a" * 10_001
