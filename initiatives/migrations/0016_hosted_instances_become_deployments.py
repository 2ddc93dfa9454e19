"""The entries earlier imports made of the SILL's services.csv rows become deployments of their commons.

HOSTED_INSTANCE_RULE (catalogues/deployments.py): a service is a use of the commons its software
resolves to (SILL software id, else the same name), not a commons. Each such entry becomes one
deployment of that commons (its organisation: the entry's carrier; its address: the entry's website),
its catalogue Record follows it (so the next import updates the deployment rather than creating the
entry again), and its old slug is kept in the redirect table: /initiatives/<old>/ answers 301 to the
commons' page, anchored on the deployment. A software the directory does not have yet becomes a draft
commons, as the importer makes it. An entry that another source or a curator also describes
(data.gouv.fr, Pix) stays a commons; its deployment is added when its software is another commons.

Written with the migration's own models and small copies of the rule's helpers: a migration must
keep working when the application code changes.
"""

import csv
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

SERVICES = "sill-services"
REASON = "Instance hébergée d'un commun : devenue un déploiement de ce commun"


def fold_key(text):
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^0-9a-z]+", "", text)


def url_key(url):
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else f"//{url}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/").lower()
    return f"{host}{path}"


def reviewed(name):
    """The rows of a reviewed file of data/derivation (catalogues/deployments.py reads the same)."""
    path = Path(settings.DATA_DIR) / "derivation" / name
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(lines)]


