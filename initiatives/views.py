"""The public pages of the directory: server-rendered, usable without JavaScript.

Every list page runs a fixed number of queries whatever the number of results
(tests pin it): results are paginated, relations are prefetched, and each facet's
counts come from one aggregate query.
"""

from itertools import groupby

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from taggit.models import Tag

from actors.models import Actor
from initiatives.filters import FundingSchemeFilter, InitiativeFilter
from initiatives.models import (
    Award,
    CriterionAssessment,
    FundingEdition,
    FundingScheme,
    Initiative,
    Involvement,
    Sector,
    Territory,
)
from initiatives.search import search, searches_anything

PUBLISHED = Initiative.PublicationStatus.PUBLISHED
PAGE_SIZE = 20
# Long facets show their first options and fold the rest in a <details> element.
FACET_VISIBLE_OPTIONS = 8


# ---------------------------------------------------------------------------
# Shared helpers for the faceted list pages


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The requested page, or the last one when the number is past the end.

    Returns (page, notice): the notice tells the user why they see another page
    than the one they asked for (a shared link to a page that no longer exists).
    """
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page", "1")
    notice = ""
    try:
        page = paginator.page(raw)
    except PageNotAnInteger:
        page = paginator.page(1)
        notice = f"Le numéro de page « {raw[:20]} » n'est pas valide : voici la première page."
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
        notice = f"La page {raw[:20]} n'existe pas : voici la dernière page ({paginator.num_pages})."
    page.page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page, notice


def build_facet(filterset, name, counts, labels, keep_all=False):
    """One facet of a list page, ready for the template.

    `counts` maps each value to the number of results it would give (from one
    aggregate query); `labels` maps values to their labels. A choices facet
    (`labels` is a list of choices) keeps its declared order, hiding the options
    without results unless `keep_all`; an entries facet (sectors, actors …) is
    sorted by count. A selected value always shows, so that it can be unticked.
    """
    selected = {_value_key(value): _value_label(value) for value in filterset.form.cleaned_data.get(name) or []}

    def option(value, label, count):
        return {"value": value, "label": str(label), "count": count, "checked": value in selected}

    if isinstance(labels, list):
        options = [
            option(value, label, counts.get(value, 0))
            for value, label in labels
            if keep_all or counts.get(value) or value in selected
        ]
    else:
        options = [option(value, labels.get(value, value), count) for value, count in counts.items() if count]
        options += [option(value, label, 0) for value, label in selected.items() if value not in counts]
        options.sort(key=lambda item: (-item["count"], item["label"].casefold()))
    folded = len(options) > FACET_VISIBLE_OPTIONS + 2  # folding away one or two options helps nobody
    return {
        "name": name,
        "label": filterset.form.fields[name].label,
        "options": options[:FACET_VISIBLE_OPTIONS] if folded else options,
        "more": options[FACET_VISIBLE_OPTIONS:] if folded else [],
    }


def tally(rows):
    """({value: count}, {value: label}) from aggregate rows (value, label, count) or (value, count)."""
    counts, labels = {}, {}
    for row in rows:
        value, count = row[0], row[-1]
        if value in (None, ""):
            continue
        counts[value] = count
        if len(row) == 3:
            labels[value] = row[1]
        elif len(row) == 4:  # an actor: name and acronym
            labels[value] = f"{row[1]} ({row[2]})" if row[2] else row[1]
    return counts, labels


def active_filters(request, filterset, facet_names, describe):
    """The removable tags above the results: one per active value, each with a link without it."""
    tags = []
    query = filterset.form.cleaned_data.get("q")
    if query:
        params = request.GET.copy()
        params.pop("q", None)
        params.pop("page", None)
        tags.append({"label": f"Recherche : « {query[:60]} »", "url": "?" + params.urlencode()})
    for name in facet_names:
        field_label = filterset.form.fields[name].label
        for value, label in describe(name):
            params = request.GET.copy()
            params.setlist(name, [v for v in params.getlist(name) if v != value])
            params.pop("page", None)
            tags.append({"label": f"{field_label} : {label}", "url": "?" + params.urlencode()})
    return tags


def effective_ordering(filterset):
    """The ordering the results really have, so that the sort menu shows it selected."""
    data = filterset.form.cleaned_data
    return data.get("ordering") or ("relevance" if data.get("q") else "name")


def form_errors(filterset):
    """Readable messages for values the form refused; those filters are ignored, the page still works."""
    messages = []
    for name, errors in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        for error in errors:
            messages.append(f"{label} : {error}")
    return messages


def _value_label(value, choices=None):
    """How a cleaned filter value reads in a tag: a choice's label, an actor's acronym, an entry's name."""
    if choices is not None:
        return str(dict(choices).get(value, value))
    if isinstance(value, Actor):
        return value.display_name
    if isinstance(value, Tag):
        return value.name
    return str(value)


