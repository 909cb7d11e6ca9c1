"""Where a reader's time goes: typed decode, table parsing, the closing steps, and its own per-block loop.

Run: python benchmarks/reader_phases.py [--pages 1000] [--repeat 5] [FORMAT ...]. Each phase is timed by
wrapping the kit function every reader calls for it (`decode_as`, `read_table` / Docling's table reader,
`finish`) in the reader's module; "loop" is the rest of `normalize`: the per-block mapping that is the reader's
own code. Figures are from the fastest of `--repeat` rounds, with the result kept alive until the clock stops.
The last row is the least a Python reader can spend per block (`python_floor`), for scale.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import time
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

from normalizer import normalize  # noqa: E402

MODULES = {"llamacloud.v2": "llamacloud_v2", "somark": "somark", "baidu.result": "baidu",
           "whisperer.retrieve": "llmwhisperer", "ragflow.chunks": "ragflow", "docling": "docling",
           "unstructured": "unstructured", "mineru": "mineru", "mineru.v2": "mineru_v2", "marker": "marker"}
FLOOR_BLOCKS = 21000  # the blocks of the 1,000-page benchmark document
PHASES = {"decode_as": "decode", "read_table": "tables", "finish": "finish"}


def _timed(fn: Callable[..., Any], phase: str, spent: dict[str, float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - start
    return wrapper


def _instrument(module: Any, spent: dict[str, float]) -> None:
    for name, phase in PHASES.items():
        if hasattr(module, name):
            setattr(module, name, _timed(getattr(module, name), phase, spent))
    reader = getattr(module, "_Reader", None)
    if reader is not None and hasattr(reader, "table"):  # Docling places TableData cells itself
        reader.table = _timed(reader.table, "tables", spent)


def python_floor(blocks: int) -> float:
    """Seconds for the least Python a reader can run per block: one Block with an id, a kind from a table, its
    text, a checked box and a one-key extra, from values already decoded (no provider fields, no tables)."""
    from normalizer.geometry import clean_box
    from normalizer.schema import Block
    kinds = {"text": "paragraph"}
    raw = [("text", f"block {i}", [10, 20, 30, 40]) for i in range(blocks)]
    return run.timed(lambda: [Block(id=f"p1-b{i}", page=1, kind=kinds[word], text=text,  # type: ignore[arg-type]
                                    bbox=clean_box(box), extra={"type": word}) for i, (word, text, box) in enumerate(raw)],
                     5, pause_gc=True)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("formats", nargs="*", default=list(MODULES))
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spent: dict[str, float] = {}
    for name in args.formats:
        _instrument(importlib.import_module(f"normalizer.providers.{MODULES[name]}"), spent)
    print(f"{args.pages} pages; ms, fastest of {args.repeat} rounds")
    print(f"{'format':18} {'total':>7} {'decode':>7} {'tables':>7} {'finish':>7} {'loop':>7} {'blocks':>7} "
          f"{'loop us/block':>14}")
    for name in args.formats:
        data = run.CASES[name](args.pages)
        blocks = len(normalize(data).blocks)
        best: tuple[float, dict[str, float]] | None = None
        for _ in range(args.repeat):
            spent.clear()
            gc.collect()
            start = time.perf_counter()
            doc = normalize(data)
            total = time.perf_counter() - start
            del doc
            if best is None or total < best[0]:
                best = (total, dict(spent))
        assert best is not None
        total, phases = best
        loop = total - sum(phases.values())
        print(f"{name:18} {total * 1e3:7.1f} " + " ".join(f"{phases.get(p, 0.0) * 1e3:7.1f}" for p in
                                                          ("decode", "tables", "finish"))
              + f" {loop * 1e3:7.1f} {blocks:7} {loop / blocks * 1e6:14.2f}")
    floor = python_floor(FLOOR_BLOCKS)
    print(f"{'python floor':18} {'':7} {'':7} {'':7} {'':7} {floor * 1e3:7.1f} {FLOOR_BLOCKS:7} "
          f"{floor / FLOOR_BLOCKS * 1e6:14.2f}"
          "   (a Block per block and nothing else)")


if __name__ == "__main__":
    main()
