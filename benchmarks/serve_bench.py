"""Serve a generated directory of N initiatives as production does, and measure it over HTTP.

Usage:
    .venv/bin/python benchmarks/serve_bench.py --n 10000 --db sqlite
    .venv/bin/python benchmarks/serve_bench.py --n 10000 --db postgres [--database-url postgres://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python benchmarks/serve_bench.py --n 100000 --db sqlite --json > figures.json
    .venv/bin/python benchmarks/serve_bench.py --n 2000 --cache redis --cached-only   # a cache hit, as production serves it

What it does, all in throwaway places that it removes at the end (also on Ctrl-C or an error):
1. creates an empty database (a SQLite file in a temporary folder, or a PostgreSQL database
   `communs_bench_<pid>` on the server of --database-url), migrates it, and generates N published
   initiatives with their actors, sectors, territories and tags (benchmarks/generate.py);
2. collects the static files and serves that database with gunicorn and gunicorn.conf.py (DEBUG off,
   2 processes unless --workers says otherwise), as `make serve` does;
3. times 20 sequential requests of each page or API call on one keep-alive connection (p50, p95), a
   different search word on each (the Zipf words of benchmarks/generate.py), so that no cache answers,
   and counts the database queries of each (one request through Django's test client);
4. measures requests per second with 16 concurrent keep-alive connections on the filtered API list
   and on the list page, then reads the memory (RSS) of each gunicorn process from /proc;
5. on SQLite, installs Datasette in a temporary virtualenv, serves the same file read-only, asks it
   the same question as `/api/v1/initiatives/?kind=software` and prints the ratio;
6. serves the page cache's answer to that question from a file with nginx (when installed), under the
   same load, and prints the ratio of the cached directory's requests per second to nginx's.

The shared cache is files in the temporary folder, as on a machine without Redis; `--cache redis` runs
the served site with REDIS_URL (--redis-url, a database of its own) as production does, under a key
prefix of this run whose keys it removes at the end. `--cached-only` leaves out steps 3 to 5 (no
uncached page is timed): only the page cache and nginx are measured.

The load driver runs on the same machine as the server and takes some of its CPU; on a machine shared
with other work the figures are noisy (the load average is printed with them). This is a benchmark,
not a test: nothing fails on a slow figure.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unicodedata
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.httpload import (  # noqa: E402
    Client,
    children,
    free_port,
    load,
    machine,
    rss_mb,
    sequential,
    start,
    stop,
    tail,
    wait_until_up,
)

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
# A Redis database that the tests do not use (they use 0, 3, 14 and 15).
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
API_FILTERED = "/api/v1/initiatives/?kind=software"


def plain(word):
    """The word as a visitor types it, without accents ("energie")."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


def varied(template, values):
    """One path per value: the search word changes on every request, so that no cache answers."""
    return [template.format(*value) if isinstance(value, tuple) else template.format(value) for value in values]


def sequential_requests():
    """[(label, template, paths)]: the rows of the sequential table (generate.py's Zipf words)."""
    from benchmarks.vocabulary import COMMON_WORDS, SEARCH_WORDS

    words = [plain(word) for word in SEARCH_WORDS]
    broad = [plain(word) for word in COMMON_WORDS]
    long_words = [word for word in words if len(word) >= 6]
    return [
        ("search, one word (3-5 %)", "/initiatives/?q={word}", varied("/initiatives/?q={}", words)),
        ("search, a prefix", "/initiatives/?q={prefix}", varied("/initiatives/?q={}", [w[:-2] for w in long_words])),
        (
            "search, a broad word and a word",
            "/initiatives/?q=public+{word}",
            varied("/initiatives/?q=public+{}", words),
        ),
        (
            "search, a broad word (60 %), page 4",
            "/initiatives/?q={broad}&page={n}",
            varied("/initiatives/?q={}&page={}", [(word, page) for page in range(4, 12) for word in broad]),
        ),
        (
            "search, two words",
            "/initiatives/?q={word}+{word}",
            varied("/initiatives/?q={}+{}", list(zip(words, words[1:] + words[:1], strict=True))),
        ),
        ("search, a typo", "/initiatives/?q={typo}", varied("/initiatives/?q={}", [w[0] + w[2:] for w in long_words])),
        ("list with facets", "/initiatives/", ["/initiatives/"]),
        ("an initiative", "/initiatives/<slug>/", None),  # detail pages chosen after generation
        (
            "API search, 100 a page",
            "/api/v1/initiatives/?q={word}&page_size=100",
            varied("/api/v1/initiatives/?q={}&page_size=100", words),
        ),
        ("API filtered list", API_FILTERED, [API_FILTERED]),
    ]