def _value_key(value):
    """The query-string value of a cleaned filter value (the slug or code of an entry)."""
    for attribute in ("slug", "code"):
        if hasattr(value, attribute):
            return getattr(value, attribute)
    return str(value)


# ---------------------------------------------------------------------------
# Home, about, 404


def home(request):
    published = Initiative.objects.published()
    today = timezone.localdate()
    context = {
        "counts": {
            "initiatives": published.count(),
            "actors": Actor.objects.published().count(),
            "schemes": FundingScheme.objects.published().count(),
        },
        "sectors": Sector.objects.annotate(
            initiative_count=Count("initiatives", filter=Q(initiatives__publication_status=PUBLISHED))
        ).order_by("name"),
        "latest": published.prefetch_related("sectors").order_by("-created_at", "name")[:6],
        "closing_soon": FundingEdition.objects.filter(closes_on__gte=today, scheme__publication_status=PUBLISHED)
        .select_related("scheme")
        .order_by("closes_on", "scheme__name")[:5],
        "today": today,
    }
    return render(request, "home.html", context)


def about(request):
    context = {
        "criteria": CriterionAssessment.Criterion.choices,
        "logics": Initiative.Logic.choices,
        "kinds": Initiative.Kind.choices,
    }
    return render(request, "about.html", context)


def page_not_found(request, exception):
    return render(request, "404.html", {}, status=404)


def server_error(request):
    return render(request, "500.html", {}, status=500)


# ---------------------------------------------------------------------------
# Initiatives


INITIATIVE_FACETS = ["sector", "kind", "actor", "role", "territory", "development_status", "funding_scheme", "tag"]


def _initiative_facets(filterset):
    """Each facet's options with the count each would give alongside the other active filters."""
    data = filterset.form.cleaned_data

    def within(name):
        return filterset.queryset_without(name).values("pk")

    def by_choice(field, name):
        rows = Initiative.objects.filter(pk__in=within(name)).order_by().values_list(field).annotate(Count("pk"))
        return tally(rows)[0]

    sectors = tally(
        Sector.objects.filter(initiatives__in=within("sector"))
        .values_list("slug", "name")
        .annotate(Count("initiatives", distinct=True))
    )
    # Actor and role describe the same involvement row ("IGN as funder"), so each
    # facet's counts keep the other's restriction on that row, in the same filter().
    actor_condition = Q(involvements__initiative__in=within("actor"))
    if data.get("role"):
        actor_condition &= Q(involvements__role__in=data["role"])
    actors = tally(
        Actor.objects.published()
        .filter(actor_condition)
        .values_list("slug", "name", "acronym")
        .annotate(Count("involvements__initiative", distinct=True))
    )
    roles = Involvement.objects.filter(initiative__in=within("role"))
    if data.get("actor"):
        roles = roles.filter(actor__in=data["actor"])
    roles = tally(roles.order_by().values_list("role").annotate(Count("initiative", distinct=True)))[0]
    territories = tally(
        Territory.objects.filter(initiatives__in=within("territory"))
        .values_list("code", "name")
        .annotate(Count("initiatives", distinct=True))
    )
    schemes = tally(
        FundingScheme.objects.published()
        .filter(editions__awards__initiative__in=within("funding_scheme"))
        .values_list("slug", "name")
        .annotate(Count("editions__awards__initiative", distinct=True))
    )
    tags = tally(
        Tag.objects.filter(initiative__in=within("tag"))
        .values_list("slug", "name")
        .annotate(Count("initiative", distinct=True))
    )
    return [
        build_facet(filterset, "sector", *sectors),
        build_facet(filterset, "kind", by_choice("kind", "kind"), Initiative.Kind.choices),
        build_facet(filterset, "actor", *actors),
        build_facet(filterset, "role", roles, Involvement.Role.choices),
        build_facet(filterset, "territory", *territories),
        build_facet(
            filterset,
            "development_status",
            by_choice("development_status", "development_status"),
            Initiative.DevelopmentStatus.choices,
        ),
        build_facet(filterset, "funding_scheme", *schemes),
        build_facet(filterset, "tag", *tags),
    ]


