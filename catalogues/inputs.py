"""What an import command reads: a file, every matching file of a folder, or an http(s) URL."""

import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import CommandError

# A catalogue export is a few megabytes; anything much larger is not what the command expects.
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024
TIMEOUT_SECONDS = 30


def read_inputs(locations, suffixes):
    """[(name, bytes)] for each location: a file, a folder (its files ending with `suffixes`, sorted,
    recursively) or an http(s) URL. A location that cannot be read stops the command before anything
    is written."""
    found = []
    for location in locations:
        location = str(location)
        if urlsplit(location).scheme in ("http", "https"):
            found.append((location, download(location)))
            continue
        path = Path(location)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(tuple(suffixes)))
            if not files:
                raise CommandError(f"{location} : aucun fichier {', '.join(suffixes)} dans ce dossier.")
            found.extend((str(p), p.read_bytes()) for p in files)
        elif path.is_file():
            found.append((str(path), path.read_bytes()))
        else:
            raise CommandError(f"{location} : ni un fichier, ni un dossier, ni une adresse http(s).")
    return found


def download(url):
    request = urllib.request.Request(url, headers={"User-Agent": "annuaire-des-communs-importer"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_DOWNLOAD_BYTES + 1)
    except OSError as error:
        raise CommandError(f"{url} : lecture impossible ({error}).") from error
    if len(body) > MAX_DOWNLOAD_BYTES:
        raise CommandError(f"{url} : plus de {MAX_DOWNLOAD_BYTES // (1024 * 1024)} Mo, ce n'est pas un export attendu.")
    return body


def decode(name, content):
    """Text of a file: UTF-8 (with or without BOM); a file in another encoding is refused by name."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(f"{name} : le fichier n'est pas en UTF-8 (octet {error.start}).") from error
