"""The writes of the editorial workflow: transitions, review, revert, suggestions.

Each is a small function that takes the acting user, checks what it must, writes
the who/when fields and leaves a history record with a change reason. The admin,
the API and tests all go through these functions, never through save() side effects.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from communs.models import Publishable

Status = Publishable.PublicationStatus

# Fields that the workflow owns: an edit form, an import or a revert never writes them.
WORKFLOW_FIELDS = {
    "publication_status",
    "status_changed_at",
    "status_changed_by",
    "reviewed_at",
    "reviewed_by",
    "archived_reason",
    "version",
    "created_at",
    "updated_at",
}
# Fields never shown in a diff (technical, or personal: who reviewed).
HIDDEN_DIFF_FIELDS = WORKFLOW_FIELDS - {"publication_status"}


class TransitionError(Exception):
    """A transition that the entry's current status does not allow (the message is for humans)."""


class ConcurrentEditError(Exception):
    """The entry changed since the editor loaded it."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    # "change": any curator; "publish": the model's publish_<model> permission (editors).
    permission: str
    needs_reason: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Soumettre à relecture", frozenset({Status.DRAFT}), Status.IN_REVIEW, "change"),
        Transition("publish", "Publier", frozenset({Status.IN_REVIEW}), Status.PUBLISHED, "publish"),
        Transition("return_to_draft", "Renvoyer en brouillon", frozenset({Status.IN_REVIEW}), Status.DRAFT, "publish"),
        Transition("archive", "Archiver", frozenset({Status.PUBLISHED}), Status.ARCHIVED, "publish", needs_reason=True),
        Transition("reopen", "Rouvrir en brouillon", frozenset({Status.ARCHIVED}), Status.DRAFT, "publish"),
    ]
}


def permission_name(model, action):
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def user_may(user, model, transition):
    return bool(user and user.is_active and user.has_perm(permission_name(model, transition.permission)))


def allowed_transitions(user, obj):
    """The transitions this user may apply to this entry now, in display order."""
    return [t for t in TRANSITIONS.values() if obj.publication_status in t.sources and user_may(user, type(obj), t)]


def apply_transition(obj, name, user, reason=""):
    """Move `obj` through the workflow; returns the fresh instance.

    Raises PermissionDenied for a user without the right, TransitionError for a
    move the current status does not allow (checked on a locked, fresh row so that
    two editors clicking at once cannot both succeed).
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionError(f"Action inconnue : {name}.")
    model = type(obj)
    if not user_may(user, model, transition):
        raise PermissionDenied(f"Vous n'avez pas le droit de faire : {transition.label.lower()}.")
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise TransitionError("Indiquez le motif de l'archivage.")
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if current.publication_status not in transition.sources:
            raise TransitionError(
                f"« {current} » est {current.get_publication_status_display().lower()} : "
                f"impossible de faire « {transition.label.lower()} »."
            )
        now = timezone.now()
        current.publication_status = transition.target
        current.status_changed_at = now
        current.status_changed_by = user
        fields = ["publication_status", "status_changed_at", "status_changed_by", "archived_reason", "updated_at"]
        if transition.target == Status.PUBLISHED:
            current.reviewed_at, current.reviewed_by = now, user
            fields += ["reviewed_at", "reviewed_by"]
        current.archived_reason = reason if transition.target == Status.ARCHIVED else ""
        current._history_user = user
        current._change_reason = f"{transition.label} : {reason}" if reason else transition.label
        current.save(update_fields=fields)
    return current


def mark_reviewed(obj, user):
    """Record that a curator checked a published entry (resets the 12-month clock)."""
    model = type(obj)
    if not user.has_perm(permission_name(model, "change")):
        raise PermissionDenied("Vous n'avez pas le droit de modifier cette fiche.")
    if obj.publication_status != Status.PUBLISHED:
        raise TransitionError(f"« {obj} » n'est pas publié : seule une fiche publiée se relit.")
    obj.reviewed_at, obj.reviewed_by = timezone.now(), user
    obj._history_user = user
    obj._change_reason = "Relu"
    obj.save(update_fields=["reviewed_at", "reviewed_by"])
    return obj


def add_to_m2m(queryset, field_name, value, user):
    """Bulk action helper: add a sector (or tag) to many entries, one history record each."""
    count = 0
    for obj in queryset:
        obj._history_user = user
        obj._change_reason = f"Ajout en lot : {value}"
        getattr(obj, field_name).add(value)
        # Saving records who did it and bumps the version for concurrent editors.
        obj.save(update_fields=["updated_at"])
        count += 1
    return count


# --- History -----------------------------------------------------------------


def _label(model, field_name):
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:
        return field_name


def _display(model, field_name, value):
    if isinstance(value, list):  # m2m rows: list of dicts {owner: obj, target: obj}
        field = model._meta.get_field(field_name)
        target = field.m2m_reverse_field_name()
        return ", ".join(sorted(str(row.get(target, "")) for row in value)) or "—"
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return str(value)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value)) or "—"
    if value in (None, ""):
        return "—"
    return str(value)


