"""The merge rules every importer follows: match, write only what the source owns, report.

An importer reads its files into plain dicts, then hands each entry to `Importer.initiative()` or
`Importer.actor()`. This module decides, in one place for every source:

- **which entry** a source entry is: the entry this source fed before (its Record), then a stable
  identifier (SILL id, repository URL, Wikidata QID, SIREN), then an identical name, acronym or
  alias (reported as a match by name); otherwise a new entry, and a close name is reported as a
  possible duplicate, never merged;
- **which fields** it may write: an empty field, or one whose value is still the value this source
  gave last time. A field a curator changed since (its value differs from the Record's) is left as
  it is and reported as a conflict; so is a field another hand filled with something else;
- **how** it writes: in the caller's transaction, with `full_clean()`, in the history as the
  importer naming the source, and the entry citing the source.

Nothing is written when a row has an error: `run()` rolls the whole import back and says which rows.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from actors.models import Actor
from catalogues.models import Record
from communs.cache import bulk_writes
from communs.models import Publishable
from communs.text import clean_text, is_one_line
from curation.duplicates import find_duplicates, name_key, url_key
from curation.services import unique_slug
from initiatives.models import Initiative

IMPORTER_USERNAME = "importateur"


@dataclass
class Report:
    """What an import did, for people (`lines()`) and machines (`as_dict()`, the `--json` output)."""

    source: str
    dry_run: bool = False
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # {"id", "reason"}
    conflicts: list = field(default_factory=list)  # {"id", "entry", "field", "current", "incoming"}
    matched_by_name: list = field(default_factory=list)  # {"id", "entry"}
    possible_duplicates: list = field(default_factory=list)  # {"id", "entry", "similar"}
    errors: list = field(default_factory=list)  # {"row", "message"}
    archived: list = field(default_factory=list)  # {"id", "entry", "reason"}: gone from the source
    held_back: list = field(default_factory=list)  # {"id", "entry", "reason"}: new drafts, incomplete
    derived: dict = field(default_factory=dict)  # catalogues/derive.py's report on the entries written
    # The entries written, by model: their search documents are rewritten after the import.
    touched: dict = field(default_factory=dict, repr=False)

    def as_dict(self):
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "touched"}

    def json(self):
        # A conflict may quote a decimal or a date (a funding scheme's amount): written as text.
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str)

    def lines(self):
        verb = "Simulation (rien n'est enregistré)" if self.dry_run else "Import"
        yield (
            f"{verb} {self.source} : {len(self.created)} créées, {len(self.updated)} mises à jour, "
            f"{len(self.unchanged)} inchangées, {len(self.skipped)} ignorées, {len(self.conflicts)} conflits, "
            f"{len(self.errors)} erreurs."
        )
        for item in self.skipped:
            yield f"  ignorée {item['id']} : {item['reason']}"
        for item in self.conflicts:
            yield (
                f"  conflit {item['entry']} ({item['field']}) : la fiche dit « {item['current']} », "
                f"la source « {item['incoming']} » ; la fiche est gardée"
            )
        for item in self.matched_by_name:
            yield f"  rapprochée par le nom : {item['id']} → {item['entry']}"
        for item in self.possible_duplicates:
            yield f"  doublon possible : {item['entry']} ressemble à {', '.join(item['similar'])}"
        for item in self.held_back:
            yield f"  en brouillon {item['entry']} : {item['reason']}"
        for item in self.archived:
            yield f"  archivée {item['entry']} : {item['reason']}"
        for item in self.errors:
            yield f"  erreur {item['row']} : {item['message']}"


# Identifiers that name one entry only: two different values mean two different entries, even when
# they share a repository (a plugin and its software) or a name.
STABLE_IDENTIFIERS = ("sill_id", "wikidata_qid", "siren", "annuaire_id")


def validate(entry, exclude=None):
    """full_clean() but for the check constraints, which the database enforces on the row's save: a
    refusal fails the row as well (row() reports it) and writes nothing. Django checks each one by
    running a query of its own: 10,000 of them were a third of the demo's build. Fields, choices,
    validators and clean() are checked as full_clean() does, and unique constraints too, for their
    message."""
    entry.full_clean(exclude=exclude, validate_constraints=False)
    errors = {}
    for model, constraints in entry.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, UniqueConstraint):
                try:
                    constraint.validate(model, entry, exclude=exclude)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _lines(values):
    """The names held in `values`, one per line (an entry's aliases are one name per line)."""
    return [line.strip() for value in values for line in (value or "").splitlines() if line.strip()]


def _contradicts(entry, identifiers):
    return any(
        identifiers.get(name) and getattr(entry, name, None) and str(getattr(entry, name)) != str(identifiers[name])
        for name in STABLE_IDENTIFIERS
    )


# A kind that says nothing ("Autre": what a publiccode.yml file or a forge account gives) never keeps
# two same-named entries apart; two specific kinds that differ do (a commune and an association).
UNSPECIFIC_KINDS = {"other"}


def _kinds_differ(incoming, existing):
    return bool(incoming and existing) and incoming != existing and not {incoming, existing} & UNSPECIFIC_KINDS


ALIAS_FILES = {"actor": "actors.csv", "initiative": "initiatives.csv"}


def aliases_for(model):
    """{name key: canonical slug} from the reviewed alias file of `model` (data/aliases/), if any."""
    name = ALIAS_FILES.get(model._meta.model_name)
    path = settings.DATA_DIR / "aliases" / name if name else None
    if path is None or not path.exists():
        return {}
    return _read_aliases(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _read_aliases(path, mtime):
    # Read once per version of the file: find() asks for it at every source entry.
    import csv
    from pathlib import Path

    with Path(path).open(encoding="utf-8", newline="") as handle:
        return {name_key(row["alias"]): row["canonical"].strip() for row in csv.DictReader(handle) if row["alias"]}


def _same_address(model, name, current, incoming):
    from django.db.models import URLField

    if not (current and isinstance(current, str) and isinstance(model._meta.get_field(name), URLField)):
        return False
    return current.rstrip("/") == incoming.rstrip("/")


class RowError(Exception):
    """A source entry that cannot be imported; the message names what is wrong."""


def importer_user():
    """The account the history shows as the author of imported changes (it cannot log in)."""
    user, created = get_user_model().objects.get_or_create(
        username=IMPORTER_USERNAME, defaults={"first_name": "Import", "last_name": "des catalogues", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def publication_status_for(source_key):
    """Where new entries of a source land (settings.CATALOGUE_PUBLICATION, README: Importing catalogues)."""
    status = settings.CATALOGUE_PUBLICATION.get(source_key, Publishable.PublicationStatus.DRAFT)
    return Publishable.PublicationStatus(status)


def run(source_key, make_source, work, *, dry_run=False, publication_key=None):
    """Run `work(importer)` in one transaction, the source record written in it too; roll it all back
    on any row error or a dry run."""
    report = Report(source=source_key, dry_run=dry_run)
    try:
        # Cached pages are made stale once the import is over, not at each of its rows.
        with bulk_writes(), transaction.atomic():
            source = make_source()
            importer = Importer(source, report, publication_key)
            work(importer)
            if not report.errors:
                # What the entries written now say (a category, a place, a criterion …), derived in the
                # same transaction: a dry run shows it, a failed import leaves none of it.
                from catalogues.derive import derive

                report.derived = derive(report.touched.get(Initiative, ()), user=importer.user).as_dict()
                if report.touched.get(Actor):
                    # A local authority created or changed takes the SIREN of the place it governs.
                    from catalogues.identity import fill_sirens

                    fill_sirens(report.touched[Actor], user=importer.user)
            if report.errors or dry_run:
                raise _Rollback
            source.retrieved_at = importer.now
            source.save(update_fields=["retrieved_at"])
    except _Rollback:
        pass
    if report.errors:
        details = "\n".join(f"{item['row']} : {item['message']}" for item in report.errors[:50])
        raise ImportFailed(report, f"Import {source_key} annulé, rien n'a été enregistré :\n{details}")
    return report


class _Rollback(Exception):
    pass


class ImportFailed(CommandError):
    def __init__(self, report, message):
        super().__init__(message)
        self.report = report


class Importer:
    def __init__(self, source, report, publication_key=None):
        self.source = source
        # Entries harvested from any instance share the "harvest" setting, whatever their source's key.
        self.publication = publication_status_for(publication_key or source.key)
        self.report = report
        self.user = importer_user()
        self.now = timezone.now()
        self.reason = f"Import : {source.title}"
        # A source that lists an entry twice (an agency on several rows) gives it the values of its
        # first row in every run: later rows would otherwise undo each other at each import.
        self.seen = {}
        self._names = {}  # model → its names index (_names_index)
        self.alias_match = ""  # the alias-file name through which find() found its last entry

    # --- matching ------------------------------------------------------------------------

    def find(self, model, external_id, identifiers, names, kind=None):
        """The entry of `model` this source entry is, or None (see the module's docstring)."""
        self.alias_match = ""
        content_type = ContentType.objects.get_for_model(model)
        record = Record.objects.filter(source=self.source, content_type=content_type, external_id=external_id).first()
        if record is not None:
            entry = model._base_manager.filter(pk=record.object_id).first()
            if entry is not None:
                return entry, record
        for field_name, value in identifiers.items():
            if not value:
                continue
            if field_name in ("repository_url", "website"):
                key = url_key(value)
                candidates = [
                    entry
                    for entry in model._base_manager.filter(**{f"{field_name}__icontains": key.split("/", 1)[0]})
                    if url_key(getattr(entry, field_name)) == key
                ]
            elif field_name == "forge_account":
                # A list field: compared in Python, the accounts being few (SQLite has no JSON contains).
                key = url_key(value)
                candidates = [
                    entry
                    for entry in model._base_manager.exclude(forge_accounts=[]).filter(
                        forge_accounts__icontains=key.split("/", 1)[0]
                    )
                    if key in {url_key(account) for account in entry.forge_accounts}
                ]
            else:
                candidates = list(model._base_manager.filter(**{field_name: value})[:1])
            for entry in candidates:
                if not _contradicts(entry, identifiers):
                    return entry, None
        aliased = aliases_for(model)
        for name in names:
            canonical = aliased.get(name_key(name or ""))
            entry = model._base_manager.filter(slug=canonical).first() if canonical else None
            if entry is not None and not _contradicts(entry, identifiers):
                # The reviewed alias file says who this name is (data/aliases/): whatever the kind.
                self.report.matched_by_name.append({"id": external_id, "entry": entry.slug, "alias": name})
                self.alias_match = name
                return entry, None
        keys = {name_key(name) for name in names if name} - {""}
        matches = []
        for entry in self._same_name_candidates(model, names):
            if _kinds_differ(kind, getattr(entry, "kind", kind)) or _contradicts(entry, identifiers):
                continue
            entry_names = [entry.name, getattr(entry, "acronym", ""), *getattr(entry, "alias_list", [])]
            if keys & {name_key(name) for name in entry_names if name}:
                matches.append(entry)
        if matches:
            entry = matches[0]
            self.report.matched_by_name.append({"id": external_id, "entry": entry.slug})
            if len(matches) > 1:
                # Several entries answer to the name: the oldest is fed, and a curator is told to merge
                # or tell them apart (never merged here).
                self.report.conflicts.append(
                    {
                        "id": external_id,
                        "entry": entry.slug,
                        "field": "identité",
                        "current": ", ".join(match.slug for match in matches),
                        "incoming": names[0],
                    }
                )
            return entry, None
        return None, None

    def _same_name_candidates(self, model, names):
        """The entries of `model` one of whose names (name, acronym, aliases) is one of `names` once
        folded ("Base Adresse-Nationale" is "base adresse nationale"), the oldest first."""
        index = self._names_index(model)
        keys = {name_key(line) for line in _lines(names)} - {""}
        pks = sorted({pk for key in keys for pk in index.get(key, ())})
        # The oldest entry first, on every database: two entries of the same name (ADEME curated, and
        # ADEME imported before a curator merged them) must be taken in the same order everywhere.
        return list(model._base_manager.filter(pk__in=pks).order_by("pk")) if pks else []

    def _names_index(self, model):
        """Folded name → primary keys, for every entry of `model`: read once per run, then kept up to
        date by _save(). Looking the names up in the database for each source entry (find_duplicates,
        whose trigram similarity SQLite computes in Python row by row) took half of the demo's build.
        An entry whose names changed keeps its old keys too: find() checks the names again."""
        if model not in self._names:
            index = self._names[model] = {}
            fields = [f for f in ("name", "acronym", "aliases") if hasattr(model, f)]
            for pk, *values in model._base_manager.values_list("pk", *fields).iterator():
                self._index_names(index, pk, values)
        return self._names[model]

    @staticmethod
    def _index_names(index, pk, values):
        for line in _lines(values):
            key = name_key(line)
            if key:
                index.setdefault(key, set()).add(pk)

    # --- writing -------------------------------------------------------------------------

    def upsert(
        self,
        model,
        external_id,
        values,
        *,
        identifiers=None,
        names=(),
        extra=None,
        citation_note="",
        create_only=(),
        slug=None,
        held_back="",
    ):
        """Create or update the entry for one source entry, and return it.

        `values` maps model fields to the source's values ("" or None when the source says nothing,
        which never erases anything); the fields of `create_only` only fill a new entry (an actor
        matched by its acronym keeps its full name). A new entry takes `slug` when it is free, and
        lands as a draft whatever its source's setting when `held_back` says what it misses (a software
        with neither website nor repository waits for a curator on the data-quality page).
        """
        if (model, external_id) in self.seen:
            return self.seen[model, external_id]
        # A source's text is published without review: its control characters are dropped and a
        # line break in a one-line field (a name, a summary) becomes a space, rather than the row
        # being refused for what no reader would see.
        values = {
            name: clean_text(value, one_line=is_one_line(model._meta.get_field(name)))
            if isinstance(value, str)
            else value
            for name, value in values.items()
        }
        identifiers = identifiers or {}
        names = [n for n in (values.get("name"), *names) if n]
        entry, record = self.find(model, external_id, identifiers, names, kind=values.get("kind"))
        content_type = ContentType.objects.get_for_model(model)
        created = entry is None
        if created:
            similar = (
                find_duplicates(model, name=values.get("name", ""), website=values.get("website", "") or "")
                if names
                else []
            )
            if not slug or model._base_manager.filter(slug=slug).exists():
                slug = unique_slug(model, values["name"])
            entry = model(slug=slug, publication_status=self.publication)
            if held_back and entry.publication_status != Publishable.PublicationStatus.DRAFT:
                entry.publication_status = Publishable.PublicationStatus.DRAFT
                self.report.held_back.append({"id": external_id, "entry": slug, "reason": held_back})
            if entry.publication_status != Publishable.PublicationStatus.DRAFT:
                entry.status_changed_at, entry.status_changed_by = self.now, self.user
            if similar:
                self.report.possible_duplicates.append(
                    {"id": external_id, "entry": entry.slug, "similar": [d.obj.slug for d in similar]}
                )
        previous = record.imported if record else {}
        # Fields on which a curator chose the kept entry's value when merging the entry this source fed
        # into another (curation/merge.py): that choice stands, silently.
        merge_kept = set(record.extra.get("merge_kept", ())) if record else set()
        # An entry found through the reviewed alias file ("DINUM/Etalab" → the DINUM) is another name
        # of it: what the source says under that name only fills the entry's empty fields (Etalab's
        # website is not the DINUM's), and the difference is no conflict: a curator wrote the alias.
        alias = record.extra.get("alias", "") if record else self.alias_match
        imported, changed = dict(previous), []
        for name, incoming in values.items():
            if incoming in ("", None, []) or (name in create_only and not created) or name in merge_kept:
                continue
            if alias and getattr(entry, name) not in ("", None, []) and name not in previous:
                continue
            current = getattr(entry, name)
            if current == incoming or _same_address(model, name, current, incoming):
                # Two sources writing one address with or without its trailing slash agree.
                imported[name] = incoming
            elif created or current in ("", None, []) or (name in previous and previous[name] == current):
                setattr(entry, name, incoming)
                imported[name] = incoming
                changed.append(name)
            else:
                self.report.conflicts.append(
                    {"id": external_id, "entry": entry.slug, "field": name, "current": current, "incoming": incoming}
                )
        cited = self._cite(entry, citation_note)
        if created or changed or cited:
            self._save(entry, external_id)
        if record is None:
            record = Record(source=self.source, content_type=content_type, external_id=external_id, object_id=entry.pk)
        record.object_id = entry.pk
        extra = {
            **(extra or {}),
            **({"merge_kept": sorted(merge_kept)} if merge_kept else {}),
            **({"alias": alias} if alias else {}),
        }
        record.imported, record.extra, record.last_imported_at = imported, extra, self.now
        record.save()
        self.seen[model, external_id] = entry
        label = {"id": external_id, "entry": entry.slug}
        if created:
            self.report.created.append(label)
        elif changed:
            self.report.updated.append({**label, "fields": changed})
        else:
            self.report.unchanged.append(label)
        return entry

    def upsert_row(self, model, external_id, lookup, values, *, label, create_with=None):
        """upsert() for a row that has no page of its own (a funding edition, an award): found by its
        Record, else by `lookup` (the fields that identify it within its parent), created with them.

        The same precedence as upsert(): a field a curator changed since the last import is kept and
        reported. Values are compared as the field reads them (a date, a decimal) and kept in the
        Record as JSON (an ISO date, a decimal's text); `label` names the row in the report.
        """
        content_type = ContentType.objects.get_for_model(model)
        record = Record.objects.filter(source=self.source, content_type=content_type, external_id=external_id).first()
        entry = model._base_manager.filter(pk=record.object_id).first() if record else None
        entry = entry or model._base_manager.filter(**lookup).first()
        created = entry is None
        if created:
            # `create_with`: what only a new row takes from the import (its publication, its citation).
            entry = model(**lookup, **(create_with or {}))
        previous = record.imported if record and record.object_id == entry.pk else {}
        imported, changed = dict(previous), []
        for name, incoming in values.items():
            if incoming in ("", None):
                continue
            field = model._meta.get_field(name)
            incoming = field.to_python(incoming)
            current = getattr(entry, field.attname)
            before = field.to_python(previous[name]) if name in previous else None
            if current == incoming:
                pass
            elif created or current in ("", None) or (name in previous and before == current):
                setattr(entry, field.attname, incoming)
                changed.append(name)
            else:
                self.report.conflicts.append(
                    {
                        "id": external_id,
                        "entry": label,
                        "field": name,
                        "current": str(current),
                        "incoming": str(incoming),
                    }
                )
                continue
            imported[name] = incoming if isinstance(incoming, bool | int | str) else str(incoming)
        if created or changed:
            try:
                validate(entry)
            except ValidationError as error:
                raise RowError("; ".join(f"{k} : {' '.join(v)}" for k, v in error.message_dict.items())) from error
            entry._history_user = self.user
            entry._change_reason = self.reason
            entry.save()
        if record is None:
            record = Record(source=self.source, content_type=content_type, external_id=external_id)
        record.object_id = entry.pk
        record.imported, record.last_imported_at = imported, self.now
        record.save()
        row = {"id": external_id, "entry": label}
        if created:
            self.report.created.append(row)
        elif changed:
            self.report.updated.append({**row, "fields": changed})
        else:
            self.report.unchanged.append(row)
        return entry

    def deploy(self, initiative, external_id, values, *, label):
        """A use of `initiative` (initiatives.Deployment) that this source gives: found by its Record,
        else by its address (or, without one, by its organisation), created as the source's entries
        are (publication, citation); the same precedence as upsert() for its fields. `values` name
        the actor and the territory by primary key."""
        from initiatives.models import Deployment

        url = values.get("url") or ""
        lookup = {"initiative": initiative, "url": url}
        if not url:
            lookup["actor_id"] = values.get("actor")
        cited = {"source": self.source.key}
        deployment = self.upsert_row(
            Deployment,
            external_id,
            lookup,
            {name: value for name, value in values.items() if name != "url"},
            label=label,
            create_with={"publication_status": self.publication, "sources": [cited]},
        )
        if not any(item.get("source") == self.source.key for item in deployment.sources if isinstance(item, dict)):
            # A curator's row at the same address: the source is cited beside theirs, nothing removed.
            deployment.sources = [*deployment.sources, cited]
            deployment._history_user = self.user
            deployment._change_reason = self.reason
            deployment.save(update_fields=["sources", "updated_at"])
        return deployment

    def add_citations(self, entry, items):
        """Add the sources items `entry` does not cite yet (by their address); never removes one, so a
        curator's sources stay. Returns whether it wrote."""
        cited = {item.get("url") for item in entry.sources if isinstance(item, dict)}
        missing = [item for item in items if item["url"] not in cited]
        if not missing:
            return False
        entry.sources = [*entry.sources, *missing]
        entry._history_user = self.user
        entry._change_reason = self.reason
        entry.save(update_fields=["sources"])
        if hasattr(type(entry), "search_fields"):  # an edition or an award has no search document
            self.report.touched.setdefault(type(entry), set()).add(entry.pk)
        return True

    def _cite(self, entry, note):
        if any(item.get("source") == self.source.key for item in entry.sources if isinstance(item, dict)):
            return False
        entry.sources = [*entry.sources, {"source": self.source.key, **({"note": note} if note else {})}]
        return True

    def _save(self, entry, external_id):
        try:
            validate(entry, exclude=["slug"] if entry.pk else None)
        except ValidationError as error:
            raise RowError("; ".join(f"{k} : {' '.join(v)}" for k, v in error.message_dict.items())) from error
        entry._history_user = self.user
        entry._change_reason = self.reason
        entry.save()
        self.report.touched.setdefault(type(entry), set()).add(entry.pk)
        if type(entry) in self._names:
            names = [getattr(entry, f, "") for f in ("name", "acronym", "aliases")]
            self._index_names(self._names[type(entry)], entry.pk, names)

    @contextmanager
    def row(self, label):
        """One source entry: its error is recorded with `label` (file and line), and the others go on
        so that the report lists every bad row; run() then writes nothing."""
        try:
            with transaction.atomic():
                yield
        except (RowError, ValidationError, DatabaseError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.error(label, message)

    def involve(self, initiative, actor, role, note=""):
        """Add an actor's role in an initiative (never removes one: curators own the rest)."""
        from initiatives.models import Involvement

        involvement = Involvement.objects.filter(initiative=initiative, actor=actor, role=role).first()
        if involvement is not None:
            return involvement
        involvement = Involvement(
            initiative=initiative, actor=actor, role=role, note=note, sources=[{"source": self.source.key}]
        )
        validate(involvement)
        involvement._history_user = self.user
        involvement._change_reason = self.reason
        involvement.save()
        self.report.touched.setdefault(type(initiative), set()).add(initiative.pk)
        return involvement

    def skip(self, external_id, reason):
        self.report.skipped.append({"id": external_id, "reason": reason})

    def error(self, row, message):
        self.report.errors.append({"row": row, "message": message})
