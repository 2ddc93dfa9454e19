"""The feeds of the list of commons: /initiatives/flux.atom and /initiatives/flux.rss, with any filter."""

from django.utils.translation import gettext_lazy as _

from communs.feeds import ListFeed, atom_and_rss
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative


class InitiativeFeed(ListFeed):
    filterset_class = InitiativeFilter
    list_url_name = "initiatives:list"
    title_prefix = _("Communs numériques nouveaux ou mis à jour")
    subtitle = _(
        "Les communs numériques du secteur public ajoutés ou mis à jour dans l'annuaire, les plus récents d'abord."
    )

    def published(self):
        return Initiative.objects.published().prefetch_related("sectors")

    def item_categories(self, item):
        return [sector.name for sector in item.sectors.all()]


atom, rss = atom_and_rss(InitiativeFeed)
