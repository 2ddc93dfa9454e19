"""Atom and RSS feeds of a listing, for the whole directory or any filtered list.

A list page's feed takes the page's own query string (`/initiatives/flux.atom?sector=mobilite`) through
the listing's one FilterSet, so that a feed holds exactly the entries of that list, newest first: a
reader subscribes to "the commons of mobility" as they see it on the site. Django's syndication
framework writes the XML (escaping, dates, the Atom and RSS 2.0 formats).
"""

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communs.listing import active_filters
from communs.text import clean_text

FEED_SIZE = 50
SITE_NAME = _("Annuaire des communs numériques")


class ListFeed(Feed):
    """The feed of one listing. Subclasses name the FilterSet, the visible entries and the words."""

    filterset_class = None
    list_url_name = ""
    title_prefix = ""
    subtitle = ""  # Atom's <subtitle>, and RSS's <description> below
    ordering = "-updated_at"  # an ordering the FilterSet offers: the feed is that list, newest first

    def published(self):
        raise NotImplementedError

    def __call__(self, request, *args, **kwargs):
        params = request.GET.copy()
        params["ordering"] = self.ordering
        params.pop("page", None)
        filterset = self.filterset_class(params, queryset=self.published(), request=request)
        if not filterset.is_valid():
            # A feed reader shows no form errors: refuse the address rather than give another list.
            errors = "; ".join(f"{name} : {' '.join(messages)}" for name, messages in filterset.errors.items())
            return HttpResponseBadRequest(
                gettext("Filtre refusé : %(errors)s") % {"errors": errors} + "\n",
                content_type="text/plain; charset=utf-8",
            )
        request.feed_filterset = filterset
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return request

    def title(self, request):
        chips = [chip["label"] for chip in active_filters(request, request.feed_filterset)]
        return f"{self.title_prefix}{' — ' + ', '.join(chips) if chips else ''} — {SITE_NAME}"

    def feed_url(self, request):
        # rel="self" is the feed with its filters, not the unfiltered one.
        return request.get_full_path()

    def link(self, request):
        query = request.GET.urlencode()
        return reverse(self.list_url_name) + (f"?{query}" if query else "")

    def description(self, request):
        return str(self.subtitle)

    def items(self, request):
        return request.feed_filterset.qs[:FEED_SIZE]

    def item_title(self, item):
        return item.name

    def item_description(self, item):
        return getattr(item, "summary", "") or ""

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


def feed_query(request):
    """The list page's query string for its feeds: its filters, without the page or the sort order."""
    params = request.GET.copy()
    for name in ("page", "ordering"):
        params.pop(name, None)
    return params.urlencode()


def _cleaned(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_cleaned(item) for item in value)
    return value


class CleanFeedMixin:
    """XML 1.0 cannot carry most control characters (Django then raises UnserializableContentError,
    a 500): whatever the models let in, the feed leaves them out (communs/text.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = {name: _cleaned(value) for name, value in self.feed.items()}

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = {name: _cleaned(value) for name, value in self.items[-1].items()}


class CleanAtom1Feed(CleanFeedMixin, Atom1Feed):
    pass


class CleanRss201rev2Feed(CleanFeedMixin, Rss201rev2Feed):
    pass


def atom_and_rss(feed_class):
    """The Atom and RSS views of one feed class: (atom, rss)."""
    atom = type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": CleanAtom1Feed})
    rss = type(f"{feed_class.__name__}Rss", (feed_class,), {"feed_type": CleanRss201rev2Feed})
    return atom(), rss()
