"""The public history of an initiative: dated changes, with the old and new values of public fields.

Built for the public page, so it carries no personal data: no author, no change reason, and only
the fields each model declares public (`history_public_fields`). Values are shown only for changes made while the entry was published
(the version before and the version after both public): what an entry said as a draft or under
review was never public and stays out. Those earlier versions are still listed, with the names of
the fields they touched, as the page always did, so that a reader sees that the entry was worked on.
The history is read in a fixed number of queries, whatever its length.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q

from actors.models import Actor
from communs.models import Publishable, visible_q
from curation.history_values import field_change, set_change, source_names
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Deployment, Involvement

CREATED, CHANGED, DELETED = "+", "~", "-"
ACTION_LABELS = {CREATED: "Création", CHANGED: "Modification", DELETED: "Suppression"}
PUBLISHED = Publishable.PublicationStatus.PUBLISHED

# The fields the public history may show: those the public page or the anonymous API already
# shows, declared by each model next to its fields (`history_public_fields`). Left out: the
# workflow's internals (who moved or reviewed the entry and when, the archiving reason, the version
# counter, created_at/updated_at), the *_html renderings of the Markdown fields (not versioned).
# The status's values are labels, never an entry's content: they are shown even around a draft.
ALWAYS_PUBLIC = {"publication_status"}


@dataclass
class PublicChange:
    date: datetime
    action: str
    subject: str
    fields: list = field(default_factory=list)  # [FieldChange]

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)


def _public_fields(model):
    names = model.history_public_fields
    return [f for f in model._meta.concrete_fields if f.name in names]


def _m2m_sets(records, m2m_field):
    """{history_id: frozenset(target ids)} for one versioned m2m, in one query."""
    through = getattr(records[0], m2m_field.name).model  # the historical through model
    target = m2m_field.m2m_reverse_field_name()
    sets = {r.history_id: set() for r in records}
    rows = through.objects.filter(history__in=[r.history_id for r in records]).values_list("history_id", f"{target}_id")
    for history_id, target_id in rows:
        sets[history_id].add(target_id)
    return {k: frozenset(v) for k, v in sets.items()}


def _m2m_names(m2m_field, sets):
    """{history_id: set of names} for one versioned m2m, the names read in one query."""
    model = m2m_field.related_model
    ids = set().union(*sets.values())
    targets = model._default_manager.filter(pk__in=ids)
    if issubclass(model, Publishable):  # a scheme's operators are actors: a draft one is not named
        targets = targets.annotate(public=ExpressionWrapper(visible_q(model), output_field=BooleanField()))
    found = {t.pk: t for t in targets}
    name = {pk: str(found[pk]) if pk in found else "(supprimé)" for pk in ids}
    shown = {pk for pk in ids if getattr(found.get(pk), "public", True)}
    return {history_id: {name[pk] for pk in pks & shown} for history_id, pks in sets.items()}


def _field_changes(record, previous, fields, public):
    changes = []
    for f in fields:
        old, new = getattr(previous, f.attname), getattr(record, f.attname)
        if old == new:
            continue
        if f.name == "sources":
            changes.append(set_change(str(f.verbose_name), source_names(old), source_names(new), public))
        else:
            changes.append(field_change(f, old, new, public or f.name in ALWAYS_PUBLIC))
    return changes


def _entry_changes(entry):
    """The entry's own changes, and its timeline of (date, published) for its related rows."""
    model = type(entry)
    records = list(entry.history.order_by("history_date", "history_id"))
    if not records:
        return [], []
    fields = _public_fields(model)
    m2m_fields = [f for f in records[0]._history_m2m_fields if f.name in model.history_public_fields]
    names = {f.name: _m2m_names(f, _m2m_sets(records, f)) for f in m2m_fields}
    changes, previous = [], None
    for record in records:
        if previous is None or record.history_type != CHANGED:
            changes.append(PublicChange(record.history_date, record.history_type, "Fiche"))
        else:
            public = previous.publication_status == PUBLISHED and record.publication_status == PUBLISHED
            touched = _field_changes(record, previous, fields, public)
            for f in m2m_fields:
                old, new = names[f.name][previous.history_id], names[f.name][record.history_id]
                if old != new:
                    touched.append(set_change(str(f.verbose_name), old, new, public))
            if touched:  # a save that changed nothing public is not news
                changes.append(PublicChange(record.history_date, CHANGED, "Fiche", touched))
        previous = record
    timeline = [(r.history_date, r.publication_status == PUBLISHED) for r in records]
    return changes, timeline


def _published_at(timeline, date):
    index = bisect_right([d for d, _ in timeline], date) - 1
    return index >= 0 and timeline[index][1]


def _related_changes(model, initiative, describe, timeline):
    fields = _public_fields(model)
    records = list(model.history.filter(initiative_id=initiative.pk).order_by("history_date", "history_id"))
    changes, last = [], {}
    for record in records:
        previous = last.get(record.id)
        last[record.id] = record
        touched = []
        if previous is not None and record.history_type == CHANGED:
            # The values are public when the initiative was: a change while it was a draft shows none.
            touched = _field_changes(record, previous, fields, _published_at(timeline, record.history_date))
            if not touched:
                continue
        subject = describe(record)
        if subject is not None:  # None: the related entry is not public
            changes.append(PublicChange(record.history_date, record.history_type, subject, touched))
    return changes


def entry_history(entry):
    """The changes of an actor or a funding scheme's own fields, newest first."""
    changes, _ = _entry_changes(entry)
    return changes[::-1]


def public_history(initiative):
    """Every visible change of the initiative, its involvements, awards and uses, newest first.

    Changes that concern an actor or a scheme the public may not see are left out, as the pages
    leave them out; a deleted one reads "supprimé".
    """
    # One query each for the actors and the editions ever linked, with whether the public sees them.
    actor_ids = Involvement.history.filter(initiative_id=initiative.pk).values("actor_id")
    user_ids = Deployment.history.filter(initiative_id=initiative.pk, actor_id__isnull=False).values("actor_id")
    actors = {
        actor.pk: actor
        for actor in Actor.objects.filter(Q(pk__in=actor_ids) | Q(pk__in=user_ids)).annotate(
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

    def describe_deployment(record):
        # A use is public while it is published, by an organisation the public sees (or none named).
        actor = actors.get(record.actor_id)
        if record.publication_status != PUBLISHED or (actor is not None and not actor.public):
            return None
        who = actor.name if actor else (record.name or record.url or "organisation non renseignée")
        return f"Utilisation : {who}"

    changes, timeline = _entry_changes(initiative)
    changes += _related_changes(Involvement, initiative, describe_involvement, timeline)
    changes += _related_changes(Award, initiative, describe_award, timeline)
    changes += _related_changes(Deployment, initiative, describe_deployment, timeline)
    changes.sort(key=lambda c: c.date, reverse=True)
    return changes
