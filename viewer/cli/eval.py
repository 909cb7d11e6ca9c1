"""`docnorm eval`: prediction sets scored against a ground truth, ranked."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from exporters.corpus.runner import UsageError, jobs_wanted
from normalizer.errors import shown

from .common import add_command, check_writable, write_file

EXAMPLES_EVAL = [
    "docnorm eval OmniDocBench.json mineru_md/ marker_md/ --protocol omnidocbench --json metric_result.json",
    "docnorm eval truth/ runs/mineru/ runs/docling/ runs/llamacloud/ --html leaderboard.html --csv pages.csv",
    "docnorm eval truth/report.truth.json llamacloud/report.json --json scores.json",
]


def cmd_eval(args: argparse.Namespace) -> int:
    from exporters.eval import as_json, evaluate_sets
    from exporters.eval.tables import leaderboard, to_csv
    for path in [args.truth] + args.predictions:
        if not os.path.exists(path):
            raise UsageError(f"no such file or folder: {path}")
    if args.name and len(args.name) != len(args.predictions):
        raise UsageError(f"--name: {len(args.name)} label(s) for {len(args.predictions)} prediction set(s)")
    for output in (args.json, args.html, args.csv):
        if output:
            check_writable(output)
    result = evaluate_sets(args.truth, args.predictions, args.protocol, args.name, jobs_wanted(args.jobs),
                           args.furniture, audit=not args.no_audit)
    for file, why in result.failures + [f for e in result.entries for f in e.failures]:
        print(f"docnorm: {shown(file)}: {why}", file=sys.stderr)
    for entry in result.entries:
        if entry.missing:
            shown_keys = ", ".join(entry.missing[:5]) + (" …" if len(entry.missing) > 5 else "")
            print(f"docnorm: {entry.name}: {len(entry.missing)} truth page(s) have no prediction, scored as empty: "
                  f"{shown_keys}", file=sys.stderr)
    for note in result.notes:
        print(f"docnorm: note: {note}", file=sys.stderr)
    print(leaderboard(result))
    if args.json:
        import orjson
        write_file(args.json, orjson.dumps(as_json(result), option=orjson.OPT_INDENT_2) + b"\n")
    if args.csv:
        write_file(args.csv, to_csv(result).encode())
    if args.html:
        from exporters.eval.report import to_eval_html
        write_file(args.html, to_eval_html(result).encode())
    failed = result.failures or any(e.failures for e in result.entries)
    return 1 if failed or not result.entries else 0


def add_parser(sub: Any) -> None:
    """`docnorm eval` and its arguments."""
    p = add_command(sub, "eval", EXAMPLES_EVAL, "score results against a ground truth, ranked",
             "Score one or more prediction sets against a ground truth and rank them. TRUTH and each PRED are a "
             "file or a folder, in any format docnorm reads (OmniDocBench's annotation JSON, canonical JSON, a "
             "provider's result, Markdown: a folder's .md files are read as Markdown pages). Pages pair by name: "
             "page image X.jpg with X.md, a PDF's page foo.pdf_30 with page 31 of a result of foo.pdf, else the "
             "source each result records. A truth page with no prediction is scored as empty and listed.")
    p.add_argument("truth", metavar="TRUTH", help="the ground truth: a file or folder")
    p.add_argument("predictions", nargs="+", metavar="PRED", help="a prediction set: a file or folder")
    p.add_argument("--protocol", choices=("docnorm", "omnidocbench"), default="docnorm",
                   help="docnorm (default): content, segmentation, reading order, TEDS, TEDS-S and layout, per kind "
                        "and page; omnidocbench: OmniDocBench v1.5's end-to-end evaluation (quick_match), "
                        "its numbers and its metric_result JSON (CDM left out: it needs TeX)")
    p.add_argument("--furniture", action="store_true", help="docnorm protocol: count page headers, footers and "
                   "page numbers too (left out by default, as OmniDocBench does)")
    p.add_argument("--no-audit", action="store_true", help="docnorm protocol: do not audit predictions against the "
                   "PDF beside them (the grounding column: their text under their own boxes, no truth needed)")
    p.add_argument("--name", action="append", metavar="LABEL", help="a label per PRED, in order (default: its name)")
    p.add_argument("--json", metavar="PATH", help="write the scores as JSON (omnidocbench: its metric_result layout)")
    p.add_argument("--html", metavar="PATH", help="write a standalone HTML report: leaderboard, per-kind bars, "
                   "per-page errors")
    p.add_argument("--csv", metavar="PATH", help="write a row per prediction set and per page as CSV")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="prediction sets scored at once "
                   "(default: every core)")
    p.set_defaults(run=cmd_eval)
