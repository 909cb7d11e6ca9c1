"""Speed where users wait (issue #31): normalize against its floor, the collector's deferred cost, start-up, diff's
growth, the framework export and the 10,000-page cold view. Prints each comparison and the targets.

Run: python benchmarks/speed_bench.py [--rounds 7] [--pages 1000] [--only normalize,collector,startup,diff,
frameworks,view] [--view-pages 10000]. Not part of the test run.

Every figure is CPU time (`time.process_time`; a child's `RUSAGE_CHILDREN` for start-up) and wall time, as
min / median of `--rounds` rounds, the cases of a comparison interleaved round by round in this one process, each
result kept alive until both clocks stop, then freed and the heap collected before the next case (a steady heap).

- normalize: `orjson.loads` (parsing, nothing built), the canonical floor (msgspec decoding the result's own
  canonical JSON into a Document: the output built with no Python in the loop; benchmarks/run.py), normalize with
  detection and with the format named, and docling-core / unstructured loading the same file where installed. All
  timed alike: the collector paused around each, as normalize pauses it for itself.
- collector: the deferred cost, a full `gc.collect()` with the result alive minus the same with nothing kept.
- diff, frameworks, view: as a caller sees them, the collector on. diff is timed twice: both sizes in this process,
  and each size in a fresh process of its own (a heap holding one pair, as `docnorm diff` has), the sizes in turn.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, NamedTuple

import orjson

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
from run import CASES, PAGED  # noqa: E402

from normalizer import join, normalize  # noqa: E402
from normalizer.schema import decode, encode  # noqa: E402


class Times(NamedTuple):
    cpu: list[float]
    wall: list[float]

    def show(self) -> str:
        """'cpu min / median   wall min / median' in ms."""
        return f"{_pair(self.cpu)}  {_pair(self.wall)}"


def _pair(values: list[float]) -> str:
    return f"{min(values) * 1000:8.1f} /{statistics.median(values) * 1000:8.1f}"


def interleaved(cases: dict[str, Callable[[], Any]], rounds: int, pause: bool) -> dict[str, Times]:
    """Each case once per round, in turn (after one warm-up each); `pause`: the collector off while it runs."""
    out = {name: Times([], []) for name in cases}
    for fn in cases.values():
        fn()
    for _ in range(rounds):
        for name, fn in cases.items():
            gc.collect()
            if pause:
                gc.disable()
            cpu, wall = time.process_time(), time.perf_counter()
            result = fn()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            gc.enable()
            del result
            out[name].cpu.append(cpu)
            out[name].wall.append(wall)
    gc.collect()
    return out


HEAD = f"{'':22} {'cpu ms min / median':>18}  {'wall ms min / median':>18}"


# --- normalize against its floor ------------------------------------------------------------------------------

def others(name: str, data: bytes) -> dict[str, Callable[[], Any]]:
    """The same file loaded by the parsers' own libraries, where installed."""
    found: dict[str, Callable[[], Any]] = {}
    if name == "docling":
        try:
            from docling_core.types.doc import DoclingDocument
            found["docling-core"] = lambda: DoclingDocument.model_validate_json(data)
        except ImportError:
            print("  (docling-core is not installed: pip install docling-core)")
    if name == "unstructured":
        try:
            from unstructured.staging.base import elements_from_json
            text = data.decode()
            found["unstructured"] = lambda: elements_from_json(text=text)
        except ImportError:
            print("  (unstructured is not installed: pip install unstructured)")
    return found


