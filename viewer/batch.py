"""The command line over a corpus: which files the arguments name, and running one job per file on every core.

Arguments are files, folders (every result file under them; `--glob` narrows which), quoted glob patterns
(`'runs/**/*.json'`), `@list.txt` (one path a line; `@-` reads the list from standard input) and `-` (a result
on standard input). Each file keeps its place in the input tree (`rel`), so outputs under `-o DIR` mirror it.

Jobs run in worker processes (`-j N`, default every core), each writing its own outputs to a target chosen
here beforehand, so the files written are byte-for-byte those of `-j 1`; only a small `Outcome` comes back.
Progress goes to a tqdm bar on stderr (when it is a terminal) with errors printed above it, a summary follows,
and `--errors PATH` keeps every failure as a JSON line.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import stat
import sys
import time
from typing import Any, Callable, Iterator, NamedTuple, Sequence, TypeVar

import msgspec

from normalizer.errors import DocnormError, failure_message, shown

from .store import SUFFIXES


T = TypeVar("T")


class UsageError(DocnormError):
    """A mistake in how docnorm was called (exit status 2)."""


class Unreadable(DocnormError):
    """A file that cannot be read at all: no JSON path to name."""


class Crashed(NamedTuple):
    """A job that raised (any exception) or whose worker process died: the message says why."""
    message: str


class Item(NamedTuple):
    path: str  # a file, or "-" for standard input
    rel: str  # its place in the input tree ('/'-separated): outputs under -o DIR go there
    named: bool  # given by name (not found in a folder, a pattern or a list): a single such file may go to stdout


class Outcome(msgspec.Struct, array_like=True):
    """What a job sends back: counts for the summary, its failures (file, message), lines for standard output
    (detect) and records for the caller (the dataset's manifest rows)."""
    files: int = 1
    documents: int = 0
    pages: int = 0
    warnings: int = 0
    failures: list[tuple[str, str]] = []  # (file, "$.path: message" or a message about the whole file)
    lines: list[str] = []
    records: list[Any] = []


def _listed(spec: str) -> list[str]:
    """The paths of an @list file: one a line, blank lines and '#' comments skipped."""
    name = spec[1:]
    try:
        text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"{spec}: cannot read the list: {getattr(exc, 'strerror', None) or exc}") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _under(folder: str, pattern: str | None) -> list[str]:
    """Every result file under `folder` (hidden ones skipped), relative to it, sorted; `pattern` (fnmatch, on the
    relative path or the name) narrows them. (Paths are joined as strings: relpath costs more than the walk.)"""
    found = []
    start = len(folder.rstrip(os.sep)) + 1
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = root[start:].replace(os.sep, "/") + "/" if len(root) >= start else ""
        for name in sorted(names):
            if name.startswith(".") or (pattern is None and not name.endswith(SUFFIXES)):
                continue
            rel = prefix + name
            if pattern is not None and not (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern)):
                continue
            found.append(rel)
    return found


def is_pattern(spec: str) -> bool:
    """A glob pattern (quoted, so the shell left it to us) that is not a file's own name."""
    return any(c in spec for c in "*?[") and not os.path.exists(spec.split("#")[0])


