"""The funding calendar: the dated editions of published schemes as iCalendar feeds (RFC 5545),
all schemes at /financements/calendrier.ics and one scheme at /financements/<slug>/calendrier.ics,
for an officer to subscribe to in their own agenda."""

import datetime

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from icalendar import Calendar, Event

from communs.text import clean_text
from funding.models import FundingEdition, FundingScheme

CONTENT_TYPE = "text/calendar; charset=utf-8"


def dated_editions(schemes):
    """The editions of `schemes` that have an opening date or a deadline, with their scheme; never
    those of a proposal, which nobody can apply to whatever date a report gave it."""
    return (
        FundingEdition.objects.filter(scheme__in=schemes)
        .exclude(scheme__status=FundingScheme.Status.PROPOSED)
        .filter(Q(opens_on__isnull=False) | Q(closes_on__isnull=False))
        .select_related("scheme")
        .order_by("scheme__name", "closes_on", "opens_on", "pk")
    )


def edition_events(request, edition):
    """One all-day event per date the edition has: its deadline, and its opening when known."""
    scheme = edition.scheme
    page = request.build_absolute_uri(scheme.get_absolute_url())
    moments = [
        ("closes_on", gettext("Date limite"), edition.closes_on),
        ("opens_on", gettext("Ouverture"), edition.opens_on),
    ]
    for field, label, day in moments:
        if day is None:
            continue
        event = Event()
        # Stable across fetches, so that a subscribed agenda updates the event instead of adding
        # another: the edition's primary key (labels and slugs may be corrected) and which date.
        event.add("uid", f"funding-edition-{edition.pk}-{field}@{request.get_host()}")
        # The scheme's last change rather than now: the feed's bytes stay the same between edits.
        event.add("dtstamp", scheme.updated_at)
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        # iCalendar's TEXT carries no control character, and a summary is one line (communs/text.py).
        names = {"moment": label, "scheme": scheme.name, "edition": edition.label}
        event.add("summary", clean_text(gettext("%(moment)s : %(scheme)s — %(edition)s") % names, one_line=True))
        description = [gettext("%(moment)s de l'édition « %(edition)s » du dispositif « %(scheme)s ».") % names]
        if edition.url:
            description.append(gettext("Page de l'édition : %(url)s") % {"url": edition.url})
        description.append(gettext("Fiche dans l'annuaire : %(url)s") % {"url": page})
        event.add("description", clean_text("\n".join(description)))
        event.add("url", page)
        event.add("transp", "TRANSPARENT")  # a deadline is a reminder, not a busy slot
        yield event


def calendar_response(request, editions, name):
    calendar = Calendar()
    calendar.add("prodid", "-//Annuaire des communs numériques//Calendrier des financements//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", clean_text(name, one_line=True))
    for edition in editions:
        for event in edition_events(request, edition):
            calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="calendrier.ics"'
    return response


def calendar_feed(request):
    schemes = FundingScheme.objects.published()
    return calendar_response(request, dated_editions(schemes), gettext("Financements des communs numériques"))


def scheme_calendar(request, slug):
    scheme = get_object_or_404(FundingScheme.objects.published(), slug=slug)
    return calendar_response(
        request, dated_editions([scheme]), gettext("Financements : %(scheme)s") % {"scheme": scheme.name}
    )