def normalize_section(args: argparse.Namespace) -> dict[str, float]:
    """Per format: orjson, the floor, normalize (detected and named), other libraries; the ratio to the floor."""
    print(f"\n== normalize, {args.pages} pages: collector paused, result kept, steady heap\n{HEAD}")
    ratios: dict[str, float] = {}
    for name, make in {**CASES, **PAGED}.items():
        made = make(args.pages)
        files = made if isinstance(made, list) else [made]
        read = (lambda fmt=None: join([normalize(f, format=fmt) for f in files])) if len(files) > 1 else \
            (lambda fmt=None: normalize(files[0], format=fmt))
        canonical = encode(read())
        cases = {"orjson.loads": lambda: [orjson.loads(f) for f in files], "floor (canonical)": lambda: decode(canonical),
                 "normalize": read, "normalize, named": lambda n=name: read(n)}
        cases.update(others(name, files[0]))
        times = interleaved(cases, args.rounds, pause=True)
        floor = min(times["floor (canonical)"].cpu)
        print(f"{name} ({sum(map(len, files)) / 1e6:.1f} MB)")
        for case, t in times.items():
            print(f"  {case:20} {t.show()}   {min(t.cpu) / floor:5.2f}x floor")
        ratios[name] = min(times["normalize"].cpu) / floor
        del canonical, files, made
    return ratios


# --- the collector's deferred cost ----------------------------------------------------------------------------

def collect_cpu() -> float:
    cpu = time.process_time()
    gc.collect()
    return time.process_time() - cpu


def deferred(make: Callable[[], Any], rounds: int) -> tuple[float, float, int]:
    """A full collection with `make()`'s result alive minus one just before with nothing kept, each round: (min,
    median) of those paired differences, and the tracked objects the result adds (what the collection walks; a
    count, free of the machine's noise)."""
    out, added = [], 0
    for _ in range(rounds):
        gc.collect()
        empty, before = collect_cpu(), len(gc.get_objects())
        result = make()
        out.append(collect_cpu() - empty)
        added = len(gc.get_objects()) - before
        del result
    return min(out), statistics.median(out), added


