"""A hostile source on 127.0.0.1, started inside a test: each first path segment is one trick.

`/<trick>/api/v1/actors/` is what `harvest` reads first; the same paths serve importers a file.
"""

import contextlib
import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

ALIAS_BOMB = (
    "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)
DEEP_JSON = "[" * 50_000 + "]" * 50_000


def page(results, next_url=None):
    return {"count": len(results), "next": next_url, "previous": None, "results": results}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests = []  # every path asked, for tests that count them

    def log_message(self, *args):
        pass

    def send_json(self, document):
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        Handler.requests.append(self.path)
        parts = urlsplit(self.path)
        trick = parts.path.strip("/").split("/")[0]
        here = f"http://127.0.0.1:{self.server.server_address[1]}"
        if trick == "wrong-types" and parts.path.endswith("/initiatives/"):
            return self.send_json(
                page(
                    [
                        {"slug": "annee-texte", "name": "Commun", "launch_year": "deux mille"},
                        {"slug": "logiques", "name": "Commun", "logics": "open_source"},
                        {"slug": "roles", "name": "Commun", "involvements": [{"role": "carrier", "actor": "x"}]},
                        {"slug": "secteurs", "name": "Commun", "sectors": [{"slug": 12}]},
                    ]
                )
            )
        if parts.path.endswith("/initiatives/") or "/archived/" in parts.path:
            return self.send_json(page([]))
        try:
            if trick == "file-next":
                return self.send_json(page([], "file:///etc/passwd"))
            if trick == "file-redirect":
                return self.redirect("file:///etc/passwd")
            if trick == "private-next":
                # localhost is 127.0.0.1 too, but only the host named in the setting is allowed.
                return self.send_json(page([], f"http://localhost:{self.server.server_address[1]}/x/"))
            if trick == "metadata-redirect":
                return self.redirect("http://169.254.169.254/latest/meta-data/")
            if trick == "self-next":
                return self.send_json(page([], here + self.path))
            if trick == "endless-pages":
                number = int(parse_qs(parts.query).get("n", ["0"])[0])
                return self.send_json(page([], f"{here}{parts.path}?n={number + 1}"))
            if trick == "drip":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.25)
                return None
            if trick == "endless-body":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()  # no length: the body runs until the connection closes
                self.close_connection = True
                chunk = b" " * 65536
                while True:
                    self.wfile.write(chunk)
            if trick == "wrong-types":
                return self.send_json(
                    page(
                        [
                            {"slug": "acteur-bizarre", "name": ["une", "liste"], "kind": 3},
                            {"slug": {"pas": "un texte"}},
                            "pas un objet",
                        ]
                    )
                )
            if trick == "alias-bomb":
                body = ALIAS_BOMB.encode()
            elif trick == "deep-json":
                body = DEEP_JSON.encode()
            else:
                body = b"{}"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should
        return None


@contextlib.contextmanager
def hostile_server():
    """Yield the base URL of a hostile source on 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
