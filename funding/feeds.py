"""The feeds of the funding finder: /financements/flux.atom and /financements/flux.rss, with any filter.

A small town's officer subscribes to "the schemes open to my commune" (`?territory=com-29019`) or to
"calls open now" (`?availability=open`) and hears of a new call, or a new edition of a known one,
without coming back to the page: each edition a curator enters updates its scheme.
"""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communs.feeds import ListFeed, atom_and_rss
from funding.availability import with_availability
from funding.filters import FundingSchemeFilter
from funding.models import FundingScheme


class FundingSchemeFeed(ListFeed):
    filterset_class = FundingSchemeFilter
    list_url_name = "funding:list"
    title_prefix = _("Financements nouveaux ou mis à jour")
    subtitle = _(
        "Les dispositifs de financement des communs numériques ajoutés ou mis à jour dans l'annuaire "
        "(nouvel appel, nouvelle édition, nouvelle date limite), les plus récents d'abord."
    )

    def published(self):
        return FundingScheme.objects.published()

    def items(self, request):
        today = timezone.localdate()
        schemes = super().items(request)
        # The slice above is a query not yet run: annotate the page, not the whole listing.
        return (
            with_availability(FundingScheme.objects.filter(pk__in=[scheme.pk for scheme in schemes]), today)
            .annotate(next_closes_on=FundingSchemeFilter.next_closes_on(today))
            .order_by("-updated_at", "name", "pk")
        )

    def item_description(self, item):
        parts = [item.summary] if item.summary else []
        if item.availability:
            parts.append(str(FundingScheme.Availability(item.availability).label) + ".")
        if item.next_closes_on:
            parts.append(
                gettext("Prochaine date limite : %(date)s.") % {"date": date_format(item.next_closes_on, "j F Y")}
            )
        return " ".join(parts)

    def item_categories(self, item):
        return [str(FundingScheme.Kind(item.kind).label)]


atom, rss = atom_and_rss(FundingSchemeFeed)
