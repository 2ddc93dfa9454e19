from communs.sitemaps import SITEMAPS, EntrySitemap, Sitemap
from initiatives.models import Initiative, Sector


class InitiativeSitemap(EntrySitemap):
    model = Initiative


class SectorSitemap(Sitemap):
    def items(self):
        return Sector.objects.order_by("pk")


SITEMAPS.update(initiatives=InitiativeSitemap, sectors=SectorSitemap)
