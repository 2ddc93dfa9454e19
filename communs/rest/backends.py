"""Pagination, filtering with the site's FilterSets, and rate limits, as settings.REST_FRAMEWORK names them.

DRF imports these while rest_framework.views is itself still loading: nothing here may import DRF's views.
"""

import datetime
import re

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from communs.cache import count_in_window, uncount
from communs.search import SearchPaginator

# Slugs, territory codes and tag slugs: word characters and hyphens (never a NUL, a dot or a slash).
# "archived" is the list of entries that left the public list (`…/archived/`, routed first): a detail
# URL with that word would answer that list, so the lookup (and the schema's pattern) leaves it out.
LOOKUP_REGEX = r"(?!archived\b)[-\w]+"


class Pagination(PageNumberPagination):
    django_paginator_class = SearchPaginator
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        # A bad page_size is an error, never silently replaced by the default.
        if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size} is required."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, "") and raw not in self.last_page_strings and not re.fullmatch(r"[0-9]{1,9}", raw):
            raise exceptions.ValidationError({self.page_query_param: ["A page number (1, 2 …) is required."]})
        if raw is not None and re.fullmatch(r"0+", raw):
            raise exceptions.ValidationError({self.page_query_param: ["Pages are numbered from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number (from 1). A page past the last one is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class UnknownParameters(exceptions.APIException):
    """A query parameter no filter reads: a misspelt filter (`?secteur=`) would otherwise return every
    entry as if it had been applied. The problem names each one in `errors`."""

    status_code = 400
    default_code = "unknown_parameter"

    def __init__(self, unknown, known):
        unknown = [name[:100] for name in unknown]
        names = ", ".join(unknown)
        plural = "s" if len(unknown) > 1 else ""
        super().__init__(f"Unknown query parameter{plural}: {names}. Known here: {', '.join(sorted(known))}.")
        self.extra = {"errors": {name: ["Unknown parameter."] for name in unknown}}


class FilterBackend(DjangoFilterBackend):
    """The site's FilterSets; an invalid value is a 400 naming the parameter, never ignored."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.validated_filterset(request, queryset, view)
        return queryset if filterset is None else filterset.qs

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        # An empty value (`?kind=`, as a form or a client building URLs sends it) means "no filter",
        # as the schema allows; an empty choice would otherwise be refused as invalid.
        data = kwargs["data"].copy()
        for name, values in list(data.lists()):
            kept = [value for value in values if value.strip()]
            if kept:
                data.setlist(name, kept)
            else:
                del data[name]
        kwargs["data"] = data
        return kwargs

    def validated_filterset(self, request, queryset, view):
        """The view's FilterSet bound to the query string, or a 400 naming each bad parameter."""
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise exceptions.ValidationError({name.replace("\x00", ""): ["Null characters are not allowed."]})
        self.refuse_unknown_parameters(request, queryset, view)
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        if not filterset.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
        for name, value in filterset.form.cleaned_data.items():
            # A date the database cannot store in UTC (year 1 at +14:00 …) is refused here rather than
            # crashing the query.
            if isinstance(value, datetime.datetime):
                try:
                    value.astimezone(datetime.UTC)
                except (OverflowError, ValueError):
                    raise exceptions.ValidationError({name: ["Date out of range."]}) from None
        return filterset

    def refuse_unknown_parameters(self, request, queryset, view):
        """Every list reads its FilterSet's filters, its pagination's and `format`: anything else is a 400."""
        filterset_class = self.get_filterset_class(view, queryset)
        known = {api_settings.URL_FORMAT_OVERRIDE, *(filterset_class.base_filters if filterset_class else ())}
        paginator = getattr(view, "paginator", None)
        for attribute in ("page_query_param", "page_size_query_param"):
            if getattr(paginator, attribute, None):
                known.add(getattr(paginator, attribute))
        unknown = [name for name in request.query_params if name not in known]
        if unknown:
            raise UnknownParameters(unknown, known)


class _AtomicRate:
    """DRF's rate, counted atomically in the shared cache (settings.CACHES), which every worker reads.

    DRF's own throttles read a list of timestamps, append, and write it back: concurrent requests
    all read the same list, and 200 requests at once went through a limit of 120. Here the period
    is cut into BUCKETS slices, each an atomic counter (Redis INCR, or the file cache's lock): a
    request counts itself in the current slice, then adds the slices of the last period. However
    many arrive at once, each gets a distinct count, so at most the limit get one within it. A
    burst shorter than a period minus a slice (54 s for a minute) never passes the limit, whichever
    the hour; a refused request is taken back off its count, so that a client's allowed requests
    are what the limit bounds. The count and the read of the earlier slices are one operation of
    the cache (communs.cache.count_in_window: one turn of the file cache's lock, one Redis
    transaction), since a cached API answer pays for little else.
    """

    BUCKETS = 10

    # DRF binds the rates when the class is defined; reading them per request lets settings (and
    # tests) change them.
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.slice = self.duration / self.BUCKETS
        self.bucket = int(self.now // self.slice)
        # A slice's count lives a whole period after it ends: the later slices read it.
        lifetime = self.duration + self.slice
        self.counts = count_in_window(self.cache, self.key, self.bucket, self.BUCKETS, lifetime)
        if sum(self.counts) <= self.num_requests:
            return True
        uncount(self.cache, self.key, self.bucket, lifetime)
        self.counts[-1] -= 1
        return False

    def wait(self):
        """Seconds until a request would be allowed again: until enough of the oldest slices leave
        the period (the Retry-After of the 429)."""
        excess = sum(self.counts) + 1 - self.num_requests
        freed = 0
        for offset, count in enumerate(self.counts):
            freed += count
            if freed >= excess:
                # The slice `offset` (from the oldest of the period) stops counting once the period
                # has moved on past it: `offset + 1` slices after the current one began.
                return max((self.bucket + 1 + offset) * self.slice - self.now, 1)
        return self.duration


class AnonThrottle(_AtomicRate, AnonRateThrottle):
    """Anonymous requests, by address (DRF's AnonRateThrottle leaves out a signed-in request)."""


class UserThrottle(_AtomicRate, UserRateThrottle):
    """Requests with a token, by user; an anonymous request is AnonThrottle's alone.

    DRF's UserRateThrottle counts an anonymous request too, by address: each anonymous request was
    counted twice, under both limits (two counter writes on each cached answer), and held to the
    lower of the two rates. Each request is now counted once, under the limit of what it is.
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


def cached_read_allowed(request):
    """Count an anonymous read that the page cache answers against the limit the view would apply.

    A cached answer never reaches DRF's view, whose throttles would otherwise not see it. False when
    a limit is reached: the caller then lets the view answer, with its 429 and Retry-After.
    """
    from rest_framework.request import Request  # not at the top: DRF may still be loading this module

    drf_request = Request(request)
    return all(throttle().allow_request(drf_request, None) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES)
