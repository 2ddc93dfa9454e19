"""The permission matrix of the roles, checked on the permissions and through the admin."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from curation.roles import CURATOR, EDITOR
from tests.factories import make_initiative

from .conftest import logged_in

MATRIX = [
    # permission, curator, editor
    ("initiatives.add_initiative", True, True),
    ("initiatives.change_initiative", True, True),
    ("initiatives.delete_initiative", False, False),
    ("initiatives.publish_initiative", False, True),
    ("actors.add_actor", True, True),
    ("actors.change_actor", True, True),
    ("actors.delete_actor", False, False),
    ("actors.publish_actor", False, True),
    ("funding.add_fundingscheme", True, True),
    ("funding.delete_fundingscheme", False, False),
    ("funding.publish_fundingscheme", False, True),
    ("initiatives.add_involvement", True, True),
    ("initiatives.delete_involvement", True, True),
    ("funding.add_award", True, True),
    ("funding.delete_award", True, True),
    ("funding.add_fundingedition", True, True),
    ("initiatives.view_sector", True, True),
    ("initiatives.add_sector", False, True),
    ("territories.add_territory", False, False),
    ("territories.view_territory", True, True),
    ("curation.view_suggestion", True, True),
    ("curation.change_suggestion", False, True),
    ("curation.delete_suggestion", False, False),
    ("curation.add_apitoken", True, True),
    ("curation.view_apitoken", True, True),
    ("curation.delete_apitoken", False, False),
    ("curation.manage_others_apitoken", False, False),
    ("auth.change_user", False, False),
    ("auth.add_group", False, False),
]


@pytest.mark.parametrize("perm,curator_has,editor_has", MATRIX)
def test_permission_matrix(curator, editor, superuser, perm, curator_has, editor_has):
    assert curator.has_perm(perm) is curator_has
    assert editor.has_perm(perm) is editor_has
    assert superuser.has_perm(perm) is True


def test_roles_exist_after_migrate_and_setup_roles_is_idempotent(db):
    before = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert {CURATOR, EDITOR} <= set(before)
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)
    after = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert after == before


def test_setup_roles_restores_a_tampered_group(curator):
    group = Group.objects.get(name=CURATOR)
    group.permissions.clear()
    call_command("setup_roles", verbosity=0)
    assert group.permissions.filter(codename="change_initiative").exists()
    assert not group.permissions.filter(codename="publish_initiative").exists()


@pytest.mark.parametrize("role,status", [("curator", 403), ("editor", 403), ("superuser", 200)])
def test_only_superusers_delete_entries(client, users, role, status):
    initiative = make_initiative()
    response = logged_in(client, users[role]).get(reverse("admin:initiatives_initiative_delete", args=[initiative.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("role,can_publish", [("curator", False), ("editor", True), ("superuser", True)])
def test_publish_action_offered_by_role(client, users, role, can_publish):
    make_initiative()
    response = logged_in(client, users[role]).get(reverse("admin:initiatives_initiative_changelist"))
    actions = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert "action_submit" in actions
    assert ("action_publish" in actions) is can_publish
    assert ("action_archive" in actions) is can_publish
    assert "delete_selected" not in actions or role == "superuser"


def test_curator_cannot_handle_suggestions(client, curator):
    from curation.models import Suggestion

    suggestion = Suggestion.objects.create(kind="new", name="Un commun", summary="Résumé")
    client = logged_in(client, curator)
    assert client.get(reverse("admin:curation_suggestion_change", args=[suggestion.pk])).status_code == 200
    response = client.post(reverse("admin:curation_suggestion_accept", args=[suggestion.pk]))
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"


def test_migrate_resyncs_roles(curator):
    group = Group.objects.get(name=CURATOR)
    group.permissions.clear()
    call_command("migrate", verbosity=0)
    assert group.permissions.filter(codename="change_initiative").exists()
