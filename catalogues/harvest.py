"""Harvesting another instance of this directory through its public API (/api/v1/).

The first harvest reads every published actor and initiative; the next ones ask only for what
changed since the previous harvest (`updated_since`, with a minute of overlap, harmless since an
unchanged entry is left as it is) and for what left the other directory's public list
(`…/archived/`): the local copy of an entry archived or deleted there is archived here, never
deleted, so that nothing a curator added to it is lost.
"""

from datetime import timedelta
from urllib.parse import urlencode, urljoin, urlsplit

from catalogues.fetch import Fetch
from catalogues.importing import RowError
from catalogues.inputs import decode, load_json
from catalogues.models import Record

OVERLAP = timedelta(minutes=1)
PAGE_SIZE = 100
# Of an initiative's public fields (initiatives.models.Initiative.public_fields), those read apart:
# the slug is the key, lists and relations are merged below, and this directory's own workflow
# decides the status. The others are copied as the other directory gives them (the API's names
# are the models' names).
INITIATIVE_READ_APART = (
    "slug",
    "publication_status",
    "aliases",
    "logics",
    "sectors",
    "categories",
    "tags",
    "territories",
)


def initiative_fields(model):
    return [name for name in model.public_fields if name not in INITIATIVE_READ_APART]


ACTOR_FIELDS = ["name", "acronym", "kind", "description", "website", "siren", "siret", "wikidata_qid"]


def api_root(url):
    """ "https://autre.example/" or "…/api/v1/" -> "https://autre.example/api/v1/"."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RowError(f"{url} : une adresse http(s) d'une instance de l'annuaire est attendue.")
    path = parts.path.rstrip("/")
    path = path.removesuffix("/api/v1")
    return f"{parts.scheme}://{parts.netloc}{path}/api/v1/"


def read_all(fetch, url, params=None):
    """Every row of a paginated API list, following `next` within the fetch policy's bounds (a `next`
    seen before or one page too many ends the run)."""
    rows, page_url = [], f"{url}?{urlencode({**(params or {}), 'page_size': PAGE_SIZE})}"
    while page_url:
        fetch.page(page_url)
        current = page_url
        page = load_json(page_url, decode(page_url, fetch.download(page_url)))
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise RowError(f"{page_url} : ce n'est pas une liste de l'API de l'annuaire.")
        rows.extend(page["results"])
        page_url = page.get("next")
        if page_url is not None and not isinstance(page_url, str):
            raise RowError(f"{page_url!r} : le lien « next » n'est pas une adresse.")
        if page_url:
            # A relative `next` is read against the page; the fetch policy checks where it leads.
            page_url = urljoin(current, page_url)
    return rows


def since_params(source):
    if source.retrieved_at is None:
        return {}
    return {"updated_since": (source.retrieved_at - OVERLAP).isoformat()}


def harvest(importer, root, fetch=None):
    """Mirror the other directory's published actors and initiatives into this one."""
    fetch = fetch or Fetch()
    from actors.models import Actor
    from initiatives.models import Initiative, Involvement, Sector
    from territories.models import Territory

    params = since_params(importer.source)
    actors = {}
    for row in read_all(fetch, urljoin(root, "actors/"), params):
        with importer.row(f"acteur {_label(row)}"):
            check_types(row, Actor, ACTOR_FIELDS)
            actors[row["slug"]] = _actor(importer, Actor, row)
    for row in read_all(fetch, urljoin(root, "initiatives/"), params):
        with importer.row(f"initiative {_label(row)}"):
            check_types(row, Initiative, initiative_fields(Initiative), involvements=True)
            values = {name: row.get(name) for name in initiative_fields(Initiative)}
            values["aliases"] = "\n".join(row.get("aliases") or [])
            for logic in row.get("logics") or []:
                values[f"logic_{logic}"] = True
            identifiers = {name: values.get(name) for name in ("sill_id", "wikidata_qid", "repository_url")}
            entry = importer.upsert(
                Initiative,
                row["slug"],
                values,
                identifiers=identifiers,
                citation_note=row.get("html_url", ""),
                slug=row["slug"],
            )
            _relations(importer, entry, row, Sector, Territory)
            for involvement in row.get("involvements") or []:
                summary = involvement["actor"]
                actor = actors.get(summary["slug"]) or _actor(importer, Actor, summary)
                if involvement["role"] in Involvement.Role.values:
                    importer.involve(entry, actor, involvement["role"], note=involvement.get("note") or "")
    if params:
        for path, model in (("initiatives/archived/", Initiative), ("actors/archived/", Actor)):
            for row in read_all(fetch, urljoin(root, path), params):
                with importer.row(f"archivée {_label(row)}"):
                    check_types(row, model, ())
                    _archive(importer, model, row)


def _label(row):
    return str(row.get("slug"))[:100] if isinstance(row, dict) else "(entrée qui n'est pas un objet)"


