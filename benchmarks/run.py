"""docnorm benchmark: normalize vs `orjson.loads` on the same bytes, and peak memory.

Run: python benchmarks/run.py [--pages 1000]. Prints one table; timings are the best of N runs.

`canonical` is msgspec (C) decoding the result's own canonical JSON into a Document: the cost of building the
output objects with no Python in the loop, a floor for any converter that returns the canonical Document.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from typing import Any, Callable

import orjson

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402

from exporters import to_html, to_markdown, to_text  # noqa: E402
from normalizer import normalize  # noqa: E402
from normalizer.schema import decode, encode  # noqa: E402


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()  # normalize pauses the collector itself; give orjson.loads the same conditions
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        gc.enable()
    return min(times)


def peak_mib(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


CASES: dict[str, Callable[[int], bytes]] = {
    "llamacloud.v2": generate.llamacloud_v2,
    "somark": generate.somark,
    "baidu.result": generate.baidu_result,
    "whisperer.retrieve": generate.whisperer_retrieve,
    "ragflow.chunks": generate.ragflow_chunks,  # 20 chunks a page: 20,000 chunks for 1,000 pages
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    exports = []
    print(f"{'format':18} {'MB':>5} {'orjson.loads':>13} {'normalize':>10} {'ratio':>6} {'canonical':>10} "
          f"{'ratio':>6} {'peak MiB':>9}")
    for name, make in CASES.items():
        data = make(args.pages)
        doc = normalize(data)  # warm-up, and a sanity check
        assert len(doc.pages) == args.pages, (name, len(doc.pages))
        canonical = encode(doc)
        del doc  # time each case on a heap holding only its input, as a fresh process would
        t_loads = best(lambda: orjson.loads(data), args.repeat)
        t_norm = best(lambda: normalize(data), args.repeat)
        t_canon = best(lambda: decode(canonical), args.repeat)
        peak = peak_mib(lambda: normalize(data))
        print(f"{name:18} {len(data) / 1e6:5.1f} {t_loads * 1000:10.1f} ms {t_norm * 1000:7.1f} ms "
              f"{t_norm / t_loads:5.2f}x {t_canon * 1000:7.1f} ms {t_canon / t_loads:5.2f}x {peak:9.1f}")
        exports.append((name, canonical))
    print(f"\n{'export (' + str(args.pages) + ' pages)':28} {'markdown':>9} {'html':>9} {'text':>9}")
    for name, canonical in exports:
        doc = decode(canonical)
        times = [best(lambda f=f: f(doc), args.repeat) for f in (to_markdown, to_html, to_text)]
        print(f"{name:28} " + " ".join(f"{t * 1000:6.1f} ms" for t in times))

if __name__ == "__main__":
    main()
