"""The funding schemes open to a territory, on its page (territories/sections.py): those of the place,
of the places that contain it, and the national and wider ones, whatever `only` says (eligibility
follows the place upwards, not downwards). Imported by FundingConfig.ready()."""

from funding.availability import open_to_condition
from funding.models import FundingScheme
from territories import sections


def schemes_section(request, territory, places, only):
    # A proposal is no funding anyone can apply for: never offered to a place.
    schemes = (
        FundingScheme.objects.published()
        .filter(open_to_condition([territory]))
        .exclude(status=FundingScheme.Status.PROPOSED)
        .order_by("name")
    )
    return {"template": "funding/_territory_schemes.html", "area": "aside", "context": {"schemes": schemes}}


sections.register(30, schemes_section)
