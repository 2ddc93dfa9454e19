from communs.sitemaps import SITEMAPS, EntrySitemap
from funding.models import FundingScheme


class FundingSchemeSitemap(EntrySitemap):
    model = FundingScheme


SITEMAPS["funding"] = FundingSchemeSitemap
