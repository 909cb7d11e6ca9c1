"""The Evaluate page: prediction sets of the served folder scored against a ground truth of it, ranked, shown
with the report `docnorm eval --html` writes (the same template), each page opening the compare view.

Read-only like every route: the truth and the predictions are chosen from lists of the served folder's
folders and files (GET), each file resolved by the store's `resolve` (inside the root, links followed, no `..`);
nothing is written. In review mode the truth may also be every truth of the truth folder (`truth:`, the same table
as `docnorm eval TRUTH_DIR RESULT_DIRS...`), each resolved by the truth folder's own `resolve`. The work is
bounded per request: at most DOCNORM_EVAL_FILES files per side, DOCNORM_EVAL_BYTES bytes read, DOCNORM_EVAL_PAGES
truth pages and DOCNORM_EVAL_SETS prediction sets (app config, defaults below), the report saying what was cut.
Results are cached by the choice and the size and mtime of every file read.
"""

from __future__ import annotations

import os
import posixpath
from collections import OrderedDict
from typing import NamedTuple

from flask import Blueprint, Response, current_app, render_template, request, url_for

from msgspec.structs import replace

from exporters.eval import EvalResult, ground, rank
from exporters.eval.native import evaluate as native
from exporters.eval.report import eval_report_body, eval_report_css, to_eval_html
from exporters.eval.sets import READABLE, Side, pair, read_side
from normalizer.errors import failure_message, shown

from ..review.truths import PREFIX as TRUTH_PREFIX
from ..state import state
from ..store import SUFFIXES, Refused
from .downloads import attachment

bp = Blueprint("evaluate", __name__)

LIMITS = {"FILES": 200, "BYTES": 64 << 20, "PAGES": 100, "SETS": 8}  # per request; app.config DOCNORM_EVAL_<NAME>
CHOICES = 400        # files offered as choices (every folder is)
CACHED = 8           # evaluations kept
PROTOCOLS = ("docnorm", "omnidocbench")
TRUTH_NAMES = ("truth", "ground_truth", "ground-truth", "gt")   # a folder so named is the truth chosen first


class Choices(NamedTuple):
    """What the served folder offers: its readable files, and each folder that holds some (with its files); in
    review mode, the truths of the truth folder as pages name them (`truth:<stem>.truth.json`)."""

    files: list[str]
    folders: dict[str, list[str]]    # folder -> every readable file under it
    truths: list[str] = []


class Run(NamedTuple):
    """A cached evaluation: the result (paths relative to the served folder), what the links need, a message."""

    result: EvalResult
    docs: dict[tuple, tuple[int, int | None, int]]   # (truth file, page, prediction file, page) -> indices, start
    message: str | None
    audited: dict[str, list[tuple[str, int]]] = {}   # set name -> its result documents (file, index) to audit


def limit(name: str) -> int:
    """A per-request budget: the app's DOCNORM_EVAL_<name>, else the default."""
    return int(current_app.config.get(f"DOCNORM_EVAL_{name}", LIMITS[name]))