def unique_slug(Initiative, name):
    base = slugify(name)[:90] or "logiciel"
    slug, number = base, 2
    while Initiative.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Record = apps.get_model("catalogues", "Record")
    Initiative = apps.get_model("initiatives", "Initiative")
    Involvement = apps.get_model("initiatives", "Involvement")
    Deployment = apps.get_model("initiatives", "Deployment")
    HistoricalDeployment = apps.get_model("initiatives", "HistoricalDeployment")
    DeploymentRedirect = apps.get_model("initiatives", "DeploymentRedirect")
    Territory = apps.get_model("territories", "Territory")
    SearchDocument = apps.get_model("communs", "SearchDocument")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    initiative_type = ContentType.objects.filter(app_label="initiatives", model="initiative").first()
    if initiative_type is None:  # a new database: nothing was imported yet
        return
    records = list(
        Record.objects.filter(source__key=SERVICES, content_type=initiative_type).order_by("external_id", "pk")
    )
    if not records:
        return
    deployment_type, _ = ContentType.objects.get_or_create(app_label="initiatives", model="deployment")
    entries = Initiative.objects.in_bulk({record.object_id for record in records})

    def only_services(entry):
        cited = [item.get("source") for item in entry.sources if isinstance(item, dict)]
        return all(source == SERVICES for source in cited)

    converted = {pk for pk, entry in entries.items() if only_services(entry)}
    # Their slugs are freed first: a software they are named after ("Mattermost") takes its own name.
    old_slugs = {pk: entries[pk].slug for pk in converted}
    for pk in converted:
        Initiative.objects.filter(pk=pk).update(slug=f"instance-hebergee-{pk}")
    candidates = Initiative.objects.exclude(pk__in=converted)
    software_file = {fold_key(row["software"]): row for row in reviewed("service-software.csv")}

    def software_of(extra):
        sill_id = str(extra.get("software_sill_id") or "").strip()
        if sill_id.isdigit():
            found = candidates.filter(sill_id=int(sill_id)).order_by("pk").first()
            if found is not None:
                return found
        given = (extra.get("software_name") or "").strip()
        known = software_file.get(fold_key(given), {})
        names = [name for name in (given, known.get("name", "")) if fold_key(name)]
        for name in names:
            same = [e for e in candidates.filter(name__iexact=name) if fold_key(e.name) == fold_key(name)]
            same.sort(key=lambda e: (e.kind != "software", e.pk))
            if same:
                return same[0]
        for field in ("repository_url", "website"):
            key = url_key(known.get(field))
            if key:
                host = key.split("/", 1)[0]
                same = [
                    e for e in candidates.filter(**{f"{field}__icontains": host}) if url_key(getattr(e, field)) == key
                ]
                if same:
                    return min(same, key=lambda e: e.pk)
        if not names:
            return None
        # Not in the directory yet: a commons of its own, a draft until it has a website or a repository.
        addresses = {field: known.get(field, "") for field in ("website", "repository_url")}
        publication = settings.CATALOGUE_PUBLICATION.get(SERVICES, "draft") if any(addresses.values()) else "draft"
        return Initiative.objects.create(
            slug=unique_slug(Initiative, names[-1]),
            name=names[-1][:200],
            kind="software",
            sill_id=int(sill_id) if sill_id.isdigit() else None,
            publication_status=publication,
            sources=[{"source": SERVICES, "note": "Logiciel d'un service public en ligne"}],
            **addresses,
        )

    codes = {fold_key(row["agency"]): row["territory"] for row in reviewed("deployment-places.csv")}
    now = timezone.now()
    deleted = set()
    for record in records:
        entry = entries.get(record.object_id)
        if entry is None:
            continue
        software = software_of(record.extra or {})
        if (
            software is None
            or software.pk == entry.pk
            or (entry.website and url_key(software.website) == url_key(entry.website))
        ):
            continue  # the service is its commons' own site: nothing to record
        carrier = (
            Involvement.objects.filter(initiative=entry, role="carrier").select_related("actor").order_by("pk").first()
        )
        actor = carrier.actor if carrier else None
        code = codes.get(fold_key(actor.name)) if actor else ""
        territory = (Territory.objects.filter(code=code).first() if code else None) or (
            actor.territory if actor else None
        )
        url = entry.website
        existing = Deployment.objects.filter(initiative=software, url=url).first() if url else None
        deployment = existing or Deployment.objects.create(
            initiative=software,
            actor=actor,
            name=re.sub(r" \([^()]*\)$", "", entry.name)
            if actor and entry.name.endswith(f"({actor.name})")
            else entry.name,
            url=url,
            territory=territory,
            since=str(entry.launch_year) if entry.launch_year else "",
            note=entry.summary[:1000],
            publication_status=entry.publication_status,
            sources=[item for item in entry.sources if isinstance(item, dict) and item.get("source") == SERVICES]
            or [{"source": SERVICES}],
        )
        if existing is None:
            HistoricalDeployment.objects.create(
                id=deployment.pk,
                initiative_id=deployment.initiative_id,
                actor_id=deployment.actor_id,
                name=deployment.name,
                url=deployment.url,
                territory_id=deployment.territory_id,
                since=deployment.since,
                note=deployment.note,
                publication_status=deployment.publication_status,
                sources=deployment.sources,
                created_at=deployment.created_at,
                updated_at=deployment.updated_at,
                history_date=now,
                history_type="+",
                history_change_reason=REASON[:100],
            )
        # What the source gave, as the deployment now holds it: the next import updates it freely.
        record.content_type_id, record.object_id = deployment_type.pk, deployment.pk
        record.imported = {
            "name": deployment.name,
            "since": deployment.since,
            "note": deployment.note,
            "actor": deployment.actor_id,
            "territory": deployment.territory_id,
        }
        record.save(update_fields=["content_type", "object_id", "imported"])
        if entry.pk in converted:
            DeploymentRedirect.objects.update_or_create(
                old_slug=old_slugs[entry.pk], defaults={"deployment": deployment}
            )
            deleted.add(entry.pk)
    for pk in converted - deleted:  # left as it was (a service of no known software): its own slug back
        Initiative.objects.filter(pk=pk).update(slug=old_slugs[pk])
    for pk in deleted:
        SearchDocument.objects.filter(content_type=initiative_type, object_id=pk).delete()
        TaggedItem.objects.filter(content_type=initiative_type, object_id=pk).delete()
        Initiative.objects.filter(pk=pk).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0015_deployments"),
        ("catalogues", "0003_clean_control_characters"),
        ("communs", "0004_search_rank_vector"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
