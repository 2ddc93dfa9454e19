"""When and where a funding scheme can be applied to: its availability today, computed from its
editions' dates, and the places it is open to.

Declared once as conditions (Q objects) so that the site's filter, its facet counts, the API and the
cards' badges all say the same thing.
"""

import datetime

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from funding.models import FundingEdition, FundingScheme
from territories.places import EVERYWHERE, containing_ids

# "Closing soon": the deadline is at most this many days away (the label says so too).
CLOSING_SOON_DAYS = 30


# The states, with their labels; the badge shows the first that applies.
Availability = FundingScheme.Availability
PRECEDENCE = [Availability.CLOSING_SOON, Availability.OPEN, Availability.RECURRING, Availability.CLOSED]


def _schemes_with(editions):
    return Q(pk__in=editions.order_by().values("scheme_id"))


def availability_conditions(today=None):
    """{availability: Q} over schemes.

    The editions' dates win over the state a curator entered: that state only stands in for a
    scheme none of whose editions has a date. An edition is open from its opening date (or, without
    one, as soon as its deadline is announced) until its deadline (or, without one, indefinitely
    once it has opened, unless the scheme is closed for good). The states overlap: a call closing
    soon is also open, a recurring scheme may be open; "closed" is what is neither open, nor
    recurring, nor announced for later. A proposal is none of them.
    """
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=CLOSING_SOON_DAYS)
    dated = FundingEdition.objects.filter(Q(opens_on__isnull=False) | Q(closes_on__isnull=False))
    # An edition with no deadline stays open once opened, unless its scheme is closed for good: a
    # programme that ended (France Relance) must not look open for want of its last call's end date.
    current = dated.filter(
        Q(opens_on__isnull=True) | Q(opens_on__lte=today),
        Q(closes_on__gte=today) | (Q(closes_on__isnull=True) & ~Q(scheme__status=FundingScheme.Status.CLOSED)),
    )
    # Open now or announced for later: either way, not closed.
    ahead = dated.filter(Q(opens_on__gt=today) | Q(closes_on__gte=today))
    # A proposal (an idea from a report) is none of these states, whatever dates it was given: it
    # must never be offered to an applicant as open, recurring or even closed.
    applicable = ~Q(status=FundingScheme.Status.PROPOSED)
    open_now = applicable & (_schemes_with(current) | (Q(status=FundingScheme.Status.OPEN) & ~_schemes_with(dated)))
    recurring = Q(status=FundingScheme.Status.RECURRING)
    return {
        Availability.OPEN: open_now,
        Availability.CLOSING_SOON: applicable & _schemes_with(current.filter(closes_on__lte=soon)),
        Availability.RECURRING: recurring,
        Availability.CLOSED: applicable
        & ~open_now
        & ~recurring
        & ~_schemes_with(ahead)
        & (Q(status=FundingScheme.Status.CLOSED) | _schemes_with(dated)),
    }


def with_availability(queryset, today=None):
    """The schemes annotated with `availability`: the one state a badge shows (the most pressing
    first), or "" when nothing is known (no dates and no state entered)."""
    conditions = availability_conditions(today)
    return queryset.annotate(
        availability=Case(
            *(When(conditions[state], then=Value(state.value)) for state in PRECEDENCE), default=Value("")
        )
    )


# --- Where: territorial eligibility --------------------------------------------------------------
# The places that contain a place (territories.places: ANCESTRY, EVERYWHERE, containing_ids) decide
# which schemes are open to it.


def open_to_condition(territories):
    """Schemes open to any of `territories`: national ones (no territory), wide ones (Europe, the
    world), and those attached to the place itself, to a place that contains it or to its EPCI."""
    pks = {pk for territory in territories for pk in containing_ids(territory)}
    return Q(territory__isnull=True) | Q(territory__kind__in=EVERYWHERE) | Q(territory__in=pks)