def filter_describer(filterset, choices_by_name):
    """describe(name) -> [(query-string value, label)] of a facet's active values, for active_filters()."""

    def describe(name):
        values = filterset.form.cleaned_data.get(name) or []
        return [(_value_key(v), _value_label(v, choices_by_name.get(name))) for v in values]

    return describe


def initiative_list(request):
    filterset = InitiativeFilter(request.GET, queryset=Initiative.objects.published())
    page, page_notice = paginate(request, filterset.qs.prefetch_related("sectors"))
    describe = filter_describer(
        filterset,
        {
            "kind": Initiative.Kind.choices,
            "role": Involvement.Role.choices,
            "development_status": Initiative.DevelopmentStatus.choices,
        },
    )
    context = {
        "filterset": filterset,
        "query": filterset.form.cleaned_data.get("q") or "",
        "ordering": effective_ordering(filterset),
        "ordering_choices": filterset.form.fields["ordering"].choices,
        "facets": _initiative_facets(filterset),
        "active_filters": active_filters(request, filterset, INITIATIVE_FACETS, describe),
        "errors": form_errors(filterset),
        "page": page,
        "page_notice": page_notice,
        "total": page.paginator.count,
        "elsewhere": _search_elsewhere(filterset.form.cleaned_data.get("q") or ""),
    }
    return render(request, "initiatives/initiative_list.html", context)


def _search_elsewhere(query):
    """How many actors and funding schemes the same words find, so that a search for "ADEME"
    or "Appel à communs" on the list of commons is not a dead end (two queries, only with a query)."""
    if not searches_anything(query):
        return []
    found = [
        ("acteur", "acteurs", reverse("actors:list"), search(Actor.objects.published(), query).count()),
        (
            "dispositif de financement",
            "dispositifs de financement",
            reverse("initiatives:schemes"),
            search(FundingScheme.objects.published(), query).count(),
        ),
    ]
    return [
        {"label": singular if count == 1 else plural, "count": count, "url": f"{url}?{urlencode({'q': query})}"}
        for singular, plural, url, count in found
        if count
    ]


