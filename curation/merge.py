"""Merging two entries that are one (an actor imported twice, a software under two names).

`merge(kept, other)` moves everything that points at `other` to `kept` — involvements, awards,
derivations, assessments, suggestions, funding schemes' operators and funders, child actors, tags,
sectors, territories, the catalogue Records (so the next import finds `kept`), the redirects — fills
`kept`'s empty fields from `other`'s, keeps `other`'s names as aliases, then deletes `other` and
records its slug as a Redirect: its old address answers 301 to `kept` on the site and in the API.

Both histories say what happened (simple-history): `kept` gets a version "Fusion de <slug>", and
`other`'s deletion is a version "Fusionné dans <slug>" holding all its fields, from which a
curator can restore it in the admin. The Records moved remember the fields on which the two
entries disagreed: the kept entry's value is the curator's choice, which the next import keeps
without reporting a conflict (catalogues/importing.py).
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from communs.models import Redirect
from curation.services import WORKFLOW_FIELDS

# Fields a merge never copies from the other entry: who it is and where it stands in the workflow.
NOT_COPIED = {"id", "name", "slug", "created_at", "updated_at", *WORKFLOW_FIELDS}
# simple-history's limit on a change reason.
REASON_LENGTH = 100


@dataclass
class MergeReport:
    kept: str
    other: str
    dry_run: bool = False
    moved: dict = field(default_factory=dict)  # "Involvement": 3 …
    dropped: dict = field(default_factory=dict)  # rows the kept entry already had
    filled: list = field(default_factory=list)  # fields of `kept` filled from `other`
    aliases: list = field(default_factory=list)

    def lines(self):
        verb = "Simulation : " if self.dry_run else ""
        yield f"{verb}{self.other} fusionné dans {self.kept}."
        for name, count in sorted(self.moved.items()):
            yield f"  déplacés : {count} {name}"
        for name, count in sorted(self.dropped.items()):
            yield f"  déjà présents sur {self.kept} (non dupliqués) : {count} {name}"
        if self.filled:
            yield f"  champs remplis : {', '.join(self.filled)}"
        if self.aliases:
            yield f"  autres noms ajoutés : {', '.join(self.aliases)}"
        yield f"  /{self.other}/ redirige désormais vers /{self.kept}/ (301)"


class MergeError(Exception):
    pass


class _DryRun(Exception):
    pass


def merge(kept, other, *, user=None, dry_run=False):
    """Merge `other` into `kept` (see the module's docstring); returns a MergeReport. Raises
    MergeError, changing nothing, when the two cannot be merged."""
    if type(kept) is not type(other):
        raise MergeError("On ne fusionne que deux entrées du même type.")
    if kept.pk == other.pk:
        raise MergeError("Une entrée ne peut pas être fusionnée avec elle-même.")
    report = MergeReport(kept=kept.slug, other=other.slug, dry_run=dry_run)
    try:
        with transaction.atomic():
            _merge(kept, other, user, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except ValidationError as error:
        raise MergeError("; ".join(error.messages)) from error
    return report


def _merge(kept, other, user, report):
    model = type(kept)
    kept = model._base_manager.select_for_update().get(pk=kept.pk)
    other = model._base_manager.select_for_update().get(pk=other.pk)
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            _move_reverse_many(relation, kept, other, report)
        elif relation.one_to_many:
            _move_rows(relation, kept, other, user, report)
    for m2m in model._meta.many_to_many:
        values = list(getattr(other, m2m.name).all())
        if values:
            getattr(kept, m2m.name).add(*values)
            report.moved[m2m.name] = len(values)
    content_type = ContentType.objects.get_for_model(model)
    disagreeing = _fill_fields(kept, other, report)
    _move_records(content_type, kept, other, disagreeing, report)
    Redirect.objects.filter(content_type=content_type, object_id=other.pk).update(object_id=kept.pk)
    Redirect.objects.filter(content_type=content_type, old_slug=kept.slug).delete()
    names = [other.name, getattr(other, "acronym", ""), *getattr(other, "alias_list", [])]
    known = {name.casefold() for name in [kept.name, getattr(kept, "acronym", ""), *kept.alias_list]}
    for name in names:
        if name and name.casefold() not in known:
            report.aliases.append(name)
            known.add(name.casefold())
    if report.aliases:
        kept.aliases = "\n".join([*kept.alias_list, *report.aliases])
    kept.sources = [*kept.sources, *(item for item in other.sources if item not in kept.sources)]
    other_slug = other.slug
    other._history_user = user
    other._change_reason = f"Fusionné dans {kept.slug}"[:REASON_LENGTH]
    other.delete()
    Redirect.objects.create(
        content_type=content_type, old_slug=other_slug, object_id=kept.pk, reason=f"Fusionné dans {kept.slug}"
    )
    kept.full_clean(exclude=["slug"])
    kept._history_user = user
    kept._change_reason = f"Fusion de {other_slug}"[:REASON_LENGTH]
    kept.save()
    from communs import search_index

    search_index.update_documents(model, [kept.pk])


def _unique_field_sets(row_model, fk_name):
    """The sets of fields, including `fk_name`, that are unique together on `row_model`, each with the
    condition under which it is (a deployment's address is unique per commons only when it is set)."""
    sets = [(set(fields), None) for fields in row_model._meta.unique_together]
    sets += [
        (set(constraint.fields), constraint.condition)
        for constraint in row_model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    return [(fields, condition) for fields, condition in sets if fk_name in fields]


def _move_rows(relation, kept, other, user, report):
    row_model, fk = relation.related_model, relation.field
    if row_model is type(kept) and fk.name == "parent":
        # The other's services now belong to the kept organisation (never to themselves).
        for child in row_model._base_manager.filter(parent=other):
            child.parent = None if child.pk == kept.pk else kept
            _save_row(child, kept, user)
            report.moved["service rattaché"] = report.moved.get("service rattaché", 0) + 1
        return
    unique_sets = _unique_field_sets(row_model, fk.name)
    label = str(row_model._meta.verbose_name)
    for row in row_model._base_manager.filter(**{fk.name: other}):
        clash = any(
            row_model._base_manager.filter(
                condition or Q(),
                **{fk.name: kept},
                **{name: getattr(row, fk_attname(row_model, name)) for name in fields - {fk.name}},
            ).exists()
            and (condition is None or row_model._base_manager.filter(condition, pk=row.pk).exists())
            for fields, condition in unique_sets
        )
        if clash:
            # The kept entry already says the same (the same actor in the same role): not doubled.
            row.delete()
            report.dropped[label] = report.dropped.get(label, 0) + 1
            continue
        setattr(row, fk.name, kept)
        _save_row(row, kept, user)
        report.moved[label] = report.moved.get(label, 0) + 1


def fk_attname(model, name):
    return model._meta.get_field(name).attname


def _save_row(row, kept, user):
    if hasattr(row, "history"):
        row._history_user = user
        row._change_reason = f"Fusion dans {kept.slug}"[:REASON_LENGTH]
    row.save()


def _move_reverse_many(relation, kept, other, report):
    accessor = relation.get_accessor_name()
    rows = list(getattr(other, accessor).all())
    if rows:
        getattr(kept, accessor).add(*rows)
        getattr(other, accessor).remove(*rows)
        report.moved[accessor] = len(rows)


def _fill_fields(kept, other, report):
    """Fill `kept`'s empty fields from `other`; return the names of the fields where they disagree."""
    disagreeing = []
    for model_field in type(kept)._meta.concrete_fields:
        name = model_field.name
        if (
            name in NOT_COPIED
            or name in ("aliases", "sources")
            or model_field.is_relation
            and not model_field.many_to_one
        ):
            continue
        if not model_field.editable:
            continue
        mine, theirs = getattr(kept, model_field.attname), getattr(other, model_field.attname)
        if theirs in ("", None, [], {}) or mine == theirs:
            continue
        if mine in ("", None, [], {}):
            if model_field.unique or name in ("siren", "annuaire_id"):
                # A unique identifier moves: the other's copy is cleared first (it is deleted below).
                setattr(other, model_field.attname, "")
                other.save(update_fields=[name])
            setattr(kept, model_field.attname, theirs)
            report.filled.append(name)
        else:
            disagreeing.append(name)
    return disagreeing


def _move_records(content_type, kept, other, disagreeing, report):
    from catalogues.models import Record

    moved = 0
    for record in Record.objects.filter(content_type=content_type, object_id=other.pk):
        record.object_id = kept.pk
        # Where the two disagreed, the kept entry's value is a curator's choice: the source's value
        # is no longer what the entry holds, and the importer keeps the entry's (importing.py).
        record.extra = {
            **record.extra,
            "merge_kept": sorted(set(record.extra.get("merge_kept", [])) | set(disagreeing)),
        }
        record.save(update_fields=["object_id", "extra"])
        moved += 1
    if moved:
        report.moved["fiches importées"] = moved


class MergeCommand:
    """The body of `merge_actors` and `merge_initiatives` (curation/management/commands)."""

    model = None

    def add_arguments(self, parser):
        name = self.model._meta.verbose_name
        parser.add_argument("kept", help=f"Identifiant (slug) du {name} gardé.")
        parser.add_argument("other", help=f"Identifiant (slug) du {name} fusionné dans le premier, puis supprimé.")
        parser.add_argument("--dry-run", action="store_true", help="Dire ce qui serait fait, sans rien enregistrer.")

    def handle(self, *args, **options):
        from django.core.management.base import CommandError

        from catalogues.importing import importer_user

        found = {}
        for role in ("kept", "other"):
            slug = options[role]
            found[role] = self.model._base_manager.filter(slug=slug).first()
            if found[role] is None:
                raise CommandError(f"Aucun {self.model._meta.verbose_name} n'a l'identifiant « {slug} ».")
        try:
            report = merge(found["kept"], found["other"], user=importer_user(), dry_run=options["dry_run"])
        except MergeError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
