"""The review workflow: every allowed transition, every refused one, who and when."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from curation import services
from curation.services import TransitionError
from tests.factories import make_actor, make_initiative, make_scheme

from .conftest import form_data as _form_data
from .conftest import logged_in

STATUSES = ["draft", "in_review", "published", "archived"]
ALLOWED = {
    ("draft", "submit"): "in_review",
    ("in_review", "publish"): "published",
    ("in_review", "return_to_draft"): "draft",
    ("published", "archive"): "archived",
    ("archived", "reopen"): "draft",
}
ALL_CASES = [(status, name) for status in STATUSES for name in services.TRANSITIONS]
MAKERS = {"initiative": make_initiative, "actor": make_actor, "scheme": make_scheme}


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("status,name", ALL_CASES)
def test_every_transition_from_every_status(editor, maker, status, name):
    obj = MAKERS[maker](publication_status=status)
    if (status, name) in ALLOWED:
        result = services.apply_transition(obj, name, editor, reason="Projet arrêté")
        assert result.publication_status == ALLOWED[(status, name)]
        obj.refresh_from_db()
        assert obj.publication_status == ALLOWED[(status, name)]
        assert obj.status_changed_by == editor
        assert obj.status_changed_at is not None
        record = obj.history.first()
        assert record.history_user == editor
        assert record.history_change_reason.startswith(services.TRANSITIONS[name].label)
    else:
        with pytest.raises(TransitionError):
            services.apply_transition(obj, name, editor, reason="Projet arrêté")
        obj.refresh_from_db()
        assert obj.publication_status == status


def test_publish_records_the_review(editor):
    initiative = make_initiative(publication_status="in_review")
    initiative = services.apply_transition(initiative, "publish", editor)
    assert initiative.reviewed_by == editor and initiative.reviewed_at is not None


def test_archive_needs_a_reason_and_keeps_it(editor):
    initiative = make_initiative(publication_status="published")
    with pytest.raises(TransitionError, match="motif"):
        services.apply_transition(initiative, "archive", editor, reason="  ")
    initiative = services.apply_transition(initiative, "archive", editor, reason="Service fermé en 2024")
    assert initiative.archived_reason == "Service fermé en 2024"
    assert "Service fermé en 2024" in initiative.history.first().history_change_reason
    initiative = services.apply_transition(initiative, "reopen", editor)
    assert initiative.archived_reason == ""


@pytest.mark.parametrize("name", ["publish", "return_to_draft", "archive", "reopen"])
def test_curator_cannot_apply_editor_transitions(curator, name):
    source = next(s for (s, n) in ALLOWED if n == name)
    initiative = make_initiative(publication_status=source)
    with pytest.raises(PermissionDenied):
        services.apply_transition(initiative, name, curator, reason="motif")
    initiative.refresh_from_db()
    assert initiative.publication_status == source


def test_curator_submits(curator):
    initiative = services.apply_transition(make_initiative(), "submit", curator)
    assert initiative.publication_status == "in_review"


def test_transition_bumps_version_and_updated_at(editor):
    initiative = make_initiative(publication_status="in_review")
    version, updated = initiative.version, initiative.updated_at
    initiative = services.apply_transition(initiative, "publish", editor)
    assert initiative.version == version + 1
    assert initiative.updated_at > updated


def test_admin_buttons_show_only_allowed_transitions(client, curator, editor):
    initiative = make_initiative(publication_status="in_review")
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    page = logged_in(client, editor).get(url).text
    assert 'name="_transition_publish"' in page and 'name="_transition_return_to_draft"' in page
    assert 'name="_transition_submit"' not in page and 'name="_transition_archive"' not in page
    client.logout()
    page = logged_in(client, curator).get(url).text
    assert 'name="_transition_publish"' not in page


def test_admin_button_publishes_and_refuses_clearly(client, editor):
    initiative = make_initiative(publication_status="in_review")
    client = logged_in(client, editor)
    url = reverse("admin:initiatives_initiative_transition", args=[initiative.pk, "publish"])
    response = client.post(url, follow=True)
    initiative.refresh_from_db()
    assert initiative.publication_status == "published"
    # Clicking again (a stale page): refused with a message, nothing changes.
    response = client.post(url, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("impossible" in m for m in messages)
    initiative.refresh_from_db()
    assert initiative.publication_status == "published"


def test_admin_transition_by_curator_is_forbidden(client, curator):
    initiative = make_initiative(publication_status="in_review")
    response = logged_in(client, curator).post(
        reverse("admin:initiatives_initiative_transition", args=[initiative.pk, "publish"])
    )
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.publication_status == "in_review"


def test_transition_url_refuses_get(client, editor):
    initiative = make_initiative(publication_status="in_review")
    response = logged_in(client, editor).get(
        reverse("admin:initiatives_initiative_transition", args=[initiative.pk, "publish"])
    )
    assert response.status_code == 405


def test_publication_status_is_not_editable_in_the_form(client, curator):
    initiative = make_initiative()
    client = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = _form_data(client, url)
    data["publication_status"] = "published"
    data["summary"] = "Résumé modifié"
    assert client.post(url, data).status_code == 302
    initiative.refresh_from_db()
    assert initiative.publication_status == "draft"
    assert initiative.summary == "Résumé modifié"


def test_bulk_actions(client, editor):
    drafts = [make_initiative() for _ in range(2)]
    published = make_initiative(publication_status="published")
    client = logged_in(client, editor)
    url = reverse("admin:initiatives_initiative_changelist")
    response = client.post(
        url, {"action": "action_submit", "_selected_action": [o.pk for o in [*drafts, published]]}, follow=True
    )
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "2 fiche(s)" in messages and "1 refus" in messages
    client.post(url, {"action": "action_publish", "_selected_action": [o.pk for o in drafts]})
    for obj in drafts:
        obj.refresh_from_db()
        assert obj.publication_status == "published"
    # Archiving asks for a reason first, then applies it to every selected entry.
    response = client.post(url, {"action": "action_archive", "_selected_action": [drafts[0].pk]})
    assert response.status_code == 200 and "Motif" in response.text
    drafts[0].refresh_from_db()
    assert drafts[0].publication_status == "published"
    client.post(
        url, {"action": "action_archive", "_selected_action": [drafts[0].pk], "apply": "1", "reason": "Doublon"}
    )
    drafts[0].refresh_from_db()
    assert drafts[0].publication_status == "archived" and drafts[0].archived_reason == "Doublon"


def test_bulk_add_sector_and_tag(client, curator):
    from tests.factories import make_sector

    sector = make_sector()
    initiatives = [make_initiative() for _ in range(2)]
    client = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_changelist")
    ids = [o.pk for o in initiatives]
    client.post(url, {"action": "action_add_sector", "_selected_action": ids, "apply": "1", "sector": sector.pk})
    client.post(url, {"action": "action_add_tag", "_selected_action": ids, "apply": "1", "tag": "cartographie"})
    for obj in initiatives:
        assert list(obj.sectors.all()) == [sector]
        assert list(obj.tags.names()) == ["cartographie"]
        assert obj.history.first().history_user == curator


def test_mark_reviewed(client, curator):
    initiative = make_initiative(publication_status="published")
    logged_in(client, curator).post(reverse("admin:initiatives_initiative_reviewed", args=[initiative.pk]))
    initiative.refresh_from_db()
    assert initiative.reviewed_by == curator
    draft = make_initiative()
    with pytest.raises(TransitionError):
        services.mark_reviewed(draft, curator)


def test_public_site_shows_only_published(client, db):
    published = make_initiative(publication_status="published")
    for status in ["draft", "in_review", "archived"]:
        hidden = make_initiative(publication_status=status)
        # An archived entry's page says it was archived (410 Gone); the others are not found.
        assert client.get(hidden.get_absolute_url()).status_code == (410 if status == "archived" else 404)
        assert client.get(reverse("curation:history", args=[hidden.slug])).status_code == 404
        assert client.get(reverse("curation:correction", args=[hidden.slug])).status_code == 404
    assert client.get(published.get_absolute_url()).status_code == 200
    listing = client.get(reverse("initiatives:list")).text
    assert published.name in listing
