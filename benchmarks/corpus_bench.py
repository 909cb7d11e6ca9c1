"""A corpus on every core, as the user runs it (the command line, from start to exit): `normalize -j 1` against
`-j 2`, and `dataset` against the pyarrow baseline (benchmarks/corpus_baseline.py), on large and on small files.

    python benchmarks/corpus_bench.py [--large 2000] [--small 2000] [--rounds 7] [--dir /dev/shm] [--keep DIR]
                                      [--against CHECKOUT] [--ray]

- large: results of 100 KB-1 MB made by benchmarks/generate.py, cycling through its eleven formats (seed 31);
- small: the bundled JSON samples (a few KB each: results, status responses, failures), cycled.
Every case runs in a fresh process into an empty output folder; the cases take turns round by round (so a slow
spell of the machine, shared with others, hits every case), and each prints wall and CPU time (the command and
all its worker processes: user + system) as min and median of the rounds. The machine's own ceiling for `-j 2` is
measured in the same rounds: two processes spinning against one doing both shares (2.0 on an idle 2-core
machine; less when other work takes a core), with the load average. The bound of `-j 2` follows Amdahl's law
with the serial part measured as a run over two tiny files: bound = T1 / (S2 + (T1 - S1) / 2), S1 and S2 that
start-up at -j 1 and -j 2.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

_MEASURED = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - started
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, wall, use.ru_utime + use.ru_stime, use.ru_maxrss)
"""
_SPIN = """
import sys, time
from multiprocessing import get_context
def spin(n):
    s = 0
    for i in range(n):
        s += i
    return s
n, procs = 15_000_000, int(sys.argv[1])  # about a second of work a share: the pool's start does not count
if procs == 1:
    spin(2 * n)
else:
    with get_context("fork").Pool(procs) as pool:
        pool.map(spin, [2 * n // procs] * procs)
"""
FORMATS = ["llamacloud_v2", "whisperer_retrieve", "ragflow_chunks", "somark", "baidu_result", "docling",
           "unstructured", "mineru", "mineru_v2", "marker", "paddle_api"]


def make_large(folder: Path, files: int) -> int:
    """`files` results of 100 KB-1 MB (sizes drawn with seed 31), the formats in turn; returns their bytes."""
    import generate
    rng = random.Random(31)
    per_page = {name: len(getattr(generate, name)(8)) / 8 for name in FORMATS}
    made: dict[tuple[str, int], bytes] = {}
    total = 0
    for n in range(files):
        name = FORMATS[n % len(FORMATS)]
        pages = max(1, round(rng.uniform(100e3, 1e6) / per_page[name] / 8)) * 8  # 8-page steps: few to generate
        if (name, pages) not in made:
            made[name, pages] = getattr(generate, name)(pages)
        target = folder / f"batch{n % 20:02d}" / f"{n:05d}_{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(made[name, pages])
        total += len(made[name, pages])
    return total


def make_small(folder: Path, files: int) -> int:
    """`files` result files cycling through the bundled JSON samples; returns their bytes."""
    samples = sorted(p for p in (ROOT / "samples").rglob("*.json"))
    total = 0
    for n in range(files):
        sample = samples[n % len(samples)]
        target = folder / f"batch{n % 100:03d}" / f"{n:06d}_{sample.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = sample.read_bytes()
        target.write_bytes(data)
        total += len(data)
    return total


def corpus(base: Path, name: str, files: int) -> tuple[Path, int]:
    """The corpus `name` of `files` files under `base`, made once (a later run with --keep reuses it)."""
    folder = base / f"{name}-{files}"
    stamp = folder / ".bytes"
    if stamp.exists():
        return folder, int(stamp.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    size = (make_large if name == "large" else make_small)(folder, files)
    stamp.write_text(str(size))
    return folder, size


def timed(cmd: list[str], checkout: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the command and its workers, exit status) of one command run to its end, run
    in `checkout` (its `viewer.cli` is the docnorm that runs)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", _MEASURED, *cmd], capture_output=True, text=True, check=True,
                         cwd=checkout, env=env)
    code, wall, cpu, _peak = out.stdout.split()
    return float(wall), float(cpu), int(code)


DOCNORM = {"normalize -j 1": ["normalize", "{src}", "-o", "{out}", "-j", "1"],
           "normalize -j 2": ["normalize", "{src}", "-o", "{out}", "-j", "2"],
           "start-up -j 1": ["normalize", "{tiny}", "-o", "{out}", "-j", "1"],
           "start-up -j 2": ["normalize", "{tiny}", "-o", "{out}", "-j", "2"],
           "dataset -j 2": ["dataset", "{src}", "-o", "{out}", "-j", "2"]}


