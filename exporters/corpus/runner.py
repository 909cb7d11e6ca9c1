"""The corpus engine: one job per input (or batch of inputs) on every core, each input's failure its own.

Jobs run in worker processes (`-j N`, default every core), each writing its own outputs to a target chosen by the
caller beforehand, so the files written are byte-for-byte those of `-j 1`; only a small `Outcome` comes back. The
workers are forked once per run (`one_pool`) and fed in `chunks` that shrink toward the end (docs/architecture.md,
"Every core").
Whatever a job raises, or a worker killed outright, is that job's failure (`Crashed`), and the run goes on.
Progress goes to a tqdm bar on stderr (when it is a terminal) with errors printed above it, a summary follows,
and `--errors PATH` keeps every failure as a JSON line.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, NamedTuple, TypeVar

import msgspec

from normalizer.api import read_file
from normalizer.errors import DocnormError, failure_message, shown


T = TypeVar("T")


class UsageError(DocnormError):
    """A mistake in how docnorm was called (exit status 2)."""


class Unreadable(DocnormError):
    """A file that cannot be read at all: no JSON path to name."""


class Crashed(NamedTuple):
    """A job that raised (any exception) or whose worker process died: the message says why."""
    message: str


class Outcome(msgspec.Struct, array_like=True):
    """What a job sends back: counts for the summary, its failures (file, message), lines for standard output
    (detect), records for the caller (the dataset's manifest rows) and the inputs it skipped (file, why: a job
    with no content to export), which are no failure."""
    files: int = 1
    documents: int = 0
    pages: int = 0
    warnings: int = 0
    failures: list[tuple[str, str]] = []  # (file, "$.path: message" or a message about the whole file)
    lines: list[str] = []
    records: list[Any] = []
    skipped: list[tuple[str, str]] = []


def read(path: str | bytes) -> bytes:
    """A file's bytes (bytes given are the input itself: standard input, read once by the parent). Only a regular
    file is read: a FIFO or a device named `*.json` is refused at once instead of blocking the run."""
    if isinstance(path, bytes):
        return path
    try:
        return read_file(path)
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None


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


WORKER_DIED = "the worker process reading it died (killed by the system, perhaps for want of memory)"


def map_jobs(work: Callable[[Any], T], jobs: list[Any], workers: int, isolate: bool = False,
             most: int = 64) -> Iterator[T | Crashed]:
    """Each job's result, in order, or `Crashed` for a job that raised or whose worker process died: here for
    one worker or one job (unless `isolate`: jobs known to kill their process, each sent alone), else from a pool
    of processes fed in `chunks` of at most `most` jobs (a file is often a millisecond of work: one message per
    file would cost more than the file; 1 for jobs that are batches already). Within `one_pool()`, every pass of
    the run uses the same worker processes.

    >>> list(map_jobs(abs, [-1, 2, -3], 1))
    [1, 2, 3]
    """
    if workers <= 1 or (len(jobs) < 2 and not isolate):
        for job in jobs:
            yield attempt(work, job)
        return
    workers = min(workers, len(jobs))
    yield from _pooled(work, chunks(jobs, workers, 1 if isolate else most), workers)


def chunks(jobs: list[Any], workers: int, most: int = 64, weights: list[int] | None = None,
           least: float = 0) -> list[list[Any]]:
    """`jobs` cut into chunks for `workers` processes, largest first and shrinking toward the end (guided
    scheduling): each chunk a quarter of a worker's share of what is left (by `weights`, say bytes, else by
    count), at most `most` jobs, and none under 1/32 of a worker's share of the whole nor under `least` (for a
    chunk with a fixed cost of its own), so the last chunks are short and the workers finish together, with no
    message per job.

    >>> [len(c) for c in chunks(list(range(100)), 2)]
    [13, 11, 10, 9, 8, 7, 6, 5, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    >>> [len(c) for c in chunks(list(range(41)), 2, weights=[100] + [1] * 40)]  # one large file, 40 small
    [1, 5, 5, 4, 4, 3, 3, 3, 3, 3, 3, 3, 1]
    """
    weight = weights or [1] * len(jobs)
    left = sum(weight)
    floor = max(left / (32 * workers), least)
    out: list[list[Any]] = []
    start = 0
    while start < len(jobs):
        want = max(left / (4 * workers), floor)
        end, got = start, 0
        while end < len(jobs) and end - start < most and (got < want or end == start):
            got += weight[end]
            end += 1
        out.append(jobs[start:end])
        left -= got
        start = end
    return out


def _pooled(work: Callable[[Any], T], chunks: list[list[Any]], workers: int) -> Iterator[T | Crashed]:
    """The chunks' results from a process pool. A worker killed outright (the kernel's OOM killer, a signal)
    breaks the whole pool: the pool is started again, the chunk being collected is run one job at a time to
    find the job that kills its worker (that job alone is `Crashed`), and the unfinished chunks are sent again."""
    from concurrent.futures.process import BrokenProcessPool
    with _lease(workers) as pool:
        futures = [pool.submit(_attempt_each, work, chunk) for chunk in chunks]
        try:
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
            for future in futures:  # a pass left early (Ctrl-C, a closed pipe): its queued chunks are dropped
                if future is not None:
                    future.cancel()


def _finished(future: Any) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class _Pool:
    """A process pool that can be started again after a worker died, its workers ending with the parent.

    Workers are forked where the system allows it (Linux): each starts in a few milliseconds with every module
    the parent has imported (the readers, pyarrow for the dataset), where a fresh interpreter (spawn, or a
    forkserver) would import them again before its first job."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = self._start()

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_die_with_parent)

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


