"""Review mode's saves: 200 edits on a 50-page document, each saved as the viewer saves it, timed one by one.

Each edit goes the whole way a browser's does: a POST to the review route through the Flask app (CSRF token,
JSON body, the result resolved, the truth read again and its etag checked under the folder's lock, the edit
applied and checked against the canonical invariants, logged with its inverse, the truth encoded and written to
a temporary file, flushed to disk with fsync and renamed over the old one, the page's JSON answered). The edits
are a fixed-seed mix of every kind of action (text, kind, level, box, add, delete, split, merge, move, caption
link, table cell, spans, rows, columns) and undo/redo, spread over the 50 pages. Reported: min, median, p95 and
max of the time per save (the target is under 100 ms each), the truth's size, and whether the truth's canonical
JSON round-trips (`normalize(to_json(truth)) == truth`, log included) and every edit is in its log.

Run: python benchmarks/review_bench.py [--edits 200] [--pages 50] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

from exporters import to_json  # noqa: E402
from normalizer import load, normalize  # noqa: E402
from viewer import create_app  # noqa: E402


def _edit(rng: random.Random, page: dict) -> dict | None:
    """One edit on the page shown (the page's JSON as the review page has it), of a kind chosen at random."""
    blocks = page["blocks"]
    texts = [b for b in blocks if not b["table"] and len(b["text"]) > 4]
    tables = [b for b in blocks if b["table"]]
    boxed = [b for b in blocks if b["bbox"]]
    b = rng.choice(blocks) if blocks else None
    choices = {
        "set_text": lambda: texts and {"op": "set_text", "block": (t := rng.choice(texts))["id"], "text": t["text"] + " (checked)"},
        "set_kind": lambda: b and not b["table"] and {"op": "set_kind", "block": b["id"],
                                                    "kind": rng.choice(["paragraph", "heading", "list_item", "caption"])},
        "set_bbox": lambda: boxed and {"op": "set_bbox", "block": (x := rng.choice(boxed))["id"],
                                       "bbox": [x["bbox"][0] + 1, x["bbox"][1], x["bbox"][2] + 1, x["bbox"][3]]},
        "add_block": lambda: {"op": "add_block", "page": page["page"]["number"], "text": "added",
                              "bbox": [10.0, 10.0, 100.0, 30.0]},
        "delete_block": lambda: len(blocks) > 5 and {"op": "delete_block", "block": b["id"]},
        "split_block": lambda: texts and {"op": "split_block", "block": (t := rng.choice(texts))["id"], "at": len(t["text"]) // 2},
        "merge_blocks": lambda: _merge(rng, blocks),
        "move_block": lambda: len(blocks) > 2 and {"op": "move_block", "block": b["id"], "to": blocks[0]["at"]},
        "set_cell": lambda: tables and {"op": "set_cell", "block": tables[0]["id"], "row": 0, "col": 0, "text": "Header"},
        "insert_row": lambda: tables and {"op": "insert_row", "block": tables[0]["id"], "at": 1},
        "insert_col": lambda: tables and {"op": "insert_col", "block": tables[0]["id"], "at": 1},
        "merge_cells": lambda: tables and {"op": "merge_cells", "block": tables[0]["id"], "row": 1, "col": 0, "rows": 1,
                                           "cols": 2},
    }
    return choices[rng.choice(sorted(choices))]() or None


def _merge(rng: random.Random, blocks: list[dict]) -> dict | None:
    pairs = [(a, b) for a, b in zip(blocks, blocks[1:]) if not a["table"] and not b["table"]]
    if len(blocks) <= 5 or not pairs:
        return None
    a, b = rng.choice(pairs)
    return {"op": "merge_blocks", "block": a["id"], "next": b["id"]}


def run(edits: int, pages: int, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as work:
        root, truth = Path(work) / "served", Path(work) / "truth"
        root.mkdir()
        truth.mkdir()
        (root / "report.json").write_bytes(generate.llamacloud_v2(pages))
        client = create_app(str(root), truth=str(truth), index_budget=600).test_client()
        token = re.search(r'csrf-token" content="([^"]+)"', client.get("/review?f=report.json").get_data(as_text=True))[1]
        state = {"etag": ""}

        def post(path: str, **body) -> tuple[int, dict, float]:
            start = time.perf_counter()
            response = client.post(path, json={"f": "report.json", "base": state["etag"], **body},
                                   headers={"X-CSRF-Token": token})
            took = time.perf_counter() - start
            answer = response.get_json()
            if response.status_code == 200:
                state["etag"] = answer["etag"]
            return response.status_code, answer, took

        status, page, _ = post("/review/api/start")
        assert status == 200, page
        times, refused, kinds = [], 0, {}
        while len(times) < edits:
            number = rng.randrange(1, pages + 1)
            page = client.get(f"/review/api/truth?f=report.json&page={number}").get_json()  # the page shown
            change = _edit(rng, page) if rng.random() > 0.1 else None
            path, body = ("/review/api/edit", {"edit": change}) if change else (rng.choice(["/review/api/undo",
                                                                                            "/review/api/redo"]), {})
            status, answer, took = post(path, page=number, **body)
            if status != 200:
                refused += 1  # nothing to redo, a merge of a table with a paragraph: refused and not timed
                continue
            times.append(took)
            kind = change["op"] if change else path.rsplit("/", 1)[1]
            kinds[kind] = kinds.get(kind, 0) + 1
        path = next(truth.glob("*.truth.json"))  # named after the source the result records
        doc = load(str(path))[0]
        log = doc.extra["docnorm_review"]["log"]
        return {"times": times, "refused": refused, "kinds": kinds, "bytes": path.stat().st_size,
                "blocks": len(doc.blocks), "round_trip": normalize(to_json(doc)) == doc, "logged": len(log)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = run(args.edits, args.pages, args.seed)
    ms = sorted(t * 1000 for t in result["times"])
    print(f"{len(ms)} saves on a {args.pages}-page document ({result['blocks']} blocks at the end, truth "
          f"{result['bytes'] / 1024:.0f} KB, {result['logged']} log entries); {result['refused']} edits refused")
    print("edits: " + ", ".join(f"{k} {v}" for k, v in sorted(result["kinds"].items())))
    print(f"per save: min {ms[0]:.1f} ms, median {statistics.median(ms):.1f} ms, "
          f"p95 {ms[int(len(ms) * 0.95) - 1]:.1f} ms, max {ms[-1]:.1f} ms (target: each under 100 ms)")
    print(f"canonical JSON round-trips: {result['round_trip']}; every save logged: {result['logged'] == len(ms)}")
    return 0 if result["round_trip"] and result["logged"] == len(ms) else 1


if __name__ == "__main__":
    sys.exit(main())