LOADED = [("API filtered list", API_FILTERED), ("list with facets", "/initiatives/")]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="initiatives to generate (default 10000)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", help=f"PostgreSQL server to create the database on (default {DEFAULT_PG})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (default 2)")
    parser.add_argument("--repeat", type=int, default=20, help="sequential requests per URL (default 20)")
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="stop a URL's sequential requests after this long (at least 5)"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--seconds", type=float, default=15, help="duration of each load run (default 15)")
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE of the server (default 60)")
    parser.add_argument(
        "--skip-search", action="store_true", help="leave out the text searches (minutes each on a large SQLite file)"
    )
    parser.add_argument("--no-datasette", action="store_true", help="skip the Datasette comparison")
    parser.add_argument(
        "--cache",
        choices=["files", "redis"],
        default="files",
        help="the shared cache of the served site: files in the temporary folder (default), or Redis as in production",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help=f"Redis of --cache redis (default {DEFAULT_REDIS})")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="measure only the page cache and nginx (no uncached page, no Datasette)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (progress goes to stderr)")
    args = parser.parse_args()
    if args.n < 1 or args.repeat < 1 or args.connections < 1 or args.workers < 1:
        parser.error("--n, --repeat, --connections and --workers must be at least 1")
    return args


def say(message):
    print(message, file=sys.stderr, flush=True)


def create_postgres_database(base_url):
    """A new empty database next to `base_url`'s; returns its URL and a function that drops it."""
    import psycopg

    parts = urllib.parse.urlsplit(base_url)
    name = f"communs_bench_{os.getpid()}"
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return parts._replace(path=f"/{name}").geturl(), drop


def use_redis(redis_url):
    """Point the run at Redis under a key prefix of its own; returns the prefix and a function that
    removes its keys."""
    import redis

    prefix = f"communs-bench-{os.getpid()}-"
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=5)
    client.ping()

    def remove_keys():
        batch = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for first in range(0, len(batch), 1000):
            client.delete(*batch[first : first + 1000])
        client.close()

    return prefix, remove_keys


def configure(database_url, conn_max_age, cache_dir, redis_url="", key_prefix=""):
    """The production settings, from the environment as a deployment sets them; then Django is set up."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "communs.settings",
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-key-for-a-throwaway-database",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": str(conn_max_age),
            # One address makes every request here: the anonymous rate limit would answer 429. Per
            # second, so that the throttle's history of each address stays short, as with real rates.
            "API_THROTTLE_ANON": "100000000/second",
            "API_THROTTLE_USER": "100000000/second",
            # Set (empty unless --cache redis) so that a development .env cannot point the server elsewhere.
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": key_prefix,
            # The pages themselves are measured: the anonymous page cache is off here, and measured
            # on its own afterwards (run(): "cached").
            "PAGE_CACHE_TIMEOUT": "0",
            # Its own cache (content version, facet counts), apart from a development server's.
            "CACHE_DIR": str(cache_dir),
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def count_queries(paths):
    """Database queries per request, through Django's test client in this process (same database)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, counts = Client(), {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code} in process")
        counts[path] = len(queries)
    return counts


def gunicorn_recycles(log_path):
    return Path(log_path).read_text(errors="replace").count("Autorestarting worker")