_run = threading.local()  # this thread's `one_pool` blocks open now (their pools, innermost last), by process


def _open_blocks() -> list[_Pool | None]:
    """The pools of the `one_pool` blocks this thread has open (none in a forked worker: those are its parent's)."""
    if getattr(_run, "pid", None) != os.getpid():
        _run.pid, _run.pools = os.getpid(), []
    return _run.pools


@contextmanager
def one_pool() -> Iterator[None]:
    """A run whose passes share their worker processes: within this block every `map_jobs` and `run` uses one
    pool (started by the first pass that needs it, and again with more workers only if a later pass wants
    more), shut down when the block ends. Without it, each pass starts and ends its own.

    >>> with one_pool():
    ...     [list(map_jobs(abs, [-1, -2, -3], 2)) for _ in range(2)]
    [[1, 2, 3], [1, 2, 3]]
    """
    blocks = _open_blocks()
    blocks.append(None)
    try:
        yield
    finally:
        pool = blocks.pop()
        if pool is not None:
            pool.shutdown()


@contextmanager
def _lease(workers: int) -> Iterator[_Pool]:
    """A pool of at least `workers` processes for one pass: the run's (`one_pool`), else one of its own."""
    blocks = _open_blocks()
    if not blocks:
        pool = _Pool(workers)
        try:
            yield pool
        finally:
            pool.shutdown()
        return
    pool = blocks[-1]
    if pool is None or pool.workers < workers:
        if pool is not None:
            pool.shutdown()
        pool = blocks[-1] = _Pool(workers)
    yield pool


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


