"""The HTTP side of the serving benchmark: timed requests, a keep-alive load driver, server processes.

Standard library only (http.client and threads), so that the benchmark needs nothing installed. The
driver runs on the same machine as the server and takes some of its CPU: the figures are a floor.
"""

import http.client
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path

RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.BadStatusLine)


class Client:
    """One keep-alive connection; reconnects when the server closed it (idle timeout, worker recycled)."""

    def __init__(self, port, host="127.0.0.1", timeout=300):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def get(self, path):
        """(status, body) of a GET, reusing the connection."""
        for attempt in range(2):
            try:
                self.conn.request("GET", path, headers={"Host": self.host, "Accept-Encoding": "identity"})
                response = self.conn.getresponse()
                return response.status, response.read()
            except RETRYABLE:
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        self.conn.close()


def percentile(values, fraction):
    """The nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


def sequential(port, path, repeat, max_seconds):
    """Milliseconds of `repeat` GETs one after the other on one connection, after one warm-up.

    `path` is one path, or a list of them: the first is the warm-up, the others are asked in turn
    (a different search word on every request, so that no cache answers).
    Stops early (after at least 5) once `max_seconds` have passed, so that a slow page on a large
    directory does not hold the run for an hour; the caller reports how many were made.
    """
    paths = [path] if isinstance(path, str) else list(path)
    measured = paths[1:] or paths
    client = Client(port)
    try:
        status, body = client.get(paths[0])
        if status != 200:
            raise RuntimeError(f"GET {paths[0]} answered {status}: {body[:300]!r}")
        timings, started = [], time.perf_counter()
        for number in range(repeat):
            current = measured[number % len(measured)]
            start = time.perf_counter()
            status, _ = client.get(current)
            timings.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise RuntimeError(f"GET {current} answered {status}")
            if len(timings) >= 5 and time.perf_counter() - started > max_seconds:
                break
        return {
            "p50_ms": statistics.median(timings),
            "p95_ms": percentile(timings, 0.95),
            "n": len(timings),
            "bytes": len(body),
        }
    finally:
        client.close()


def load(port, path, connections, seconds):
    """Requests per second of `connections` clients, each on its own keep-alive connection, for `seconds`."""
    barrier = threading.Barrier(connections + 1)
    deadline = [0.0]
    results = [None] * connections

    def worker(index):
        client, timings, errors = Client(port), [], 0
        barrier.wait()
        try:
            while time.perf_counter() < deadline[0]:
                start = time.perf_counter()
                try:
                    status, _ = client.get(path)
                except (OSError, http.client.HTTPException):
                    status = None
                    client.close()
                if status == 200:
                    timings.append((time.perf_counter() - start) * 1000)
                else:
                    errors += 1
        finally:
            client.close()
            results[index] = (timings, errors)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    timings = [t for ts, _ in results for t in ts]
    return {
        "req_s": len(timings) / elapsed,
        "requests": len(timings),
        "errors": sum(errors for _, errors in results),
        "p50_ms": statistics.median(timings) if timings else None,
        "p95_ms": percentile(timings, 0.95) if timings else None,
        "connections": connections,
        "seconds": round(elapsed, 1),
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command, env, log_path, cwd=None):
    """A server process in its own session (Ctrl-C reaches the benchmark, which stops it), logging to a file."""
    log = open(log_path, "wb")  # noqa: SIM115 (closed by stop())
    process = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    process.log, process.log_path = log, log_path
    return process


def stop(process, grace=15):
    """SIGTERM to the process's group (a gunicorn master and its workers), then SIGKILL after `grace`."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
    process.log.close()


def wait_until_up(process, port, path, timeout=120):
    """Wait for a 200 on `path`; a process that dies meanwhile fails with the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}):\n{tail(process.log_path)}")
        try:
            client = Client(port, timeout=30)
            status, _ = client.get(path)
            client.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server did not answer 200 on {path} within {timeout} s:\n{tail(process.log_path)}")


def tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def rss_mb(pid):
    """Resident memory of a process in MB, from /proc (None where there is no /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid):
    """The pids whose parent is `pid` (a gunicorn master's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name may hold spaces and parentheses: the parent pid follows the last ")".
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def machine():
    """Cores and CPU model, and the load average (the machine may be shared: the figures are then noisy)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {"cores": os.cpu_count(), "usable_cores": usable, "cpu": model, "loadavg": os.getloadavg()}
