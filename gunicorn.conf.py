"""Gunicorn's configuration for production: `make serve`, or `gunicorn -c gunicorn.conf.py communs.wsgi`.

Every value can be changed from the environment, so that one file serves every deployment; the
defaults suit a small virtual machine behind a reverse proxy (nginx, Caddy) that terminates HTTPS.
Gunicorn reads this file itself (it is Python, not Django settings), so it reads only os.environ.
"""

import os


def env_int(name, default):
    return int(os.environ.get(name) or default)


def cores():
    # The CPUs this process may use (a container or `taskset` may give it fewer than the machine has).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# Where to listen: BIND as gunicorn writes it ("0.0.0.0:8000", "unix:/run/communs.sock"), or HOST and
# PORT as `make run` takes them. Loopback by default: the reverse proxy is on the same machine, and a
# server started by mistake is then not exposed to the network.
bind = [os.environ.get("BIND") or f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"]

# Processes: gunicorn's advice, 2 per core + 1 (one can run while another waits on the database),
# capped because each process holds the whole application (~100 MB) and its own database connections.
# WEB_CONCURRENCY is the name hosting platforms (and gunicorn itself) use to set it.
workers = env_int("WEB_CONCURRENCY", min(2 * cores() + 1, 8))

# Threads per process. More than one selects the threaded worker ("gthread"), which overlaps the
# requests of one process while they wait on the database, and is the worker that honours keep-alive
# (the plain sync worker closes the connection after each answer). Two keep the memory of a process
# shared by few requests; the work is mostly Python, so more threads would mostly wait for the GIL.
threads = env_int("GUNICORN_THREADS", 2)

# A process silent for this long is taken as hung, killed and replaced. With the threaded worker the
# process's main loop answers while its threads work, so a slow request (a streamed full export) is
# not cut; with one thread (the sync worker) a request is cut after this long. 30 s is gunicorn's
# default and stays under a proxy's usual 60 s.
timeout = env_int("GUNICORN_TIMEOUT", 30)

# On restart or deploy (SIGTERM, SIGHUP) a process gets this long to finish the requests in flight.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)

# Seconds an idle keep-alive connection stays open: the proxy (or a client holding a connection for
# several API calls) reuses it without a new handshake, and an idle one does not hold a thread long.
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Replace each process after this many requests, so that a slow leak (a cache that grows, fragmented
# memory) cannot grow for ever; the jitter spreads the restarts so that the processes never restart
# together. 0 turns it off.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load the application once in the master, before forking: a configuration error (no SECRET_KEY, a
# bad DATABASE_URL) stops the server at once instead of workers crashing in a loop, and the processes
# share the loaded code's memory (copy on write). Django opens no database connection at import, so
# none is shared between processes.
preload_app = True

# Access and error logs on the standard output and error, where systemd's journal or the container
# runtime collects them; %(M)s is the time each request took, in milliseconds.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# The workers' heartbeat files: in memory where there is a /dev/shm, since a container's disk may
# block long enough for the master to take a healthy worker for a stuck one.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# No control socket (gunicorn 25.1 and later): its default path is one per user account, so two
# servers of one account (a staging and a production, a benchmark) would take each other's; signals
# (HUP to reload, TERM to stop) do the same work.
control_socket_disable = True


def when_ready(server):
    """Once the application is loaded, before any request: the deployment checks of the shared cache.

    A Redis without `maxmemory` and an eviction policy lets anyone grow the page cache until the
    machine runs out of memory; `check --deploy` says so, but only when someone runs it. The server
    still starts (a cache that is down is the health check's business), and says it in its log.
    """
    import django
    from django.core import checks

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "communs.settings")
    django.setup()  # already done when the application is preloaded (preload_app); a no-op then
    for message in checks.run_checks(tags=[checks.Tags.caches], include_deployment_checks=True):
        server.log.warning("start-up check %s: %s %s", message.id, message.msg, message.hint or "")
