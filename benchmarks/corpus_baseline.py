"""The pyarrow baseline of `docnorm dataset`: the same files, the same processes, the least a script that gets a
corpus's text into Parquet does: each file loaded (`orjson.loads`), every string in it collected, one table per
batch of files (source, text) written with pyarrow (zstd), in batches of the size `docnorm dataset` uses.

    python benchmarks/corpus_baseline.py SRC OUT [-j N]      # (SRC: a folder of result files)
    python benchmarks/corpus_baseline.py --load-only SRC OUT   # orjson.loads of each file, nothing written

`corpus_bench.py` runs it as a command, like docnorm, and compares the two.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
from typing import Any


def strings(obj: Any) -> list[str]:
    """Every string value in a loaded JSON tree (any order)."""
    out: list[str] = []
    stack = [obj]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is str:
            out.append(node)
    return out


def one_table(job: tuple[str, int, list[str]]) -> int:
    """A batch of files as one Parquet table of their strings; returns the bytes read."""
    import orjson
    import pyarrow as pa
    import pyarrow.parquet as pq
    out, n, paths = job
    sources: list[str] = []
    texts: list[str] = []
    size = 0
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        size += len(data)
        found = strings(orjson.loads(data))
        sources += [path] * len(found)
        texts += found
    table = pa.table({"source": pa.array(sources, pa.string()), "text": pa.array(texts, pa.string())})
    pq.write_table(table, os.path.join(out, f"part-{n:05d}.parquet"), compression="zstd")
    return size


def load_only(job: tuple[str, int, list[str]]) -> int:
    """A batch of files, each loaded (the JSON floor of anything that reads them); nothing written."""
    import orjson
    size = 0
    for path in job[2]:
        with open(path, "rb") as fh:
            data = fh.read()
        size += len(data)
        orjson.loads(data)
    return size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("src")
    parser.add_argument("out")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args()
    paths = sorted(os.path.join(d, f) for d, _, files in os.walk(args.src) for f in files if f.endswith(".json"))
    size = max(1, min(256, -(-len(paths) // (4 * args.jobs))))  # the batches of `docnorm dataset`
    jobs = [(args.out, n, paths[k:k + size]) for n, k in enumerate(range(0, len(paths), size))]
    os.makedirs(args.out, exist_ok=True)
    work = load_only if args.load_only else one_table
    if args.jobs <= 1:
        done = sum(map(work, jobs))
    else:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            done = sum(pool.imap_unordered(work, jobs))
    assert done > 0


if __name__ == "__main__":
    main()
