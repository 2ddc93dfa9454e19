from actors.models import Actor
from communs.sitemaps import SITEMAPS, EntrySitemap


class ActorSitemap(EntrySitemap):
    model = Actor


SITEMAPS["actors"] = ActorSitemap
