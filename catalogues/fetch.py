"""The one policy for everything the server downloads (harvest, an importer given a URL).

A source is remote and may be hostile: its links may point at the server's own network (SSRF), at a
local file, at themselves forever; its answers may drip one byte at a time or never end. A `Fetch`
belongs to one run and keeps it within bounds:

- `http` and `https` only, redirects included; no proxy from the environment (it would hide the
  address actually reached);
- every address a host name resolves to must be public, unless the host is listed in
  settings.FETCH_ALLOWED_INTERNAL_HOSTS (tests, an intranet); the connection is made to the address
  that was checked, so that a second DNS answer cannot swap it for an internal one;
- a timeout on each connect and read, and one deadline for the whole run: a watchdog closes the
  socket when it passes, whatever the server is dripping;
- a size cap on each body, and on each local file read by an importer;
- a bounded number of pages, and a page already read ends the run (a `next` pointing back).

Each refusal raises FetchRefused, a RowError: the run reports it and writes nothing.
"""

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from catalogues.importing import RowError

MEGABYTE = 1024 * 1024


class FetchRefused(RowError):
    """A download or a file the fetch policy refuses; the message says why, in the run's report."""


def _allowed_internal_hosts():
    return {host.lower() for host in settings.FETCH_ALLOWED_INTERNAL_HOSTS}


def check_url(url):
    """Refuse a URL that is not http(s) with a host; return its parts."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"{url} : seules les adresses http(s) sont lues (schéma « {parts.scheme} » refusé).")
    if not parts.hostname:
        raise FetchRefused(f"{url} : adresse sans nom d'hôte.")
    return parts


def public_addresses(host, port):
    """The addresses `host` resolves to, each checked: an internal one is refused unless the host is
    allowed by settings. getaddrinfo's own tuples, ready for socket.connect."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise FetchRefused(f"{host} : nom d'hôte introuvable ({error}).") from error
    if host.lower().strip("[]") in _allowed_internal_hosts():
        return found
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        # is_global leaves out loopback, private, link-local (169.254.169.254, the cloud metadata
        # address), shared (100.64/10), reserved and unspecified addresses.
        if not address.is_global or address.is_multicast:
            raise FetchRefused(
                f"{host} : l'adresse {address} est une adresse interne (boucle locale, réseau privé, "
                "lien local ou métadonnées) ; elle n'est pas lue."
            )
    return found


class Fetch:
    """The downloads and local files of one run, within the bounds of settings.FETCH_*."""

    def __init__(self):
        self.started = time.monotonic()
        self.deadline = self.started + settings.FETCH_DEADLINE_SECONDS
        self.timeout = settings.FETCH_TIMEOUT_SECONDS
        self.max_bytes = settings.FETCH_MAX_MEGABYTES * MEGABYTE
        self.max_pages = settings.FETCH_MAX_PAGES
        self.pages = set()
        self._opener = urllib.request.OpenerDirector()
        for handler in (
            _HTTPHandler(self),
            _HTTPSHandler(self),
            _RedirectHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            self._opener.add_handler(handler)
        self._sockets = []

    # --- time --------------------------------------------------------------------------

    def remaining(self, url=""):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchRefused(
                f"{url or 'lecture'} : délai de {settings.FETCH_DEADLINE_SECONDS} s dépassé pour l'ensemble de la "
                "lecture ; rien n'est enregistré."
            )
        return left

    def connect(self, address, timeout, source_address=None):
        """socket.create_connection, to a checked address only, within the per-read timeout."""
        host, port = address
        error = None
        for family, kind, proto, _, sockaddr in public_addresses(host, port):
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(min(self.timeout, self.remaining(host)))
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            self._sockets.append(sock)
            return sock
        raise error or OSError(f"{host} : aucune adresse")

    def _abort(self):
        # The deadline has passed while a read was blocked: shutting the socket down wakes it.
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # --- pages -------------------------------------------------------------------------

    def page(self, url):
        """Count one page of a paginated source; a page read before, or one too many, ends the run."""
        if url in self.pages:
            raise FetchRefused(f"{url} : cette page a déjà été lue (lien « next » qui boucle) ; lecture arrêtée.")
        if len(self.pages) >= self.max_pages:
            raise FetchRefused(f"{url} : plus de {self.max_pages} pages ; lecture arrêtée.")
        self.pages.add(url)

    # --- reading -----------------------------------------------------------------------

    def download(self, url):
        """The body of `url`, or FetchRefused."""
        check_url(url)
        watchdog = threading.Timer(self.remaining(url), self._abort)
        watchdog.daemon = True
        watchdog.start()
        request = urllib.request.Request(url, headers={"User-Agent": "annuaire-des-communs-importer"})
        chunks, size = [], 0
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise self._too_big(url)
                while True:
                    self.remaining(url)
                    # read1: what one recv gives, so that a drip is seen between reads.
                    chunk = response.read1(64 * 1024)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise self._too_big(url)
                    chunks.append(chunk)
                # The watchdog's shutdown reads as an end of file: a body cut by the deadline is no body.
                self.remaining(url)
                if declared.isdigit() and size != int(declared):
                    raise FetchRefused(f"{url} : réponse incomplète ({size} octets sur {declared}).")
        except FetchRefused:
            raise
        except (OSError, http.client.HTTPException, ValueError) as error:
            if time.monotonic() >= self.deadline:
                self.remaining(url)  # raises: the watchdog closed the socket
            raise FetchRefused(f"{url} : lecture impossible ({error}).") from error
        finally:
            watchdog.cancel()
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()
        return b"".join(chunks)

    def read_file(self, path):
        """The bytes of a local file, within the same size cap as a download."""
        path = Path(path)
        if path.stat().st_size > self.max_bytes:
            raise self._too_big(str(path))
        with path.open("rb") as stream:
            content = stream.read(self.max_bytes + 1)
        if len(content) > self.max_bytes:  # grown since stat(), or not a regular file
            raise self._too_big(str(path))
        return content

    def _too_big(self, name):
        return FetchRefused(
            f"{name} : plus de {settings.FETCH_MAX_MEGABYTES} Mo, ce n'est pas un export attendu ; rien n'est lu."
        )


class _GuardedConnection:
    fetch = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # http.client connects through this attribute; HTTPS wraps the socket it returns, with the
        # host name kept for the certificate.
        self._create_connection = self.fetch.connect


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, fetch):
        super().__init__()
        self.connection = type("Connection", (_GuardedConnection, http.client.HTTPConnection), {"fetch": fetch})

    def http_open(self, request):
        return self.do_open(self.connection, request)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, fetch):
        super().__init__()
        self.connection = type("Connection", (_GuardedConnection, http.client.HTTPSConnection), {"fetch": fetch})

    def https_open(self, request):
        return self.do_open(self.connection, request, context=self._context)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def http_error_302(self, request, fp, code, msg, headers):
        # The target is checked like the first address before urllib looks at it (its host is
        # checked again on connection); a refusal names the policy, not urllib's message.
        location = headers.get("Location") or headers.get("URI")
        if location:
            check_url(urljoin(request.full_url, location))
        return super().http_error_302(request, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302
