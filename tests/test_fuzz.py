"""Seeded fuzzing of every format docnorm reads, through the whole product, in both modes.

The seed corpus is every sample under samples/ and every provider example and capture under tests/data/providers/
(sorted by path), each filed under the format it is detected as, plus docnorm's own canonical JSON of one seed of
each format (the `docnorm` format has no sample of its own). Case N of seed S is made from (S, N) alone: its format
is the N-th in the registry's order, cycling (every format gets its share, in turn); its mutation cycles through
MUTATIONS once per round of formats (every format meets every mutation); everything else is drawn from a
`random.Random` seeded with the string "docnorm-fuzz:S:N" (hashed with SHA-512, never with Python's hash
randomization). Nothing depends on time, PYTHONHASHSEED or the order a folder is listed in;
`test_cases_do_not_depend_on_the_hash_seed` checks the second.

A case mutates one seed (JSON: a value swapped for a hostile one, aimed at numeric fields, spans, box corners and
numbers; a key dropped or added; an item repeated; or the JSON text cut, spliced or salted; text: cut, spliced or
salted) and may re-encode the bytes (a UTF-8 byte order mark, UTF-16 in either byte order). It is fed as bytes and,
for JSON mutations, as parsed JSON, in both modes (strict and lenient), to `normalize_all`. The contract: nothing
but `NormalizeError` is raised, and every accepted document round-trips through canonical JSON and goes through
every export target (exporters.formats.EXPORTS, with their option variants), LangChain and LlamaIndex objects when
those packages are installed, the diff (against itself and against the unmutated seed's document) and the viewer's
page layout, search and compare view, within 200 MB (tracemalloc's peak: the same on any machine).

CI runs 300 cases of the fixed seed, and no wall-clock bound: only a watchdog on CPU time (HANG, 30 s where a case
takes a tenth of a second) turns a hang into a failure. DOCNORM_FUZZ_LONG=N runs N cases (the first 300 of them are
CI's) and DOCNORM_FUZZ_SEED=S another seed; the long run also bounds each case's CPU time (1 s, 3 s with
tracemalloc on) and saves every failing case, minimized, one per crash class, into tests/fuzz_cases/pending/ (or
DOCNORM_FUZZ_SAVE=DIR): the input as NAME.bytes (fed as bytes) or NAME.parsed.json (read with Python's json.loads,
which keeps NaN, lone surrogates and big integers, and fed as parsed JSON), and NAME.txt with the exception, its
traceback and how to make the case again. Once fixed, a case moves up into tests/fuzz_cases/, where
`test_saved_case` runs it through the same contract on every run.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
import tracemalloc
from pathlib import Path
from typing import Any, Callable, NamedTuple

import pytest

from exporters import table_to_csv, table_to_html, to_json
from exporters.diff import diff, to_diff_html, to_diff_json
from exporters.formats import EXPORTS, ExportSettings
from normalizer import NormalizeError, detect, normalize, normalize_all
from normalizer.registry import FORMATS
from viewer.layout import SLICE, compare_sides, has_confidence, kinds, search, slice_views, summary

from .conftest import ROOT, SHARED, sample_files

CI_CASES, CI_SEED = 300, 20261129
LONG = int(os.environ.get("DOCNORM_FUZZ_LONG") or 0)
CASES = LONG or CI_CASES
SEED = int(os.environ.get("DOCNORM_FUZZ_SEED") or CI_SEED)
FUZZ_CASES = Path(__file__).resolve().parent / "fuzz_cases"
PENDING = FUZZ_CASES / "pending"
SAVE_TO = Path(os.environ["DOCNORM_FUZZ_SAVE"]) if os.environ.get("DOCNORM_FUZZ_SAVE") else PENDING if LONG else None
SECONDS, MEGABYTES = 1.0, 200
HERE = Path(__file__).resolve()

HAVE = {name: importlib.util.find_spec(module) is not None for name, module in
        (("openpyxl", "openpyxl"), ("langchain", "langchain_core"), ("llama_index", "llama_index"))}
if HAVE["llama_index"]:
    HAVE["llama_index"] = importlib.util.find_spec("llama_index.core") is not None


# --- the seed corpus ----------------------------------------------------------------------------------------

class Seed(NamedTuple):
    name: str    # the file it came from, relative to the repository (or "FILE -> docnorm")
    format: str  # the format id it is detected as
    data: bytes


def _corpus() -> dict[str, list[Seed]]:
    files = sample_files() + [p for p in SHARED.glob("*/*") if p.suffix in (".json", ".txt")]
    seeds: dict[str, list[Seed]] = {f.id: [] for f in FORMATS}
    for path in sorted(files, key=lambda p: p.relative_to(ROOT).as_posix()):
        data = path.read_bytes()
        try:
            found = detect(data)
        except NormalizeError:  # a sidecar with no format of its own (LLMWhisperer's highlights)
            continue
        seeds[found].append(Seed(path.relative_to(ROOT).as_posix(), found, data))
    for format_id in list(seeds):  # docnorm's canonical JSON of the first seed of every format
        for seed in seeds[format_id][:1]:
            try:
                docs = normalize_all(seed.data)
            except NormalizeError:  # its own tests say why; here it is only no canonical seed
                docs = []
            if docs and format_id != "docnorm":
                seeds["docnorm"].append(Seed(f"{seed.name} -> docnorm", "docnorm", to_json(docs[0])))
    return seeds


CORPUS = _corpus()
FORMAT_IDS = [f.id for f in FORMATS]  # the registry's table order: a tuple, the same on every run


# --- hostile values and mutations ---------------------------------------------------------------------------

_deep: Any = []
for _ in range(3000):
    _deep = [_deep]

HOSTILE: list[Any] = [
    None, True, 0, -1, 2**64, 2**70, -(2**63), 10**400, -(10**400), 1e308, 1.5, "", "x", "0", "-3", "NaN", "inf",
    "1e999", "9" * 5000, "a\ud800b", "\udfff", "\x00\x01\x7f", "<script>alert(1)</script>", "<<<\n\f", "x" * 200_000,
    "<table><tr><td colspan=\"99999999\">x</td></tr></table>",
    "<table><tr><td colspan=\"18446744073709551616\" rowspan=\"1e400\">x</td></tr></table>",
    "<table>" + ("<tr>" + "<td colspan=1000>x</td>" * 60 + "</tr>") * 2 + "<tr><td>y</td></tr>" * 60 + "</table>",
    "<table><tr><td rowspan=0>a</td><td>b</td></tr><tr></tr></table>", "| a | b |\n|---|---|\n| c |",
    "$$\\frac{1}{0}$$", "[x](javascript:alert(1))", "=HYPERLINK(\"http://evil.example\")", "title_999",
    [], {}, [None], [[1]], [1, 2, 3], [0, 0, -5, -5], [1e308, 1e308, 1e308, 1e308], [0, 0, 10**400, 10**400],
    [0, "1", 2, 3], [[0, 0], ["1", 0], [1, 1], [0, 1]], [True, 0, 1, 1], {"a": None},
    {"x": None, "y": 1, "w": None, "h": 2}, [[0, 1], [2]], [[5, 5], [5, 5]], float("nan"), float("inf"), _deep,
]
# what goes where a number is read: numbers past every bound, booleans, numbers as text
NUMERIC: list[Any] = [10**400, -(10**400), 2**64, -(2**64), True, False, "7", "x", None, 1e308, -1e308,
                      float("nan"), -1, 0, 1.5, [], {}]
CORNER_TEXT = ["12", "x", "", "1e999", "NaN"]  # a box or polygon corner that is a string
_NUMERIC_KEY = re.compile(r"(?i)^(x|y|w|h|x0|y0|x1|y1|l|t|r|b)$|span|bbox|box|poly|point|coord|width|height|page|"
                          r"level|idx|index|row|col|top|left|bottom|right|score|confidence|progress|size|num|count")
_SPAN_KEY = re.compile(r"(?i)(col|row)_?span")

# (index // number of formats) % len(MUTATIONS) picks a case's mutation: every format meets every mutation in
# turn. A JSON mutation that finds nothing to aim at falls back to "replace"; text seeds take the byte ones.
MUTATIONS = ("replace", "delete", "unknown", "repeat", "numeric", "span", "corner", "boolean", "bytes")
BYTE_OPS = ("cut", "splice", "salt", "none")
ENCODINGS = ("utf-8", "bom", "utf-16", "utf-16-le", "utf-16-be")
_ENCODING_WEIGHTS = (14, 2, 2, 1, 1)


class Case(NamedTuple):
    seed: int
    index: int
    source: Seed
    how: str                       # the mutation, in words
    encoding: str                  # how the bytes were encoded (ENCODINGS)
    tags: frozenset[str]           # what it used (mutation, encoding, notable values), for the coverage test
    inputs: list[tuple[str, Any]]  # ("bytes", bytes) or ("parsed", JSON value)


def _paths(value: Any, prefix: tuple = ()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:50]):
            yield from _paths(v, prefix + (i,))


def _get(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_corners(v: Any) -> bool:
    """A box ([x0, y0, x1, y1], [x, y, w, h]), a polygon of points, or a flat polygon."""
    if isinstance(v, list) and len(v) >= 2:
        return all(_is_number(x) for x in v) or all(isinstance(p, list) and p and all(_is_number(x) for x in p)
                                                   for p in v)
    return False


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:
        text = "[[[…]]] (3000 deep)"
    return text if len(text) <= 60 else text[:45] + f"… ({len(text)} chars)"


def _mutate_json(raw: Any, op: str, rng: random.Random, tags: set[str]) -> tuple[Any, str]:
    paths = [p for p in _paths(raw) if p]
    if not paths:
        value = rng.choice(HOSTILE)
        tags.add("replace")
        return value, f"the whole value replaced by {_short(value)}"
    aimed = {
        "numeric": [p for p in paths if isinstance(p[-1], str) and _NUMERIC_KEY.search(p[-1])],
        "span": [p for p in paths if isinstance(p[-1], str) and _SPAN_KEY.search(p[-1])],
        "corner": [p for p in paths if _is_corners(_get(raw, p))],
        "boolean": [p for p in paths if _is_number(_get(raw, p))],
    }
    if op in aimed and not aimed[op]:
        op = "replace"
    raw = copy.deepcopy(raw)
    if op in aimed:
        target = rng.choice(aimed[op])
    else:
        target = rng.choice(paths)
    parent, key = _get(raw, target[:-1]), target[-1]
    where = "$" + "".join(f"[{k!r}]" if isinstance(k, str) else f"[{k}]" for k in target)
    tags.add(op)
    if op == "delete":
        del parent[key]
        return raw, f"{where} deleted"
    if op == "unknown" and isinstance(parent[key], dict):
        value = rng.choice(HOSTILE)
        parent[key]["zz_unknown"] = value
        return raw, f"{where}.zz_unknown = {_short(value)}"
    if op == "repeat" and isinstance(parent, list):
        parent.insert(key, parent[key])
        return raw, f"{where} repeated"
    if op == "corner":
        box = parent[key]
        i = rng.randrange(len(box))
        value = rng.choice(CORNER_TEXT)
        if isinstance(box[i], list):
            box[i][rng.randrange(len(box[i]))] = value
        else:
            box[i] = value
        return raw, f"{where}[{i}] corner = {value!r}"
    if op == "span":
        value = rng.choice([2**64, 2**64, 10**400, -(2**64), 0, True])
    elif op == "boolean":
        value = rng.choice([True, True, False])
    elif op == "numeric":
        value = rng.choice(NUMERIC)
    else:
        tags.discard(op)
        tags.add("replace")
        value = rng.choice(HOSTILE)
    if value is True:
        tags.add("value:true")
    if _is_number(value) and abs(value) > 2**1023:
        tags.add("value:beyond-float")
    if _is_number(value) and value == 2**64:
        tags.add("value:2**64")
    parent[key] = value
    return raw, f"{where} = {_short(value)}"


def _mutate_bytes(data: bytes, op: str, rng: random.Random) -> tuple[bytes, str]:
    at = rng.randrange(max(len(data), 1))
    if op == "cut":
        return data[:at], f"cut at byte {at}"
    if op == "splice":
        piece = rng.choice([b"\xff\xfe", b"\\ud800", b"[" * 2000, b"\f<<<\n", b"\x00", b"{", b"\xef\xbb\xbf"])
        return data[:at] + piece + data[at:], f"{_short(piece)} spliced in at byte {at}"
    if op == "salt":
        flips = [rng.random() < 0.001 for _ in data]
        return bytes(b ^ 0x20 if f else b for b, f in zip(data, flips)), f"{sum(flips)} bytes salted"
    return data, "unchanged"


def _encode(data: bytes, encoding: str) -> bytes:
    if encoding == "utf-8":
        return data
    if encoding == "bom":
        return b"\xef\xbb\xbf" + data
    text = data.decode("utf-8", "surrogateescape")  # lone surrogates stay (and become lone UTF-16 units)
    return text.encode(encoding, "surrogatepass")


def _json_bytes(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8", "surrogatepass")
    except ValueError:  # NaN or infinity: the non-standard tokens Python writes (hostile too)
        return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except RecursionError:
        return b"[" * 3000 + b"]" * 3000


def make_case(seed: int, index: int) -> Case:
    """Case `index` of `seed`: a function of the two numbers (and the repository's files) alone."""
    rng = random.Random(f"docnorm-fuzz:{seed}:{index}")
    format_id = FORMAT_IDS[index % len(FORMAT_IDS)]
    op = MUTATIONS[(index // len(FORMAT_IDS)) % len(MUTATIONS)]
    source = rng.choice(CORPUS[format_id])
    encoding = rng.choices(ENCODINGS, _ENCODING_WEIGHTS)[0]
    tags = {f"format:{format_id}", f"encoding:{encoding}"}
    parsed = None
    if op != "bytes" and not source.name.endswith(".txt"):
        try:
            parsed = json.loads(source.data)
        except ValueError:
            parsed = None
    if parsed is not None:
        mutated, how = _mutate_json(parsed, op, rng, tags)
        data = _encode(_json_bytes(mutated), encoding)
        inputs = [("bytes", data), ("parsed", mutated)]
    else:
        byte_op = rng.choice(BYTE_OPS)
        tags.add(f"bytes:{byte_op}")
        data, how = _mutate_bytes(source.data, byte_op, rng)
        data = _encode(data, encoding)
        inputs = [("bytes", data)]
    if encoding != "utf-8":
        how += f", encoded {encoding}"
    return Case(seed, index, source, how, encoding, frozenset(tags), inputs)


# --- the contract -------------------------------------------------------------------------------------------

_SETTINGS = [ExportSettings(), ExportSettings(span_policy="repeat", raw_csv=True, bom=True, unit="page"),
             ExportSettings(span_policy="anchor", remote_images=True, unit="block")]
_JSON_EXPORTS = {"json", "docling", "elements"}
_JSONL_EXPORTS = {"chunks", "langchain-jsonl"}


def _no_nan(token: str) -> Any:
    raise ValueError(f"{token} in JSON output")


def _strict_json(text: str | bytes) -> None:
    json.loads(text, parse_constant=_no_nan)


class Probe:
    """Where the contract is (for the failure's name and note)."""

    def __init__(self) -> None:
        self.step = "start"


def _export_everything(doc, probe: Probe) -> None:
    for name in EXPORTS:  # a dict literal: the same order every run
        if name == "xlsx" and not HAVE["openpyxl"]:
            continue
        for settings in _SETTINGS if name in ("md", "tables-csv", "langchain-jsonl", "html") else _SETTINGS[:1]:
            probe.step = f"export {name}"
            out = EXPORTS[name][2](doc, settings)
            if name in _JSON_EXPORTS:
                _strict_json(out)
            elif name in _JSONL_EXPORTS:
                for line in out.splitlines():
                    _strict_json(line)
    for block in doc.blocks:
        if block.table is not None:
            probe.step = "table exports"
            for policy in ("html", "repeat", "anchor"):
                table_to_csv(block.table, policy), table_to_csv(block.table, policy, raw=True)
            table_to_html(block.table)
    if HAVE["langchain"]:
        from exporters.frameworks import to_langchain
        for unit in ("chunk", "page", "block"):
            probe.step = f"to_langchain {unit}"
            to_langchain(doc, unit)
    if HAVE["llama_index"]:
        from exporters.frameworks import to_llama_index
        for unit in ("chunk", "page", "block"):
            probe.step = f"to_llama_index {unit}"
            to_llama_index(doc, unit)


def _through_everything(doc, reference, probe: Probe) -> None:
    probe.step = "canonical round trip"
    assert normalize(to_json(doc)) == doc, "normalize(to_json(doc)) != doc"
    _export_everything(doc, probe)
    for other in (doc, reference) if reference is not None else (doc,):
        probe.step = "diff"
        result = diff(doc, other)
        to_diff_json(result), to_diff_html(result, doc, other)
        probe.step = "viewer compare"
        compare_sides(result, (doc, other), 0, (lambda url: None, lambda url: None))
    probe.step = "viewer layout"
    for start in range(0, len(doc.pages), SLICE):
        slice_views(doc, start)
    summary(doc), kinds(doc), has_confidence(doc), search(doc, "a"), search(doc, "\x00<")


_REFERENCES: dict[str, Any] = {}


def _reference(source: Seed | None):
    """The unmutated seed's first document (the other side of the diff), or None."""
    if source is None:
        return None
    if source.name not in _REFERENCES:
        docs = normalize_all(source.data)
        _REFERENCES[source.name] = docs[0] if docs else None
    return _REFERENCES[source.name]


def contract(raw: Any, strict: bool, probe: Probe, reference=None, done: set[bytes] | None = None) -> None:
    """normalize_all in one mode, then every accepted document through everything (once per distinct
    document when `done` collects the canonical JSON already seen)."""
    probe.step = "normalize strict" if strict else "normalize lenient"
    try:
        docs = normalize_all(raw, strict=strict)
    except NormalizeError as exc:
        assert exc.path.startswith("$") and exc.message, "a NormalizeError without a path or a message"
        return
    for doc in docs:
        if done is not None:
            probe.step = "canonical JSON"
            key = hashlib.sha256(to_json(doc)).digest()
            if key in done:
                continue
            done.add(key)
        _through_everything(doc, reference, probe)


_WARM: list[bool] = []


def warm_up() -> None:
    """Import what the exporters import on first use (llama_index takes seconds, and hundreds of MB under
    tracemalloc) and run the contract once, before any case is measured."""
    if _WARM:
        return
    for name, module in (("openpyxl", "openpyxl"), ("langchain", "langchain_core.documents"),
                         ("llama_index", "llama_index.core.schema")):
        if HAVE[name]:
            importlib.import_module(module)
    for seed in (CORPUS["docnorm"] or CORPUS["llamacloud.v2"])[:1]:
        contract(seed.data, False, Probe(), _reference(seed))
    _WARM.append(True)


class Slow(Exception):
    """The long run's time bound, broken."""


class Runaway(BaseException):
    """The long run's watchdog stopped a case still running past HANG seconds of CPU time or RUNAWAY_MEGABYTES
    in use (a BaseException, so that no `except Exception` in the code under test can swallow it)."""


HANG, RUNAWAY_MEGABYTES = 30.0, 2_000


def _watchdog(start: float) -> Callable[..., None]:
    def tick(signum: int, frame: Any) -> None:
        if time.process_time() - start > HANG:
            raise Runaway(f"still running after {HANG:.0f} s of CPU time")
        current = tracemalloc.get_traced_memory()[0]
        if current > RUNAWAY_MEGABYTES * 2**20:
            raise Runaway(f"{current / 2**20:.0f} MB in use and still running")
    return tick


def checked(raw: Any, strict: bool, probe: Probe, reference=None, done: set[bytes] | None = None,
            timed: bool = False) -> None:
    """`contract` within the memory bound (and, when `timed`, the long run's CPU-time bound). A watchdog stops a
    case that hangs or keeps growing (HANG seconds of CPU time, not of the clock: a busy machine does not trip it;
    300 times what a case takes), so that a hang fails its case instead of stalling the run."""
    watch = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    tracemalloc.start()
    start = time.process_time()
    if watch:
        previous = signal.signal(signal.SIGPROF, _watchdog(start))
        signal.setitimer(signal.ITIMER_PROF, 0.5, 0.5)
    try:
        contract(raw, strict, probe, reference, done)
    finally:
        if watch:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)
        elapsed = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    probe.step = "memory bound"
    assert peak < MEGABYTES * 2**20, f"peak memory {peak / 2**20:.0f} MB"
    if timed and elapsed > SECONDS * 3:  # tracemalloc makes Python about 2-3x slower
        probe.step = "time bound"
        raise Slow(f"{elapsed:.2f} s of CPU time (the bound is {SECONDS} s, x3 with tracemalloc on)")


@pytest.mark.parametrize("index", range(CASES))
def test_fuzz_case(index):
    warm_up()
    case = make_case(SEED, index)
    reference = _reference(case.source)
    done: set[bytes] = set()
    for kind, raw in case.inputs:
        for strict in (False, True):
            probe = Probe()
            try:
                checked(raw, strict, probe, reference, done, timed=bool(LONG))
            except (Exception, Runaway) as exc:
                where = save_failure(case, kind, raw, strict, probe, exc) if SAVE_TO else None
                again = f"DOCNORM_FUZZ_SEED={SEED} DOCNORM_FUZZ_LONG={max(CASES, index + 1)} " \
                        f"python -m pytest 'tests/test_fuzz.py::test_fuzz_case[{index}]'"
                exc.add_note(f"fuzz case {index} of seed {SEED}: {case.source.name} ({case.source.format}), "
                             f"{case.how}; fed as {kind}, strict={strict}; failed at: {probe.step}\n"
                             f"again: {again}" + (f"\nsaved as {where}" if where else ""))
                if isinstance(exc, Runaway):
                    raise Slow(f"stopped at {probe.step}: {exc}") from exc
                raise


# --- failures saved as regression cases ---------------------------------------------------------------------

def _frames(exc: BaseException) -> tuple[traceback.FrameSummary, traceback.FrameSummary | None]:
    """(the last frame, the last frame in docnorm's own packages)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)  # the watchdog's own frame is not where it hung
              if not (f.name == "tick" and Path(f.filename).resolve() == HERE)]
    own = [f for f in frames if any(f"{os.sep}{pkg}{os.sep}" in f.filename for pkg in ("normalizer", "exporters",
                                                                                        "viewer"))]
    return frames[-1], (own[-1] if own else None)


def _where(frame: traceback.FrameSummary | None) -> str:
    if frame is None:
        return "-"
    try:
        name = Path(frame.filename).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        name = Path(frame.filename).name
    return f"{name}:{frame.lineno} in {frame.name}"


def signature(format_id: str, probe: Probe, exc: BaseException) -> str:
    """A crash class as a file name: format, step, exception type and the deepest frame of docnorm's own (or
    the contract's step, when the failure is one of its checks)."""
    last, own = _frames(exc)
    if own is not None:
        place = f"{Path(own.filename).stem}.{own.name}"
    elif Path(last.filename).resolve() == HERE:
        place = "contract"
    else:
        place = f"{Path(last.filename).stem}.{last.name}"
    step = "normalize" if probe.step.startswith("normalize") else probe.step
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "--".join([format_id, step, type(exc).__name__, place]))[:150]


def _still_fails(kind: str, strict: bool, format_id: str, name: str, reference, timed: bool,
                 encoding: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        raw = _encode(_json_bytes(value), encoding) if kind == "bytes" else value
        probe = Probe()
        try:
            checked(raw, strict, probe, reference, None, timed=timed)
        except (Exception, Runaway) as exc:  # noqa: BLE001 - any failure, if it is of the same class
            return signature(format_id, probe, exc) == name
        return False
    return check


def minimize(value: Any, fails: Callable[[Any], bool], attempts: int = 150, seconds: float = 60.0) -> Any:
    """Greedy: drop list items (halves first) and object keys, and shorten long strings, while it still fails
    the same way; at most `attempts` tries and about `seconds` of CPU time."""
    tries = 0
    began = time.process_time()

    def attempt(candidate: Any) -> bool:
        nonlocal tries
        tries += 1
        if time.process_time() - began > seconds:
            tries = attempts  # out of time: what is left stays
            return False
        try:
            return fails(candidate)
        except RecursionError:
            return False

    progress = True
    while progress and tries < attempts:
        progress = False
        try:
            paths = [p for p in _paths(value) if isinstance(_get(value, p), (list, dict, str))]
        except RecursionError:
            return value
        for path in paths:
            if tries >= attempts:
                break
            node = _get(value, path)
            if isinstance(node, str) and len(node) > 40 and path:
                candidate = copy.deepcopy(value)
                _get(candidate, path[:-1])[path[-1]] = node[:20]
                if attempt(candidate):
                    value, progress = candidate, True
                    break
            elif isinstance(node, (list, dict)) and node:
                keys = list(range(len(node))) if isinstance(node, list) else list(node)
                size = max(len(keys) // 2, 1)
                while tries < attempts:
                    for start in range(0, len(keys), size):
                        drop = set(keys[start:start + size])
                        candidate = copy.deepcopy(value)
                        target = _get(candidate, path)
                        if isinstance(target, list):
                            target[:] = [v for i, v in enumerate(target) if i not in drop]
                        else:
                            for k in drop:
                                del target[k]
                        if attempt(candidate):
                            value, progress = candidate, True
                            break
                    if progress or size == 1:
                        break
                    size //= 2
                if progress:
                    break  # the tree changed: paths are listed again
    return value


class _Deep:
    """Python's recursion limit raised for a moment, for JSON nested thousands deep."""

    def __enter__(self) -> None:
        self.old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.old, 20_000))

    def __exit__(self, *exc: Any) -> None:
        sys.setrecursionlimit(self.old)


def save_failure(case: Case, kind: str, raw: Any, strict: bool, probe: Probe, exc: BaseException) -> Path | None:
    """Write the failing input (minimized when it is a JSON tree) and a note beside it, once per crash class."""
    assert SAVE_TO is not None
    name = signature(case.source.format, probe, exc)
    for existing in (SAVE_TO / f"{name}.bytes", SAVE_TO / f"{name}.parsed.json"):
        if existing.exists():
            return existing
    fails = _still_fails(kind, strict, case.source.format, name, _reference(case.source), isinstance(exc, Slow),
                         case.encoding)
    minimized = False
    with _Deep():
        if isinstance(exc, (Slow, Runaway)):
            data = raw if kind == "bytes" else json.dumps(raw, ensure_ascii=True).encode("ascii")  # too slow to cut
        elif kind == "parsed":
            value = minimize(raw, fails)
            data = json.dumps(value, ensure_ascii=True).encode("ascii")
            minimized = True
        elif len(case.inputs) == 2 and _encode(_json_bytes(case.inputs[1][1]), case.encoding) == raw:
            # the bytes of a mutated tree: the tree minimized, then written and encoded as before
            data = _encode(_json_bytes(minimize(case.inputs[1][1], fails)), case.encoding)
            minimized = True
        else:
            data = raw  # cut, spliced, salted or re-encoded bytes: kept as they are
    SAVE_TO.mkdir(parents=True, exist_ok=True)
    path = SAVE_TO / (f"{name}.parsed.json" if kind == "parsed" else f"{name}.bytes")
    path.write_bytes(data)
    last, own = _frames(exc)
    note = [f"crash class: {name}",
            f"format: {case.source.format}",
            f"seed file: {case.source.name}",
            f"mutation: {case.how}",
            f"fed as: {kind} ({'json.loads of the file' if kind == 'parsed' else 'the file bytes'}), strict={strict}",
            f"failed at: {probe.step}",
            f"exception: {type(exc).__name__}: {str(exc)[:2000]}",
            f"last frame: {_where(last)}",
            f"last docnorm frame: {_where(own)}",
            f"made by: DOCNORM_FUZZ_SEED={case.seed} DOCNORM_FUZZ_LONG={case.index + 1} python -m pytest "
            f"'tests/test_fuzz.py::test_fuzz_case[{case.index}]'",
            f"input: {path.name}, {len(data)} bytes" + (" (minimized)" if minimized else ""),
            "", "traceback:", "".join(traceback.format_exception(exc)).rstrip()]
    (SAVE_TO / f"{name}.txt").write_text("\n".join(note) + "\n", encoding="utf-8", errors="backslashreplace")
    return path


def load_case(path: Path) -> Any:
    """A saved input: NAME.parsed.json as Python's json.loads reads it (NaN, lone surrogates and big integers
    kept), anything else as its bytes."""
    if path.name.endswith(".parsed.json"):
        with _Deep():
            return json.loads(path.read_bytes())
    return path.read_bytes()


def saved_cases(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and p.name.endswith((".bytes", ".parsed.json"))),
                  key=lambda p: p.name)


