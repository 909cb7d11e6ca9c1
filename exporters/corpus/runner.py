"""The corpus engine: one job per input (or batch of inputs) on every core, each input's failure its own.

Jobs run in worker processes (`-j N`, default every core), each writing its own outputs to a target chosen by the
caller beforehand, so the files written are byte-for-byte those of `-j 1`; only a small `Outcome` comes back.
Whatever a job raises, or a worker killed outright, is that job's failure (`Crashed`), and the run goes on.
Progress goes to a tqdm bar on stderr (when it is a terminal) with errors printed above it, a summary follows,
and `--errors PATH` keeps every failure as a JSON line.
"""

from __future__ import annotations

import os
import sys
import time
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
    (detect) and records for the caller (the dataset's manifest rows)."""
    files: int = 1
    documents: int = 0
    pages: int = 0
    warnings: int = 0
    failures: list[tuple[str, str]] = []  # (file, "$.path: message" or a message about the whole file)
    lines: list[str] = []
    records: list[Any] = []


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


def input_failed(job: Any, message: str) -> Outcome:
    """The outcome of a job that raised: its input (the job's second field, by the commands' convention) failed."""
    return Outcome(failures=[(job[1], message)])


def run(work: Callable[[Any], Outcome], jobs: list[Any], workers: int, label: str, errors_path: str | None = None,
        crashed: Callable[[Any, str], Outcome] = input_failed, isolate: bool = False) -> tuple[int, Summary, list[Any]]:
    """Run `work` over `jobs` on `workers` processes and `tally` the outcomes. A job that raised or whose worker
    died has the outcome `crashed(job, why)` gives (by default its input failed), and the run goes on."""
    outcomes = (crashed(job, got.message) if isinstance(got, Crashed) else got
                for job, got in zip(jobs, map_jobs(work, jobs, workers, isolate)))
    return tally(outcomes, label, errors_path, bar=len(jobs) > 1)


def tally(outcomes: Iterable[Outcome], label: str, errors_path: str | None = None, bar: bool = True,
          started: float | None = None) -> tuple[int, Summary, list[Any]]:
    """Report a run's outcomes as they come: each job's stdout lines in order, each failure above the progress
    bar (and as a JSON line in `errors_path`, which the command emptied). Returns the exit status (0 all good, 1
    some failed), the summary (timed from `started`, a perf_counter reading, else from now) and every record.
    Every engine's run ends here (local processes and Ray alike)."""
    from tqdm import tqdm
    started = time.perf_counter() if started is None else started
    files = documents = pages = warnings = failed = 0
    records: list[Any] = []
    report = open(errors_path, "a", encoding="utf-8") if errors_path else None
    progress = tqdm(total=None, desc=label, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False,
                    disable=None if bar else True)
    try:
        for outcome in outcomes:
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
            progress.update(outcome.files)
    finally:
        progress.close()
        if report is not None:
            report.close()
    summary = Summary(files, documents, pages, failed, warnings, time.perf_counter() - started)
    return (1 if failed else 0), summary, records
