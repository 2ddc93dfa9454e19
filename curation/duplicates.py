"""Likely duplicates of an initiative or actor about to be created (or suggested).

Names, acronyms and aliases are compared accent- and case-free (``fold`` from
initiatives.search, the project's one definition of folding), with pg_trgm's trigram
similarity to catch typos (PostgreSQL's own function; on SQLite the same function
written in Python, registered by initiatives.search), so one query serves both
backends. Websites and repositories are compared after normalising the URL (scheme,
``www.``, trailing slash, ``.git``).
"""

import difflib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import F, Q
from django.db.models.functions import Greatest

from communs.search import Unaccent, fold

# Trigram similarity (in SQL) and difflib ratio (in Python) from which two names
# are shown as a possible duplicate. Low enough for a typo or a missing word,
# high enough that "Base Adresse Nationale" does not match every "Base …".
TRIGRAM_THRESHOLD = 0.5
RATIO_THRESHOLD = 0.85
# Very short names ("IGN", "ANCT") only match exactly: one letter off is another acronym.
MIN_FUZZY_LENGTH = 6
MAX_RESULTS = 8


def name_key(text):
    """ "Base  Adresse-Nationale" -> "baseadressenationale"."""
    return re.sub(r"[^0-9a-z]+", "", fold(text))


def url_key(url):
    """ "https://www.Decidim.org/" and "http://decidim.org" -> "decidim.org"."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else f"//{url}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/").lower()
    return f"{host}{path}"


@dataclass
class Duplicate:
    obj: object
    reasons: list = field(default_factory=list)


def _fields(model):
    names = [f for f in ("name", "acronym", "aliases") if _has(model, f)]
    urls = [f for f in ("website", "repository_url") if _has(model, f)]
    return names, urls


def _has(model, name):
    try:
        model._meta.get_field(name)
        return True
    except Exception:
        return False


def _candidate_names(values):
    names = []
    for value in values:
        names.extend(line.strip() for line in (value or "").splitlines() if line.strip())
    return names


def find_duplicates(model, *, name="", acronym="", aliases="", website="", repository_url="", exclude_pk=None):
    """Entries of `model` that look like the one described; each with the reasons why."""
    name_fields, url_fields = _fields(model)
    query_names = _candidate_names([name, acronym, aliases])
    query_keys = {name_key(n) for n in query_names} - {""}
    query_urls = {url_key(u) for u in (website, repository_url)} - {""}
    if not query_keys and not query_urls:
        return []

    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    queryset = _candidates(queryset, query_names, query_urls, name_fields, url_fields)

    found = []
    for obj in queryset.only("pk", "slug", "publication_status", *name_fields, *url_fields):
        reasons = _reasons(obj, query_keys, query_urls, name_fields, url_fields)
        if reasons:
            found.append(Duplicate(obj, reasons))
    # Exact matches first, then by name.
    found.sort(key=lambda d: (not any("identique" in r for r in d.reasons), fold(d.obj.name)))
    return found[:MAX_RESULTS]


def _candidates(queryset, query_names, query_urls, name_fields, url_fields):
    # Narrow in SQL (on PostgreSQL a trigram index on lower(name) serves it); the exact reasons
    # are worked out in Python.
    folded = [fold(n) for n in query_names if n]
    condition = Q()
    if folded:
        similarity = Greatest(
            *[TrigramSimilarity(Unaccent(F("name")), value) for value in folded],
            TrigramSimilarity(Unaccent(F("name")), folded[0]),  # Greatest() needs two arguments
        )
        queryset = queryset.annotate(_name_similarity=similarity)
        condition |= Q(_name_similarity__gte=TRIGRAM_THRESHOLD)
        for value in folded:
            for name_field in name_fields:
                condition |= Q(**{f"{name_field}__unaccent__icontains": value})
    for key in query_urls:
        host = key.split("/", 1)[0]
        for url_field in url_fields:
            condition |= Q(**{f"{url_field}__icontains": host})
    return queryset.filter(condition)


def _reasons(obj, query_keys, query_urls, name_fields, url_fields):
    reasons = []
    for name_field in name_fields:
        label = str(obj._meta.get_field(name_field).verbose_name)
        for value in _candidate_names([getattr(obj, name_field)]):
            key = name_key(value)
            if not key:
                continue
            if key in query_keys:
                reasons.append(f"{label} identique : « {value} »")
                break
            if len(key) >= MIN_FUZZY_LENGTH and any(
                len(q) >= MIN_FUZZY_LENGTH and difflib.SequenceMatcher(None, key, q).ratio() >= RATIO_THRESHOLD
                for q in query_keys
            ):
                reasons.append(f"{label} proche : « {value} »")
                break
    similarity = getattr(obj, "_name_similarity", None)
    if similarity is not None and similarity >= TRIGRAM_THRESHOLD and not reasons:
        # A typo the close-match ratio missed but the trigram similarity caught.
        reasons.append(f"nom proche : « {obj.name} »")
    for url_field in url_fields:
        key = url_key(getattr(obj, url_field))
        if key and key in query_urls:
            label = str(obj._meta.get_field(url_field).verbose_name)
            reasons.append(f"{label} identique : {getattr(obj, url_field)}")
    return reasons
