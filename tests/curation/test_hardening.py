"""Production bugs of the curation tools, each pinned through the admin's pages."""

from django.urls import reverse
from taggit.models import Tag

from .conftest import logged_in, make_initiative


def test_the_bulk_add_tag_action_refuses_a_tag_without_letters(client, curator):
    initiatives = [make_initiative() for _ in range(2)]
    url = reverse("admin:initiatives_initiative_changelist")
    ids = [o.pk for o in initiatives]
    response = logged_in(client, curator).post(
        url, {"action": "action_add_tag", "_selected_action": ids, "apply": "1", "tag": "!!!"}
    )
    # The form comes back with the reason, and nothing was added.
    assert response.status_code == 200
    assert "doit contenir au moins une lettre ou un chiffre" in response.text
    assert not Tag.objects.exists()
    for obj in initiatives:
        assert list(obj.tags.names()) == []
        assert obj.history.count() == 1
