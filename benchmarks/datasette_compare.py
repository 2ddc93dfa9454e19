"""The yardstick: Datasette serving the same SQLite file, asked the same question as our filtered API list.

Datasette (https://datasette.io) is a fast read-only JSON server for SQLite files: what a bare table
API costs on this machine. It is installed with pip into a throwaway virtualenv in the benchmark's
temporary folder, never into the project's.
"""

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.httpload import Client, free_port, load, rss_mb, sequential, start, stop, wait_until_up


def install(folder):
    """A virtualenv with Datasette in `folder`; returns the datasette executable and its version."""
    venv = Path(folder) / "datasette-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "datasette"],
        capture_output=True,
        text=True,
    )
    if pip.returncode:
        raise RuntimeError(f"pip install datasette failed (is PyPI reachable?):\n{pip.stderr[-2000:]}")
    executable = venv / "bin" / "datasette"
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=True).stdout
    return executable, version.rsplit("version", 1)[-1].strip()  # "datasette, version 0.65.5"


def compare(sqlite_path, folder, processes, expected_count, *, repeat, max_seconds, connections, seconds):
    """Serve `sqlite_path` with Datasette and measure its answer to `?kind=software`, published, 20 a page.

    `processes` collects the started server so that the caller stops it even on Ctrl-C.
    """
    executable, version = install(folder)
    port = free_port()
    # Read-only (--immutable: Datasette then also skips its checks for changes); no suggested facets,
    # which Datasette computes by default and our API does not.
    server = start(
        [str(executable), "serve", "--immutable", str(sqlite_path), "--host", "127.0.0.1", "--port", str(port)]
        + ["--setting", "suggest_facets", "off"],
        env=None,
        log_path=Path(folder) / "datasette.log",
    )
    processes.append(server)
    # Published software entries, sorted by name as our API sorts them, 20 a page, with the total.
    path = (
        f"/{Path(sqlite_path).stem}/initiatives_initiative.json"
        "?kind=software&publication_status=published&_size=20&_sort=name"
    )
    wait_until_up(server, port, path)
    client = Client(port)
    _, body = client.get(path)
    client.close()
    answer = json.loads(body)
    # The total's name differs between Datasette 0.x and 1.x.
    count = answer.get("filtered_table_rows_count", answer.get("count"))
    if count != expected_count:
        raise RuntimeError(f"Datasette counts {count} rows, our API {expected_count}: not the same question")
    result = {
        "version": version,
        "path": path,
        "count": count,
        "sequential": sequential(port, path, repeat, max_seconds),
        "load": load(port, path, connections, seconds),
        "rss_mb": rss_mb(server.pid),
    }
    stop(server)
    return result