def serve(env, log_path, processes):
    """gunicorn with gunicorn.conf.py on a free port, as `make serve` runs it, once it answers."""
    port = free_port()
    server = start(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "communs.wsgi"],
        env={**os.environ, **env, "BIND": f"127.0.0.1:{port}"},
        log_path=log_path,
        cwd=ROOT,
    )
    processes.append(server)
    wait_until_up(server, port, "/initiatives/")
    return server, port


NGINX_CONF = """daemon off;
{user}worker_processes {workers};
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/nginx-tmp;
    server {{
        listen 127.0.0.1:{port};
        location / {{ root {scratch}/nginx-root; default_type application/json; try_files /answer.json =404; }}
    }}
}}
"""


def nginx_compare(scratch, processes, body, workers, connections, seconds):
    """nginx (from PATH) serving `body` from a file on every path, loaded like the directory: the
    ceiling of a cached answer on this machine. None when nginx is not installed."""
    nginx = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
    if not nginx:
        return None
    root = scratch / "nginx-root"
    root.mkdir(exist_ok=True)
    (scratch / "nginx-tmp").mkdir(exist_ok=True)
    (root / "answer.json").write_bytes(body)
    port = free_port()
    conf = scratch / "nginx.conf"
    # As root, nginx's workers would run as nobody, who cannot read the private scratch folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(NGINX_CONF.format(user=user, workers=workers, scratch=scratch, port=port))
    server = start([nginx, "-c", str(conf), "-p", str(scratch)], dict(os.environ), scratch / "nginx.log")
    processes.append(server)
    try:
        wait_until_up(server, port, API_FILTERED)
        return {"bytes": len(body), **load(port, API_FILTERED, connections, seconds)}
    finally:
        stop(server)