def record_changes(record, previous, model=None):
    """[(field label, old, new)] between two history records of one entry."""
    if previous is None:
        return []
    model = model or record.instance_type
    delta = record.diff_against(previous, excluded_fields=HIDDEN_DIFF_FIELDS, foreign_keys_are_objs=True)
    return [
        (_label(model, c.field), _display(model, c.field, c.old), _display(model, c.field, c.new))
        for c in delta.changes
    ]


def changes_since(obj, version):
    """What changed in `obj` after `version`, newest state compared with the last record of that version.

    Returns (changes, last_record) where last_record tells who changed it and when.
    """
    records = obj.history.all()  # newest first
    latest = records.first()
    baseline = records.filter(version=version).order_by("-history_date", "-history_id").first()
    if latest is None or baseline is None:
        return [], latest
    return record_changes(latest, baseline, type(obj)), latest


def describe_conflict(obj, version):
    changes, latest = changes_since(obj, version)
    who = latest.history_user if latest is not None and latest.history_user_id else "une autre personne"
    when = date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT") if latest else ""
    lines = [f"{label} : « {old} » → « {new} »" for label, old, new in changes]
    return who, when, lines


def revert(obj, record, user):
    """Restore the editable fields (and versioned m2m) of `obj` from a history record.

    The workflow status is kept: restoring old content does not publish or unpublish it.
    """
    model = type(obj)
    if not user.has_perm(permission_name(model, "change")):
        raise PermissionDenied("Vous n'avez pas le droit de modifier cette fiche.")
    if record.instance_type is not model or getattr(record, model._meta.pk.attname) != obj.pk:
        raise ValueError("this history record belongs to another entry")
    old = record.instance
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in WORKFLOW_FIELDS:
                continue
            setattr(current, field.attname, getattr(old, field.attname))
        current._history_user = user
        stamp = date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
        current._change_reason = f"Retour à la version du {stamp}"
        # An old slug now taken by another entry must be refused, not crash on the constraint.
        current.full_clean()
        current.save()
        for m2m_field in getattr(record, "_history_m2m_fields", []):
            target = m2m_field.m2m_reverse_field_name()
            ids = list(getattr(record, m2m_field.name).values_list(f"{target}_id", flat=True))
            existing = set(m2m_field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
            getattr(current, m2m_field.name).set([pk for pk in ids if pk in existing])
    return current


# --- Suggestions ---------------------------------------------------------------


def unique_slug(model, name):
    base = slugify(name)[:180] or "initiative"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _require_suggestion_handler(user):
    if not user.has_perm("curation.change_suggestion"):
        raise PermissionDenied("Seul un éditeur traite les suggestions.")


def accept_suggestion(suggestion, user, note=""):
    """Create the proposed initiative as a draft, or apply a correction; returns the initiative."""
    from curation.models import Suggestion
    from initiatives.models import Initiative

    _require_suggestion_handler(user)
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != Suggestion.Status.PENDING:
            raise TransitionError("Cette suggestion a déjà été traitée.")
        source = {"document": f"Suggestion publique n° {suggestion.pk}", "url": "", "note": "proposée via le site"}
        if suggestion.kind == Suggestion.Kind.NEW:
            initiative = Initiative(
                name=suggestion.name,
                slug=unique_slug(Initiative, suggestion.name),
                acronym=suggestion.acronym,
                kind=suggestion.kind_of_initiative or Initiative.Kind.SOFTWARE,
                summary=suggestion.summary,
                website=suggestion.website,
                repository_url=suggestion.repository_url,
                description=suggestion.message,
                publication_status=Status.DRAFT,
                sources=[source],
            )
            initiative.full_clean()
            initiative._history_user = user
            initiative._change_reason = f"Créée depuis la suggestion n° {suggestion.pk}"
            initiative.save()
        else:
            initiative = Initiative.objects.select_for_update().get(pk=suggestion.initiative_id)
            for field in ("name", "acronym", "summary", "website", "repository_url"):
                value = getattr(suggestion, field)
                if value:
                    setattr(initiative, field, value)
            initiative.sources = [*initiative.sources, source]
            initiative.full_clean()
            initiative._history_user = user
            initiative._change_reason = f"Correction depuis la suggestion n° {suggestion.pk}"
            initiative.save()
        suggestion.status = Suggestion.Status.ACCEPTED
        suggestion.initiative = initiative
        suggestion.handled_at, suggestion.handled_by = timezone.now(), user
        suggestion.curator_note = note or suggestion.curator_note
        suggestion.save()
    return initiative


def reject_suggestion(suggestion, user, note=""):
    from curation.models import Suggestion

    _require_suggestion_handler(user)
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != Suggestion.Status.PENDING:
            raise TransitionError("Cette suggestion a déjà été traitée.")
        suggestion.status = Suggestion.Status.REJECTED
        suggestion.handled_at, suggestion.handled_by = timezone.now(), user
        suggestion.curator_note = note or suggestion.curator_note
        suggestion.save()
    return suggestion
