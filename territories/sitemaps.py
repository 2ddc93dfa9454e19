from communs.sitemaps import SITEMAPS, Sitemap
from territories.models import Territory


class TerritorySitemap(Sitemap):
    def items(self):
        return Territory.objects.only("code").order_by("pk")


SITEMAPS.update(territories=TerritorySitemap)
