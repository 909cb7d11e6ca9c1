"""Load on the viewer over loopback: N clients for T seconds on a mix of routes; requests/s, p50/p99, errors.

Run: python benchmarks/load.py [--clients 32] [--seconds 30] [--server-cmd "..."]
By default it starts `docnorm serve` (this checkout) on a free 127.0.0.1 port over the bundled samples plus a
200-page generated result, and stops it at the end. Every request goes to 127.0.0.1 only; the loop is bounded in
time and stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import generate  # noqa: E402

ROUTES = [
    "/",
    "/view?f=llamacloud/annual_report_v2.json",
    "/view?f=big.json",
    "/api/slice?f=big.json&start=100",
    "/api/search?f=big.json&q=dividend",
    "/api/block?f=baidu/annual_report_result.json&id=p1-b2",
    "/export/md?f=somark/annual_report_async_check.json",
    "/export/html?f=same_report/harbor_q3_baidu.json",
    "/compare?a=same_report/harbor_q3_llamacloud_v2.json&b=same_report/harbor_q3_baidu.json",
    "/asset/same_report/page_2_image_1.png",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def client(port: int, stop: float, offset: int, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = offset
    while time.monotonic() < stop:
        route = ROUTES[i % len(ROUTES)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request("GET", route)
            response = conn.getresponse()
            response.read()
            if response.status >= 500:
                errors.append(f"{response.status} {route}")
            elif response.status >= 400:
                errors.append(f"{response.status} {route}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{type(exc).__name__} {route}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - start)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--server-cmd", help="command to start the server; {dir} and {port} are filled in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        served = os.path.join(tmp, "samples")
        shutil.copytree(os.path.join(ROOT, "samples"), served)
        with open(os.path.join(served, "big.json"), "wb") as fh:
            fh.write(generate.llamacloud_v2(200))
        port = free_port()
        cmd = (args.server_cmd or f"{sys.executable} -m viewer.cli serve {{dir}} --port {{port}}").format(
            dir=served, port=port)
        # its log is not read: a pipe nobody drains would fill and stall the server
        server = subprocess.Popen(cmd, shell=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(port)
            for route in ROUTES:  # warm the caches: measure serving, not the first normalize
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", route)
                conn.getresponse().read()
                conn.close()
            latencies: list[float] = []
            errors: list[str] = []
            stop = time.monotonic() + args.seconds
            threads = [threading.Thread(target=client, args=(port, stop, k, latencies, errors))
                       for k in range(args.clients)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    latencies.sort()
    p = lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000  # noqa: E731
    print(f"{args.clients} clients, {elapsed:.0f} s: {len(latencies)} requests, {len(latencies) / elapsed:.0f} req/s, "
          f"p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms, "
          f"errors {len(errors)}" + (f" (e.g. {errors[:3]})" if errors else ""))


if __name__ == "__main__":
    main()
