"""The parser's second pass (its fields.go): deprecations, paths, and URL checks decidable offline.

Reachability of URLs, existence and size of logos and screenshots, and oEmbed providers of
videos need the network or the repository's files: they are left out, except where the parser
itself fails before any request (a URL with no scheme is "not reachable: missing URL scheme").
"""

from posixpath import splitext
from urllib.parse import urlsplit

from . import text, vocab
from .validate import DEPRECATED, IMAGE_EXTENSIONS, LOGO_EXTENSIONS, Checker


def _path_problem(value: str) -> str | None:
    if value.startswith("/"):
        return "is an absolute path. Only relative paths or HTTP(s) URLs allowed"
    if value.startswith("file:"):
        return "is a file:// URL. Only relative paths or HTTP(s) URLs allowed"
    return None


def _extension(value: str) -> str:
    return splitext(urlsplit(value).path)[1].lower()


def _unreachable(checker: Checker, key: str, value) -> None:
    if value is not None and not text.has_scheme(value):
        checker.error(key, f"'{value}' not reachable: missing URL scheme")


def _logo(checker: Checker, key: str, value) -> None:
    if not value:
        return
    problem = _path_problem(value)
    if problem:
        checker.error(key, problem)
    elif _extension(value) not in LOGO_EXTENSIONS:
        checker.error(key, f"invalid file extension for: {value}")


def check_fields(checker: Checker) -> None:
    d = checker.data
    url = d.get("url")
    _unreachable(checker, "url", url)
    if url is not None and not (text.has_scheme(url) and urlsplit(url).netloc):
        # The parser asks go-vcsurl whether the URL is a code repository; without a host it cannot be.
        checker.error("url", "is not a valid code repository")
    _unreachable(checker, "landingURL", d.get("landingURL"))
    _unreachable(checker, "roadmap", d.get("roadmap"))
    _logo(checker, "logo", d.get("logo"))
    if d.get("monochromeLogo"):
        checker.warn("monochromeLogo", "This key is DEPRECATED and will be removed in the future. Use 'logo' instead")
        _logo(checker, "monochromeLogo", d["monochromeLogo"])
    audience = d.get("intendedAudience") or {}
    for name in ("countries", "unsupportedCountries"):
        for i, code in enumerate(audience.get(name) or []):
            if code and vocab.is_country(code) and code == code.lower():
                checker.warn(
                    f"intendedAudience.{name}[{i}]",
                    f"Lowercase country codes are DEPRECATED. Use uppercase instead ('{code.upper()}')",
                )
    legal = d.get("legal") or {}
    if legal.get("authorsFile") is not None:
        checker.warn("legal.authorsFile", DEPRECATED)
        problem = _path_problem(legal["authorsFile"])
        if problem:
            checker.error("legal.authorsFile", problem)
    if legal.get("repoOwner") is not None:
        checker.warn(
            "legal.repoOwner",
            "This key is DEPRECATED and will be removed in the future. Use 'organisation.name' instead",
        )
    for name in ("inputTypes", "outputTypes"):
        if d.get(name) is not None:
            checker.warn(name, DEPRECATED)
    for lang, desc in (d.get("description") or {}).items():
        if desc.get("genericName"):
            checker.warn(f"description.{lang}.genericName", DEPRECATED)
        _unreachable(checker, f"description.{lang}.documentation", desc.get("documentation"))
        _unreachable(checker, f"description.{lang}.apiDocumentation", desc.get("apiDocumentation"))
        for i, shot in enumerate(desc.get("screenshots") or []):
            key = f"description.{lang}.screenshots[{i}]"
            problem = _path_problem(shot or "")
            if problem:
                checker.error(key, problem)
            elif _extension(shot or "") not in IMAGE_EXTENSIONS:
                checker.error(key, f"'{shot}' is not an image: invalid file extension for: {shot}")
        for i, video in enumerate(desc.get("videos") or []):
            # No oEmbed provider serves a value that is not even an HTTP URL; real providers
            # (oembed.com/providers.json) are not bundled, so HTTP URLs are not judged.
            if video is not None and not text.is_http_url(video):
                checker.error(
                    f"description.{lang}.videos[{i}]",
                    f"'{video}' is not a valid video URL supporting oEmbed: invalid oEmbed link: {video}",
                )
    it = d.get("IT")
    if d.get("it") is not None:
        checker.warn("it", "Lowercase country codes are DEPRECATED and will be removed in the future. Use 'IT' instead")
        it = d["it"]
    if d.get("IT") is not None and d.get("it") is not None:
        checker.error("it", "'IT' key already present. Remove this key")
        it = d["IT"]
    if it is not None:
        if it.get("conforme") is not None:
            checker.warn("IT.conforme", DEPRECATED)
        code = (it.get("riuso") or {}).get("codiceIPA")
        if code and vocab.is_ipa_code_format(code):
            checker.warn(
                "IT.riuso.codiceIPA",
                "This key is DEPRECATED and will be removed in the future. "
                f"Use 'organisation.uri' and set it to 'urn:x-italian-pa:{code}' instead",
            )
