"""Validators for identifiers that public data uses: SIREN/SIRET, SPDX, Wikidata.

They are used by model fields, so the admin, the API and imports refuse the same
bad values with the same message.
"""

import re
from functools import lru_cache
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren, siret


def validate_siren(value: str) -> None:
    if not re.fullmatch(r"\d{9}", value or ""):
        raise ValidationError(
            _("Un SIREN compte exactement 9 chiffres (reçu « %(value)s »)."),
            code="siren_format",
            params={"value": value},
        )
    if not siren.is_valid(value):
        raise ValidationError(
            _("Le SIREN « %(value)s » est invalide : sa clé de contrôle (Luhn) ne correspond pas."),
            code="siren_checksum",
            params={"value": value},
        )


def validate_siret(value: str) -> None:
    if not re.fullmatch(r"\d{14}", value or ""):
        raise ValidationError(
            _("Un SIRET compte exactement 14 chiffres (reçu « %(value)s »)."),
            code="siret_format",
            params={"value": value},
        )
    validate_siren(value[:9])
    # python-stdnum knows INSEE's exception for La Poste: its establishments (SIREN 356000000)
    # other than the head office have a digit sum that is a multiple of 5 instead of a Luhn key.
    if not siret.is_valid(value):
        raise ValidationError(
            _("Le SIRET « %(value)s » est invalide : sa clé de contrôle ne correspond pas."),
            code="siret_checksum",
            params={"value": value},
        )


# Schemes a browser would run or open as a document if the value ever became a link: a contact
# point is an address, an e-mail or a phone number, never one of these. Entities, spaces and
# control characters, which browsers skip or decode in a URL's scheme, are removed before looking.
_SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file|blob):", re.IGNORECASE)
_SCHEME_NOISE = re.compile(r"[\s\x00-\x1f]|&#0*58;?|&#x0*3a;?|&colon;", re.IGNORECASE)


def validate_no_script_url(value: str) -> None:
    compact = _SCHEME_NOISE.sub(lambda match: ":" if match.group().startswith("&") else "", value or "")
    if _SCRIPT_SCHEME.match(compact):
        raise ValidationError(
            _("Une adresse javascript:, data:, vbscript:, file: ou blob: n'est pas un point de contact."),
            code="script_url",
        )


validate_wikidata_qid = RegexValidator(
    r"^Q[1-9]\d*$",
    _("Un identifiant Wikidata s'écrit Q suivi de chiffres, par exemple Q90."),
    code="wikidata_qid",
)


@lru_cache(maxsize=1)
def spdx_licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def normalize_spdx(value: str) -> str:
    """Return the canonical form of an SPDX expression, or raise ValidationError."""
    licensing = spdx_licensing()
    try:
        info = licensing.validate(value, strict=True)
        errors = list(info.errors)
    except Exception as exc:  # the parser raises on some malformed input
        errors = [str(exc)]
        info = None
    # SPDX lets anyone name a licence outside the list with LicenseRef-…
    errors = [
        e
        for e in errors
        if not (
            e.startswith("Unknown license key")
            and all(s.startswith("LicenseRef-") for s in (info.invalid_symbols if info else []))
        )
    ]
    if errors or info is None:
        raise ValidationError(
            _(
                "« %(value)s » n'est pas une expression de licence SPDX valide (%(reason)s). "
                "Exemples : MIT, AGPL-3.0-or-later, MIT OR Apache-2.0, etalab-2.0."
            ),
            code="spdx",
            params={"value": value, "reason": "; ".join(errors)},
        )
    return info.normalized_expression or value


@deconstructible
class SpdxExpressionValidator:
    def __call__(self, value):
        if value:
            normalize_spdx(value)

    def __eq__(self, other):
        return isinstance(other, SpdxExpressionValidator)


validate_spdx_expression = SpdxExpressionValidator()


