"""What compiling the readers would buy (issue #31, item 5): the same normalize timings (speed_bench's normalize
section) on this tree as it is and on a copy whose `normalizer/` modules Cython compiled, unchanged (pure-Python
mode: the code is C, the objects are still Python's). The answer decides whether a compiled build is worth its
cost: a C compiler and Cython at install time, minutes of build, and every test run against both builds.

    pip install cython && python benchmarks/compiled_bench.py [--rounds 7] [--pages 1000] [--keep DIR]

The copy is HEAD exported (`git archive`) into a temporary folder (or --keep DIR, reused when it already holds a
build): commit what you want measured. Each tree is timed in its own process, one after the other, so the figures are
CPU-time minimums of separate runs: compare them on a quiet machine. Not part of the test run.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SETUP = """
import glob
from setuptools import setup
from Cython.Build import cythonize
modules = [p for p in glob.glob("normalizer/*.py") + glob.glob("normalizer/providers/*.py")
           if not p.endswith("__init__.py")]
setup(name="compiled-bench", ext_modules=cythonize(modules, language_level=3, quiet=True,
      compiler_directives={"binding": True}), script_args=["build_ext", "--inplace"])
"""
_ROW = re.compile(r"^(\S+) \(")          # a format's heading line: "llamacloud.v2 (11.6 MB)"
_NORMALIZE = re.compile(r"^  normalize +([\d.]+) /")  # its "normalize" row: CPU min first


def build(tree: str) -> float:
    """Export HEAD into `tree` and compile its normalizer there; returns the build's CPU seconds (0 if reused)."""
    if glob.glob(os.path.join(tree, "normalizer", "*.so")):
        return 0.0
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    before = os.times()
    subprocess.run([sys.executable, "-c", _SETUP], cwd=tree, check=True, stdout=subprocess.DEVNULL)
    after = os.times()
    return after.children_user + after.children_system - before.children_user - before.children_system


def normalize_cpu(tree: str, rounds: int, pages: int) -> dict[str, float]:
    """speed_bench's normalize section run in `tree`: each format's normalize CPU minimum, in ms."""
    env = {**os.environ, "PYTHONPATH": tree}
    out = subprocess.run([sys.executable, os.path.join(tree, "benchmarks", "speed_bench.py"), "--only", "normalize",
                          "--rounds", str(rounds), "--pages", str(pages)], cwd=tree, env=env, check=True,
                         capture_output=True, text=True).stdout
    found, name = {}, None
    for line in out.splitlines():
        if (head := _ROW.match(line)) is not None:
            name = head.group(1)
        elif (row := _NORMALIZE.match(line)) is not None and name is not None:
            found[name] = float(row.group(1))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--keep", help="a folder for the compiled copy, kept and reused")
    args = parser.parse_args()
    try:
        import Cython  # noqa: F401
    except ImportError:
        sys.exit("compiled_bench needs Cython: pip install cython")
    with tempfile.TemporaryDirectory() as scratch:
        tree = args.keep or scratch
        os.makedirs(tree, exist_ok=True)
        started = time.perf_counter()
        cpu = build(tree)
        print(f"compiled copy in {tree}: build {cpu:.0f} s CPU, {time.perf_counter() - started:.0f} s wall"
              + (" (reused)" if cpu == 0 else ""))
        plain = normalize_cpu(ROOT, args.rounds, args.pages)
        compiled = normalize_cpu(tree, args.rounds, args.pages)
    print(f"\nnormalize, {args.pages} pages, CPU ms min of {args.rounds} rounds")
    print(f"  {'format':20} {'python':>8} {'compiled':>9} {'speed-up':>9}")
    for name, ms in plain.items():
        if name in compiled:
            print(f"  {name:20} {ms:8.1f} {compiled[name]:9.1f} {ms / compiled[name]:8.2f}x")


if __name__ == "__main__":
    main()
