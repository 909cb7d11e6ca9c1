"""The truth folder (`--truth DIR`): the only place the viewer writes, one `<stem>.truth.json` per source.

A truth is read whole and known by an etag (a digest of its bytes). A change names the etag it was based on
and is made under a lock (a thread lock, and `flock` on the folder for other processes) after looking at the file
again (read and hashed again whenever its inode, size, mtime or ctime differ from the version last read or
written here): a truth changed on disk since (another tab, another person, an editor) is never overwritten, the
change is refused with `Conflict`. A save writes a hidden temporary file in the folder, flushes it to disk and
renames it over the truth: a reader sees the old file or the new one, never half of one. A truth file that is a
link, or not a regular file, is neither read nor replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import threading
from typing import Callable, Iterator, NamedTuple

from exporters import to_json
from normalizer import failure_message, normalize_all
from normalizer.errors import DocnormError
from normalizer.schema import Document

from .names import stem_of_truth_file, truth_file_name

MAX_BYTES = 256 << 20   # a truth file larger than this is not read
PREFIX = "truth:"       # how the viewer's other pages name a truth: `truth:<stem>.truth.json` (compare, Evaluate)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock alone
    fcntl = None  # type: ignore[assignment]


class Conflict(DocnormError):
    """The truth changed on disk since the version a change was based on: nothing was written."""

    def __init__(self, etag: str | None):
        super().__init__("This truth was changed since you opened it (in another tab, or by someone else): "
                         "your last edit was not saved. Reload to see the truth as it is now, then make it again.")
        self.etag = etag


class TruthUnreadable(DocnormError):
    """A truth file that cannot be read as one canonical document (or is not a regular file)."""


class NotSaved(DocnormError):
    """A save the disk refused (full, read-only, …): the truth on disk is as it was before."""


class Opened(NamedTuple):
    doc: Document
    etag: str


def etag_of(data: bytes) -> str:
    """The etag of a truth's bytes.

    Example:
        >>> etag_of(b"{}")
        'bf78e4a953b40eee238ca2e9'
    """
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _signature(info: os.stat_result) -> tuple:
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


class Truths:
    """The truth folder: read, start and change truths by their stem (`names.source_stem`).

    >>> import tempfile; t = Truths(tempfile.mkdtemp()); t.stems(), t.open("report")
    (set(), None)
    """

    def __init__(self, folder: str):
        self.folder = os.path.realpath(folder)
        self._lock = threading.RLock()
        self._cache: dict[str, tuple[tuple, Opened]] = {}   # stem -> (file signature, the truth as read)

    def path(self, stem: str) -> str:
        """The truth file of `stem`, inside the folder by construction (a stem is a safe name, never a path)."""
        path = os.path.join(self.folder, truth_file_name(stem))
        if os.path.dirname(path) != self.folder:  # cannot happen for a safe stem; kept as the rule's guard
            raise ValueError("a truth file must lie directly in the truth folder")
        return path

    def stems(self) -> set[str]:
        """The stems of the truths in the folder (regular files, links skipped)."""
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return set()
        return {s for e in entries if (s := stem_of_truth_file(e.name)) and e.is_file(follow_symlinks=False)}

    def open(self, stem: str) -> Opened | None:
        """The truth of `stem` and its etag, or None when there is none; `TruthUnreadable` for a file that
        cannot be read as one document."""
        return self._current(stem)

    def name(self, stem: str) -> str:
        """How the viewer's pages name the truth of `stem` (its compare view, the Evaluate page's links).

        >>> Truths("/tmp").name("report")
        'truth:report.truth.json'
        """
        return PREFIX + truth_file_name(stem)

    def names(self) -> list[str]:
        """The names of every truth in the folder, sorted."""
        return sorted(self.name(stem) for stem in self.stems())

    def resolve(self, name: str) -> str:
        """The path of the truth a page names (`name`), one of the folder's; `LookupError` for any other name."""
        stem = stem_of_truth_file(name[len(PREFIX):]) if name.startswith(PREFIX) else None
        if stem is None or stem not in self.stems():
            raise LookupError("no such truth in the truth folder")
        return self.path(stem)

    def named(self, text: str) -> str:
        """`text` with every path of a truth file replaced by the name pages use for it."""
        return text.replace(self.folder + os.sep, PREFIX)

    def document(self, name: str) -> Document:
        """The truth a page names; `LookupError` for a name that is no truth here."""
        stem = stem_of_truth_file(os.path.basename(self.resolve(name)))
        opened = self.open(stem) if stem else None
        if opened is None:
            raise LookupError("no such truth in the truth folder")
        return opened.doc

    def start(self, stem: str, make: Callable[[], Document]) -> tuple[Opened, bool]:
        """The truth of `stem`, written from `make()` when there is none yet; (opened, whether it was made).
        Two starts at once make one truth: the second opens the first's."""
        with self._locked():
            existing = self.open(stem)
            if existing is not None:
                return existing, False
            return self._write(stem, make()), True

    def change(self, stem: str, base: str, change: Callable[[Document], Document]) -> Opened:
        """`change` made on the truth of `stem` and saved, if the file is still the version `base` names;
        `Conflict` (nothing written) when it is not, `LookupError` when the truth is gone."""
        with self._locked():
            current = self._current(stem)
            if current is None:
                raise LookupError("this truth is not in the truth folder any more")
            if current.etag != base:
                raise Conflict(current.etag)
            return self._write(stem, change(current.doc))

    def _current(self, stem: str) -> Opened | None:
        """The truth as the file is now: read and hashed again unless its inode, size, mtime and ctime are those
        of the version last read or written here (a rename or any write changes one of them)."""
        try:
            fd = os.open(self.path(stem), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:  # a link (O_NOFOLLOW), no permission, …
            raise TruthUnreadable(f"the truth file {truth_file_name(stem)} cannot be opened: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                raise TruthUnreadable(f"the truth file {truth_file_name(stem)} is not a regular file of at most "
                                      f"{MAX_BYTES >> 20} MB")
            hit = self._cache.get(stem)
            if hit is not None and hit[0] == _signature(info):
                return hit[1]
            data = fh.read(MAX_BYTES + 1)
        opened = self._decoded(stem, data, hit[1] if hit else None)
        self._cache[stem] = (_signature(info), opened)
        return opened

    def _decoded(self, stem: str, data: bytes, last: Opened | None) -> Opened:
        etag = etag_of(data)
        if last is not None and last.etag == etag:  # touched, not changed: the same document
            return last
        try:
            docs = normalize_all(data)
        except Exception as exc:  # any exception is this file's failure, said as such
            raise TruthUnreadable(f"{truth_file_name(stem)}: {failure_message(exc)}") from None
        if len(docs) != 1:
            raise TruthUnreadable(f"{truth_file_name(stem)} holds {len(docs)} documents; a truth is one")
        return Opened(docs[0], etag)

    def _write(self, stem: str, doc: Document) -> Opened:
        """`doc` saved as the truth of `stem`: a temporary file beside it, flushed, renamed over it."""
        data = to_json(doc)
        target = self.path(stem)
        if os.path.islink(target):
            raise TruthUnreadable(f"the truth file {truth_file_name(stem)} is a link: it is not replaced")
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mode = 0o644
        fd, temporary = tempfile.mkstemp(prefix=f".{stem[:40]}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), mode)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(exc, OSError):
                raise NotSaved(f"the truth could not be saved ({exc.strerror or exc}); it is as it was") from None
            raise
        opened = Opened(doc, etag_of(data))
        with contextlib.suppress(OSError):  # known as written (unless it changed since: then read again)
            self._cache[stem] = (_signature(os.stat(target, follow_symlinks=False)), opened)
        return opened

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """This process's lock, and the folder's `flock` for any other process saving into it."""
        with self._lock:
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the flock
