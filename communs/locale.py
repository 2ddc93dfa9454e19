"""Which language a request is answered in.

The site's pages carry their language in their address: French, the default, unprefixed
(/initiatives/), English under /en/ (/en/initiatives/), so that a page's URL is all a cache, a
search engine or a shared link needs; a first visit whose browser asks for English is sent to the
English address (FirstVisitLanguageMiddleware). The API and the admin have no prefix: the API follows the
client's Accept-Language (and says so in Vary), the admin stays in French, the curators' language.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language_from_path
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def _is_api(request):
    return request.path_info.startswith(API_PREFIX)


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request):
        if not _is_api(request):
            return super().process_request(request)
        # check_path=False: the API's addresses name no language; a language cookie does not count
        # either, so that the same request from another service gets the same answer.
        translation.activate(_accepted_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if not _is_api(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def _accepted_language(request):
    """The first language of Accept-Language that the interface has, else the default."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


# Feature apps that know an entry's text in another language than French (catalogues: what its
# sources write in English) register here, so that this ground floor names none of them.
_TRANSLATED_TEXT_PROVIDERS = []


def register_translated_text(provider):
    """provider(entries, field, language) -> {entry pk: the field's text in that language} for those
    of `entries` it has a text for, in a constant number of queries (a list asks for a page at once)."""
    _TRANSLATED_TEXT_PROVIDERS.append(provider)


def translated_texts(entries, field):
    """{entry pk: text} of the entries' `field` in the active language, when it is not French and a
    provider has it; {} on a French request (no query)."""
    language = translation.get_language()
    entries = list(entries)
    if not entries or not language or language == settings.LANGUAGE_CODE:
        return {}
    found = {}
    for provider in _TRANSLATED_TEXT_PROVIDERS:
        for pk, text in provider(entries, field, language).items():
            if text:
                found.setdefault(pk, text)
    return found


def translated_text(entry, field):
    """An entry's `field` in the active language, when it is not French and a provider has it."""
    return translated_texts([entry], field).get(entry.pk)


# What curators entered is in French, whatever the interface's language: on the English pages it is
# marked lang="fr", so that a screen reader speaks it with a French voice (WCAG 3.1.2). The French
# pages need no mark and get none, so that their markup stays as it was.
CONTENT_LANGUAGE = "fr"


def content_lang_attribute():
    """' lang="fr"' for an element holding entered content, on a page not in French; else ""."""
    return ' lang="fr"' if translation.get_language() != CONTENT_LANGUAGE else ""


def as_content(text):
    """Entered text inline within interface text, escaped: in <span lang="fr"> on a page not in French."""
    if translation.get_language() == CONTENT_LANGUAGE:
        return conditional_escape(text)
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, text)


class FirstVisitLanguageMiddleware:
    """A visitor arriving from elsewhere on a French address, whose browser asks for English first
    (Accept-Language), is sent to the same page in English (/initiatives/?kind=data to
    /en/initiatives/?kind=data). A visitor already on the site is not: a link followed from one of
    its pages (the language switch's "Français" included) names the site as Referer, and
    Referrer-Policy same-origin sends it on every link within the site.

    Placed before the page cache, so that a cached French page is never what such a first visit gets.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self._english_address(request)
        if target is None:
            return self.get_response(request)
        response = HttpResponseRedirect(target)
        patch_vary_headers(response, ("Accept-Language", "Referer"))
        return response

    @staticmethod
    def _english_address(request):
        if request.method not in ("GET", "HEAD") or _is_api(request) or _from_this_site(request):
            return None
        language = _accepted_language(request)
        if language == settings.LANGUAGE_CODE or get_language_from_path(request.path_info):
            return None
        path = request.get_full_path()
        # An unprefixed address is read as French, whatever language this thread last answered in.
        with translation.override(settings.LANGUAGE_CODE):
            translated = translate_url(path, language)
        # translate_url leaves alone an address outside the translated pages (admin, sitemap, health…).
        return translated if translated != path else None


def _from_this_site(request):
    referer = request.headers.get("Referer")
    if not referer:
        return False
    return urlsplit(referer).netloc == request.get_host()
