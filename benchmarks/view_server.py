"""Viewer server time, as the browser waits for it (min and median of several rounds):

- big documents (1,000 pages by default; --pages 10000 for the corpus-scale figures): the first view (normalize
  plus the first slice), a warm view, a slice from the middle, a first search (which builds the document's text
  index) and the next one;
- the index of a folder of many result files (--files 10000): the first page of the index cold (what it shows
  while the rest is read in the background), and warm once every summary is known.

Run: python benchmarks/view_server.py [--pages 1000] [--formats llamacloud_v2,somark] [--files 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
from corpus_bench import make_corpus  # noqa: E402

from viewer import create_app  # noqa: E402

FORMATS = ("llamacloud_v2", "somark", "baidu_result", "whisperer_retrieve", "ragflow_chunks")


def timed(client, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(url)
    body = response.get_data()  # kept until the timer stops: the user waits for the whole page
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000, body


def best(times: list[float]) -> str:
    return f"{min(times):7.1f} / {statistics.median(times):7.1f}"


def documents(pages: int, formats: list[str], rounds: int) -> None:
    with tempfile.TemporaryDirectory() as root:
        for name in formats:
            with open(os.path.join(root, f"{name}.json"), "wb") as fh:
                fh.write(getattr(generate, name)(pages))
        print(f"{pages:,}-page documents, ms (min / median of {rounds})")
        print(f"{'file':24} {'first view':>17} {'warm view':>17} {'mid slice':>17} {'first search':>17} "
              f"{'next search':>17}")
        for name in sorted(os.listdir(root)):
            first, warm, mid, found, again = [], [], [], [], []
            for _ in range(rounds):
                client = create_app(root).test_client()  # a new server: nothing cached
                first.append(timed(client, f"/view?f={name}")[0])
                warm.append(timed(client, f"/view?f={name}")[0])
                mid.append(timed(client, f"/api/slice?f={name}&start={pages // 2}")[0])
                found.append(timed(client, f"/api/search?f={name}&q=dividend")[0])
                again.append(timed(client, f"/api/search?f={name}&q=net income")[0])
            print(f"{name:24} {best(first)} {best(warm)} {best(mid)} {best(found)} {best(again)}", flush=True)


def index(files: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as root:
        make_corpus(Path(root), files)
        cold, warm = [], []
        for _ in range(rounds):
            app = create_app(root)
            client = app.test_client()
            cold.append(timed(client, "/")[0])
            store = app.extensions["docnorm"].store
            while store.scanning:
                time.sleep(0.05)
            timed(client, "/")  # the scan's last files
            warm.append(timed(client, "/")[0])
            warm.append(timed(client, "/?sort=blocks&dir=desc&page=3")[0])
        print(f"index of {files:,} files, ms (min / median): first page cold {best(cold)}, warm {best(warm)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--files", type=int, default=0, help="also time the index of this many files")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.pages:
        documents(args.pages, args.formats.split(","), args.rounds)
    if args.files:
        index(args.files, args.rounds)


if __name__ == "__main__":
    main()
