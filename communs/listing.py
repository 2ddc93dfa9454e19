"""The faceted list pages: pagination, facets with counts, removable filter chips, the list context.

A list page is a FilterSet (the same one the API uses) whose class declares its facets next to the
filters they count (`facets = [ChoiceFacet("kind"), EntryFacet("sector", …)]`); a view then calls
`list_context(request, filterset, entries)` and renders. Each facet's counts say what ticking one of
its options would give with the *other* active filters. All the facets of a page are counted by one
statement (count_facets): the matching entries are found once, in a materialised CTE that every
facet's aggregate reads, so a list page runs a fixed number of queries whatever the number of
results (tests pin it). Past FACET_EXACT_MAX matches, the counts are taken on a regular sample of
them and shown as estimates ("≈ 12 000"), never as exact figures.
"""

import contextlib
import hashlib

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connections
from django.db.models import Count, Q, QuerySet, Value
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from communs import search_index
from communs.cache import content_version
from communs.locale import as_content
from communs.search import SearchPaginator, count_facet_keys, count_matches, is_approximate, searches_anything

PAGE_SIZE = 20
# Long facets show their first options and fold the rest in a <details> element.
FACET_VISIBLE_OPTIONS = 8
# ... up to this many in all, the most frequent: at national scale the actor and tag facets have
# thousands of values, a list nobody reads that took most of the page's time to render. The others
# are counted ("N autres") and found by the search; a selected value always shows.
FACET_MAX_OPTIONS = 40
# Above this many matching entries, facets count a sample of about FACET_SAMPLE_SIZE of them (every
# entry whose key is a multiple of the step) and say their counts are estimates: at 100,000 entries,
# counting the facet values of 20,000 matches (about 250,000 of them) took 50 ms of the statement,
# and twice as long as the rest of the page with the matches' keys read through their entries. A
# sample of 2,500 to 5,000 entries puts a value found in 10 % of the matches within about 1 % of the
# matches of its count: the estimate shows two significant digits.
FACET_EXACT_MAX = 5_000
FACET_SAMPLE_SIZE = 5_000


def paginate(request, queryset, per_page=PAGE_SIZE, count=None):
    """The requested page, or the last one when the number is past the end.

    Returns (page, notice): the notice tells the user why they see another page
    than the one they asked for (a shared link to a page that no longer exists).
    `count`, when the caller knows it, spares the paginator its COUNT query.
    """
    paginator = SearchPaginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    raw = request.GET.get("page", "1")
    notice = ""
    try:
        page = paginator.page(raw)
    except PageNotAnInteger:
        page = paginator.page(1)
        notice = gettext("Le numéro de page « %(page)s » n'est pas valide : voici la première page.") % {
            "page": raw[:20]
        }
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
        notice = gettext("La page %(page)s n'existe pas : voici la dernière page (%(last)s).") % {
            "page": raw[:20],
            "last": paginator.num_pages,
        }
    page.page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page, notice


def tally(rows):
    """({value: count}, {value: label}) from aggregate rows (value, label, count) or (value, count).

    Rows of four columns are organisations: (slug, name, acronym, count), labelled "Name (ACRONYM)".
    """
    counts, labels = {}, {}
    for row in rows:
        value, count = row[0], row[-1]
        if value in (None, ""):
            continue
        counts[value] = count
        if len(row) == 3:
            labels[value] = row[1]
        elif len(row) == 4:
            labels[value] = f"{row[1]} ({row[2]})" if row[2] else row[1]
    return counts, labels


def filter_choices(filterset, name):
    """The declared choices of a choice filter, or None for a filter on entries (sectors, actors …)."""
    return filterset.filters[name].extra.get("choices")


def value_key(value):
    """The query-string value of a cleaned filter value (the slug or code of an entry)."""
    for attribute in ("slug", "code"):
        if hasattr(value, attribute):
            return getattr(value, attribute)
    return str(value)


