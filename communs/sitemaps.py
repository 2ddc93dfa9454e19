"""sitemap.xml and robots.txt: every public page for search engines, each entry with its last change.

/sitemap.xml is an index of one sitemap per section (/sitemap-initiatives.xml, …): a sitemap holds
at most 50,000 addresses, which a national directory passes, so Django's framework splits a larger
section into pages (`?p=2`) that the index lists.

Each feature app lists its pages in its own sitemaps.py (`SITEMAPS["initiatives"] = …`), found at
start-up as the API's endpoints are, so that the ground floor imports no feature app.
"""

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control

SITEMAPS = {}


class Sitemap(DjangoSitemap):
    """Every page in each language of the interface (French unprefixed, English under /en/), each
    entry naming the other with hreflang alternates, French the default (x-default)."""

    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(Sitemap):
    """The pages that are not entries: home, lists, statistics, about."""

    names = [
        "home",
        "about",
        "initiatives:list",
        "initiatives:label",
        "territories:index",
        "initiatives:statistics",
        "actors:list",
        "funding:list",
    ]

    def items(self):
        return self.names

    def location(self, item):
        return reverse(item)


class EntrySitemap(Sitemap):
    """The published entries of one model, with their last change as `lastmod`."""

    model = None

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, entry):
        return entry.updated_at

    def get_latest_lastmod(self):
        # The index's <lastmod> for this section: one aggregate, not the framework's walk over every entry.
        return self.model.objects.published().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS["pages"] = PagesSitemap


@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        # The editors' space, the suggestion form and the API (machines have its documentation) are
        # not for search engines; every public page is in the sitemap.
        "Disallow: /admin/",
        "Disallow: /proposer/",
        "Disallow: /en/proposer/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
