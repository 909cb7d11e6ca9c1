"""The time budgets the tests no longer assert (a test must not fail because the machine is busy), measured here:
the tests check the same work with counts and growth ratios instead.

- linear text (tests/test_linear_text.py): each adversarial text at a full megabyte, budget 2 s;
  the audit's one-line inputs (40,000 and 100,000 characters) through normalize, budget 1 s.
- TEDS (tests/test_diff.py): 300 x 30 tables edited, shuffled, all different (bounded, approximate) and with a few
  rows changed (exact), budget 1 s each.
- fuzz (tests/test_fuzz.py): every CI case's contract (both inputs, both modes, every exporter, diff, viewer),
  budget 1 s a case; the slowest cases are listed.

Min and median of `--rounds` rounds, wall clock and CPU time side by side, the collector paused while the clock
runs and each result kept alive until it stops. A budget is checked against the best CPU time (the wall clock
of a busy machine counts the other processes' time too); `--check` exits 1 when one is over its budget.

    python benchmarks/bounds_bench.py [--rounds 5] [--only linear,teds,fuzz] [--fuzz-cases 300] [--check]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

OVER: list[str] = []


def timed(fn: Callable[[], Any], rounds: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """((wall min, wall median), (CPU min, CPU median)) seconds of `fn()`."""
    wall, cpu = [], []
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
        gc.enable()
        del result
    return (min(wall), statistics.median(wall)), (min(cpu), statistics.median(cpu))


def row(label: str, budget: float, times: tuple[tuple[float, float], tuple[float, float]], note: str = "") -> None:
    (w_min, w_med), (c_min, c_med) = times
    ok = "ok" if c_min < budget else "OVER"  # CPU: what a busy machine does not inflate
    if ok == "OVER":
        OVER.append(label)
    print(f"{label:46} {budget * 1000:7.0f} {w_min * 1000:9.1f} / {w_med * 1000:9.1f} "
          f"{c_min * 1000:9.1f} / {c_med * 1000:9.1f}  {ok:4} {note}", flush=True)


def header(title: str) -> None:
    print(f"\n{title:46} {'budget':>7} {'wall ms min / median':>21} {'CPU ms min / median':>21}")


def linear(rounds: int) -> None:
    from tests.test_linear_text import AUDIT, CASES, MB, _normalize
    header("a megabyte of adversarial text")
    for name in sorted(CASES):
        fn, make = CASES[name]
        text = make(MB)
        row(name, 2.0, timed(lambda: fn(text), rounds))
    header("the audit's one-line inputs, normalize")
    for name, size in (("text", 40_000), ("json", 100_000)):
        raw = AUDIT[name](size)
        row(f"{name}, {size:,} characters", 1.0, timed(lambda: _normalize(raw), rounds))


def teds(rounds: int) -> None:
    import random

    from exporters.diff.teds import table_diff
    from normalizer.schema import Cell, Table

    def grid(rows):
        return Table(n_rows=len(rows), n_cols=len(rows[0]),
                     cells=[Cell(row=r, col=c, text=t) for r, row_ in enumerate(rows) for c, t in enumerate(row_)])

    rng = random.Random(3)
    base = [[f"r{r}c{c} {rng.randint(0, 999)}" for c in range(30)] for r in range(300)]
    edited = [[t + "x" if rng.random() < 0.1 else t for t in row_] for row_ in base]
    shuffled = base[:]
    rng.shuffle(shuffled)
    different = [[f"z{r}-{c}" for c in range(30)] for r in range(300)]
    plain = [[f"r{r}c{c}" for c in range(30)] for r in range(300)]
    few = [row_[:] for row_ in plain]
    few[150][15] = "changed"
    del few[40]
    header("TEDS, 300 x 30 tables")
    for label, a, b in (("10 % of cells edited", base, edited), ("rows shuffled", base, shuffled),
                        ("every cell different", base, different), ("one row removed, one cell changed", plain, few)):
        ta, tb = grid(a), grid(b)
        result = table_diff(ta, tb)
        row(label, 1.0, timed(lambda: table_diff(ta, tb), rounds),
            f"TEDS {result.teds:.4f}{' approximate' if result.approximate else ' exact'}")


def fuzz(rounds: int, cases: int) -> None:
    from tests import test_fuzz as f
    header(f"fuzz contract, {cases} CI cases (seed {f.CI_SEED})")
    f.warm_up()  # the exporters' first-use imports (llama_index: seconds) are no case's time
    per_case = []
    for index in range(cases):
        case = f.make_case(f.CI_SEED, index)
        reference = f._reference(case.source)

        def run() -> None:
            done: set[bytes] = set()
            for _, raw in case.inputs:
                for strict in (False, True):
                    try:
                        f.contract(raw, strict, f.Probe(), reference, done)
                    except Exception:  # noqa: BLE001 - failures are the test's to report; this times them
                        pass

        (w, _), (c, _) = timed(run, rounds)
        per_case.append((w, c, index, case))
    walls = sorted(w for w, *_ in per_case)
    cpus = sorted(c for _, c, *_ in per_case)
    row("every case (median case)", 1.0, ((statistics.median(walls), statistics.median(walls)),
                                          (statistics.median(cpus), statistics.median(cpus))))
    for w, c, index, case in sorted(per_case, key=lambda t: -t[0])[:10]:
        row(f"case {index}: {case.source.format}", 1.0, ((w, w), (c, c)), f"{case.source.name}: {case.how}"[:90])
    print(f"{'all cases':46} {'':7} {sum(walls) * 1000:9.0f} ms wall (best rounds), {sum(cpus) * 1000:.0f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="linear,teds,fuzz", help="comma-separated: linear, teds, fuzz")
    parser.add_argument("--fuzz-cases", type=int, default=300)
    parser.add_argument("--check", action="store_true", help="exit 1 when a best CPU time is over its budget")
    args = parser.parse_args()
    parts = args.only.split(",")
    if "linear" in parts:
        linear(args.rounds)
    if "teds" in parts:
        teds(args.rounds)
    if "fuzz" in parts:
        fuzz(max(1, args.rounds // 2), args.fuzz_cases)
    if OVER:
        print(f"\nover budget: {', '.join(OVER)}")
        if args.check:
            sys.exit(1)


if __name__ == "__main__":
    main()