def value_label(value, choices=None):
    """How a cleaned filter value reads: a choice's label, an organisation's acronym, an entry's name."""
    if choices is not None:
        return str(dict(choices).get(value, value))
    return str(getattr(value, "display_name", None) or value)


# --- Facets -------------------------------------------------------------------------------------


class Rows:
    """Aggregate rows of a facet read from `queryset`, then turned into the facet's rows by `finish`
    (a roll-up in Python, a conversion): iterated, it runs its own query; count_facets() reads it
    in the one statement of the page's facets instead."""

    def __init__(self, queryset, finish=list):
        self.queryset = queryset
        self.finish = finish

    def __iter__(self):
        return iter(self.finish([tuple(row) for row in self.queryset]))


class Facet:
    """One facet of a list page: the options of the filter `name`, each with its count.

    `rows(filterset)` returns aggregate rows for the entries matching `filterset.within(name)`:
    (value, count), (value, label, count) or (slug, name, acronym, count). Without `rows`, the
    facet counts the values of the listed model's column `field` (default: `name`). A choice
    filter's options keep their declared order and labels, and hide when they count nothing
    unless `keep_all`; other options (sectors, actors, tags …) are sorted by count.
    """

    def __init__(self, name, rows=None, field=None, keep_all=False):
        self.name = name
        self.rows = rows or self.column_rows
        self.field = field or name
        self.keep_all = keep_all

    def column_rows(self, filterset):
        entries = filterset.queryset.model._base_manager.filter(pk__in=filterset.within(self.name))
        return entries.order_by().values_list(self.field).annotate(Count("pk"))

    def counts(self, filterset):
        """({value: count}, labels): labels the filter's choices, or a {value: label} dict."""
        return self.read_counts(filterset, self.rows(filterset))

    def read_counts(self, filterset, rows):
        """counts() from the rows that rows() describes, already read (count_facets)."""
        counts, labels = tally(rows)
        choices = filter_choices(filterset, self.name)
        return counts, labels if choices is None else choices

    def build(self, filterset):
        counts, labels = self.counts(filterset)
        return build_facet(filterset, self.name, counts, labels, keep_all=self.keep_all)


class ConditionFacet(Facet):
    """A choice filter whose options are conditions, not column values (availability, eligibility):
    `conditions()` gives {choice: Q}; one conditional count each, in one query."""

    def __init__(self, name, conditions, keep_all=True):
        super().__init__(name, rows=self.condition_rows, keep_all=keep_all)
        self.conditions = conditions

    def condition_rows(self, filterset):
        # One row of conditional counts (a constant is never grouped by: one row, even for no entry),
        # turned into (choice, count) rows.
        conditions = self.conditions()
        entries = filterset.queryset.model._base_manager.filter(pk__in=filterset.within(self.name))
        counts = {f"count_{index}": Count("pk", filter=q) for index, q in enumerate(conditions.values())}
        queryset = entries.order_by().annotate(one=Value(1)).values_list("one").annotate(**counts)
        # No row when Django knew the entries empty and left the query out (count_facets).
        return Rows(
            queryset, lambda rows: list(zip(conditions, rows[0][1:] if rows else [0] * len(conditions), strict=True))
        )