def _is_web_url(value) -> bool:
    # The scheme and a host, no spaces: Django's URLValidator would refuse real hosts such as
    # "julien_p.gitlab.io" (an underscore), which the demo data cites.
    if not isinstance(value, str) or re.search(r"[\s\x00-\x1f]", value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def validate_sources(value) -> None:
    """Sources are a list of {"source": …, "document": …, "url": …, "note": …}.

    "source" is the key of a Source record (checked to exist); "document" names a document that has
    no record; one of source, document or url is given."""
    if not isinstance(value, list):
        raise ValidationError(_("Les sources doivent être une liste."), code="sources")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not (item.get("source") or item.get("document") or item.get("url")):
            raise ValidationError(
                _("Source n° %(index)s : indiquez au moins une source, un document ou une URL."),
                code="sources",
                params={"index": index},
            )
        url = item.get("url")
        if url and not _is_web_url(url):
            # Shown as a link on the pages: only web addresses, never javascript: or data:.
            raise ValidationError(
                _("Source n° %(index)s : l'URL doit être une adresse web complète en http:// ou https://."),
                code="sources",
                params={"index": index},
            )
        unknown = set(item) - {"source", "document", "url", "note"}
        if unknown:
            raise ValidationError(
                _("Source n° %(index)s : clés inconnues %(keys)s (attendues : source, document, url, note)."),
                code="sources",
                params={"index": index, "keys": ", ".join(sorted(unknown))},
            )
        if "source" in item and not _is_known_source(item["source"]):
            raise ValidationError(
                _("Source n° %(index)s : aucune source n'a la clé « %(key)s »."),
                code="sources",
                params={"index": index, "key": str(item["source"])[:100]},
            )


def _is_known_source(key) -> bool:
    from django.apps import apps  # validators load before the app registry is ready

    return isinstance(key, str) and apps.get_model("communs", "Source").objects.filter(key=key).exists()


def tag_slug(name) -> str:
    """The slug taggit gives a tag (TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING is off: accents are kept)."""
    from django.utils.text import slugify

    return slugify(str(name), allow_unicode=True)


def validate_tag_name(value) -> None:
    # A tag of punctuation only ("!!!") has an empty slug: no URL, no filter value, no API link.
    if not tag_slug(value):
        raise ValidationError(
            _("Le mot-clé « %(value)s » doit contenir au moins une lettre ou un chiffre."),
            code="tag_without_letters",
            params={"value": value},
        )


# The ScanCode LicenseDB categories (shipped with license-expression, which parses SPDX here) whose
# licences let anyone use, study, modify and share: the free/open source and open data licences.
# "Source-available" (CC-BY-NC, BUSL …), "Proprietary Free", "Free Restricted" and the rest are not.
OPEN_LICENCE_CATEGORIES = frozenset({"Permissive", "Copyleft", "Copyleft Limited", "Public Domain"})


@lru_cache(maxsize=1)
def _licence_categories():
    from license_expression import get_license_index

    categories = {}
    for entry in get_license_index():
        for key in [entry.get("spdx_license_key"), *entry.get("other_spdx_license_keys", [])]:
            if key:
                categories[key.lower()] = entry.get("category")
    return categories


@lru_cache(maxsize=4096)
def is_open_licence(expression: str) -> bool:
    """Whether an SPDX expression is an open licence: every licence of an AND, one of an OR.

    A LicenseRef-… or an expression that does not parse is not known to be open.
    """
    if not expression:
        return False
    from license_expression import AND, OR, LicenseWithExceptionSymbol

    try:
        parsed = spdx_licensing().parse(expression, validate=True, strict=True)
    except Exception:  # the parser raises on malformed input
        return False
    categories = _licence_categories()

    def is_open(node):
        if isinstance(node, AND):
            return all(is_open(arg) for arg in node.args)
        if isinstance(node, OR):
            return any(is_open(arg) for arg in node.args)
        if isinstance(node, LicenseWithExceptionSymbol):
            node = node.license_symbol  # an exception only adds permissions (Classpath …)
        return categories.get(str(node.key).lower()) in OPEN_LICENCE_CATEGORIES

    return is_open(parsed)