def initiative_detail(request, slug):
    initiative = get_object_or_404(
        Initiative.objects.published().prefetch_related(
            "sectors",
            "tags",
            "territories",
            Prefetch(
                "involvements",
                queryset=Involvement.objects.filter(actor__publication_status=PUBLISHED)
                .select_related("actor")
                .order_by("actor__name"),
            ),
            Prefetch(
                "awards",
                queryset=Award.objects.filter(edition__scheme__publication_status=PUBLISHED)
                .select_related("edition__scheme")
                .order_by("-edition__year", "edition__label"),
            ),
            "criteria",
        ),
        slug=slug,
    )
    # Actors grouped by role, in the order of the Role choices (carriers first).
    role_order = {value: index for index, value in enumerate(Involvement.Role.values)}
    involvements = sorted(initiative.involvements.all(), key=lambda i: (role_order[i.role], i.actor.name))
    roles = [
        {"role": role, "label": Involvement.Role(role).label, "involvements": list(items)}
        for role, items in groupby(involvements, key=lambda i: i.role)
    ]
    assessed = {criterion.criterion: criterion for criterion in initiative.criteria.all()}
    criteria = [
        {"code": code, "label": label, "assessment": assessed.get(code)}
        for code, label in CriterionAssessment.Criterion.choices
    ]
    sector_ids = [sector.pk for sector in initiative.sectors.all()]
    tag_ids = [tag.pk for tag in initiative.tags.all()]
    # Similar: most sectors and tags in common; one query.
    similar = (
        Initiative.objects.published()
        .exclude(pk=initiative.pk)
        .filter(Q(sectors__in=sector_ids) | Q(tags__in=tag_ids))
        .annotate(
            shared=Count("sectors", filter=Q(sectors__in=sector_ids), distinct=True)
            + Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
        )
        .order_by("-shared", "name")
        .prefetch_related("sectors")[:4]
        if sector_ids or tag_ids
        else Initiative.objects.none()
    )
    context = {
        "initiative": initiative,
        "roles": roles,
        "awards": list(initiative.awards.all()),
        "criteria": criteria,
        "criteria_assessed": bool(assessed),
        "logics": [Initiative.Logic(code).label for code in initiative.logics],
        "similar": similar,
    }
    return render(request, "initiatives/initiative_detail.html", context)


# ---------------------------------------------------------------------------
# Funding schemes


SCHEME_FACETS = ["availability", "beneficiary", "kind", "operator", "sector", "territory"]


def _scheme_facets(filterset):
    def within(name):
        return filterset.queryset_without(name).values("pk")

    today = timezone.localdate()
    open_pks = FundingScheme.objects.filter(FundingSchemeFilter.open_now_condition(today)).values("pk")
    # Availability and eligibility are conditions, not columns: one conditional count each, one query.
    availability = FundingScheme.objects.filter(pk__in=within("availability")).aggregate(
        open=Count("pk", filter=Q(pk__in=open_pks)),
        recurring=Count("pk", filter=Q(status=FundingScheme.Status.RECURRING)),
        closed=Count("pk", filter=Q(status=FundingScheme.Status.CLOSED)),
    )
    beneficiaries = FundingScheme.objects.filter(pk__in=within("beneficiary")).aggregate(
        **{code: Count("pk", filter=Q(**{f"eligible_{code}": True})) for code in FundingScheme.Beneficiary.values}
    )
    kinds = tally(
        FundingScheme.objects.filter(pk__in=within("kind")).order_by().values_list("kind").annotate(Count("pk"))
    )[0]
    operators = tally(
        Actor.objects.published()
        .filter(operated_schemes__in=within("operator"))
        .values_list("slug", "name", "acronym")
        .annotate(Count("operated_schemes", distinct=True))
    )
    sectors = tally(
        Sector.objects.filter(funding_schemes__in=within("sector"))
        .values_list("slug", "name")
        .annotate(Count("funding_schemes", distinct=True))
    )
    territories = tally(
        Territory.objects.filter(funding_schemes__in=within("territory"))
        .values_list("code", "name")
        .annotate(Count("funding_schemes", distinct=True))
    )
    return [
        build_facet(filterset, "availability", availability, FundingSchemeFilter.Availability.CHOICES, keep_all=True),
        build_facet(filterset, "beneficiary", beneficiaries, FundingScheme.Beneficiary.choices, keep_all=True),
        build_facet(filterset, "kind", kinds, FundingScheme.Kind.choices),
        build_facet(filterset, "operator", *operators),
        build_facet(filterset, "sector", *sectors),
        build_facet(filterset, "territory", *territories),
    ]