class Summary(NamedTuple):
    files: int
    documents: int
    pages: int
    errors: int
    warnings: int
    seconds: float
    skipped: int = 0

    def plus(self, other: "Summary") -> "Summary":
        """Two passes of one run as one summary."""
        return Summary(*(x + y for x, y in zip(self, other)))

    def line(self, done: str | None = None) -> str:
        """The run in one line: files, what was made of them (`done`, for a command that does not read documents:
        detect says the formats it found), skipped, errors, warnings, time and rate.

        >>> Summary(3, 4, 9, 1, 0, 2.0, skipped=1).line()
        'docnorm: 3 file(s), 4 document(s), 9 page(s), 1 skipped, 1 error(s), 0 warning(s) in 2.0 s (2 files/s)'
        >>> Summary(2, 0, 0, 0, 0, 1.0).line("detected: 2 somark")
        'docnorm: 2 file(s) detected: 2 somark, 0 error(s) in 1.0 s (2 files/s)'
        """
        rate = self.files / self.seconds if self.seconds > 0 else float("inf")
        made = (f" {done}" if done is not None else
                f", {self.documents:,} document(s), {self.pages:,} page(s)")
        skipped = f", {self.skipped:,} skipped" if self.skipped else ""
        warnings = f", {self.warnings:,} warning(s)" if done is None else ""
        return (f"docnorm: {self.files:,} file(s){made}{skipped}, {self.errors:,} error(s){warnings} in "
                f"{self.seconds:.1f} s ({rate:,.0f} files/s)")


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


def input_failed(job: Any, message: str) -> Outcome:
    """The outcome of a job that raised: its input (the job's second field, by the commands' convention) failed."""
    return Outcome(failures=[(job[1], message)])


def run(work: Callable[[Any], Outcome], jobs: list[Any], workers: int, label: str, errors_path: str | None = None,
        crashed: Callable[[Any, str], Outcome] = input_failed, isolate: bool = False,
        most: int = 64) -> tuple[int, Summary, list[Any]]:
    """Run `work` over `jobs` on `workers` processes (`map_jobs`) and `tally` the outcomes. A job that raised or
    whose worker died has the outcome `crashed(job, why)` gives (by default its input failed), and the run goes on."""
    outcomes = (crashed(job, got.message) if isinstance(got, Crashed) else got
                for job, got in zip(jobs, map_jobs(work, jobs, workers, isolate, most)))
    return tally(outcomes, label, errors_path, bar=len(jobs) > 1)


def _progress(label: str, bar: bool) -> tuple[Any, Callable[..., None]]:
    """A tqdm bar on stderr when it is a terminal (`bar`), and how to print a line above it; no bar (and no tqdm
    imported: 35 ms of every run's start-up) otherwise."""
    if not (bar and sys.stderr.isatty()):
        return None, lambda line, file: print(line, file=file)
    from tqdm import tqdm
    return tqdm(total=None, desc=label, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False), tqdm.write


def tally(outcomes: Iterable[Outcome], label: str, errors_path: str | None = None, bar: bool = True,
          started: float | None = None) -> tuple[int, Summary, list[Any]]:
    """Report a run's outcomes as they come: each job's stdout lines in order, each failure above the progress
    bar (and as a JSON line in `errors_path`, which the command emptied). Returns the exit status (0 all good, 1
    some failed), the summary (timed from `started`, a perf_counter reading, else from now) and every record.
    Every engine's run ends here (local processes and Ray alike)."""
    started = time.perf_counter() if started is None else started
    files = documents = pages = warnings = failed = skipped = 0
    records: list[Any] = []
    report = open(errors_path, "a", encoding="utf-8") if errors_path else None
    progress, write = _progress(label, bar)
    try:
        for outcome in outcomes:
            files += outcome.files
            documents += outcome.documents
            pages += outcome.pages
            warnings += outcome.warnings
            records += outcome.records
            for line in outcome.lines:
                write(line, file=sys.stdout)
            for name, why in outcome.skipped:
                skipped += 1
                write(f"docnorm: {shown(name)}: skipped: {why}", file=sys.stderr)
            for name, message in outcome.failures:
                failed += 1
                write(f"docnorm: {shown(name)}: {message}", file=sys.stderr)
                if report is not None:
                    report.write(msgspec.json.encode({"file": shown(name), "error": message}).decode() + "\n")
            if progress is not None:
                progress.update(outcome.files)
    finally:
        if progress is not None:
            progress.close()
        if report is not None:
            report.close()
    summary = Summary(files, documents, pages, failed, warnings, time.perf_counter() - started, skipped)
    return (1 if failed else 0), summary, records
