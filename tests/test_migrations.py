import io

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative
from territories.models import Territory


@pytest.mark.django_db
def test_migrations_are_complete():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


# Before Territory moved from initiatives to territories (territories 0001 and what depends on it:
# actors 0006, funding 0004, initiatives 0013).
BEFORE_TERRITORIES_APP = [
    ("territories", None),
    ("initiatives", "0012_territory_epci_membership"),
    ("actors", "0005_sources_help_text"),
    ("funding", "0003_sources_help_text"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


# SQLite renames a table outside a transaction only: a transactional test.
@pytest.mark.django_db(transaction=True)
def test_territories_move_to_their_app_with_their_rows_links_and_permissions():
    view_territory = Permission.objects.get(content_type__app_label="territories", codename="view_territory")
    content_type_id = view_territory.content_type_id
    old = migrate(BEFORE_TERRITORIES_APP)
    try:
        assert "initiatives_territory" in connection.introspection.table_names()
        assert "territories_territory" not in connection.introspection.table_names()
        OldTerritory = old.get_model("initiatives", "Territory")
        # Going back moved the content type back (so the permission followed it).
        assert old.get_model("contenttypes", "ContentType").objects.get(pk=content_type_id).app_label == "initiatives"
        bretagne = OldTerritory.objects.create(code="reg-53", kind="region", name="Bretagne", official_code="53")
        finistere = OldTerritory.objects.create(
            code="dep-29", kind="departement", name="Finistère", official_code="29", parent=bretagne
        )
        metropole = OldTerritory.objects.create(
            code="epci-242900314", kind="epci", name="Brest Métropole", siren="242900314", parent=finistere
        )
        brest = OldTerritory.objects.create(
            code="com-29019", kind="commune", name="Brest", official_code="29019", parent=finistere, epci=metropole
        )
        initiative = old.get_model("initiatives", "Initiative").objects.create(
            name="Commun brestois", slug="commun-brestois", kind="software", publication_status="published"
        )
        initiative.territories.set([brest, bretagne])
        actor = old.get_model("actors", "Actor").objects.create(
            name="Ville de Brest", slug="ville-de-brest", kind="local_authority", territory=brest
        )
        scheme = old.get_model("funding", "FundingScheme").objects.create(
            name="Aide bretonne", slug="aide-bretonne", kind="fund", status="open", territory=bretagne
        )
        ids = {territory.code: territory.pk for territory in OldTerritory.objects.all()}
    finally:
        migrate(latest())
    ContentType.objects.clear_cache()

    tables = connection.introspection.table_names()
    assert "territories_territory" in tables and "initiatives_territory" not in tables
    # Same rows, same keys, same links between places.
    assert {territory.code: territory.pk for territory in Territory.objects.all()} == ids
    brest = Territory.objects.select_related("parent__parent", "epci").get(code="com-29019")
    assert (brest.parent.code, brest.parent.parent.code, brest.epci.code) == ("dep-29", "reg-53", "epci-242900314")
    assert set(Territory.objects.get(code="dep-29").children.values_list("code", flat=True)) == {
        "epci-242900314",
        "com-29019",
    }
    # The entries still point at their places, through the new model.
    assert set(Initiative.objects.get(pk=initiative.pk).territories.values_list("code", flat=True)) == {
        "com-29019",
        "reg-53",
    }
    assert set(Territory.objects.get(code="com-29019").initiatives.values_list("slug", flat=True)) == {
        "commun-brestois"
    }
    assert Actor.objects.get(pk=actor.pk).territory.code == "com-29019"
    assert FundingScheme.objects.get(pk=scheme.pk).territory.code == "reg-53"
    assert list(Territory.objects.get(code="reg-53").funding_schemes.values_list("slug", flat=True)) == [
        "aide-bretonne"
    ]
    # The content type came back to the new app: the permission (and the roles holding it) with it.
    assert ContentType.objects.get_for_model(Territory).pk == content_type_id
    assert Permission.objects.get(pk=view_territory.pk).content_type_id == content_type_id
    # The check constraints carry the new app's names (PostgreSQL keeps names through a rename).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            names = set(connection.introspection.get_constraints(cursor, "territories_territory"))
        assert {
            "territories_territory_siren_format",
            "territories_territory_epci_member_is_commune",
            "territories_territory_kind_valid",
        } <= names


@pytest.mark.django_db(transaction=True)
def test_stored_script_contact_points_are_emptied_and_the_others_kept():
    old = migrate([("initiatives", "0016_hosted_instances_become_deployments")])
    try:
        OldInitiative = old.get_model("initiatives", "Initiative")
        values = {
            "script": "javascript:alert(1)",
            "hidden-script": " JAVA\tscript&colon;alert(1)",
            "data": "data:text/html,<b>x</b>",
            "mail": "contact@example.org",
            "web": "https://example.org/contact",
        }
        for slug, contact_point in values.items():
            OldInitiative.objects.create(slug=slug, name=slug, kind="software", contact_point=contact_point)
    finally:
        migrate(latest())

    kept = dict(Initiative.objects.values_list("slug", "contact_point"))
    assert kept == {
        "script": "",
        "hidden-script": "",
        "data": "",
        "mail": "contact@example.org",
        "web": "https://example.org/contact",
    }
