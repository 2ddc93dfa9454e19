"""nginx with the README's configuration (docs/deploy/nginx.conf) in front of the production server.

tests/production/run starts it on free ports with a self-signed certificate and gives its addresses
in PRODUCTION_PROXY_URL (https) and PRODUCTION_PROXY_HTTP_URL; CI installs nginx, and fails without it.
"""

import http.client
import os
import socket
import ssl
import time
from urllib.parse import urlsplit

import pytest

from tests.conftest import IN_CI

PROXY_URL = os.environ.get("PRODUCTION_PROXY_URL", "")
PROXY_HTTP_URL = os.environ.get("PRODUCTION_PROXY_HTTP_URL", "")

if not PROXY_URL:
    if IN_CI:
        pytest.fail("PRODUCTION_PROXY_URL is not set: nginx did not start", pytrace=False)
    pytest.skip("nginx is not installed: the reverse proxy is not checked", allow_module_level=True)

PROXY = urlsplit(PROXY_URL)
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the certificate is made by the run, for localhost


def get(path, url=PROXY_URL):
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=10, context=TLS)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "text/html,application/json"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def raw_tls():
    """A TLS connection to nginx speaking HTTP/1.1, written to by hand."""
    return TLS.wrap_socket(socket.create_connection((PROXY.hostname, PROXY.port), timeout=10))


def test_pages_the_api_and_the_health_check_answer_through_nginx_over_tls():
    status, headers, body = get("/")
    assert status == 200 and "<h1" in body
    status, headers, body = get("/api/v1/initiatives/?page_size=1")
    assert status == 200 and headers["Content-Type"].startswith("application/json") and '"count"' in body
    status, headers, _ = get("/sante/")
    assert status == 200 and "no-store" in headers["Cache-Control"]


def test_plain_http_is_sent_to_https_with_its_path_and_query():
    status, headers, _ = get("/initiatives/?q=adresse", url=PROXY_HTTP_URL)
    assert status == 301
    assert headers["Location"] == f"https://localhost:{PROXY.port}/initiatives/?q=adresse"


def test_a_body_over_the_10_mb_limit_gets_413_from_nginx_before_it_is_sent():
    with raw_tls() as connection:
        connection.sendall(
            b"POST /api/v1/initiatives/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 11000000\r\n\r\n"
        )
        assert connection.recv(64).startswith(b"HTTP/1.1 413")


def test_slow_uploads_hold_no_worker_of_gunicorn():
    # 12 clients send a form one byte at a time, more than gunicorn's threads (2 workers × 2): nginx
    # takes the bodies in (proxy_request_buffering) and passes none on before it is whole, so a
    # visitor is still answered at once. Without the buffering each slow body would hold a thread.
    slow = []
    try:
        for _ in range(12):
            connection = raw_tls()
            connection.sendall(
                # From the site's own origin with a CSRF cookie: Django then reads the body for its token.
                b"POST /admin/login/ HTTP/1.1\r\nHost: localhost\r\nOrigin: https://localhost\r\n"
                b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\nusername="
            )
            slow.append(connection)
        time.sleep(1)
        for connection in slow:
            connection.sendall(b"a")
        started = time.monotonic()
        status, _, body = get("/initiatives/")
        assert status == 200 and "<h1" in body
        assert time.monotonic() - started < 3
    finally:
        for connection in slow:
            connection.close()
