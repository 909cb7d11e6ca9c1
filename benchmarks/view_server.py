"""Viewer server time for a 1,000-page document: first view (normalize + first slice), cached view, a slice
in the middle, a search. Run: python benchmarks/view_server.py [--pages 1000]."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402

from viewer import create_app  # noqa: E402


def timed(client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000, len(response.get_data())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        for name in ("llamacloud_v2", "somark", "baidu_result", "whisperer_retrieve", "ragflow_chunks"):
            with open(os.path.join(root, f"{name}.json"), "wb") as fh:
                fh.write(getattr(generate, name)(args.pages))
        client = create_app(root).test_client()
        print(f"{'file':22} {'first view':>11} {'cached view':>12} {'mid slice':>10} {'search':>9} {'view KB':>8}")
        for name in sorted(os.listdir(root)):
            first, size = timed(client, f"/view?f={name}")
            cached, _ = timed(client, f"/view?f={name}")
            mid, _ = timed(client, f"/api/slice?f={name}&start={args.pages // 2}")
            found, _ = timed(client, f"/api/search?f={name}&q=dividend")
            print(f"{name:22} {first:8.0f} ms {cached:9.1f} ms {mid:7.1f} ms {found:6.1f} ms {size / 1024:8.0f}")


if __name__ == "__main__":
    main()