def readable_files() -> list[str]:
    """Every file under the served folder an evaluation reads (`.json`, `.txt`, `.md`, `.markdown`), relative and
    sorted, as `Store.files` lists results: hidden ones and links leading out skipped, each name confirmed by
    the store's `resolve`."""
    store = state().store
    found = []
    start = len(store.root.rstrip(os.sep)) + 1
    for folder, dirs, names in os.walk(store.root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = folder[start:].replace(os.sep, "/") + "/" if len(folder) >= start else ""
        for name in names:
            rel = prefix + name
            if name.startswith(".") or not name.lower().endswith(READABLE) or shown(rel) != rel:
                continue
            try:
                store.resolve(rel, READABLE)
            except Refused:
                continue
            found.append(rel)
    return sorted(found)


def choices() -> Choices:
    """The served folder's readable files and the folders that hold them: all that a request may choose."""
    files = readable_files()
    folders: dict[str, list[str]] = {}
    for rel in files:
        parts = rel.split("/")[:-1]
        for k in range(1, len(parts) + 1):
            folders.setdefault("/".join(parts[:k]), []).append(rel)
    truths = state().truth.names() if state().truth is not None else []
    return Choices(files, dict(sorted(folders.items())), truths)


def chosen(choice: str, offered: Choices) -> list[str]:
    """The files a chosen folder or file stands for; `Refused` for anything the lists did not offer."""
    if choice == TRUTH_PREFIX and offered.truths:  # every truth of review mode's truth folder
        return offered.truths
    if choice in offered.folders:
        return offered.folders[choice]
    if choice in offered.files:
        return [choice]
    raise Refused("expected a folder or a file of the served folder that holds results")


def _budget(files: list[str], notes: list[str], what: str, room: list[int]) -> list[str]:
    """`files` cut to the per-request budgets (files per side, bytes over the request), saying so in `notes`."""
    kept: list[str] = []
    for rel in files[:limit("FILES")]:
        size = _stat(rel).st_size
        if size > room[0]:
            break
        room[0] -= size
        kept.append(rel)
    if len(kept) < len(files):
        notes.append(f"{what}: {len(kept)} of its {len(files)} files were read (the viewer reads at most "
                     f"{limit('FILES')} files per side and {limit('BYTES') >> 20} MB per request; "
                     f"`docnorm eval` has no such limit)")
    return kept


def _resolve(rel: str) -> str:
    """The real path of a chosen file: one of the served folder, or a truth of the truth folder."""
    if rel.startswith(TRUTH_PREFIX) and state().truth is not None:
        try:
            return state().truth.resolve(rel)
        except LookupError:
            raise Refused("no such truth") from None
    return state().store.resolve(rel, READABLE)


def _stat(rel: str) -> os.stat_result:
    try:
        return os.stat(_resolve(rel))
    except OSError:  # removed since it was listed
        raise Refused("no such file") from None


def _signature(files: list[str]) -> tuple:
    return tuple((rel, st.st_size, st.st_mtime_ns) for rel in files for st in (_stat(rel),))


def _relative(text: str) -> str:
    text = state().truth.named(text) if state().truth is not None else text
    return text.replace(state().store.root + os.sep, "")


def _read(files: list[str]) -> Side:
    side = read_side([_resolve(rel) for rel in files])
    return Side(side.pages, [(_relative(f), _relative(why)) for f, why in side.failures])


def _doc_numbers(side: Side) -> dict[int, int]:
    """Each document's index within its file (as the store's `load` lists them), by the document's id."""
    seen: dict[str, dict[int, int]] = {}
    numbers = {}
    for ref in side.pages:
        docs = seen.setdefault(ref.file, {})
        numbers[id(ref.doc)] = docs.setdefault(id(ref.doc), len(docs))
    return numbers


def _links_of(truth: Side, predicted: Side, docs: dict[tuple, tuple[int, int | None, int]]) -> None:
    """Record, for each page pair, the documents the compare view opens and where (the truth page's place)."""
    tn, pn = _doc_numbers(truth), _doc_numbers(predicted)
    for t, p in pair(truth.pages, predicted.pages)[0]:
        numbers = [pg.number for pg in t.doc.pages]
        start = numbers.index(t.number) if t.number in numbers else 0
        key = (_relative(t.file), t.number, _relative(p.file) if p else None, p.number if p else None)
        docs[key] = (tn[id(t.doc)], pn[id(p.doc)] if p else None, start)


def _native(truth_files: list[str], sets: list[tuple[str, str, list[str]]], notes: list[str]) -> Run:
    """The docnorm protocol on the budgeted files, one set after another in this process (`evaluate_sets`
    reads whole folders; here every file was resolved inside the served folder and cut to the budget)."""
    truth = _read(truth_files)
    if len(truth.pages) > limit("PAGES"):
        notes.append(f"only the first {limit('PAGES')} of the truth's {len(truth.pages)} pages were scored "
                     f"(the viewer's limit per request; `docnorm eval` scores them all)")
        truth = Side(truth.pages[:limit("PAGES")], truth.failures)
    entries, failures, docs, audited = [], [], {}, {}
    for name, rel, files in sets:
        try:
            predicted = _read(files)
            entries.append(native(truth, predicted, name, rel))
            _links_of(truth, predicted, docs)
            audited[name] = _documents(predicted)
        except Exception as exc:  # any exception is this set's failure: listed, the other sets go on
            failures.append((rel, _relative(failure_message(exc))))
    message = None
    if not truth.pages:
        message = "The truth has nothing readable: no page could be read from it (see the failures below)."
    elif entries and all(len(e.missing) == len(e.pages) for e in entries):
        message = ("No predicted page pairs with a truth page. Pages pair by name: the source document each result "
                   "records (its page n as `name#n`), or the file's own name; see the unmatched pages below.")
    result = EvalResult(protocol="docnorm", truth="", pages=len(truth.pages), entries=rank(entries),
                        failures=truth.failures + failures, notes=notes)
    return Run(result, docs, message, audited)


def _documents(side: Side) -> list[tuple[str, int]]:
    """A set's result documents as the audits name them, (file as served, index in it), each once; Markdown and
    text pages have no boxes to audit."""
    numbers = _doc_numbers(side)
    found = ((_relative(ref.file), numbers[id(ref.doc)]) for ref in side.pages)
    return [(rel, index) for rel, index in dict.fromkeys(found) if rel.endswith(SUFFIXES)]


def grounded(run: Run) -> EvalResult:
    """The result with each set's grounding (its documents' mean audit score against the PDF beside them, as
    `docnorm eval` shows it) as far as the viewer's background audits know it: a request only looks, so what is
    not audited yet is queued and said to be pending. The cached run stays as it was made.

    Example (a run with nothing to audit is its result):
        >>> run = Run(EvalResult(protocol="docnorm", truth="t", pages=0), {}, None)
        >>> grounded(run) is run.result
        True
    """
    if not run.audited:
        return run.result
    audits, entries, notes = state().audits, [], list(run.result.notes)
    for entry in run.result.entries:
        docs = run.audited.get(entry.name, [])
        found = [audits.entry(rel, index) for rel, index in docs]
        copy = replace(entry, scores=dict(entry.scores), notes=list(entry.notes))
        ground(copy, [f.score for f in found if f is not None and f.score is not None], len(docs),
               sum(f is None for f in found))
        notes += copy.notes[len(entry.notes):]
        entries.append(copy)
    return replace(run.result, entries=entries, notes=notes)


def _official(truth_files: list[str], sets: list[tuple[str, str, list[str]]]) -> Run:
    """The omnidocbench protocol on the same confined, budgeted files as the docnorm protocol."""
    from exporters.eval import evaluate_sets
    files = [[_resolve(rel) for rel in chosen_files] for chosen_files in [truth_files] + [f for *_, f in sets]]
    result = evaluate_sets(files[0], files[1:], "omnidocbench", [n for n, _, _ in sets], workers=1)
    paths = {name: rel for name, rel, _ in sets}
    for entry in result.entries:
        entry.path = paths.get(entry.name, entry.path)
    return Run(result, {}, None)


def _relativize(result: EvalResult, truth: str) -> None:
    """Paths as the served folder names them: no absolute path of this machine reaches the page."""
    result.truth = truth
    result.failures = [(_relative(f), _relative(why)) for f, why in result.failures]
    result.notes = [_relative(n) for n in result.notes]
    for entry in result.entries:
        entry.path = _relative(entry.path)
        entry.failures = [(_relative(f), _relative(why)) for f, why in entry.failures]
        entry.truth_failures = [(_relative(f), _relative(why)) for f, why in entry.truth_failures]
        entry.notes = [_relative(n) for n in entry.notes]
        for page in entry.pages:
            page.truth_file = page.truth_file and _relative(page.truth_file)
            page.prediction_file = page.prediction_file and _relative(page.prediction_file)


def _names(picks: list[str]) -> list[str]:
    """A label per set: its folder's or file's name, or its whole path where two names are the same."""
    base = [posixpath.basename(p) for p in picks]
    return [b if base.count(b) == 1 else p for b, p in zip(base, picks)]


def evaluation(truth: str, picks: list[str], protocol: str, offered: Choices) -> Run:
    """The evaluation of the chosen truth and prediction sets, cached by the choice and every file's size and
    mtime (a file changed, added or removed: evaluated again)."""
    notes: list[str] = []
    if len(picks) > limit("SETS"):
        notes.append(f"only the first {limit('SETS')} of the {len(picks)} prediction sets chosen were scored")
    room = [limit("BYTES")]
    truth_files = _budget(chosen(truth, offered), notes, f"the truth {truth}", room)
    sets = []
    for name, rel in zip(_names(picks), picks[:limit("SETS")]):
        files = [f for f in chosen(rel, offered) if f not in truth_files]
        if len(files) < len(chosen(rel, offered)):
            notes.append(f"{rel}: the truth's own files were left out of this prediction set")
        sets.append((name, rel, _budget(files, notes, rel, room)))
    key = (truth, tuple(picks), protocol, tuple(limit(n) for n in LIMITS))
    signature = _signature(truth_files + [f for _, _, files in sets for f in files])
    cache: OrderedDict = current_app.extensions.setdefault("docnorm.eval", OrderedDict())
    hit = cache.get(key)
    if hit is not None and hit[0] == signature:
        cache.move_to_end(key)
        return hit[1]
    if protocol == "omnidocbench":
        run = _official(truth_files, sets)
        run.result.notes[:0] = notes
    else:
        run = _native(truth_files, sets, notes)
    _relativize(run.result, "review mode's truth folder" if truth == TRUTH_PREFIX else truth)
    cache[key] = (signature, run)
    while len(cache) > CACHED:
        cache.popitem(last=False)
    return run


def links_for(run: Run):
    """The report's links: each page pair opens the compare view on the truth page; a page with no prediction
    opens the truth's own view there. None for a file the viewer does not open (Markdown)."""
    store = state().store

    def single(rel: str) -> int | None:
        try:
            loaded = store.load(rel)
        except Refused:  # removed since
            return None
        return 0 if loaded.error is None and len(loaded.docs) == 1 else None

    def link(tf: str | None, tp: int, pf: str | None, pp: int | None) -> str | None:
        if not tf or not tf.endswith(SUFFIXES) or (pf is not None and not pf.endswith(SUFFIXES)):
            return None
        ti, pi, start = run.docs.get((tf, tp, pf, pp)) or (single(tf), single(pf) if pf else None, 0)
        if ti is None:
            return None
        if pf is None:
            return url_for("document.view", f=tf, i=ti, page=tp)
        if pi is None:
            return None
        return url_for("compare.compare", a=tf, ai=ti, b=pf, bi=pi, **({"start": start} if start else {}))
    return link


def _request() -> tuple[str, list[str], str]:
    truth, picks = request.args.get("t", ""), list(dict.fromkeys(request.args.getlist("p")))
    protocol = request.args.get("protocol", "docnorm")
    if protocol not in PROTOCOLS:
        raise Refused(f"expected a protocol of {', '.join(PROTOCOLS)}")
    return truth, picks, protocol


@bp.get("/evaluate")
def evaluate() -> str:
    """The form (the served folder's folders and files), and with a truth and predictions chosen, the report."""
    truth, picks, protocol = _request()
    offered = choices()
    if not truth:
        named = [f for f in offered.folders if posixpath.basename(f).lower() in TRUTH_NAMES]
        truth = min(named, key=lambda f: (f.count("/"), f), default="")   # the shallowest folder named so
        truth = TRUTH_PREFIX if offered.truths else truth   # review mode: its truth folder first
    run = evaluation(truth, picks, protocol, offered) if request.args.get("t") and picks else None
    message = run.message if run else None
    if bool(request.args.get("t")) != bool(picks):
        message = "Choose the ground truth and one or more prediction sets to score against it."
    shows = run is not None and bool(run.result.pages or run.result.failures or run.result.entries)
    body = eval_report_body(grounded(run), links_for(run)) if shows else None
    direct: dict[str, list[str]] = {}
    for rel in offered.files[:CHOICES]:
        direct.setdefault(posixpath.dirname(rel), []).append(rel)
    return render_template("evaluate.html.j2", offered=offered, direct=direct, truth=truth, picks=picks,
                           protocol=protocol, protocols=PROTOCOLS, message=message, body=body, run=run,
                           cut=max(0, len(offered.files) - CHOICES), basename=posixpath.basename,
                           limits={n: limit(n) for n in LIMITS})


@bp.get("/evaluate/report.html")
def report() -> Response:
    """The same evaluation as a standalone report, to keep (no links: it is read away from the viewer)."""
    truth, picks, protocol = _request()
    if not (truth and picks):
        raise Refused("choose a truth and one or more prediction sets")
    run = evaluation(truth, picks, protocol, choices())
    return Response(to_eval_html(grounded(run)), mimetype="text/html",
                    headers={"Content-Disposition": attachment("evaluation.html")})


@bp.get("/evaluate/report.css")
def report_css() -> Response:
    """The report's styles (the page's policy allows no inline `<style>`)."""
    return Response(eval_report_css(), mimetype="text/css", headers={"Cache-Control": "no-cache"})
