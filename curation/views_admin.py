"""Admin pages of the curation app that are not a model's change list."""

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative, Involvement

# A published entry nobody has checked for this long is listed for review.
REVIEW_MAX_AGE = timedelta(days=365)


def _checks(cutoff):
    stale = Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=cutoff)
    return {
        Initiative: [
            ("résumé manquant", Q(summary="")),
            ("ni site ni dépôt de code", Q(website="", repository_url="")),
            ("licence manquante", Q(licence="") & ~Q(kind__in=[Initiative.Kind.PROGRAMME, Initiative.Kind.NETWORK])),
            ("aucun secteur", ~Exists(Initiative.sectors.through.objects.filter(initiative_id=OuterRef("pk")))),
            (
                "aucun porteur",
                ~Exists(Involvement.objects.filter(initiative_id=OuterRef("pk"), role=Involvement.Role.CARRIER)),
            ),
            ("non relue depuis 12 mois", stale),
        ],
        Actor: [
            ("site web manquant", Q(website="")),
            ("description manquante", Q(description="")),
            ("non relu depuis 12 mois", stale),
        ],
        FundingScheme: [
            ("page officielle manquante", Q(url="")),
            ("résumé manquant", Q(summary="")),
            (
                "aucun opérateur",
                ~Exists(FundingScheme.operators.through.objects.filter(fundingscheme_id=OuterRef("pk"))),
            ),
            ("non relu depuis 12 mois", stale),
        ],
    }


def quality_report(now=None):
    """[(model opts, [(entry, admin url, [problems])])] for published entries only."""
    cutoff = (now or timezone.now()) - REVIEW_MAX_AGE
    report = []
    for model, checks in _checks(cutoff).items():
        flags = {f"_check_{i}": ExpressionWrapper(q, output_field=BooleanField()) for i, (_, q) in enumerate(checks)}
        any_problem = Q()
        for _, q in checks:
            any_problem |= q
        rows = []
        queryset = model.objects.published().filter(any_problem).annotate(**flags).order_by("name")
        for obj in queryset:
            problems = [label for i, (label, _) in enumerate(checks) if getattr(obj, f"_check_{i}")]
            if not obj.sources:
                problems.append("aucune source")
            opts = model._meta
            rows.append((obj, reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]), problems))
        report.append((model._meta, rows))
    return report


# The imported entries listed per model at most: a catalogue may bring thousands.
IMPORTED_ROWS = 500


def imported_report():
    """[(model opts, total, [(entry, admin url, sources, [problems])])]: imported entries not archived
    (drafts included: they wait for a curator) that miss a key field."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    record_model = apps.get_model("catalogues", "Record")
    report = []
    for model, checks in _checks(timezone.now()).items():
        if model is FundingScheme:
            continue
        checks = checks[:-1]  # not "non relue": an imported draft has never been reviewed, by definition
        content_type = ContentType.objects.get_for_model(model)
        records = record_model.objects.filter(content_type=content_type)
        any_problem = Q()
        for _, q in checks:
            any_problem |= q
        flags = {f"_check_{i}": ExpressionWrapper(q, output_field=BooleanField()) for i, (_, q) in enumerate(checks)}
        queryset = (
            model._base_manager.exclude(publication_status=model.PublicationStatus.ARCHIVED)
            .filter(pk__in=records.values("object_id"))
            .filter(any_problem)
            .annotate(**flags)
            .order_by("name")
        )
        total = queryset.count()
        entries = list(queryset[:IMPORTED_ROWS])
        sources = {}
        for object_id, title in records.filter(object_id__in=[e.pk for e in entries]).values_list(
            "object_id", "source__title"
        ):
            sources.setdefault(object_id, []).append(title)
        opts = model._meta
        rows = [
            (
                obj,
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
                sorted(set(sources.get(obj.pk, []))),
                [label for i, (label, _) in enumerate(checks) if getattr(obj, f"_check_{i}")],
            )
            for obj in entries
        ]
        report.append((opts, total, rows))
    return report


def data_quality(request):
    if not request.user.has_perm("initiatives.view_initiative"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Qualité des données",
        "report": quality_report(),
        "imported": imported_report(),
        "max_age_days": REVIEW_MAX_AGE.days,
    }
    return render(request, "admin/curation/data_quality.html", context)
