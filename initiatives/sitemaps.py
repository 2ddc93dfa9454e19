from django.contrib.sitemaps import Sitemap

from communs.sitemaps import SITEMAPS, EntrySitemap
from initiatives.models import Initiative, Sector


class InitiativeSitemap(EntrySitemap):
    model = Initiative


class SectorSitemap(Sitemap):
    def items(self):
        return Sector.objects.order_by("pk")


SITEMAPS.update(initiatives=InitiativeSitemap, sectors=SectorSitemap)
