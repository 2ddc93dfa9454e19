"""Identifiers that the shipped data gives actors, and the reviewed merge list of the demo.

- `fill_sirens()`: a commune or an EPCI is a legal entity whose SIREN the official territories file
  gives (data/geo-fr, read by territories/import_territories): the local authority that governs the
  place takes it. It is written with its provenance like an import — a Record of the source
  "geo-fr" holding the value, and the actor citing that source — and only on an actor without a
  SIREN: a curator's value wins, and a SIREN a curator removed is not written again.
- `apply_merge_list()`: data/aliases/merges.csv, pairs of entries a curator found to be one. Both
  there: merged (curation/merge.py). The other gone already (the importers now match it): its old
  address is kept answering 301 to the kept entry, as after a merge.
"""

import csv
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from catalogues.models import Record
from communs.models import Redirect, Source
from communs.search.text import fold

GEO_SOURCE = {
    "key": "geo-fr",
    "kind": Source.Kind.CATALOGUE,
    "title": "Découpage administratif — INSEE (COG 2026) et DGCL (Banatic)",
    "publisher": "INSEE, DGCL, via datagouv/decoupage-administratif",
    "date": "2026-03-09",
    "url": "https://github.com/datagouv/decoupage-administratif",
    "licence": "etalab-2.0",
}
NAME_PREFIXES = ("commune de ", "ville de ", "mairie de ")


@dataclass
class IdentityReport:
    filled: list = field(default_factory=list)  # {"entry", "siren", "territory"}
    skipped: list = field(default_factory=list)  # {"entry", "reason"}

    def lines(self):
        yield f"SIREN des collectivités : {len(self.filled)} renseignés, {len(self.skipped)} laissés."
        for item in self.skipped:
            yield f"  laissé {item['entry']} : {item['reason']}"


def _territory_of(actor, by_name):
    """The commune or EPCI that `actor` governs, or None.

    An EPCI is its own legal entity: the actor linked to it is it. A commune is only when the actor
    is named after it ("Ville de Brest"): a mission or a district town hall ("Mairie du 12e
    arrondissement") placed in a commune is not the commune and has no SIREN of its own there."""
    from territories.models import Territory

    if actor.territory_id and actor.territory.kind == Territory.Kind.EPCI:
        return actor.territory
    name = fold(actor.name)
    for prefix in NAME_PREFIXES:
        name = name.removeprefix(prefix)
    if actor.territory_id and actor.territory.kind == Territory.Kind.COMMUNE:
        return actor.territory if fold(actor.territory.name) == name else None
    found = by_name.get(name, [])
    return found[0] if len(found) == 1 else None  # a name several places share names none of them


@transaction.atomic
def fill_sirens(actors=None, user=None):
    """Give the local authorities among `actors` (default: all) the SIREN of the commune or EPCI
    they govern; returns an IdentityReport."""
    from actors.models import Actor
    from catalogues.importing import importer_user
    from territories.models import Territory

    report = IdentityReport()
    queryset = Actor._base_manager.filter(kind=Actor.Kind.LOCAL_AUTHORITY, siren="").select_related("territory")
    if actors is not None:
        queryset = queryset.filter(pk__in=actors)
    candidates = list(queryset)
    if not candidates:
        return report
    user = user or importer_user()
    places = Territory.objects.filter(kind__in=[Territory.Kind.COMMUNE, Territory.Kind.EPCI]).exclude(siren="")
    by_name = {}
    for place in places:
        by_name.setdefault(fold(place.name), []).append(place)
    source = None
    content_type = ContentType.objects.get_for_model(Actor)
    taken = set(Actor._base_manager.exclude(siren="").values_list("siren", flat=True))
    for actor in candidates:
        territory = _territory_of(actor, by_name)
        if territory is None or not territory.siren:
            continue
        external_id = f"siren:{territory.code}"
        if source is None:
            fields = dict(GEO_SOURCE)
            source, _ = Source.objects.update_or_create(key=fields.pop("key"), defaults=fields)
        record = Record.objects.filter(source=source, content_type=content_type, object_id=actor.pk).first()
        if record is not None:
            # Written before and removed since: a curator's choice.
            report.skipped.append({"entry": actor.slug, "reason": "SIREN retiré par un curateur"})
            continue
        if territory.siren in taken:
            report.skipped.append(
                {"entry": actor.slug, "reason": f"le SIREN {territory.siren} est déjà celui d'un autre acteur"}
            )
            continue
        actor.siren = territory.siren
        note = f"SIREN de {territory.name} ({territory.get_kind_display()})"
        if not any(isinstance(item, dict) and item.get("source") == source.key for item in actor.sources):
            actor.sources = [*actor.sources, {"source": source.key, "note": note}]
        actor._history_user = user
        actor._change_reason = "SIREN du territoire officiel"
        actor.save(update_fields=["siren", "sources", "updated_at"])
        Record.objects.create(
            source=source,
            content_type=content_type,
            external_id=external_id,
            object_id=actor.pk,
            imported={"siren": territory.siren},
            extra={"territory": territory.code, "rule": "collectivité ↔ territoire officiel"},
            last_imported_at=timezone.now(),
        )
        taken.add(territory.siren)
        report.filled.append({"entry": actor.slug, "siren": territory.siren, "territory": territory.code})
    return report


def merge_list_path():
    return settings.DATA_DIR / "aliases" / "merges.csv"


def apply_merge_list(path=None, user=None, stdout=None):
    """Apply the reviewed merge list (see the module's docstring); returns the lines it says."""
    from actors.models import Actor
    from catalogues.importing import importer_user
    from curation.merge import merge
    from initiatives.models import Initiative

    models = {"actor": Actor, "initiative": Initiative}
    user = user or importer_user()
    said = []
    with (path or merge_list_path()).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        model = models[row["model"]]
        kept = model._base_manager.filter(slug=row["kept"]).first()
        other = model._base_manager.filter(slug=row["other"]).first()
        if kept is None:
            said.append(f"fusion ignorée : {row['kept']} n'existe pas")
        elif other is not None:
            said.extend(merge(kept, other, user=user).lines())
        else:
            content_type = ContentType.objects.get_for_model(model)
            Redirect.objects.update_or_create(
                content_type=content_type,
                old_slug=row["other"],
                defaults={"object_id": kept.pk, "reason": row["reason"][:300]},
            )
            said.append(f"/{row['other']}/ redirige vers /{row['kept']}/ (301) : {row['reason']}")
    return said
