"""Migration initiatives/0016 on a directory that earlier imports filled with hosted instances."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from catalogues.models import Record
from initiatives.models import DeploymentRedirect, Initiative
from tests.test_migrations import latest, migrate

BEFORE = [
    ("initiatives", "0015_deployments"),
    ("catalogues", "0003_clean_control_characters"),
    ("communs", "0004_search_rank_vector"),
    ("actors", "0006_territory_moves_to_territories"),
]


# Migrating backwards and forwards needs a transactional test (SQLite renames tables outside one).
@pytest.mark.django_db(transaction=True)
def test_hosted_instance_entries_become_deployments_of_their_commons_and_their_addresses_answer_301(client):
    old = migrate(BEFORE)
    try:
        Source = old.get_model("communs", "Source")
        OldInitiative = old.get_model("initiatives", "Initiative")
        OldRecord = old.get_model("catalogues", "Record")
        Involvement = old.get_model("initiatives", "Involvement")
        Actor = old.get_model("actors", "Actor")
        Territory = old.get_model("territories", "Territory")
        initiative_type = old.get_model("contenttypes", "ContentType").objects.get(
            app_label="initiatives", model="initiative"
        )
        services = Source.objects.create(key="sill-services", kind="catalogue", title="Services du SILL")
        Territory.objects.create(code="reg-11", kind="region", name="Île-de-France")
        versailles = Actor.objects.create(
            slug="academie-de-versailles", name="Académie de Versailles", kind="state", publication_status="published"
        )
        Actor.objects.create(slug="cd69", name="CD69", kind="local_authority", publication_status="published")
        OldInitiative.objects.create(
            slug="peertube", name="PeerTube", kind="software", sill_id=197, publication_status="published"
        )
        OldInitiative.objects.create(
            slug="udata", name="uData", kind="software", website="https://getudata.org/", publication_status="published"
        )

        def service(number, slug, name, website, software, sill_id="", sources=None, carrier=None):
            entry = OldInitiative.objects.create(
                slug=slug,
                name=name,
                kind="platform",
                summary="Diffusion vidéo",
                website=website,
                launch_year=2020,
                publication_status="published",
                sources=sources or [{"source": "sill-services"}],
            )
            if carrier is not None:
                Involvement.objects.create(initiative=entry, actor=carrier, role="carrier")
            OldRecord.objects.create(
                source=services,
                external_id=f"service:{number}",
                content_type=initiative_type,
                object_id=entry.pk,
                imported={"name": name, "website": website},
                extra={"software_name": software, "software_sill_id": sill_id},
                last_imported_at=timezone.now(),
            )

        service(
            63, "peertube-academie-de-versailles", "Peertube (Académie de Versailles)", "https://tube-versailles.fr",
            "Peertube", "197", carrier=versailles,
        )  # fmt: skip
        # A commons of its own that a curated source also describes: it stays, and its use is recorded.
        service(
            7, "data-gouv-fr", "data.gouv.fr", "https://data.gouv.fr/", "udata",
            sources=[{"source": "sill-services"}, {"document": "Rapport"}],
        )  # fmt: skip
        # A software no catalogue describes: a draft commons of its own, with its use.
        service(
            50, "notaires-du-rhone", "Départements & Notaires (CD69)", "", "Départements & Notaires",
            carrier=Actor.objects.get(slug="cd69"),
        )  # fmt: skip
    finally:
        migrate(latest())
    ContentType.objects.clear_cache()

    peertube = Initiative.objects.get(slug="peertube")
    use = peertube.deployments.get()
    assert (use.actor.slug, use.url, use.territory.code, use.since, use.note) == (
        "academie-de-versailles",
        "https://tube-versailles.fr",
        "reg-11",  # the reviewed file of places (data/derivation/deployment-places.csv)
        "2020",
        "Diffusion vidéo",
    )
    assert use.name == "Peertube" and use.publication_status == "published"
    assert use.sources == [{"source": "sill-services"}]
    assert use.history.get().history_change_reason.startswith("Instance hébergée")
    assert not Initiative.objects.filter(slug="peertube-academie-de-versailles").exists()
    # The next import finds the use through its record.
    record = Record.objects.get(external_id="service:63")
    assert (record.content_type.model, record.object_id) == ("deployment", use.pk)
    assert DeploymentRedirect.objects.get(old_slug="peertube-academie-de-versailles").deployment == use

    assert Initiative.objects.get(slug="data-gouv-fr").is_published
    assert Initiative.objects.get(slug="udata").deployments.get().url == "https://data.gouv.fr/"

    notaires = Initiative.objects.get(name="Départements & Notaires")
    assert (notaires.kind, notaires.publication_status) == ("software", "draft")
    assert notaires.deployments.get().territory is None  # dep-69 is not in this database

    page = client.get("/initiatives/peertube-academie-de-versailles/")
    assert (page.status_code, page["Location"]) == (301, f"/initiatives/peertube/#deploiement-{use.pk}")
    assert f'id="deploiement-{use.pk}"' in client.get(page["Location"]).content.decode()
