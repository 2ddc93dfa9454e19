"""What curators do with derived facts (initiatives.models.Derivation): confirm or reject them in
bulk, one history row per entry, and see how much of the directory each field covers."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from initiatives.models import Category, CriterionAssessment, Derivation, Initiative, Sector
from territories.models import Territory


def _summary(rows):
    return ", ".join(f"{row.get_fact_display().lower()} {row.label or row.value}" for row in rows)


@transaction.atomic
def confirm(derivations, user):
    """Confirm the derived values: they stay, without the "derived" mark. One history row per entry."""
    now = timezone.now()
    by_entry = defaultdict(list)
    for row in derivations.select_related("initiative").filter(status=Derivation.Status.DERIVED):
        by_entry[row.initiative].append(row)
    for initiative, rows in by_entry.items():
        Derivation.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Derivation.Status.CONFIRMED, decided_by=user, decided_at=now
        )
        _record(initiative, user, f"Faits déduits confirmés : {_summary(rows)}")
    return sum(len(rows) for rows in by_entry.values()), len(by_entry)


@transaction.atomic
def reject(derivations, user):
    """Reject the values: taken off the entry when a derivation put them there, never applied again."""
    now = timezone.now()
    by_entry = defaultdict(list)
    for row in derivations.select_related("initiative").exclude(status=Derivation.Status.REJECTED):
        by_entry[row.initiative].append(row)
    Fact = Derivation.Fact
    for initiative, rows in by_entry.items():
        for row in rows:
            if not row.applied:
                continue
            if row.fact == Fact.CATEGORY:
                initiative.categories.remove(*Category.objects.filter(slug=row.value))
            elif row.fact == Fact.SECTOR:
                initiative.sectors.remove(*Sector.objects.filter(slug=row.value))
            elif row.fact == Fact.TERRITORY:
                initiative.territories.remove(*Territory.objects.filter(code=row.value))
            elif row.fact == Fact.SCOPE and initiative.territorial_scope == row.value:
                initiative.territorial_scope = ""
            elif row.fact == Fact.CRITERION:
                code, status = row.value.split(":")
                initiative.criteria.filter(criterion=code, status=status).update(
                    status=CriterionAssessment.Status.UNKNOWN, evidence_url="", note=""
                )
        Derivation.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Derivation.Status.REJECTED, decided_by=user, decided_at=now
        )
        _record(initiative, user, f"Faits déduits rejetés : {_summary(rows)}")
    return sum(len(rows) for rows in by_entry.values()), len(by_entry)


def _record(initiative, user, reason):
    initiative._history_user = user
    initiative._change_reason = reason[:100]  # the history's column holds 100 characters
    initiative.save()


def coverage():
    """Per field, among published entries: how many have it, and of those how many by a derived
    value still to confirm, a confirmed one, or one entered by a person or an import."""
    published = Initiative.objects.published()
    total = published.count()
    Fact = Derivation.Fact

    def standing(fact, status, prefix):
        rows = Derivation.objects.filter(initiative=OuterRef("pk"), fact=fact, status=status, value__startswith=prefix)
        # A participation is shown, not written on the entry; the other facts count once applied.
        return rows if fact == Fact.PARTICIPATION else rows.filter(applied=True)

    def row(label, has, fact, prefix=""):
        entries = published.filter(has)
        counts = entries.aggregate(
            count=Count("pk", distinct=True),
            derived=Count("pk", distinct=True, filter=Q(Exists(standing(fact, Derivation.Status.DERIVED, prefix)))),
            confirmed=Count("pk", distinct=True, filter=Q(Exists(standing(fact, Derivation.Status.CONFIRMED, prefix)))),
        )
        counts["entered"] = counts["count"] - counts["derived"] - counts["confirmed"]
        counts["entered"] = max(counts["entered"], 0)
        share = round(100 * counts["count"] / total) if total else 0
        return {"label": label, **counts, "share": share}

    participation = Exists(
        Derivation.objects.filter(initiative=OuterRef("pk"), fact=Fact.PARTICIPATION).exclude(
            status=Derivation.Status.REJECTED
        )
    )
    rows = [
        row("Catégorie", Q(categories__isnull=False), Fact.CATEGORY),
        row("Secteur", Q(sectors__isnull=False), Fact.SECTOR),
        row("Territoire", Q(territories__isnull=False), Fact.TERRITORY),
        row("Échelle", ~Q(territorial_scope=""), Fact.SCOPE),
        row("Comment participer", Q(participation) | ~Q(contributing_url=""), Fact.PARTICIPATION),
    ]
    for code, label in CriterionAssessment.Criterion.choices:
        assessed = Q(criteria__criterion=code) & ~Q(criteria__status=CriterionAssessment.Status.UNKNOWN)
        rows.append(row(f"Critère : {label}", assessed, Fact.CRITERION, f"{code}:"))
    queue = Derivation.objects.filter(status=Derivation.Status.DERIVED)
    by_source = list(queue.values("source__title").annotate(count=Count("pk")).order_by("-count", "source__title"))
    return {"total": total, "rows": rows, "to_confirm": queue.count(), "by_source": by_source}
