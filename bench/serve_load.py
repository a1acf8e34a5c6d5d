"""A bounded load test of `arithseq serve` on 127.0.0.1: requests, failures, throughput and latency.

    python bench/serve_load.py [RUN] [--requests 2000] [--threads 8] [--port 8799]

Starts `arithseq serve RUN` in its own process (without RUN it first trains the quick
start's run, about half a minute), then sends --requests GET /api/predict?q=EXPR
requests (random two-number sums) from one thread (the baseline) and from --threads
threads, each with its own keep-alive connection. Prints requests per second and the
50th/99th percentile latency of both, and the ratio of their throughputs: what the
server's batching (one worker per model answers whatever is queued together) buys
when several people ask at once. Any failed request (not 200, or an answer without
the network's text) is counted and makes the script exit 1. Run nothing else meanwhile.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path


def start(run: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "arithseq.cli", "serve", str(run), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped: {server.stderr.read()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/runs")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start within 2 minutes")


def load(port: int, requests: int, threads: int) -> tuple[float, list[float], int]:
    """(seconds, latencies, failures) of ``requests`` spread over ``threads`` threads."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    share = [requests // threads + (i < requests % threads) for i in range(threads)]

    def worker(count: int, seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], 0
        for _ in range(count):
            query = urllib.parse.urlencode({"q": f"{rng.randint(1, 999)}+{rng.randint(1, 999)}"})
            began = time.perf_counter()
            try:
                connection.request("GET", f"/api/predict?{query}")
                response = connection.getresponse()
                body = json.loads(response.read())
                ok = response.status == 200 and isinstance(body.get("answer"), str)
            except (OSError, ValueError, http.client.HTTPException):
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - began)
            bad += not ok
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    pool = [threading.Thread(target=worker, args=(count, i)) for i, count in enumerate(share)]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - began, latencies, failures[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", nargs="?", type=Path, help="a run directory (default: train the quick start's run)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    run = args.run
    if run is None:
        run = Path(tempfile.mkdtemp(prefix="arithseq-serve-bench-")) / "run"
        print(f"training the quick start's run into {run} ...", flush=True)
        subprocess.run([sys.executable, "-m", "arithseq.cli", "train", "-o", str(run), "-q"], check=True, stdout=subprocess.DEVNULL)
    server = start(run, args.port)
    try:
        load(args.port, 50, 1)  # warm-up: the first answers trace the model's graphs
        rows = []
        for threads in (1, args.threads):
            seconds, latencies, failures = load(args.port, args.requests, threads)
            rows.append((threads, args.requests / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99), failures))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.requests:,} GET /api/predict requests per setting, server on 127.0.0.1, run {run}")
    print(f"{'threads':>8} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for threads, rate, p50, p99, failures in rows:
        print(f"{threads:>8} {rate:>11,.1f} {1000 * p50:>8.1f} {1000 * p99:>8.1f} {failures:>7}")
    print(f"throughput ratio, {args.threads} threads / 1 thread: {rows[1][1] / rows[0][1]:.2f}x")
    if any(row[4] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