@pytest.mark.parametrize("path", saved_cases(FUZZ_CASES), ids=lambda p: p.name)
def test_saved_case(path):
    """Every case a fuzz run found (and that was fixed) goes through the same contract, in both modes."""
    warm_up()
    for strict in (False, True):
        probe = Probe()
        try:
            checked(load_case(path), strict, probe)
        except Runaway as exc:
            raise Slow(f"saved case {path.name}, strict={strict}: stopped at {probe.step}: {exc}") from exc
        except Exception as exc:
            exc.add_note(f"saved case {path.name}, strict={strict}; failed at: {probe.step}")
            raise


def test_saved_cases_are_there_and_each_has_its_note():
    cases = saved_cases(FUZZ_CASES)
    assert cases, f"no regression case under {FUZZ_CASES}"
    for path in cases + saved_cases(PENDING):
        note = path.with_name(path.name.removesuffix(".parsed.json").removesuffix(".bytes") + ".txt")
        assert note.is_file(), f"{path.name} has no note {note.name}"


# --- the case generator itself --------------------------------------------------------------------------------

def test_every_format_has_a_seed():
    assert FORMAT_IDS == [f.id for f in FORMATS] and set(CORPUS) == set(FORMAT_IDS)
    assert [f for f in FORMAT_IDS if not CORPUS[f]] == []