def after_return(make: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """(min, median) CPU the collector spends, itself on, while `make()` runs and the caller then allocates 20,000
    small lists: the young passes a user pays soon after normalize returns (they walk what was just built)."""
    spent, start = [0.0], [0.0]

    def watch(phase: str, info: Any) -> None:
        if phase == "start":
            start[0] = time.process_time()
        else:
            spent[0] += time.process_time() - start[0]
    gc.callbacks.append(watch)
    try:
        out = []
        for _ in range(rounds):
            gc.collect()
            spent[0] = 0.0
            result, more = make(), [[n] for n in range(20000)]
            out.append(spent[0])
            del result, more
    finally:
        gc.callbacks.remove(watch)
    return min(out), statistics.median(out)


def collector_section(args: argparse.Namespace) -> dict[str, float]:
    rounds = max(args.rounds, 15)
    print(f"\n== the collector and a kept {args.pages}-page result, cpu ms min / median of {rounds}: a full collection "
          "with it alive minus one with nothing kept (and the tracked objects it adds), for normalize and the floor; "
          "the collections paid soon after normalize returns")
    print(f"{'':20} {'normalize':>18} {'objects':>8} {'floor (canonical)':>18} {'objects':>8} {'after return':>18}")
    found: dict[str, float] = {}
    for name, make in CASES.items():
        data = make(args.pages)
        canonical = encode(normalize(data))
        kept, floor = deferred(lambda: normalize(data), rounds), deferred(lambda: decode(canonical), rounds)
        soon = after_return(lambda: normalize(data), rounds)
        print(f"{name:20} {_ms(kept)} {kept[2]:8,} {_ms(floor)} {floor[2]:8,} {_ms(soon)}")
        found[name] = kept[1]
    return found


def _ms(pair: tuple[float, ...]) -> str:
    return f"{pair[0] * 1000:8.1f} /{pair[1] * 1000:8.1f}"


# --- start-up -------------------------------------------------------------------------------------------------

def child(argv: list[str], stdin: bytes | None, env: dict[str, str]) -> tuple[float, float]:
    """(CPU, wall) seconds of one child process, from the kernel's account of this process's children."""
    before, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(argv, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    wall, after = time.perf_counter() - wall, resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


# Any command line that reads JSON with msgspec and its options with argparse (whose help formatter brings shutil,
# gettext and locale) pays this before its own code runs: the floor `normalize -` is measured against.
_ARGPARSE_FLOOR = "import msgspec, argparse; p = argparse.ArgumentParser(); p.add_argument('-o'); p.parse_args([])"


def startup_section(args: argparse.Namespace) -> dict[str, float]:
    """`docnorm --version` and `normalize -` of a one-page result, beside `python -c pass`, `import msgspec` and that
    with an argparse parser (what any command that reads JSON pays before docnorm's own code runs). With bytecode caches,
    as an installed package has them (kept outside the tree; PYTHONDONTWRITEBYTECODE is lifted for the children)."""
    tiny = generate.llamacloud_v2(1)
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=ROOT, PYTHONPYCACHEPREFIX=cache)
        cases = {"python -c pass": ([sys.executable, "-c", "pass"], None),
                 "import msgspec": ([sys.executable, "-c", "import msgspec"], None),
                 "msgspec + argparse": ([sys.executable, "-c", _ARGPARSE_FLOOR], None),
                 "docnorm --version": ([sys.executable, "-m", "viewer.cli", "--version"], None),
                 f"normalize - ({len(tiny) // 1000} KB)": ([sys.executable, "-m", "viewer.cli", "normalize", "-"], tiny)}
        times = {name: Times([], []) for name in cases}
        for argv, stdin in cases.values():
            child(argv, stdin, env)  # writes the bytecode caches
        for _ in range(max(args.rounds, 11)):
            for name, (argv, stdin) in cases.items():
                cpu, wall = child(argv, stdin, env)
                times[name].cpu.append(cpu)
                times[name].wall.append(wall)
    python = min(times["python -c pass"].cpu)
    print(f"\n== start-up: child processes (CPU from RUSAGE_CHILDREN)\n{HEAD}")
    for name, t in times.items():
        print(f"  {name:20} {t.show()}   python + {(min(t.cpu) - python) * 1000:5.1f} ms")
    return {name: min(t.cpu) for name, t in times.items()}


# --- diff, frameworks, the cold view ----------------------------------------------------------------------------

def edited_pair(pages: int) -> tuple[Any, Any]:
    """A `pages`-page LlamaCloud result normalized, and its edited copy (benchmarks/diff_bench.py): what diff times."""
    from diff_bench import edited
    a = normalize(generate.llamacloud_v2(pages))
    return a, edited(a)


def diff_section(args: argparse.Namespace) -> dict[str, float]:
    from exporters.diff import diff
    sizes = [int(n) for n in args.diff_pages.split(",")]
    pairs = {pages: edited_pair(pages) for pages in sizes}
    times = interleaved({f"diff, {n:,} pages": lambda a=a, b=b: diff(a, b) for n, (a, b) in pairs.items()},
                        args.rounds, pause=False)
    del pairs
    alone = {n: Times([], []) for n in sizes}
    for _ in range(args.rounds):  # each size in a process of its own, the sizes in turn: a heap holding one pair
        for n in sizes:
            cpu, wall = orjson.loads(subprocess.run([sys.executable, __file__, "--diff-alone", str(n)], check=True,
                                                    capture_output=True).stdout)
            alone[n].cpu.append(cpu)
            alone[n].wall.append(wall)
    print(f"\n== diff of an edited copy, the collector on\n{HEAD}")
    found: dict[str, float] = {}
    for label, runs in (("in this process", dict(zip(sizes, times.values()))), ("a process each", alone)):
        for n, t in runs.items():
            print(f"  {f'diff, {n:,} pages':20} {t.show()}   {label}")
        small, large = runs.values()
        grow = math.log(sizes[1] / sizes[0])
        of_mins = math.log(min(large.cpu) / min(small.cpu)) / grow
        # the sizes run next to each other in every round: a slow spell of a shared machine moves both alike
        of_rounds = math.log(statistics.median(b / a for a, b in zip(small.cpu, large.cpu))) / grow
        found[f"exponent, {label}"] = of_rounds
        print(f"  growth exponent from {sizes[0]:,} to {sizes[1]:,} pages (cpu), {label}: {of_rounds:.3f} "
              f"(median of the rounds' ratios; of the minimums {of_mins:.3f})")
    return found


def diff_alone(pages: int) -> None:
    """`--diff-alone PAGES`: one diff of an edited copy timed in this fresh process, printed as [cpu, wall]."""
    from exporters.diff import diff
    a, b = edited_pair(pages)
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    result = diff(a, b)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    del result
    sys.stdout.write(orjson.dumps([cpu, wall]).decode())


def frameworks_section(args: argparse.Namespace) -> dict[str, float]:
    try:
        from exporters.frameworks import to_langchain, to_llama_index
        import langchain_core  # noqa: F401
        import llama_index.core  # noqa: F401
    except ImportError:
        print("\n== frameworks: langchain-core or llama-index-core not installed (pip install 'docnorm[langchain]')")
        return {}
    doc = normalize(generate.llamacloud_v2(args.pages))
    times = interleaved({'to_langchain(unit="block")': lambda: to_langchain(doc, unit="block"),
                         'to_llama_index(unit="block")': lambda: to_llama_index(doc, unit="block")},
                        args.rounds, pause=False)
    print(f"\n== framework records of a {args.pages}-page result, the collector on\n{HEAD}")
    for name, t in times.items():
        print(f"  {name:28} {t.show()}")
    return {name: min(t.cpu) for name, t in times.items()}


def view_section(args: argparse.Namespace) -> dict[str, float]:
    """The first view of a large result in a fresh viewer (read, normalize, first slice) against normalize alone."""
    from viewer import create_app
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "large.json")
        with open(path, "wb") as fh:
            fh.write(generate.llamacloud_v2(args.view_pages))

        def cold_view() -> bytes:
            response = create_app(root).test_client().get("/view?f=large.json")
            assert response.status_code == 200
            return response.get_data()

        def read_and_normalize() -> Any:
            with open(path, "rb") as fh:
                return normalize(fh.read())
        times = interleaved({"cold view": cold_view, "normalize": read_and_normalize}, args.rounds, pause=False)
    print(f"\n== the {args.view_pages:,}-page cold view, the collector on\n{HEAD}")
    for name, t in times.items():
        print(f"  {name:20} {t.show()}")
    ratio = min(times["cold view"].wall) / min(times["normalize"].wall)
    print(f"  cold view / normalize (wall): {ratio:.2f}x")
    return {"view ratio": ratio}