def count_facets(filterset, total=None, counted=None):
    """[(facet, counts, labels, estimated)] of every facet of `filterset`, in one statement.

    The entries a facet counts are found once: the search's matches (`facet_search`) and the
    entries within every active filter (`facet_matches`) are materialised CTEs that each facet's
    aggregate reads (SearchOrderingMixin.within), rather than each facet running the search again.
    A facet whose own filter is active counts within the others only, from `facet_search`. With
    more than FACET_EXACT_MAX matches (`total`), every facet counts a regular sample of them and
    its counts, scaled, are estimates. `counted`, what count_from_documents() read, spares the
    statement.
    """
    step = -(-total // FACET_SAMPLE_SIZE) if total and total > FACET_EXACT_MAX else 1
    if counted is not None:
        _total, step, read = counted
        results = []
        for facet in filterset.facets:
            counts, labels = facet.read_counts(filterset, read.get(facet.name, []))
            if step > 1:
                counts = {value: count * step for value, count in counts.items()}
            results.append((facet, counts, labels, step > 1))
        return results
    with filterset.facet_statement(step) as ctes:
        described = [(facet, facet.rows(filterset)) for facet in filterset.facets]
        arms = [(index, rows) for index, (_, rows) in enumerate(described) if isinstance(rows, (QuerySet, Rows))]
        read = _read_in_one_statement(filterset.queryset.db, ctes, arms)
    results = []
    for index, (facet, rows) in enumerate(described):
        counts, labels = facet.read_counts(filterset, read.get(index, rows))
        if step > 1:
            counts = {value: count * step for value, count in counts.items()}
        results.append((facet, counts, labels, step > 1))
    return results


def count_from_documents(filterset):
    """(total, step, {facet name: rows (value, label…, count)}) of a search with no other filter:
    the number of matches and every facet's counts (on one match in `step` past FACET_EXACT_MAX)
    read in one pass over the facet keys of the matching search documents
    (SearchDocument.facet_ids). None when that does not apply: nothing searched (the whole list,
    whose counts are cached), a filter that narrows (each facet then counts within the others
    only), a model that registers no keys, or a matching document written before the keys existed.
    """
    if not searches_anything(filterset.form.cleaned_data.get("q")):
        return None
    if filterset.queryset.model not in search_index.FACET_KEYS:
        return None
    if any(filterset.narrows(name) for name in filterset.filters if name not in ("q", "ordering")):
        return None
    # No other filter: the list's own queryset is the search's matches (its search already run).
    total, step, rows, complete = count_facet_keys(filterset.qs, FACET_EXACT_MAX, FACET_SAMPLE_SIZE)
    if not complete:
        return None
    return total, step, rows


def _read_in_one_statement(alias, ctes, arms):
    """{index: rows} of each arm (index, QuerySet or Rows), read in one UNION ALL statement after
    the `ctes` [(name, sql, params)]. Every column is read as text (the arms' columns differ in type
    and number), then converted back by its own field."""
    if not arms:
        return {}
    connection = connections[alias]
    parts, params, unions, shapes = [], [], [], {}
    for name, sql, cte_params in ctes:
        parts.append(f"{name}(pk) AS MATERIALIZED ({sql})")
        params += cte_params
    compiled = []
    for index, rows in arms:
        queryset = rows.queryset if isinstance(rows, Rows) else rows
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, arm_params = compiler.as_sql()
        except EmptyResultSet:  # Django knows it reads no row: no arm
            continue
        fields = [expression.output_field for expression, _, _ in compiler.select]
        compiled.append((index, sql, arm_params, fields))
    width = max((len(fields) for _, _, _, fields in compiled), default=0)
    for index, sql, arm_params, fields in compiled:
        columns = [f"c{number}" for number in range(len(fields))]
        parts.append(f"facet_{index}({', '.join(columns)}) AS ({sql})")
        params += arm_params
        cells = [f"CAST({column} AS TEXT)" for column in columns] + ["CAST(NULL AS TEXT)"] * (width - len(fields))
        unions.append(f"SELECT {index}, {', '.join(cells)} FROM facet_{index}")
        shapes[index] = fields
    read = {index: [] for index, _ in arms}
    if unions:
        statement = "WITH " + ", ".join(parts) + " " + " UNION ALL ".join(unions)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            for index, *cells in cursor.fetchall():
                fields = shapes[index]
                # The padding cells past the arm's own columns are left out.
                read[index].append(tuple(field.to_python(cell) for field, cell in zip(fields, cells, strict=False)))
    finished = {}
    for index, rows in arms:
        finished[index] = rows.finish(read[index]) if isinstance(rows, Rows) else read[index]
    return finished


def count_through(queryset, path, within, *values, condition=None):
    """Rows (values…, count) of the entries of `queryset` reached from the listed entries `within`
    through the relation `path`: count_through(Sector.objects, "initiatives", within, "slug", "name").
    """
    filters = Q(**{f"{path}__in": within})
    if condition is not None:
        filters &= condition
    return queryset.filter(filters).values_list(*values).annotate(Count(path, distinct=True))


def build_facet(filterset, name, counts, labels, keep_all=False, estimated=False):
    """One facet of a list page, ready for the template.

    `counts` maps each value to the number of results it would give; `labels` maps values to their
    labels. A choices facet (`labels` is a list of choices) keeps its declared order, hiding the
    options without results unless `keep_all`; an entries facet is sorted by count. A selected value
    always shows, so that it can be unticked. `estimated` counts (a sample's, scaled) show as such:
    "≈ 12 000", rounded to two significant digits.
    """
    selected = {value_key(value): value_label(value) for value in filterset.form.cleaned_data.get(name) or []}

    def rounded(count):
        return round(count, 1 - len(str(count))) if estimated and count else count  # 12 345 → 12 000

    def option(value, label, count):
        option = {"value": value, "label": str(label), "count": count, "checked": value in selected}
        if estimated and count:
            option["count"] = rounded(count)
            option["shown"] = "≈ " + f"{option['count']:,}".replace(",", "\u00a0")
        return option

    hidden = 0
    if isinstance(labels, list):
        options = [
            option(value, label, counts.get(value, 0))
            for value, label in labels
            if keep_all or counts.get(value) or value in selected
        ]
        if len(options) > FACET_MAX_OPTIONS:
            shown = options[:FACET_MAX_OPTIONS] + [item for item in options[FACET_MAX_OPTIONS:] if item["checked"]]
            hidden = len(options) - len(shown)
            options = shown
    else:
        # Sorted as plain tuples, and made into options only for those shown: a facet of actors or
        # places has thousands of values at national scale, of which FACET_MAX_OPTIONS show.
        sort_count = rounded if estimated else int
        rows = [
            (-sort_count(count), str(labels.get(value, value)), value, count)
            for value, count in counts.items()
            if count
        ]
        rows += [(0, str(label), value, 0) for value, label in selected.items() if value not in counts]
        rows.sort(key=lambda row: (row[0], row[1].casefold()))
        shown = rows[:FACET_MAX_OPTIONS] + [row for row in rows[FACET_MAX_OPTIONS:] if row[2] in selected]
        hidden = len(rows) - len(shown)
        options = [option(value, label, count) for _, label, value, count in shown]
    folded = len(options) > FACET_VISIBLE_OPTIONS + 2  # folding away one or two options helps nobody
    return {
        "name": name,
        "label": str(filterset.form.fields[name].label),
        "options": options[:FACET_VISIBLE_OPTIONS] if folded else options,
        "more": options[FACET_VISIBLE_OPTIONS:] if folded else [],
        "hidden": hidden,
        # An entries facet's labels are names as entered (French), a choices facet's are the interface's.
        "content": not isinstance(labels, list),
    }


# --- Active filters, errors, ordering ---------------------------------------------------------


def active_filters(request, filterset):
    """The removable chips above the results: one per active value, each a link without it."""
    chips = []
    query = filterset.form.cleaned_data.get("q")
    if query:
        params = request.GET.copy()
        params.pop("q", None)
        params.pop("page", None)
        chips.append(
            {"label": gettext("Recherche : « %(query)s »") % {"query": query[:60]}, "url": "?" + params.urlencode()}
        )
    for facet in filterset.facets:
        name = facet.name
        field_label = filterset.form.fields[name].label
        choices = filter_choices(filterset, name)
        for value in filterset.form.cleaned_data.get(name) or []:
            key = value_key(value)
            params = request.GET.copy()
            params.setlist(name, [v for v in params.getlist(name) if v != key])
            params.pop("page", None)
            text = value_label(value, choices)
            pattern = gettext("%(filter)s : %(value)s")
            # "label" is plain text (the feeds' titles use it); "html" marks an entry's name as French.
            shown = text if choices is not None else as_content(text)
            chips.append(
                {
                    "label": pattern % {"filter": field_label, "value": text},
                    "html": mark_safe(
                        pattern % {"filter": conditional_escape(field_label), "value": conditional_escape(shown)}
                    ),
                    "url": "?" + params.urlencode(),
                }
            )
    return chips


def effective_ordering(filterset):
    """The ordering the results really have, so that the sort menu shows it selected."""
    data = filterset.form.cleaned_data
    return data.get("ordering") or ("relevance" if data.get("q") else filterset.DEFAULT_ORDERING)


def form_errors(filterset):
    """Readable messages for values the form refused; those filters are ignored, the page still works."""
    messages = []
    for name, errors in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        for error in errors:
            messages.append(gettext("%(filter)s : %(error)s") % {"filter": label, "error": error})
    return messages


def _listing_key(request, filterset, what):
    """The shared cache's key for `what` ("facets", "count") of one list: the listing, its filters
    (not the page or the order), the content version that every write moves on, and the day
    (availability facets count by today's date)."""
    params = sorted(
        (name, value) for name, values in request.GET.lists() if name not in ("page", "ordering") for value in values
    )
    digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
    language = translation.get_language()
    return f"{what}:{content_version()}:{type(filterset).__qualname__}:{language}:{timezone.localdate()}:{digest}"


def cached(key, compute):
    """compute(), kept in the shared cache under `key` for FACET_CACHE_TIMEOUT; computed each time
    when that is 0 or the cache is down."""
    timeout = settings.FACET_CACHE_TIMEOUT
    if not timeout:
        return compute()
    try:
        value = caches["default"].get(key)
    except Exception:  # the cache is down: compute
        value = None
    if value is None:
        value = compute()
        with contextlib.suppress(Exception):
            caches["default"].set(key, value, timeout)
    return value


def facets_of(request, filterset, total=None, counted=None):
    """The list's facets, counted once per set of filters and content version.

    Counting is the costly part of a list page (one aggregate per facet over every matching entry),
    and its result is the same for every visitor until the directory changes: it is kept in the
    shared cache under the content version (communs/cache.py), that every write moves on. `total`,
    the number of matching entries, tells whether the counts are estimated (count_facets);
    `counted`, when given, holds the counts already read (count_from_documents).
    """

    def build():
        return [
            build_facet(filterset, facet.name, counts, labels, keep_all=facet.keep_all, estimated=estimated)
            for facet, counts, labels, estimated in count_facets(filterset, total, counted)
        ]

    return cached(_listing_key(request, filterset, "facets"), build)


def list_context(request, filterset, entries, **extra):
    """The context of a faceted list page: `entries` (the filtered queryset, with the page's
    prefetches) paginated, the facets, the chips, the sort menu and the refused values."""
    counted = None

    def count():
        # A search with no other filter counts its matches in the pass that counts its facets
        # (count_from_documents), exactly: a second statement would find the matches again.
        nonlocal counted
        counted = count_from_documents(filterset)
        return count_matches(entries) if counted is None else counted[0]

    # The total, like the facets, is the same for every visitor until the directory changes; at
    # national scale counting every match is most of a search page's time.
    total = cached(_listing_key(request, filterset, "count"), count)
    page, page_notice = paginate(request, entries, count=total)
    facets = facets_of(request, filterset, total=total, counted=counted)
    return {
        "filterset": filterset,
        "query": filterset.form.cleaned_data.get("q") or "",
        "ordering": effective_ordering(filterset),
        "ordering_choices": filterset.form.fields["ordering"].choices,
        "facets": facets,
        # Their markup too, a function of the facets alone: a hundred and more options, the most
        # costly part of rendering the page.
        "facets_html": cached(
            _listing_key(request, filterset, "facets-html"),
            lambda: render_to_string("includes/_facets.html", {"facets": facets}),
        ),
        "active_filters": active_filters(request, filterset),
        "errors": form_errors(filterset),
        "page": page,
        "page_notice": page_notice,
        "total": page.paginator.count,
        # Typo tolerance found these: the page says the words matched nothing as typed.
        "approximate": is_approximate(entries),
        **extra,
    }