def pattern_files(spec: str) -> tuple[str, list[str]]:
    """The files a glob pattern matches (`**` crosses folders), relative to the folder they all share."""
    matches = sorted(os.path.abspath(p) for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
    if not matches:
        raise UsageError(f"{spec}: no file matches this pattern")
    base = os.path.commonpath([os.path.dirname(p) for p in matches])
    return base, [os.path.relpath(p, base).replace(os.sep, "/") for p in matches]


def corpus_files(spec: str, pattern: str | None = None) -> tuple[str, list[str]]:
    """A folder or a glob pattern: the folder its files are relative to, and the files."""
    if os.path.isdir(spec):
        return spec, _under(spec, pattern)
    return pattern_files(spec)


def expand(specs: Sequence[str], pattern: str | None = None, _depth: int = 0) -> list[Item]:
    """The files the arguments name, in order (folders and patterns sorted). A pattern that matches nothing is a
    usage error, before any work; a missing file is that file's failure."""
    items: list[Item] = []
    for spec in specs:
        if spec == "-":
            items.append(Item("-", "stdin", True))
        elif spec.startswith("@") and not os.path.exists(spec):
            if _depth > 2:
                raise UsageError(f"{spec}: lists nested more than 3 deep")
            items += [i._replace(named=False) for i in expand(_listed(spec), pattern, _depth + 1)]
        elif os.path.isdir(spec):
            base = spec.rstrip("/" + os.sep) + os.sep if spec.rstrip("/" + os.sep) else os.sep
            items += [Item(base + rel.replace("/", os.sep), rel, False) for rel in _under(spec, pattern)]
        elif is_pattern(spec):
            base, rels = pattern_files(spec)
            items += [Item(os.path.join(base, rel), rel, False) for rel in rels]
        else:  # a file; one that cannot be read fails on its own and the others go on
            items.append(Item(spec, os.path.basename(spec), True))
    return items


def read(path: str | bytes) -> bytes:
    """A file's bytes (bytes given are the input itself: standard input, read once by the parent). Only a regular
    file is read: a FIFO or a device named `*.json` is refused at once instead of blocking the run."""
    if isinstance(path, bytes):
        return path
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("cannot read: not a regular file (a FIFO, socket or device)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def failure(error: BaseException) -> str:
    """A failed file's message (normalizer.failure_message): `$.path: message` for bad input, else why."""
    return failure_message(error)


def attempt(work: Callable[[Any], T], job: Any) -> T | Crashed:
    """`work(job)`, or `Crashed` for whatever it raised (StopIteration, RecursionError, MemoryError included):
    one input's failure never ends the loop over the others. Only Ctrl-C goes through."""
    try:
        return work(job)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: B036 - the rule: any exception is this job's failure
        return Crashed(failure_message(exc))


def _attempt_each(work: Callable[[Any], T], chunk: list[Any]) -> list[T | Crashed]:
    return [attempt(work, job) for job in chunk]


def outputs_under(folder: str, rel: str, suffix: str, used: set[str]) -> str:
    """Where the output of input `rel` goes under `folder` (its subfolders mirrored, made as needed): its stem with
    `suffix`; `-2`, `-3`… when two inputs would write the same file."""
    head, _, name = rel.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    target = base = f"{folder}{os.sep}{head.replace('/', os.sep)}{os.sep}{stem}" if head else f"{folder}{os.sep}{stem}"
    n = 2
    while target + suffix in used:
        target = f"{base}-{n}"
        n += 1
    used.add(target + suffix)
    folder = os.path.dirname(target + suffix) or "."
    if folder not in used:  # made once per folder, not once per file
        os.makedirs(folder, exist_ok=True)
        used.add(folder)
    return target + suffix


class Summary(NamedTuple):
    files: int
    documents: int
    pages: int
    errors: int
    warnings: int
    seconds: float

    def plus(self, other: "Summary") -> "Summary":
        """Two passes of one run as one summary."""
        return Summary(*(x + y for x, y in zip(self, other)))

    def line(self) -> str:
        rate = self.files / self.seconds if self.seconds > 0 else float("inf")
        return (f"docnorm: {self.files:,} file(s), {self.documents:,} document(s), {self.pages:,} page(s), "
                f"{self.errors:,} error(s), {self.warnings:,} warning(s) in {self.seconds:.1f} s ({rate:,.0f} files/s)")


def jobs_wanted(value: int) -> int:
    """-j N: N processes; 0 means every core this process may use."""
    if value < 0:
        raise UsageError(f"-j {value}: expected a number of processes (0 for every core)")
    if value:
        return value
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


WORKER_DIED = "the worker process reading it died (killed by the system, perhaps for want of memory)"


def map_jobs(work: Callable[[Any], T], jobs: list[Any], workers: int, isolate: bool = False) -> Iterator[T | Crashed]:
    """Each job's result, in order, or `Crashed` for a job that raised or whose worker process died: here for
    one worker or one job (unless `isolate`: jobs known to kill their process), else from a pool of processes fed
    in chunks (a file is often a millisecond of work: one message per file would cost more than the file)."""
    if workers <= 1 or (len(jobs) < 2 and not isolate):
        for job in jobs:
            yield attempt(work, job)
        return
    workers = min(workers, len(jobs))
    size = max(1, min(64, len(jobs) // (8 * workers)))
    yield from _pooled(work, [jobs[k:k + size] for k in range(0, len(jobs), size)], workers)


def _pooled(work: Callable[[Any], T], chunks: list[list[Any]], workers: int) -> Iterator[T | Crashed]:
    """The chunks' results from a process pool. A worker killed outright (the kernel's OOM killer, a signal)
    breaks the whole pool: the pool is started again, the chunk being collected is run one job at a time to
    find the job that kills its worker (that job alone is `Crashed`), and the unfinished chunks are sent again."""
    from concurrent.futures.process import BrokenProcessPool
    pool = _Pool(workers)
    try:
        futures = [pool.submit(_attempt_each, work, chunk) for chunk in chunks]
        for n, chunk in enumerate(chunks):
            try:
                results = futures[n].result()
            except BrokenProcessPool:
                pool.restart()
                results = [pool.alone(work, job) for job in chunk]
                futures[n + 1:] = [f if _finished(f) else pool.submit(_attempt_each, work, c)
                                   for f, c in zip(futures[n + 1:], chunks[n + 1:])]
            futures[n] = None  # type: ignore[call-overload]  # its results are yielded: not kept twice
            yield from results
    finally:
        pool.shutdown()


def _finished(future: Any) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class _Pool:
    """A process pool that can be started again after a worker died, its workers ending with the parent."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = self._start()

    def _start(self) -> Any:
        from concurrent.futures import ProcessPoolExecutor
        return ProcessPoolExecutor(max_workers=self.workers, initializer=_die_with_parent)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self._pool.submit(fn, *args)

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start()

    def alone(self, work: Callable[[Any], T], job: Any) -> T | Crashed:
        """One job on the pool by itself: if its worker dies now, this job is the one that killed it."""
        from concurrent.futures.process import BrokenProcessPool
        try:
            return self._pool.submit(attempt, work, job).result()
        except BrokenProcessPool:
            self.restart()
            return Crashed(WORKER_DIED)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _die_with_parent() -> None:
    """In each worker (Linux): end when the parent process ends, so a run that is killed leaves no workers
    behind (they would otherwise wait on their queue for ever)."""
    import signal
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own pipes end the workers in time
        return
    if os.getppid() == 1:  # the parent died before the line above: nobody is left to send the signal
        os._exit(1)


def input_failed(job: Any, message: str) -> Outcome:
    """The outcome of a job that raised: its input (the job's second field, by the commands' convention) failed."""
    return Outcome(failures=[(job[1], message)])


def run(work: Callable[[Any], Outcome], jobs: list[Any], workers: int, label: str, errors_path: str | None = None,
        crashed: Callable[[Any, str], Outcome] = input_failed, isolate: bool = False) -> tuple[int, Summary, list[Any]]:
    """Run `work` over `jobs` on `workers` processes; print each job's stdout lines in order and each failure
    above the progress bar. A job that raised or whose worker died has the outcome `crashed(job, why)` gives (by
    default its input failed), and the run goes on. Returns the exit status (0 all good, 1 some failed), the
    summary and every record."""
    from tqdm import tqdm
    started = time.perf_counter()
    files = documents = pages = warnings = failed = 0
    records: list[Any] = []
    report = open(errors_path, "a", encoding="utf-8") if errors_path else None  # emptied by the command
    bar = tqdm(total=None, desc=label, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False,
               disable=None if len(jobs) > 1 else True)
    try:
        for job, outcome in zip(jobs, map_jobs(work, jobs, workers, isolate)):
            if isinstance(outcome, Crashed):
                outcome = crashed(job, outcome.message)
            files += outcome.files
            documents += outcome.documents
            pages += outcome.pages
            warnings += outcome.warnings
            records += outcome.records
            for line in outcome.lines:
                tqdm.write(line, file=sys.stdout)
            for name, message in outcome.failures:
                failed += 1
                tqdm.write(f"docnorm: {shown(name)}: {message}", file=sys.stderr)
                if report is not None:
                    report.write(msgspec.json.encode({"file": shown(name), "error": message}).decode() + "\n")
            bar.update(outcome.files)
    finally:
        bar.close()
        if report is not None:
            report.close()
    summary = Summary(files, documents, pages, failed, warnings, time.perf_counter() - started)
    return (1 if failed else 0), summary, records
