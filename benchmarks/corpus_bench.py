"""A corpus on every core: `normalize -j 1`, `normalize -j 2`, `dataset` (local) and `dataset --engine ray` over
the same mixed result files, as the user runs them (the command line, from start to exit), side by side.

    python benchmarks/corpus_bench.py [--files 1000,10000] [--rounds 3] [--no-ray] [--dir /dev/shm]

The corpus cycles through every bundled sample (five providers, 48 shapes: results, status responses, failures)
with distinct names in 100 folders. Each command runs in a fresh process into an empty output folder (the disk
synced first); the commands take turns round by round; times are min and median of the rounds; peak memory is the largest resident set of any process of the run (the command
and its workers), from the last round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

_PEAK = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def make_corpus(folder: Path, files: int) -> int:
    """`files` result files cycling through the samples; returns their total size in bytes."""
    samples = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".json", ".txt"))
    total = 0
    for n in range(files):
        sample = samples[n % len(samples)]
        target = folder / f"batch{n % 100:03d}" / f"{n:06d}_{sample.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = sample.read_bytes()
        target.write_bytes(data)
        total += len(data)
    return total


def timed(cmd: list[str]) -> tuple[float, int, int]:
    """(seconds, exit status, peak RSS in KiB) of one command run to its end."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    code, peak = map(int, out.stdout.split())
    return seconds, code, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--dir", help="where the corpus and the outputs go (default: the system's temporary folder; "
                                      "/dev/shm takes the disk out of the figures)")
    args = parser.parse_args()
    docnorm = [sys.executable, "-m", "viewer.cli"]
    runs = {"normalize -j 1": ["normalize", "{src}", "-o", "{out}", "-j", "1"],
            "normalize -j 2": ["normalize", "{src}", "-o", "{out}", "-j", "2"],
            "dataset (local, -j 2)": ["dataset", "{src}", "-o", "{out}", "-j", "2"]}
    if not args.no_ray:
        runs["dataset --engine ray"] = ["dataset", "{src}", "-o", "{out}", "--engine", "ray"]
    print(f"{'files':>6} {'MB':>6}  {'command':<24} {'min s':>7} {'median s':>9} {'files/s':>8} {'MB/s':>6} "
          f"{'peak MB':>8}")
    for files in (int(f) for f in args.files.split(",")):
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            src = Path(tmp) / "corpus"
            size = make_corpus(src, files)
            times: dict[str, list[float]] = {label: [] for label in runs}
            peaks: dict[str, int] = {}
            for _ in range(args.rounds):  # round by round, so a slow spell of the machine hits every command
                for label, template in runs.items():
                    out = Path(tmp) / "out"
                    shutil.rmtree(out, ignore_errors=True)
                    os.sync()  # the last run's deletions written out, not charged to this one
                    cmd = docnorm + [part.format(src=src, out=out) for part in template]
                    seconds, code, peaks[label] = timed(cmd)
                    assert code in (0, 1), (label, code)  # 1: the samples include failed jobs' responses
                    times[label].append(seconds)
            for label in runs:
                best, median = min(times[label]), statistics.median(times[label])
                print(f"{files:>6} {size / 1e6:>6.1f}  {label:<24} {best:>7.2f} {median:>9.2f} {files / best:>8.0f} "
                      f"{size / 1e6 / best:>6.1f} {peaks[label] / 1024:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
