"""Evaluation speed: OmniDocBench's own evaluator against `docnorm eval` on the 18-page demo (each a fresh
process, start-up included; several rounds, min and median of wall and CPU time), then `docnorm eval` alone (both
protocols) on 1,000 and 4,000 pages (the demo pages repeated under new names) to show the cost is linear.

Run: python benchmarks/eval_bench.py [--rounds 5] [--pages 1000,4000] [--repo /tmp/omnidocbench]
                                     [--python /tmp/omnivenv/bin/python]

OmniDocBench's evaluator needs its repository and an environment with its requirements; without them only
docnorm's side runs. To set them up (PyPI only):

    git clone /work/.mirror/bch9248+OmniDocBench/repo /tmp/omnidocbench
    python -m venv /tmp/omnivenv
    /tmp/omnivenv/bin/pip install numpy==1.24.4 scipy==1.10.1 pandas==2.0.3 Levenshtein==0.25.1 rapidfuzz==3.9.7 \\
        apted==1.0.3 beautifulsoup4==4.11.1 lxml==4.9.1 pylatexenc==3.0a30 tqdm func-timeout==4.3.5 loguru \\
        tabulate PyYAML matplotlib==3.7.5 pillow==10.4.0 evaluate==0.4.3 datasets==3.1.0 mmeval==0.2.1 \\
        huggingface-hub==0.26.2 opencv-python==4.10.0.84

Both run with bytecode caching on (PYTHONPYCACHEPREFIX in a temporary folder) after one warm-up run each, as
on a machine where they have run before.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "data" / "omnidocbench"
CONFIG = """end2end_eval:
  metrics:
    text_block: {{metric: [Edit_dist]}}
    display_formula: {{metric: [Edit_dist, CDM_plain]}}
    table: {{metric: [TEDS, Edit_dist]}}
    reading_order: {{metric: [Edit_dist]}}
  dataset:
    dataset_name: end2end_dataset
    ground_truth: {{data_path: {truth}}}
    prediction: {{data_path: {pred}}}
    match_method: quick_match
"""


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of a command in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def rounds(command: list[str], cwd: Path, env: dict, count: int, warm_up: bool = True) -> dict[str, float]:
    if warm_up:
        timed(command, cwd, env)   # bytecode written, files cached
    runs = [timed(command, cwd, env) for _ in range(count)]
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return {"wall_min": min(walls), "wall_median": statistics.median(walls), "cpu_min": min(cpus),
            "cpu_median": statistics.median(cpus)}


def ours_command(truth: Path, predictions: Path, protocol: str = "omnidocbench") -> list[str]:
    """`docnorm eval` as a user runs it (the command line's start-up included), one process (-j 1)."""
    return [sys.executable, "-m", "viewer.cli", "eval", str(truth), str(predictions), "--protocol", protocol,
            "-j", "1"]


def official_command(python: str, config: Path) -> list[str]:
    return [python, "pdf_validation.py", "--config", str(config)]


def repeated(pages: int, folder: Path) -> tuple[Path, Path]:
    """The demo's pages repeated under new names up to `pages`, with the demo model's predictions."""
    truth = json.loads((DEMO / "OmniDocBench_demo.json").read_text(encoding="utf-8"))
    out_truth, predictions = [], folder / f"pred_{pages}"
    predictions.mkdir(parents=True)
    for n in range(pages):
        page = copy.deepcopy(truth[n % len(truth)])
        name = page["page_info"]["image_path"]
        page["page_info"]["image_path"] = f"copy{n}_{name}"
        out_truth.append(page)
        shutil.copy(DEMO / "end2end" / (name[:-4] + ".md"), predictions / f"copy{n}_{name[:-4]}.md")
    path = folder / f"truth_{pages}.json"
    path.write_text(json.dumps(out_truth, ensure_ascii=False), encoding="utf-8")
    return path, predictions


def show(label: str, figures: dict[str, float]) -> None:
    print(f"  {label:28s} wall min {figures['wall_min']:6.2f} s  median {figures['wall_median']:6.2f} s   "
          f"CPU min {figures['cpu_min']:6.2f} s  median {figures['cpu_median']:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each on the demo (default 5)")
    parser.add_argument("--pages", default="1000,4000", help="larger sizes, docnorm only (default 1000,4000)")
    parser.add_argument("--big-rounds", type=int, default=1, help="timed runs at each larger size (default 1)")
    parser.add_argument("--repo", default="/tmp/omnidocbench", help="OmniDocBench's repository (a work tree)")
    parser.add_argument("--python", default="/tmp/omnivenv/bin/python", help="Python with its requirements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
        print(f"18-page demo, {args.rounds} rounds each (after one warm-up):")
        ours = rounds(ours_command(DEMO / "OmniDocBench_demo.json", DEMO / "end2end"), ROOT, env, args.rounds)
        show("docnorm eval (omnidocbench)", ours)
        native = rounds(ours_command(DEMO / "OmniDocBench_demo.json", DEMO / "end2end", "docnorm"), ROOT, env,
                        args.rounds)
        show("docnorm eval (docnorm)", native)
        repo, python = Path(args.repo), args.python
        if (repo / "pdf_validation.py").exists() and Path(python).exists():
            config = Path(tmp) / "end2end.yaml"
            config.write_text(CONFIG.format(truth=DEMO / "OmniDocBench_demo.json", pred=DEMO / "end2end"))
            official = rounds(official_command(python, config), repo, env, args.rounds)
            show("OmniDocBench (official)", official)
            print(f"  docnorm is {official['wall_min'] / ours['wall_min']:.1f}x faster (min wall), "
                  f"{official['wall_median'] / ours['wall_median']:.1f}x (median wall), "
                  f"{official['cpu_min'] / ours['cpu_min']:.1f}x (min CPU)")
        else:
            print(f"  OmniDocBench's evaluator not found at {repo} with {python}: see this script's docstring")
        print("docnorm on larger sets (the demo pages repeated):")
        for pages in (int(n) for n in args.pages.split(",") if n):
            truth, predictions = repeated(pages, Path(tmp))
            for protocol in ("omnidocbench", "docnorm"):
                figures = rounds(ours_command(truth, predictions, protocol), ROOT, env, args.big_rounds,
                                 warm_up=False)
                show(f"{pages} pages, {protocol}", figures)
                print(f"  {'':28s} {1000 * figures['wall_min'] / pages:.1f} ms per page (wall), "
                      f"{1000 * figures['cpu_min'] / pages:.1f} ms per page (CPU)")


if __name__ == "__main__":
    main()