def test_the_ci_cases_cover_every_format_mutation_encoding_and_hostile_kind():
    tags: set[str] = set()
    for index in range(CI_CASES):
        tags |= make_case(CI_SEED, index).tags
    wanted = ({f"format:{f}" for f in FORMAT_IDS} | {f"encoding:{e}" for e in ENCODINGS}
              | {m for m in MUTATIONS if m != "bytes"} | {f"bytes:{op}" for op in BYTE_OPS}
              | {"value:true", "value:beyond-float", "value:2**64"})
    assert wanted - tags == set()


def _digest(seed: int, count: int) -> str:
    h = hashlib.sha256()
    for index in range(count):
        case = make_case(seed, index)
        h.update(f"{index}\0{case.source.name}\0{case.how}\0{sorted(case.tags)}\0".encode("utf-8", "surrogatepass"))
        for kind, raw in case.inputs:
            h.update(raw if kind == "bytes" else _json_bytes(raw))
    return h.hexdigest()


def test_cases_do_not_depend_on_the_hash_seed():
    """The same cases under two other PYTHONHASHSEED values, in fresh interpreters."""
    count = 120
    here = _digest(CI_SEED, count)
    code = f"from tests.test_fuzz import _digest; print(_digest({CI_SEED}, {count}))"
    runs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONHASHSEED": hash_seed}) for hash_seed in ("0", "4242")]
    outs = [run.communicate(timeout=600)[0].strip() for run in runs]
    assert outs == [here, here]
    assert make_case(CI_SEED, 7) == make_case(CI_SEED, 7) and _digest(CI_SEED + 1, 3) != _digest(CI_SEED, 3)
