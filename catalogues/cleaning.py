"""Turning a catalogue's loose values into the directory's: SPDX licences, web addresses, years."""

import re

from django.core.exceptions import ValidationError

from communs.search import fold
from communs.validators import _is_web_url, normalize_spdx

# Spellings met in the SILL exports that the SPDX parser does not know, with the identifier they mean.
LICENCE_SPELLINGS = {
    "GPL V2.0": "GPL-2.0-only",
    "GPL V2": "GPL-2.0-only",
    "LGPL-V2.1": "LGPL-2.1-only",
    "BSD-3.0": "BSD-3-Clause",
    "BSD 3": "BSD-3-Clause",
    "AGPL-3": "AGPL-3.0-only",
    "GPL-3": "GPL-3.0-only",
    "MPL 2.0": "MPL-2.0",
    "EPL 1.0": "EPL-1.0",
    "APACHE 2.0": "Apache-2.0",
    "APACHE 2": "Apache-2.0",
    "LGPL-2": "LGPL-2.0-only",
    # ProjectLibre's licence, the Common Public Attribution License, abbreviated by the SILL.
    "CPA": "CPAL-1.0",
}
# Several licences listed with a comma, a slash or "et" mean that the software is offered under
# each of them: SPDX writes that "A OR B".
LIST_SEPARATORS = re.compile(r"\s*(?:,|/|\bet\b|\band\b|;)\s*", re.IGNORECASE)
NO_LICENCE = {"", "N/A", "NA", "-", "?"}


def clean_licence(value):
    """(SPDX expression or "", the licence as given when it could not be read as SPDX, else "")."""
    value = (value or "").strip()
    if value.upper() in NO_LICENCE:
        return "", ""
    for candidate in _candidates(value):
        try:
            return normalize_spdx(candidate), ""
        except ValidationError:
            continue
    return "", value


def _candidates(value):
    yield value
    yield LICENCE_SPELLINGS.get(value.upper(), value)
    parts = [LICENCE_SPELLINGS.get(part.upper(), part) for part in LIST_SEPARATORS.split(value) if part]
    if len(parts) > 1:
        yield " OR ".join(parts)


def clean_url(value):
    """A web address the directory can link to, or "" (a bare host gains https://)."""
    value = (value or "").strip()
    if value and "://" not in value and re.fullmatch(r"[\w.-]+\.[a-z]{2,}(/\S*)?", value, re.IGNORECASE):
        value = f"https://{value}"
    return value if _is_web_url(value) and len(value) <= 200 else ""


def clean_year(value):
    match = re.match(r"^((?:19|20)[0-9]{2})", (value or "").strip())
    year = int(match.group(1)) if match else None
    return year if year and 1950 <= year <= 2100 else None


def fold_key(name):
    """ "LibreOffice (Writer)" and "libreoffice writer" -> "libreofficewriter"."""
    return re.sub(r"[^0-9a-z]+", "", fold(name or ""))
