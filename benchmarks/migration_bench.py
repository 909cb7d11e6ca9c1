"""Format migration speed on one 1,000-page document, side by side: our HTML export (the reference), DoclingDocument
JSON, unstructured elements, LangChain JSON lines and XLSX; and docling-core's own time to load our Docling JSON
(pydantic validation), for comparison. Min and median of several rounds; each output is kept until its timer
stops.

    python benchmarks/migration_bench.py [--pages 1000] [--rounds 7] [--format llamacloud_v2]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generate  # noqa: E402

from exporters import to_html  # noqa: E402
from exporters.docling import to_docling  # noqa: E402
from exporters.elements import to_elements  # noqa: E402
from exporters.frameworks import to_langchain_jsonl  # noqa: E402
from normalizer import normalize  # noqa: E402


def rounds(fn, n: int) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(n):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--format", default="llamacloud_v2")
    args = parser.parse_args()
    doc = normalize(getattr(generate, args.format)(args.pages))
    cases = {"html (reference)": lambda: to_html(doc), "docling": lambda: to_docling(doc),
             "elements": lambda: to_elements(doc), "langchain-jsonl": lambda: to_langchain_jsonl(doc)}
    from exporters.spreadsheets import to_xlsx
    if importlib.util.find_spec("openpyxl"):
        cases["xlsx"] = lambda: to_xlsx(doc)
    print(f"{args.format}, {args.pages} pages, {len(doc.blocks):,} blocks; ms, min / median of {args.rounds}")
    reference = None
    outputs = {}
    for label, fn in cases.items():
        best, median, out = rounds(fn, args.rounds)
        outputs[label] = out
        reference = reference or best
        print(f"{label:<28} {best * 1000:8.1f} / {median * 1000:8.1f}   {best / reference:5.2f}x html   "
              f"{len(out) / 1e6:6.1f} MB", flush=True)
    try:
        from docling_core.types.doc import DoclingDocument
    except ImportError:
        return
    data = outputs["docling"]
    best, median, _ = rounds(lambda: DoclingDocument.model_validate_json(data), max(args.rounds // 2, 1))
    print(f"{'docling-core loads it':<28} {best * 1000:8.1f} / {median * 1000:8.1f}   {best / reference:5.2f}x html")


if __name__ == "__main__":
    main()
