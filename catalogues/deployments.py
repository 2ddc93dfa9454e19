"""Hosted instances are uses of a commons, not commons: the rule, in one place.

The SILL's `services.csv` lists online public services, each run by an agency on a SILL software:
twenty académies each run PeerTube, eighteen bodies a GitLab forge. Each row says *this organisation
runs that commons at this address*, which is a `Deployment` of the software's commons; the directory
keeps one commons per software, and its page lists who uses it.

HOSTED_INSTANCE_RULE, applied by `import_sill` and by migration initiatives/0016 to the entries
earlier imports made of the rows: a services.csv row is a hosted instance of the commons its software
resolves to (`software_commons()`): the entry with the row's SILL software id, else the software
entry of the same name (case, accents and punctuation aside). A software the directory does not
know yet becomes a commons of its own, from what the row says of it (a draft until it has a website
or a repository, like any SILL software). One exception: a row whose address is the website of the
commons its software resolves to is that commons' own site (Pix runs Pix at pix.fr), not a use of it;
so is a row named as its commons when the commons has no website yet (the row gives it one).

publiccode.yml's `usedBy` says the same without an address: each organisation it names uses the
software (catalogues/management/commands/import_publiccode.py).
"""

import csv
import re
from functools import cache
from pathlib import Path

from django.conf import settings

from catalogues.cleaning import fold_key
from curation.duplicates import url_key

HOSTED_INSTANCE_RULE = "sill-service-is-a-deployment"
PLACES_FILE = "derivation/deployment-places.csv"
SOFTWARE_FILE = "derivation/service-software.csv"


def software_commons(initiatives, sill_id, software_name):
    """The commons a service's software is among `initiatives` (a manager or queryset), or None."""
    if str(sill_id or "").strip().isdigit():
        found = initiatives.filter(sill_id=int(sill_id)).order_by("pk").first()
        if found is not None:
            return found
    key = fold_key(software_name)
    if not key:
        return None
    # A query on the name, then the exact folded comparison: "Peertube" is "PeerTube", "Draw.io" is
    # not "drawio-desktop". A software entry first; else a platform of that name (Pix runs Pix).
    candidates = [
        entry for entry in initiatives.filter(name__iexact=software_name.strip()) if fold_key(entry.name) == key
    ]
    return min(candidates, key=lambda entry: (entry.kind != "software", entry.pk), default=None)


def is_own_site(commons, service_url):
    """Whether a service's address is its commons' own website: the commons, not a use of it."""
    return bool(service_url and commons.website) and url_key(service_url) == url_key(commons.website)


def clean_since(text):
    """A date as precise as the source gives it ("2019", "2020-10"); "2020-XX" keeps its year."""
    text = (text or "").strip()
    if re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", text):
        return text
    year = re.match(r"((?:19|20)[0-9]{2})\b", text)
    return year.group(1) if year else ""


def is_the_commons(commons, values):
    """Whether a service is its commons itself: an online service (not a software, whose instances
    are its uses) named as it is, at an address the commons lacks (the SILL's "Pix" service is the
    commons Pix, whose site the service gives)."""
    return (
        commons.kind != "software"
        and not commons.website
        and bool(values["url"])
        and fold_key(values["name"]) == fold_key(commons.name)
    )


@cache
def _rows(path):
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(lines)]


def place_code(agency_name):
    """The territory code a service's agency serves, from the reviewed file (or "")."""
    places = {fold_key(row["agency"]): row["territory"] for row in _rows(str(Path(settings.DATA_DIR) / PLACES_FILE))}
    return places.get(fold_key(agency_name), "")


def known_software(software_name):
    """What the reviewed file says of a software services.csv names and no catalogue describes:
    {"name", "website", "repository_url"}, or None."""
    rows = _rows(str(Path(settings.DATA_DIR) / SOFTWARE_FILE))
    return next(
        (
            {"name": row["name"], "website": row["website"], "repository_url": row["repository_url"]}
            for row in rows
            if fold_key(row["software"]) == fold_key(software_name)
        ),
        None,
    )
