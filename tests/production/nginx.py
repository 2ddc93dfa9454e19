"""Starts nginx with docs/deploy/nginx.conf in front of the production check's gunicorn.

    python tests/production/nginx.py FOLDER UPSTREAM_PORT HTTP_PORT HTTPS_PORT

The README's server blocks are used as they are, but for what only a real host has: the ports
(80 and 443 become free ones on 127.0.0.1), the name (localhost), the IPv6 listens (a test machine
may have no IPv6), gunicorn's port, and the certificate (a self-signed one made here with openssl).
nginx runs in the foreground of this process's child, with every path of its own in FOLDER; the
process id is written to FOLDER/nginx.pid.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def server_blocks(upstream_port, http_port, https_port, folder):
    text = (BASE_DIR / "docs" / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    replacements = [
        (r"server 127\.0\.0\.1:8000", f"server 127.0.0.1:{upstream_port}"),
        (r"listen \[::\]:\d+[^;]*;\n", ""),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        (r"server_name annuaire\.example\.gouv\.fr;", "server_name localhost;"),
        (r"return 301 https://\$host\$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
        (r"ssl_certificate +\S+;", f"ssl_certificate {folder}/cert.pem;"),
        (r"ssl_certificate_key +\S+;", f"ssl_certificate_key {folder}/key.pem;"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        if not count:
            sys.exit(f"nginx.py: docs/deploy/nginx.conf no longer has {pattern!r}: update this script")
    return text


def main(folder, upstream_port, http_port, https_port):
    folder = Path(folder).resolve()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )
    temp = "\n".join(
        f"    {name}_temp_path {folder}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, nginx's workers would run as nobody
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {folder}/access.log;\n{temp}\n"
        + server_blocks(upstream_port, http_port, https_port, folder)
        + "\n}\n",
        encoding="utf-8",
    )
    os.execvp("nginx", ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])


if __name__ == "__main__":
    main(*sys.argv[1:5])
