"""Whole responses to anonymous reads, kept in the shared cache and keyed by the content version.

A page is stored under the content version (communs/cache.py), the day, its URL and the values of the
request headers it varies on; any write to the directory moves the version on, so the next request
renders afresh. Only what every anonymous visitor would get alike is stored: never a response that
sets a cookie (the CSRF cookie of a form, a session), never one for a signed-in curator (they see
drafts) or a token, never the admin. A cached API answer still counts against the API's rate limits. The `X-Cache` header says `hit` or `miss`; requests the cache
does not handle have none.

Anyone can ask for a URL never asked before (`/a-propos/?q=1`, `?q=2`…): left alone, each would be
an entry of its own and one client could fill the cache. So a view that says which query parameters
it reads (`@query_parameters(...)`) is keyed by those only, the others dropped (they change nothing on
the page), and every path keeps at most settings.PAGE_CACHE_MAX_VARIANTS variants per content
version and day: past the cap, a new variant is served uncached.

Its place in settings.MIDDLEWARE: after WhiteNoise (static files never get here) and before the
session, CSRF and messages middleware, so that the cookies they set are visible when deciding.
"""

import functools
import hashlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import cc_delim_re, get_conditional_response, has_vary_header
from django.utils.http import parse_http_date_safe

from communs.cache import content_version
from communs.rest.backends import cached_read_allowed

logger = logging.getLogger(__name__)

# Pages never stored: the curators' admin and any sign-in pages.
EXCLUDED_PREFIXES = ("/admin/", "/comptes/", "/accounts/")
API_PREFIX = "/api/"
# Part of every key, whatever the response's Vary says: the API answers JSON or CSV by Accept.
# (A page's language is in its URL; the API's answers say Vary: Accept-Language: communs/locale.py.)
ALWAYS_VARY = ("Accept",)


def _store():
    # A cache of its own when settings define one, so that many pages cannot push out the
    # content version or the rate limits' counters.
    return caches["pages" if "pages" in settings.CACHES else "default"]


def query_parameters(*names):
    """Declare the query parameters a view reads: only those enter its page-cache key."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.query_parameters = frozenset(names)
        return wrapped

    return decorate


def _known_url(request):
    """The URL the page is keyed by: with only the parameters its view reads, when it says which."""
    try:
        known = getattr(resolve(request.path_info).func, "query_parameters", None)
    except Resolver404:
        known = None
    if known is None:
        return request.build_absolute_uri()
    kept = sorted((name, value) for name, values in request.GET.lists() if name in known for value in values)
    query = f"?{urlencode(kept)}" if kept else ""
    return request.build_absolute_uri(request.path) + query


def _hash(text):
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _is_anonymous(request):
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    # A session cookie (a curator, even signed out since) or pending messages make the page personal.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES


def _page_key(base, request, headers):
    names = sorted({name.lower() for name in (*ALWAYS_VARY, *headers)})
    values = "\n".join(f"{name}:{request.META.get('HTTP_' + name.upper().replace('-', '_'), '')}" for name in names)
    return f"{base}:{_hash(values)}"


def _storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # A page carrying a CSP nonce (the API docs' inline script) must get a fresh one each time:
    # a nonce served to every visitor would be no secret.
    if getattr(request, "_csp_nonce", None) is not None:
        return False
    if has_vary_header(response, "*"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def _conditional(request, response):
    # The stored 200 answers If-None-Match / If-Modified-Since with a 304, as the view would have.
    etag = response.get("ETag")
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    if etag or last_modified:
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
    return response


def _bytes_only(response):
    """What a cached answer needs: its bytes and headers. A DRF Response would also carry its
    serialised data, pickled alongside, and read back on every hit (six times slower)."""
    stored = HttpResponse(response.content, status=response.status_code)
    for name, value in response.items():
        stored[name] = value
    return stored


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = getattr(settings, "PAGE_CACHE_TIMEOUT", 0)
        if (
            not timeout
            or request.method not in ("GET", "HEAD")
            or request.path.startswith(EXCLUDED_PREFIXES)
            or not _is_anonymous(request)
        ):
            return self.get_response(request)
        try:
            store = _store()
            # The day is part of the key: pages say what is open today (funding availability,
            # deadlines), which changes at midnight without any write to the directory.
            today = timezone.localdate().isoformat()
            prefix = f"page:{content_version()}:{today}"
            base = f"{prefix}:{_hash(_known_url(request))}"
            variants = f"{prefix}:variants:{_hash(request.build_absolute_uri(request.path))}"
            hit = self._cached(store, base, request)
        except Exception:  # the cache is down (Redis unreachable…): the site still answers, uncached
            logger.warning("page cache unavailable, serving %s uncached", request.path, exc_info=True)
            return self.get_response(request)
        if hit is not None:
            return hit
        response = self.get_response(request)
        try:
            self._store_response(store, base, variants, request, response, timeout)
        except Exception:
            logger.warning("page cache unavailable, %s not stored", request.path, exc_info=True)
        response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _cached(store, base, request):
        headers = store.get(f"{base}:vary")
        if headers is not None:
            response = store.get(_page_key(base, request, headers))
            # The API's rate limits count cached answers too; over a limit, the view answers 429.
            if response is not None and (not request.path.startswith(API_PREFIX) or cached_read_allowed(request)):
                response = _conditional(request, response)
                response["X-Cache"] = "hit"
                return response
        return None

    @staticmethod
    def _store_response(store, base, variants, request, response, timeout):
        if request.method == "GET" and _storable(request, response):
            # Counted atomically in the shared cache (Redis INCR, or the file cache's lock), so
            # that workers storing at once cannot pass the cap together.
            store.add(variants, 0, timeout)
            if store.incr(variants) > settings.PAGE_CACHE_MAX_VARIANTS:
                return
            headers = [h.strip() for h in cc_delim_re.split(response.get("Vary", "")) if h.strip()]
            key = _page_key(base, request, headers)
            if getattr(response, "is_rendered", True):
                store.set(key, _bytes_only(response), timeout)
            else:  # a TemplateResponse that some middleware has not rendered yet
                response.add_post_render_callback(lambda rendered: store.set(key, _bytes_only(rendered), timeout))
            store.set(f"{base}:vary", headers, timeout)
