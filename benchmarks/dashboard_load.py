"""Dashboard under load: concurrent forecast requests on loopback, latency percentiles.

    python benchmarks/dashboard_load.py [--requests 50] [--concurrency 50] [--model eum] [--samples 0] [--workers 1]

Starts `accord serve` in its own process on a free loopback port, over a temporary folder
holding the Korea scenario and a temporary run store (every request records its run, as in
real use), sends a few requests one at a time (the time of one request alone), then the
requests from a thread pool all at once, each followed to its forecast as the page follows it
(a forecast not done within the server's first wait answers with a progress bar that asks for
it again at once, and the server holds that ask until the forecast is done), and prints a
table: requests, errors, latency p50 / p95 / max and the throughput, then the server's CPU
during the burst per process (Linux): with several workers, how evenly they shared it. Each
request edits Russia's sanctions position to a different value, so no two runs are alike.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise SystemExit(f"the dashboard did not answer at {url}")


JOB = re.compile(r'hx-get="(/jobs/[\w-]+)"')


def forecast(url: str, k: int, model: str, samples: int) -> tuple[float, int]:
    """One request, until its forecast is shown: (seconds, HTTP status); status 0 for a failed
    connection. A forecast not done within the server's first wait answers with a progress bar
    that asks for the job at once (templates/_job.html: hx-trigger "load"; the server holds the
    ask until the job is done or a second passes); so does this, on the same connection (a
    browser's kept-alive one: a job lives in the server process that runs it), and the time
    counts until the forecast."""
    body = urllib.parse.urlencode({"model": model, "samples": samples, "seed": k,
                                   "position:RUS:sanctions": 40 + k % 60})
    parts = urllib.parse.urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"  # a form of the dashboard's own page: its origin
    start = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    try:
        connection.request("POST", parts.path, body, {"Origin": origin,
                                                      "Content-Type": "application/x-www-form-urlencoded"})
        while True:
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            job = JOB.search(text) if response.status == 200 else None
            if job is None:
                return time.perf_counter() - start, response.status
            connection.request("GET", job.group(1))
    except (OSError, http.client.HTTPException):
        return time.perf_counter() - start, 0
    finally:
        connection.close()


def load(requests: int = 50, concurrency: int = 50, model: str = "eum", samples: int = 0, serial: int = 5,
         workers: int = 1) -> dict:
    """Serve the Korea scenario and send ``requests`` forecasts, ``concurrency`` at once, after
    ``serial`` requests one at a time (the service time of one request, for the lower bound).
    Returns the latencies (s), their statuses, the wall time, the serial times and the server's
    peak resident memory (MiB)."""
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scenarios"
        folder.mkdir()
        shutil.copy(ROOT / "scenarios" / "korea-2018.yaml", folder / "korea-2018.yaml")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "accord", "serve", str(folder), "--port", str(port),
                                   "--store", str(Path(tmp) / "runs.sqlite"), "--workers", str(workers)],
                                  stdout=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/")
            url = f"{base}/scenario/korea-2018.yaml/forecast"
            for k in range(2 * workers):  # warm up every worker: imports, the scenario's first read
                forecast(url, k, model, samples)
            settle(server.pid)  # the start-up's background work (compiled kernels loading) done
            alone = [forecast(url, 1000 + k, model, samples)[0] for k in range(serial)]
            before = process_cpu(server.pid)
            start = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                done = list(pool.map(lambda k: forecast(url, k, model, samples), range(requests)))
            wall = time.perf_counter() - start
            after = process_cpu(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    return {"seconds": np.array([d for d, _ in done]), "statuses": [s for _, s in done], "wall": wall,
            "serial": alone, "peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "cpu": sorted((after.get(p, 0.0) - before.get(p, 0.0) for p in after), reverse=True)}


def process_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of the server and of each of its worker processes, by process id,
    from /proc (Linux; empty elsewhere): how the burst's work was shared among the workers."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found = {}
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[p] = (int(fields[11]) + int(fields[12])) / tick
    return found


def settle(pid: int, quiet: float = 0.5, timeout: float = 60) -> None:
    """Wait until the server and its workers use almost no CPU for ``quiet`` seconds (Linux; at
    once elsewhere): a server loads numba's kernels in the background as it starts (seconds of
    CPU), which a burst measured then would count as its own."""
    deadline = time.monotonic() + timeout
    last = sum(process_cpu(pid).values())
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = sum(process_cpu(pid).values())
        if now - last < 0.05 * quiet:
            return
        last = now


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--model", default="eum")
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="server processes (accord serve --workers)")
    args = parser.parse_args()
    found = load(args.requests, args.concurrency, args.model, args.samples, workers=args.workers)
    seconds, wall = found["seconds"], found["wall"]
    errors = sum(status != 200 for status in found["statuses"])
    p50, p95 = np.percentile(seconds, [50, 95])
    print(f"dashboard on loopback: {args.requests} forecast requests ({args.model}, samples {args.samples}), "
          f"{args.concurrency} at once, {args.workers} server process(es); one request alone: "
          f"{min(found['serial']):.3f} s")
    print(f"{'requests':>8s} {'errors':>6s} {'p50 s':>7s} {'p95 s':>7s} {'max s':>7s} {'wall s':>7s} {'req/s':>6s}")
    print(f"{args.requests:8d} {errors:6d} {p50:7.3f} {p95:7.3f} {seconds.max():7.3f} {wall:7.2f} "
          f"{args.requests / wall:6.1f}")
    busy = [c for c in found["cpu"] if c > 0]
    if busy:
        print(f"server CPU during the burst: {sum(busy):.2f} s ({sum(busy) / args.requests * 1e3:.1f} ms a request), "
              f"by process: {', '.join(f'{c:.2f} s' for c in busy)}")
    if errors:
        raise SystemExit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