def cases(src: Path, tiny: Path, ray: bool, against: Path | None) -> dict[str, tuple[Path, list[str]]]:
    """Each case: the checkout it runs in and its command line ({out}: an empty folder of its own). With
    `against`, every docnorm case runs in that checkout too (its label suffixed "(against)")."""
    docnorm = [sys.executable, "-m", "viewer.cli"]
    baseline = [sys.executable, str(HERE / "corpus_baseline.py")]
    spin = [sys.executable, "-c", _SPIN]
    fill = {"{src}": str(src), "{tiny}": str(tiny)}
    runs: dict[str, tuple[Path, list[str]]] = {}
    for suffix, checkout in [("", ROOT)] + ([(" (against)", against)] if against else []):
        for label, args in DOCNORM.items():
            runs[label + suffix] = (checkout, docnorm + [fill.get(a, a) for a in args])
    runs["pyarrow baseline -j 2"] = (ROOT, baseline + [str(src), "{out}", "-j", "2"])
    runs["orjson.loads -j 2"] = (ROOT, baseline + ["--load-only", str(src), "{out}", "-j", "2"])
    runs["spin -j 1"], runs["spin -j 2"] = (ROOT, spin + ["1"]), (ROOT, spin + ["2"])
    if ray:
        runs["dataset --engine ray"] = (ROOT, docnorm + ["dataset", str(src), "-o", "{out}", "--engine", "ray"])
    return runs


def measure(runs: dict[str, tuple[Path, list[str]]], rounds: int, work: Path) -> dict[str, list[tuple[float, float]]]:
    """Each case's (wall, CPU) per round, the cases taking turns round by round."""
    got: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
    for _ in range(rounds):
        for label, (checkout, template) in runs.items():
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            os.sync()  # the last case's deletions written out, not charged to this one
            wall, cpu, code = timed([part.replace("{out}", str(out)) for part in template], checkout)
            assert code in (0, 1), (label, code)  # 1: the small corpus holds failed jobs' responses
            got[label].append((wall, cpu))
    return got


def _ratio(of: dict[str, list[float]], a: str, b: str) -> str:
    """a / b: of the minimums, and the median of the rounds' own ratios."""
    per_round = [x / y for x, y in zip(of[a], of[b])]
    return f"{min(of[a]) / min(of[b]):.2f}x (median of rounds {statistics.median(per_round):.2f}x)"


def report(title: str, size: int, files: int, got: dict[str, list[tuple[float, float]]]) -> None:
    """The cases' table, then the comparisons the issue asks for (for each checkout measured)."""
    print(f"\n{title}: {files:,} files, {size / 1e6:,.1f} MB; {len(next(iter(got.values())))} rounds")
    print(f"  {'case':<34} {'wall min':>9} {'median':>8} {'CPU min':>8} {'median':>8} {'MB/s':>7}")
    for label, rows in got.items():
        walls, cpus = [w for w, _ in rows], [c for _, c in rows]
        rate = f"{size / 1e6 / min(walls):7.1f}" if not label.startswith(("start-up", "spin")) else f"{'':>7}"
        print(f"  {label:<34} {min(walls):9.2f} {statistics.median(walls):8.2f} {min(cpus):8.2f} "
              f"{statistics.median(cpus):8.2f} {rate}")
    w = {label: [r[0] for r in rows] for label, rows in got.items()}
    c = {label: [r[1] for r in rows] for label, rows in got.items()}
    print(f"  the machine's ceiling for -j 2 now (spin): {_ratio(w, 'spin -j 1', 'spin -j 2')}")
    for suffix in ("", " (against)"):
        if "normalize -j 1" + suffix not in w:
            continue
        j1, j2, s1, s2, ds = (name + suffix for name in DOCNORM)
        t1, first, second = min(w[j1]), min(w[s1]), min(w[s2])
        print(f"  {'this checkout' if not suffix else 'against'}:")
        print(f"    normalize -j 2 vs -j 1, wall: {_ratio(w, j1, j2)}; CPU -j 1 / -j 2: {_ratio(c, j1, j2)}")
        print(f"    Amdahl bound of -j 2: {t1 / (second + (t1 - first) / 2):.2f}x "
              f"(serial start-up {first:.2f} s at -j 1, {second:.2f} s at -j 2)")
        print(f"    dataset / pyarrow baseline, wall: {_ratio(w, ds, 'pyarrow baseline -j 2')}; "
              f"CPU: {_ratio(c, ds, 'pyarrow baseline -j 2')}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=int, default=2000, help="results of 100 KB-1 MB (0: none)")
    parser.add_argument("--small", type=int, default=2000, help="results of a few KB (0: none)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--ray", action="store_true", help="also dataset --engine ray")
    parser.add_argument("--dir", help="where the outputs go (/dev/shm leaves the disk out)")
    parser.add_argument("--keep", help="where the corpora are made once and kept for later runs")
    parser.add_argument("--against", help="another checkout (say, a `git worktree` of the last release): its docnorm "
                                          "runs the same cases in the same rounds, for a before/after")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        tiny, _ = corpus(base, "small", 2)
        for name, files in (("large", args.large), ("small", args.small)):
            if files:
                src, size = corpus(base, name, files)
                print(f"[{time.strftime('%H:%M:%S')}] {name}: load average {os.getloadavg()[0]:.2f}", flush=True)
                against = Path(args.against).resolve() if args.against else None
                got = measure(cases(src, tiny, args.ray, against), args.rounds, Path(tmp))
                report(f"{name} files", size, files, got)
                print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