def scheme_list(request):
    filterset = FundingSchemeFilter(request.GET, queryset=FundingScheme.objects.published())
    today = timezone.localdate()
    schemes = filterset.qs.annotate(next_closes_on=FundingSchemeFilter.next_closes_on(today)).prefetch_related(
        Prefetch("operators", queryset=Actor.objects.published()),
        "sectors",
    )
    page, page_notice = paginate(request, schemes)
    describe = filter_describer(
        filterset,
        {
            "availability": FundingSchemeFilter.Availability.CHOICES,
            "beneficiary": FundingScheme.Beneficiary.choices,
            "kind": FundingScheme.Kind.choices,
        },
    )
    open_calls = (
        FundingEdition.objects.filter(closes_on__gte=today, scheme__in=filterset.qs.order_by().values("pk"))
        .select_related("scheme")
        .order_by("closes_on", "scheme__name")[:10]
    )
    context = {
        "filterset": filterset,
        "query": filterset.form.cleaned_data.get("q") or "",
        "ordering": effective_ordering(filterset),
        "ordering_choices": filterset.form.fields["ordering"].choices,
        "facets": _scheme_facets(filterset),
        "active_filters": active_filters(request, filterset, SCHEME_FACETS, describe),
        "errors": form_errors(filterset),
        "page": page,
        "page_notice": page_notice,
        "total": page.paginator.count,
        "open_calls": open_calls,
        "today": today,
        "beneficiary_labels": dict(FundingScheme.Beneficiary.choices),
    }
    return render(request, "initiatives/fundingscheme_list.html", context)


def scheme_detail(request, slug):
    scheme = get_object_or_404(
        FundingScheme.objects.published()
        .select_related("territory")
        .prefetch_related(
            Prefetch("operators", queryset=Actor.objects.published()),
            Prefetch("funders", queryset=Actor.objects.published()),
            "sectors",
            Prefetch(
                "editions",
                queryset=FundingEdition.objects.order_by("-year", "-opens_on", "label").prefetch_related(
                    Prefetch(
                        "awards",
                        queryset=Award.objects.filter(initiative__publication_status=PUBLISHED)
                        .select_related("initiative")
                        .order_by("initiative__name"),
                    )
                ),
            ),
        ),
        slug=slug,
    )
    today = timezone.localdate()
    editions = list(scheme.editions.all())
    context = {
        "scheme": scheme,
        "editions": editions,
        "open_edition": next(
            (e for e in sorted(editions, key=lambda e: e.closes_on or today) if e.closes_on and e.closes_on >= today),
            None,
        ),
        "beneficiaries": [FundingScheme.Beneficiary(code).label for code in scheme.beneficiaries],
        "laureate_count": sum(len(edition.awards.all()) for edition in editions),
    }
    return render(request, "initiatives/fundingscheme_detail.html", context)


# ---------------------------------------------------------------------------
# Sectors and territories


def sector_detail(request, slug):
    sector = get_object_or_404(Sector, slug=slug)
    initiatives = sector.initiatives.published().prefetch_related("sectors").order_by("name")
    actors = (
        Actor.objects.published()
        .filter(
            Exists(
                Involvement.objects.filter(
                    actor=OuterRef("pk"), initiative__sectors=sector, initiative__publication_status=PUBLISHED
                )
            )
        )
        .order_by("name")
    )
    schemes = sector.funding_schemes.published().order_by("name")
    page, page_notice = paginate(request, initiatives)
    context = {
        "sector": sector,
        "page": page,
        "page_notice": page_notice,
        "actors": actors,
        "schemes": schemes,
    }
    return render(request, "initiatives/sector_detail.html", context)


def territory_detail(request, code):
    territory = get_object_or_404(Territory.objects.select_related("parent"), code=code)
    initiatives = territory.initiatives.published().prefetch_related("sectors").order_by("name")
    actors = territory.actors.published().order_by("name")
    children = (
        territory.children.annotate(
            initiative_count=Count("initiatives", filter=Q(initiatives__publication_status=PUBLISHED))
        )
        .filter(initiative_count__gt=0)
        .order_by("name")
    )
    schemes = territory.funding_schemes.published().order_by("name")
    page, page_notice = paginate(request, initiatives)
    context = {
        "territory": territory,
        "page": page,
        "page_notice": page_notice,
        "actors": actors,
        "children": children,
        "schemes": schemes,
    }
    return render(request, "initiatives/territory_detail.html", context)