SECTIONS = {"normalize": normalize_section, "collector": collector_section, "startup": startup_section,
            "diff": diff_section, "frameworks": frameworks_section, "view": view_section}


def targets(found: dict[str, dict[str, float]]) -> None:
    """Each target of issue #31 this run measured, met or not."""
    rows = []
    for name, ratio in found.get("normalize", {}).items():
        rows.append((f"normalize {name} <= 3x floor", f"{ratio:.2f}x", ratio <= 3))
    for name in ("llamacloud.v2", "baidu.result"):
        if name in found.get("collector", {}):
            ms = found["collector"][name] * 1000
            rows.append((f"deferred collection (median), {name} <= 5 ms", f"{ms:.1f} ms", ms <= 5))
    start = found.get("startup", {})
    for name in (n for n in start if n not in ("python -c pass", "import msgspec", "msgspec + argparse")):
        extra = (start[name] - start["python -c pass"]) * 1000
        rows.append((f"{name}: python + <= 37 ms (60 ms with a 23 ms python)", f"+{extra:.1f} ms", extra <= 37))
    for label, exponent in found.get("diff", {}).items():
        rows.append((f"diff growth {label} < 1.05", f"{exponent:.3f}", exponent < 1.05))
    if "view" in found:
        rows.append(("cold view < 2x normalize", f"{found['view']['view ratio']:.2f}x", found["view"]["view ratio"] < 2))
    print("\n== targets")
    for what, value, met in rows:
        print(f"  {'met ' if met else 'NOT '} {what:60} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--view-pages", type=int, default=10000)
    parser.add_argument("--diff-pages", default="1000,4000", help="the two sizes diff is timed at")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--diff-alone", type=int, help=argparse.SUPPRESS)  # the diff section's child process
    args = parser.parse_args()
    if args.diff_alone:
        return diff_alone(args.diff_alone)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"{args.rounds} rounds")
    found = {name: SECTIONS[name](args) for name in args.only.split(",")}
    targets(found)


if __name__ == "__main__":
    main()
