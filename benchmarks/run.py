"""docnorm benchmark: normalize against two references on the same document, and peak memory.

Run: python benchmarks/run.py [--pages 1000] [--repeat 5]. One run prints one table per measure.

- `orjson.loads`: parsing the input bytes, nothing built.
- `canonical`: msgspec (C) decoding the result's own canonical JSON into a Document: building the output
  objects with no Python in the loop, the floor of any converter that returns the canonical Document.
  The target is normalize <= 3.5x this floor.

Every timing keeps the result alive while the clock runs and frees it after the clock stops (the user
waits for the result, not for its destruction), includes detection (normalize is called as a user calls
it), and is reported as min and median of `--repeat` rounds, cases side by side in one process.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from typing import Any, Callable

import orjson

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402

from exporters import to_html, to_markdown, to_text  # noqa: E402
from normalizer import join, normalize  # noqa: E402
from normalizer.schema import decode, encode  # noqa: E402


def timed(fn: Callable[[], Any], repeat: int, pause_gc: bool = False) -> tuple[float, float]:
    """(min, median) seconds of `fn()`, its result kept alive until the clock has stopped.

    `pause_gc` gives a reference the conditions normalize makes for itself (it pauses the collector while it
    builds its acyclic tree); without it, collector passes over the growing tree would inflate the floor."""
    times = []
    for _ in range(repeat):
        gc.collect()
        if pause_gc:
            gc.disable()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        gc.enable()
        del result
    return min(times), statistics.median(times)


def peak_mib(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    return peak / 2**20


CASES: dict[str, Callable[[int], bytes]] = {
    "llamacloud.v2": generate.llamacloud_v2,
    "somark": generate.somark,
    "baidu.result": generate.baidu_result,
    "whisperer.retrieve": generate.whisperer_retrieve,
    "ragflow.chunks": generate.ragflow_chunks,  # 20 chunks a page: 20,000 chunks for 1,000 pages
    "docling": generate.docling,  # the llamacloud.v2 document as DoclingDocument JSON
    "unstructured": generate.unstructured,  # … as unstructured elements
    "mineru": generate.mineru,  # … as a MinerU content list
    "mineru.v2": generate.mineru_v2,  # … as MinerU 3's content_list_v2.json
    "mineru.model": generate.mineru_model,  # … as MinerU's model.json (layout detections and OCR lines)
    "marker": generate.marker,  # … as marker JSON
    "paddle.api": generate.paddle_api,  # … as PaddleOCR's layout-parsing response (PaddleOCR-VL, a result per page)
}
# Formats saved one page per file: each file normalized, then `join`ed, against the same two references taken over
# the same files (orjson.loads of each) and over the joined document's canonical JSON.
PAGED: dict[str, Callable[[int], list[bytes]]] = {
    "paddle.vl": generate.paddle_vl_pages,
    "paddle.structure": generate.paddle_structure_pages,
}


def ms(pair: tuple[float, float]) -> str:
    return f"{pair[0] * 1000:7.1f} / {pair[1] * 1000:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="one case (format id)")
    args = parser.parse_args()
    exports = []
    print(f"{args.pages} pages; times in ms as min / median of {args.repeat} rounds")
    print(f"{'format':18} {'MB':>5} {'orjson.loads':>17} {'canonical':>17} {'normalize':>17} "
          f"{'/orjson':>7} {'/canonical':>10} {'peak MiB':>9}")
    for name, make in CASES.items():
        if args.only and name != args.only:
            continue
        data = make(args.pages)
        doc = normalize(data)  # warm-up, and a sanity check
        assert len(doc.pages) == args.pages, (name, len(doc.pages))
        canonical = encode(doc)
        del doc  # time each case on a heap holding only its input, as a fresh process would
        t_loads = timed(lambda: orjson.loads(data), args.repeat, pause_gc=True)
        t_canon = timed(lambda: decode(canonical), args.repeat, pause_gc=True)
        t_norm = timed(lambda: normalize(data), args.repeat)
        peak = peak_mib(lambda: normalize(data))
        print(f"{name:18} {len(data) / 1e6:5.1f} {ms(t_loads)} {ms(t_canon)} {ms(t_norm)} "
              f"{t_norm[0] / t_loads[0]:6.2f}x {t_norm[0] / t_canon[0]:9.2f}x {peak:9.1f}")
        exports.append((name, canonical))
    paged(args)
    print(f"\n{'export (' + str(args.pages) + ' pages)':22} {'markdown':>17} {'html':>17} {'text':>17}")
    for name, canonical in exports:
        doc = decode(canonical)
        times = [timed(lambda f=f: f(doc), args.repeat) for f in (to_markdown, to_html, to_text)]
        print(f"{name:22} " + " ".join(ms(t) for t in times))


def paged(args: argparse.Namespace) -> None:
    """The one-page-per-file formats: normalize every page file and join them, as `--join` does."""
    for name, make in PAGED.items():
        if args.only and name != args.only:
            continue
        files = make(args.pages)
        doc = join([normalize(f) for f in files])  # warm-up, and a sanity check
        assert len(doc.pages) == args.pages and not doc.warnings, (name, len(doc.pages), doc.warnings[:3])
        canonical = encode(doc)
        del doc
        t_loads = timed(lambda: [orjson.loads(f) for f in files], args.repeat, pause_gc=True)
        t_canon = timed(lambda: decode(canonical), args.repeat, pause_gc=True)
        t_norm = timed(lambda: join([normalize(f) for f in files]), args.repeat)
        peak = peak_mib(lambda: join([normalize(f) for f in files]))
        size = sum(len(f) for f in files) / 1e6
        print(f"{name + ' (join)':18} {size:5.1f} {ms(t_loads)} {ms(t_canon)} {ms(t_norm)} "
              f"{t_norm[0] / t_loads[0]:6.2f}x {t_norm[0] / t_canon[0]:9.2f}x {peak:9.1f}")


if __name__ == "__main__":
    main()