def run(args, scratch, processes, cleanups):
    figures = {"n": args.n, "db": args.db, "machine": machine(), "workers": args.workers, "repeat": args.repeat}
    if args.db == "sqlite":
        sqlite_path = scratch / "communs_bench.sqlite3"
        database_url = f"sqlite:///{sqlite_path}"
    else:
        base = args.database_url or (os.environ.get("DATABASE_URL") or "").strip()
        base = base if base.startswith("postgres") else DEFAULT_PG
        database_url, drop = create_postgres_database(base)
        cleanups.append(drop)
    redis_url = key_prefix = ""
    if args.cache == "redis":
        redis_url = args.redis_url
        key_prefix, remove_keys = use_redis(redis_url)
        cleanups.append(remove_keys)
    figures["cache"] = args.cache
    configure(database_url, args.conn_max_age, scratch / "cache", redis_url, key_prefix)

    from django.core.management import call_command
    from django.db import connections

    from benchmarks.generate import populate
    from initiatives.models import Initiative

    say(f"{args.db}: migrating a new database")
    call_command("migrate", verbosity=0, interactive=False)
    say(f"generating {args.n} initiatives")
    started = time.perf_counter()
    populate(args.n, seed=args.seed, log=say)
    figures["generate_seconds"] = round(time.perf_counter() - started, 1)
    say(f"generated in {figures['generate_seconds']} s; collecting static files")
    call_command("collectstatic", interactive=False, verbosity=0)
    step = max(args.n // (args.repeat + 1), 1)
    details = [entry.get_absolute_url() for entry in Initiative.objects.order_by("pk")[::step][: args.repeat + 1]]
    requests = [(label, template, paths or details) for label, template, paths in sequential_requests()]
    if args.skip_search:
        requests = [row for row in requests if "q=" not in row[1]]
    if args.cached_only:
        requests = []
    say("counting queries (in process)")
    # The second path of each row: the first is the warm-up of the timed series.
    queries = count_queries([paths[1 % len(paths)] for _, _, paths in requests])
    connections.close_all()
    if args.cached_only:
        figures["sequential"], figures["load"], api_count = [], [], None
    else:
        api_count = measure_uncached(args, figures, scratch, processes, requests, queries)

    # The same pages answered from the anonymous page cache (files in the scratch folder, as on a
    # machine without Redis, or Redis with --cache redis): what a repeated public read costs.
    cached = {"WEB_CONCURRENCY": str(args.workers), "PAGE_CACHE_TIMEOUT": "600"}
    server, port = serve(cached, scratch / "gunicorn-cached.log", processes)
    figures["cached"] = []
    for label, path in LOADED:
        say(f"  cached: {args.connections} connections x {args.seconds:g} s on GET {path}")
        figures["cached"].append({"label": label, "path": path, **load(port, path, args.connections, args.seconds)})
    client = Client(port)
    cached_body = client.get(API_FILTERED)[1]
    client.close()
    if args.cached_only:
        record_memory(figures, server)
    stop(server)
    say("nginx serving the same API answer from a file")
    figures["nginx"] = nginx_compare(scratch, processes, cached_body, args.workers, args.connections, args.seconds)
    if figures["nginx"]:
        ours = next(row["req_s"] for row in figures["cached"] if row["path"] == API_FILTERED)
        figures["nginx"]["ratio_req_s"] = ours / figures["nginx"]["req_s"]
    figures["machine"]["loadavg_after"] = os.getloadavg()

    if args.db == "sqlite" and not args.no_datasette and not args.cached_only:
        from benchmarks.datasette_compare import compare

        say("installing Datasette in a temporary virtualenv and serving the same file")
        figures["datasette"] = compare(
            sqlite_path,
            scratch,
            processes,
            api_count,
            repeat=args.repeat,
            max_seconds=args.max_seconds,
            connections=args.connections,
            seconds=args.seconds,
        )
        ours = next(row["req_s"] for row in figures["load"] if row["path"] == API_FILTERED)
        figures["datasette"]["ratio_req_s"] = ours / figures["datasette"]["load"]["req_s"]
    return figures


def record_memory(figures, server):
    figures["rss_mb"] = {
        "master": rss_mb(server.pid),
        "workers": [rss_mb(pid) for pid in children(server.pid)],
    }
    figures["worker_recycles"] = gunicorn_recycles(server.log_path)


def measure_uncached(args, figures, scratch, processes, requests, queries):
    """Steps 3 and 4, the page cache off: the sequential rows and the loaded ones, then the memory.
    Returns the count of the filtered API list (Datasette's answer is checked against it)."""
    server, port = serve({"WEB_CONCURRENCY": str(args.workers)}, scratch / "gunicorn.log", processes)
    say(f"gunicorn serving on 127.0.0.1:{port}")

    rows = []
    for label, template, paths in requests:
        say(f"  {args.repeat} x GET {template}")
        rows.append(
            {
                "label": label,
                "path": template,
                "queries": queries[paths[1 % len(paths)]],
                **sequential(port, paths, args.repeat, args.max_seconds),
            }
        )
    loaded = []
    for label, path in LOADED:
        say(f"  {args.connections} connections x {args.seconds:g} s on GET {path}")
        loaded.append({"label": label, "path": path, **load(port, path, args.connections, args.seconds)})
    figures["sequential"], figures["load"] = rows, loaded
    record_memory(figures, server)
    client = Client(port)
    api_count = json.loads(client.get(API_FILTERED)[1])["count"]
    client.close()
    stop(server)
    return api_count


def fmt(value, digits=0):
    return "-" if value is None else f"{value:,.{digits}f}"


def report(figures):
    m = figures["machine"]
    lines = [
        f"{figures['n']:,} initiatives on {figures['db']}, gunicorn with {figures['workers']} processes "
        f"(generated in {figures['generate_seconds']} s), shared cache: {figures['cache']}",
        f"machine: {m['cores']} cores ({m['usable_cores']} usable), {m['cpu']}; load average "
        f"{m['loadavg'][0]:.1f} before, {m['loadavg_after'][0]:.1f} after",
    ]
    if figures["sequential"]:
        lines += ["", f"{'request':58} {'p50 ms':>8} {'p95 ms':>8} {'n':>4} {'queries':>8}"]
    for row in figures["sequential"]:
        lines.append(
            f"{row['path'][:58]:58} {fmt(row['p50_ms'], 1):>8} {fmt(row['p95_ms'], 1):>8} {row['n']:>4} {row['queries']:>8}"
        )
    if any(row["n"] < figures["repeat"] for row in figures["sequential"]):
        lines.append(f"(n < {figures['repeat']}: that series stopped after --max-seconds)")
    first = (figures["load"] or figures["cached"])[0]
    heading = "under load" if figures["load"] else "from the page cache, under load"
    heading = f"{heading} ({first['connections']} keep-alive connections)"
    lines += ["", f"{heading:58} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'seconds':>8}"]
    for row in figures["load"]:
        lines.append(
            f"{row['path'][:58]:58} {fmt(row['req_s'], 1):>8} {fmt(row['p50_ms'], 1):>8} {fmt(row['p95_ms'], 1):>8} "
            f"{row['errors']:>7} {row['seconds']:>8g}"
        )
    if figures["load"]:
        lines += ["", "the same, answered from the anonymous page cache"]
    if figures.get("cached"):
        for row in figures["cached"]:
            lines.append(
                f"{row['path'][:58]:58} {fmt(row['req_s'], 1):>8} {fmt(row['p50_ms'], 1):>8} "
                f"{fmt(row['p95_ms'], 1):>8} {row['errors']:>7} {row['seconds']:>8g}"
            )
    if figures.get("nginx"):
        nginx = figures["nginx"]
        lines += [
            "",
            f"nginx serving the same {nginx['bytes']:,} bytes from a file: {fmt(nginx['req_s'], 1)} req/s "
            f"(p50 {fmt(nginx['p50_ms'], 1)} ms); the page cache / nginx: {nginx['ratio_req_s']:.3f} "
            "(the Python load driver caps both)",
        ]
    rss = figures["rss_mb"]
    lines += [
        "",
        f"RSS: master {fmt(rss['master'])} MB, workers {', '.join(fmt(w) + ' MB' for w in rss['workers'])} "
        f"(workers recycled by max_requests during the run: {figures['worker_recycles']})",
    ]
    if "datasette" in figures:
        ds = figures["datasette"]
        lines += [
            "",
            f"Datasette {ds['version']}, same SQLite file, same question ({ds['count']:,} rows):",
            f"  {ds['path']}",
            f"  p50 {fmt(ds['sequential']['p50_ms'], 1)} ms, p95 {fmt(ds['sequential']['p95_ms'], 1)} ms; "
            f"{fmt(ds['load']['req_s'], 1)} req/s under {ds['load']['connections']} connections "
            f"({ds['load']['errors']} errors); RSS {fmt(ds['rss_mb'])} MB",
            f"  ours / Datasette (req/s on {API_FILTERED}): {ds['ratio_req_s']:.2f}",
        ]
    return "\n".join(lines)


def main():
    args = parse_args()

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C and a `kill` stop the run through the cleanup below (SIGINT set explicitly: a shell
    # starts background jobs with it ignored).
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    scratch = Path(tempfile.mkdtemp(prefix="communs-serve-bench-"))
    processes, cleanups = [], []
    try:
        figures = run(args, scratch, processes, cleanups)
    except KeyboardInterrupt:
        say("interrupted: cleaning up")
        return 130
    except Exception:
        for process in processes:
            say(f"--- end of {process.log_path.name} ---\n{tail(process.log_path)}")
        raise
    finally:
        for process in processes:
            stop(process)
        for cleanup in cleanups:
            try:
                cleanup()
            except Exception as error:  # report it and go on cleaning
                say(f"cleanup failed: {error}")
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(figures, indent=2) if args.json else report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
