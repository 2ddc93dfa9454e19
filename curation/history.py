"""The public history of an initiative: dated changes and the fields they touched.

Built for the public page, so it carries no personal data (no author, no change
reason, no old values) and reads the history in a fixed number of queries.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper

from communs.models import visible_q
from curation.services import HIDDEN_DIFF_FIELDS
from funding.models import Award
from initiatives.models import Initiative, Involvement

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
        last[key] = record
        subject = describe(record)
        if subject is not None:  # None: the related entry is not public
            changes.append(PublicChange(record.history_date, record.history_type, subject, touched))
    return changes


def public_history(initiative):
    """Every visible change of the initiative, its involvements and awards, newest first.

    Changes that concern an actor or a scheme the public may not see are left out, as the pages
    leave them out; a deleted one reads "supprimé".
    """
    from actors.models import Actor
    from funding.models import FundingEdition, FundingScheme

    # One query each for the actors and the editions ever linked, with whether the public sees them.
    actor_ids = Involvement.history.filter(initiative_id=initiative.pk).values("actor_id")
    actors = {
        actor.pk: actor
        for actor in Actor.objects.filter(pk__in=actor_ids).annotate(
            public=ExpressionWrapper(visible_q(Actor), output_field=BooleanField())
        )
    }
    editions = {
        edition.pk: edition
        for edition in FundingEdition.objects.filter(
            pk__in=Award.history.filter(initiative_id=initiative.pk).values("edition_id")
        )
        .annotate(public=ExpressionWrapper(visible_q(FundingScheme, prefix="scheme__"), output_field=BooleanField()))
        .select_related("scheme")
    }
    roles = dict(Involvement.Role.choices)

    def describe_involvement(record):
        actor = actors.get(record.actor_id)
        if actor is not None and not actor.public:
            return None
        return f"Implication : {actor.name if actor else 'acteur supprimé'} ({roles.get(record.role, record.role)})"

    def describe_award(record):
        edition = editions.get(record.edition_id)
        if edition is not None and not edition.public:
            return None
        return f"Financement : {edition if edition else 'édition supprimée'}"

    changes = [
        *_entry_changes(initiative),
        *_related_changes(Involvement, initiative, describe_involvement),
        *_related_changes(Award, initiative, describe_award),
    ]
    changes.sort(key=lambda c: c.date, reverse=True)
    return changes
