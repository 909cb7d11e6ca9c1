"""Corpus diff: 200 document pairs of about 20 pages each, compared with `docnorm diff DIR_A DIR_B` on every core.

Run: python benchmarks/corpus_diff_bench.py [--pairs 200] [--pages 20] [--jobs 0]
Side A holds LlamaCloud v2 results; side B the same documents with edits (a word changed per paragraph, a table
cell changed, one page dropped from every tenth document), saved under other file names: they pair by the
source file name each result records.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import orjson

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402


def edited(raw: dict, n: int) -> dict:
    for page in raw["items"]["pages"]:
        for item in page["items"]:
            if item.get("type") == "text" and item["value"]:
                item["value"] = item["value"].replace("revenue", "turnover", 1)
            if item.get("type") == "table":
                item["html"] = item["html"].replace("<td>Region 2</td>", "<td>Region II</td>")
    if n % 10 == 0:
        raw["items"]["pages"] = raw["items"]["pages"][1:]
    return raw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; min and median are reported")
    args = parser.parse_args()
    base = orjson.loads(generate.llamacloud_v2(args.pages))
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        os.makedirs(a), os.makedirs(b)
        for n in range(args.pairs):
            raw = orjson.loads(orjson.dumps(base))
            raw["job"]["name"] = f"report_{n:04d}.pdf"
            with open(os.path.join(a, f"llama_{n:04d}.json"), "wb") as fh:
                fh.write(orjson.dumps(raw))
            with open(os.path.join(b, f"job-{n * 7919 % 100003}.json"), "wb") as fh:
                fh.write(orjson.dumps(edited(raw, n)))
        times = []
        for _ in range(args.repeat):  # the user waits for the whole command: start-up, pairing, reports
            start = time.perf_counter()
            out = subprocess.run(["docnorm", "diff", a, b, "-j", str(args.jobs), "--json", os.path.join(tmp, "c.json"),
                                  "--html", os.path.join(tmp, "c.html")], capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            assert out.returncode == 0, out.stderr
        print(out.stdout.strip().splitlines()[-6])
        best, median = min(times), statistics.median(times)
        print(f"{args.pairs} pairs of {args.pages} pages, {os.cpu_count()} cores, jobs={args.jobs or 'all'}, "
              f"{args.repeat} rounds: min {best:.1f} s, median {median:.1f} s ({args.pairs / best:.1f} pairs/s), "
              f"reports for every pair included")

if __name__ == "__main__":
    main()
