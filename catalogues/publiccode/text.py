"""Small value checks shared by the validator: URLs, dates, e-mails, SPDX, lengths in graphemes."""

import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _split(value: str):
    try:
        return urlsplit(value)
    except ValueError:
        return None


def has_scheme(value: str) -> bool:
    parts = _split(value)
    return bool(parts and parts.scheme and _SCHEME.match(parts.scheme))


def is_url(value: str) -> bool:
    """An absolute URL of any scheme (``url``, ``isBasedOn``)."""
    parts = _split(value)
    return bool(parts and has_scheme(value) and (parts.netloc or parts.path) and not re.search(r"\s", value))


def is_http_url(value: str) -> bool:
    parts = _split(value)
    return bool(parts and parts.scheme.lower() in ("http", "https") and parts.hostname and " " not in value)


def is_uri(value: str) -> bool:
    """An absolute URI, ``urn:x-custom:id`` included; a bare word such as ``pcm`` is not one."""
    parts = _split(value)
    return bool(parts and has_scheme(value) and (parts.netloc or parts.path))


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_spdx(value: str) -> bool:
    from django.core.exceptions import ValidationError

    from communs.validators import normalize_spdx

    try:
        normalize_spdx(value)
    except ValidationError:
        return False
    return True


_REGIONAL = range(0x1F1E6, 0x1F200)


def grapheme_length(text: str) -> int:
    """Length in user-perceived characters, as the parser counts (an emoji with modifiers is one).

    An approximation of Unicode's extended grapheme clusters without a third-party package:
    combining marks, variation selectors, skin tones, tags and zero-width-joined sequences are
    folded into the preceding character, regional indicators are counted by pairs, CR LF is one.
    """
    count, previous, joined, regional = 0, "", False, 0
    for char in text:
        code = ord(char)
        if joined:
            joined = False
            previous = char
            continue
        if char == "\u200d":
            joined = True
            continue
        extend = (
            unicodedata.category(char) in ("Mn", "Me", "Mc")
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
            or (char == "\n" and previous == "\r")
        )
        if code in _REGIONAL:
            regional += 1
            extend = regional % 2 == 0
        else:
            regional = 0
        if not extend:
            count += 1
        previous = char
    return count
