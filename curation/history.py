"""The public history of an initiative: dated changes and the fields they touched.

Built for the public page, so it carries no personal data (no author, no change
reason, no old values) and reads the history in a fixed number of queries.
"""

from dataclasses import dataclass, field
from datetime import datetime

from curation.services import HIDDEN_DIFF_FIELDS
from initiatives.models import Award, Initiative, Involvement

CREATED, CHANGED, DELETED = "+", "~", "-"
ACTION_LABELS = {CREATED: "Création", CHANGED: "Modification", DELETED: "Suppression"}


@dataclass
class PublicChange:
    date: datetime
    action: str
    subject: str
    fields: list = field(default_factory=list)

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)


def _tracked_fields(model):
    return [
        f for f in model._meta.concrete_fields if f.editable and not f.primary_key and f.name not in HIDDEN_DIFF_FIELDS
    ]


def _m2m_sets(records, m2m_field):
    """{history_id: frozenset(target ids)} for one versioned m2m, in one query."""
    through = getattr(records[0], m2m_field.name).model  # the historical through model
    target = m2m_field.m2m_reverse_field_name()
    sets = {r.history_id: set() for r in records}
    rows = through.objects.filter(history__in=[r.history_id for r in records]).values_list("history_id", f"{target}_id")
    for history_id, target_id in rows:
        sets[history_id].add(target_id)
    return {k: frozenset(v) for k, v in sets.items()}


def _entry_changes(initiative):
    records = list(initiative.history.order_by("history_date", "history_id"))
    if not records:
        return []
    fields = _tracked_fields(Initiative)
    m2m_fields = list(records[0]._history_m2m_fields)
    m2m = {f.name: _m2m_sets(records, f) for f in m2m_fields}
    changes, previous = [], None
    for record in records:
        if previous is None or record.history_type != CHANGED:
            changes.append(PublicChange(record.history_date, record.history_type, "Fiche"))
        else:
            touched = [
                str(f.verbose_name) for f in fields if getattr(record, f.attname) != getattr(previous, f.attname)
            ]
            touched += [
                str(f.verbose_name)
                for f in m2m_fields
                if m2m[f.name][record.history_id] != m2m[f.name][previous.history_id]
            ]
            if touched:  # a save that changed nothing visible is not news
                changes.append(PublicChange(record.history_date, CHANGED, "Fiche", sorted(set(touched))))
        previous = record
    return changes


def _related_changes(model, initiative, describe):
    fields = [f for f in _tracked_fields(model) if f.name != "initiative"]
    records = list(model.history.filter(initiative_id=initiative.pk).order_by("history_date", "history_id"))
    changes, last = [], {}
    for record in records:
        key = record.id
        previous = last.get(key)
        touched = []
        if previous is not None and record.history_type == CHANGED:
            touched = [
                str(f.verbose_name) for f in fields if getattr(record, f.attname) != getattr(previous, f.attname)
            ]
            if not touched:
                last[key] = record
                continue
        changes.append(PublicChange(record.history_date, record.history_type, describe(record), touched))
        last[key] = record
    return changes


def public_history(initiative):
    """Every visible change of the initiative, its involvements and awards, newest first."""
    from actors.models import Actor
    from initiatives.models import FundingEdition

    involvement_actors = dict(
        Actor.objects.filter(involvements__initiative=initiative).values_list("pk", "name").distinct()
    )
    # Deleted involvements may point to actors no longer linked: look them up too.
    missing = set(Involvement.history.filter(initiative_id=initiative.pk).values_list("actor_id", flat=True)) - set(
        involvement_actors
    )
    involvement_actors.update(Actor.objects.filter(pk__in=missing).values_list("pk", "name"))
    roles = dict(Involvement.Role.choices)
    editions = {
        e.pk: str(e)
        for e in FundingEdition.objects.filter(
            pk__in=Award.history.filter(initiative_id=initiative.pk).values("edition_id")
        ).select_related("scheme")
    }
    changes = [
        *_entry_changes(initiative),
        *_related_changes(
            Involvement,
            initiative,
            lambda r: (
                f"Implication : {involvement_actors.get(r.actor_id, 'acteur supprimé')} ({roles.get(r.role, r.role)})"
            ),
        ),
        *_related_changes(
            Award, initiative, lambda r: f"Financement : {editions.get(r.edition_id, 'édition supprimée')}"
        ),
    ]
    changes.sort(key=lambda c: c.date, reverse=True)
    return changes