# What each kind of model field holds in the API's JSON; other fields are left to full_clean().
JSON_TYPES = {
    "CharField": str,
    "TextField": str,
    "URLField": str,
    "EmailField": str,
    "SlugField": str,
    "DateField": str,
    "DateTimeField": str,
    "BooleanField": bool,
    "IntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "SmallIntegerField": int,
    "BigIntegerField": int,
}
# The lists read apart, each item an object with these text keys ("" for a list of texts).
LISTS = {"aliases": "", "logics": "", "sectors": "slug", "territories": "code", "tags": "name"}


def check_types(row, model, fields, involvements=False):
    """A RowError naming the first value of the wrong JSON type: another instance's answer is read as
    untrusted input, and a wrong type must end as a row of the report, not as a TypeError deep in
    matching or search."""
    if not isinstance(row, dict):
        raise RowError("entrée qui n'est pas un objet JSON")
    if not isinstance(row.get("slug"), str) or not row["slug"]:
        raise RowError("« slug » : un texte non vide est attendu")

    def wrong(name, expected):
        return RowError(f"« {name} » : {expected} attendu, la source donne {type(row[name]).__name__}")

    for name in fields:
        if row.get(name) is None:
            continue
        expected = JSON_TYPES.get(model._meta.get_field(name).get_internal_type())
        if expected is int and (isinstance(row[name], bool) or not isinstance(row[name], int)):
            raise wrong(name, "un nombre entier")
        if expected in (str, bool) and not isinstance(row[name], expected):
            raise wrong(name, "un texte" if expected is str else "un booléen")
    for name, key in LISTS.items():
        items = row.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(
            isinstance(item, str) if not key else isinstance(item, dict) and isinstance(item.get(key), str)
            for item in items
        ):
            raise wrong(name, "une liste de textes" if not key else f"une liste d'objets avec « {key} »")
    # An initiative's involvements name actors, which are read (an actor's name its initiatives, unread).
    involvements = row.get("involvements") if involvements else None
    if involvements is not None and not (
        isinstance(involvements, list)
        and all(
            isinstance(item, dict)
            and isinstance(item.get("role"), str)
            and isinstance(item.get("note") or "", str)
            and isinstance(item.get("actor"), dict)
            and isinstance(item["actor"].get("slug"), str)
            and all(isinstance(item["actor"].get(field) or "", str) for field in ACTOR_FIELDS)
            for item in involvements
        )
    ):
        raise wrong("involvements", "une liste de rôles (role, actor.slug)")
    if not isinstance(row.get("html_url") or "", str):
        raise wrong("html_url", "un texte")


def _actor(importer, model, row):
    values = {name: row.get(name) for name in ACTOR_FIELDS if name in row}
    identifiers = {name: row.get(name) for name in ("siren", "wikidata_qid") if row.get(name)}
    return importer.upsert(model, f"actor:{row['slug']}", values, identifiers=identifiers, slug=row["slug"])


def _relations(importer, entry, row, sector_model, territory_model):
    # Only sectors and territories this directory also has: the lists are the same official ones.
    sectors = sector_model.objects.filter(slug__in=[s["slug"] for s in row.get("sectors") or []])
    territories = territory_model.objects.filter(code__in=[t["code"] for t in row.get("territories") or []])
    missing_sectors = set(sectors) - set(entry.sectors.all())
    categories = entry.categories.model.objects.filter(slug__in=[c["slug"] for c in row.get("categories") or []])
    missing_categories = set(categories) - set(entry.categories.all())
    if missing_categories:
        entry.categories.add(*missing_categories)
    missing_territories = set(territories) - set(entry.territories.all())
    if missing_sectors:
        entry.sectors.add(*missing_sectors)
    if missing_territories:
        entry.territories.add(*missing_territories)
    tags = {t["name"] for t in row.get("tags") or []} - set(entry.tags.names())
    if tags:
        entry.tags.add(*tags)


def _archive(importer, model, row):
    from django.contrib.contenttypes.models import ContentType

    external_id = row["slug"] if model.__name__ == "Initiative" else f"actor:{row['slug']}"
    record = Record.objects.filter(
        source=importer.source, content_type=ContentType.objects.get_for_model(model), external_id=external_id
    ).first()
    entry = model._base_manager.filter(pk=record.object_id).first() if record else None
    if entry is None or entry.publication_status == entry.PublicationStatus.ARCHIVED:
        return
    reason = (
        "Supprimée de l'annuaire moissonné" if row.get("status") == "deleted" else "Archivée dans l'annuaire moissonné"
    )
    entry.publication_status = entry.PublicationStatus.ARCHIVED
    entry.archived_reason = f"{reason} ({importer.source.url})"
    entry.status_changed_at, entry.status_changed_by = importer.now, importer.user
    entry._history_user, entry._change_reason = importer.user, f"{importer.reason} : {reason.lower()}"
    entry.save()
    importer.report.touched.setdefault(model, set()).add(entry.pk)
    importer.report.archived.append({"id": external_id, "entry": entry.slug, "reason": reason})
