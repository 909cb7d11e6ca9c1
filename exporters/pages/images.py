"""The real page under the boxes: a source document's pages as images, rendered in a bounded worker process.

A source is untrusted like every result: a malformed PDF, a page 200 inches wide or an object tree nested a
million deep must cost a bounded time and memory and never take the caller down. So PDFs (pypdfium2) and images
(Pillow) are opened only inside worker processes started with an address-space limit; each request has a
deadline, and a worker that misses it, or dies, is killed and replaced. Pages come back as PNG (lossless, and
fast to encode: 25 ms for a Letter page at 1,200 px) and are cached on disk, outside any served folder, by the
source's content, the page and the width.
"""

from __future__ import annotations

import hashlib
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, NamedTuple

import msgspec

from normalizer.errors import DocnormError

from ..content_hash import source_identity
from .worker import HEADER, MAX_PIXELS, PDF_SUFFIXES, write_frame

__all__ = ["MAX_PIXELS", "Busy", "PageImages", "SourceError", "SourceInfo", "default_pool", "snap"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp")
SOURCE_SUFFIXES = PDF_SUFFIXES + IMAGE_SUFFIXES
WIDTHS = (400, 800, 1200, 1600, 2400)  # pixel widths served: a request's width snaps up to one (cache hits)
RENDER_VERSION = b"1"  # part of every cache key: bump when the rendering changes
TEXT_VERSION = b"1"  # part of every text cache key: bump when the words read from a page change
REMEMBERED = 256  # sources whose hash and page sizes are kept in memory
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")


class SourceError(DocnormError):
    """A source page that cannot be shown: unreadable, malformed, too slow or too big. The message says which."""


class Busy(SourceError):
    """Every renderer stayed busy for the whole wait: the request gives up (HTTP 503) instead of holding a
    server thread in a queue behind them."""


class SourceInfo(NamedTuple):
    kind: str  # "pdf" or "image"
    sizes: list[tuple[float, float]]  # each page's (width, height): PDF points, or pixels for an image


def snap(width: int) -> int:
    """The served width for a requested one: the smallest of WIDTHS at least as wide (the largest past them)."""
    return next((w for w in WIDTHS if w >= width), WIDTHS[-1])


class _Worker:
    """One renderer process and the pipes to it."""

    def __init__(self, memory: int):
        try:
            self.process = subprocess.Popen([sys.executable, "-P", WORKER, str(memory)], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)
        except OSError as exc:  # no processes left, or no interpreter: no page images, the viewer goes on
            raise SourceError(f"cannot start the page renderer ({exc.strerror or exc})") from None

    def ask(self, message: list, timeout: float) -> Any:
        """The worker's answer to `message`; `SourceError` when it says no, misses `timeout` or dies."""
        deadline = time.monotonic() + timeout
        try:
            write_frame(self.process.stdin, message)  # type: ignore[arg-type]
            header = self._read(HEADER.size, deadline)
            status, payload = msgspec.msgpack.decode(self._read(HEADER.unpack(header)[0], deadline))
        except TimeoutError:
            self.kill()
            raise SourceError(f"the page took longer than {timeout:g} s to render") from None
        except (OSError, EOFError, ValueError, msgspec.DecodeError):
            self.kill()
            raise SourceError("the renderer stopped on this page (it may need more memory than allowed)") from None
        if status != "ok":
            raise SourceError(payload)
        return payload

    def _read(self, n: int, deadline: float) -> bytes:
        fd = self.process.stdout.fileno()  # type: ignore[union-attr]
        data = b""
        while len(data) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()  # type: ignore[union-attr]
            except OSError:
                pass

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


def default_cache_dir() -> str:
    """The user's cache folder for page images ($DOCNORM_CACHE, else $XDG_CACHE_HOME or ~/.cache, /docnorm)."""
    explicit = os.environ.get("DOCNORM_CACHE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "docnorm", "pages")


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


class PageImages:
    """Source pages rendered by up to `workers` bounded processes (started on first use), with a disk cache.

    `timeout` (seconds) and `memory` (bytes of address space) bound each worker; `wait` (seconds) bounds how long
    a request waits for a free worker (then `Busy`), so every request ends within `wait + timeout`; `avoid` lists
    folders the cache must never be written into (the served folders): a cache that would fall inside one is a
    temporary folder instead, or none.
    """

    def __init__(self, workers: int = 2, timeout: float = 10.0, memory: int = 2 << 30,
                 cache_dir: str | None = None, avoid: tuple[str, ...] = (), wait: float = 5.0):
        self.timeout, self.memory, self.wait = timeout, memory, wait
        self.workers = max(workers, 1)
        self.cache_dir = self._cache_dir(cache_dir or default_cache_dir(), [os.path.realpath(a) for a in avoid])
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()  # a live worker before an empty slot
        for _ in range(max(workers, 1)):
            self._idle.put(None)  # a slot: its worker starts when first needed
        self._digests: dict[str, tuple[tuple[int, int], str]] = {}
        self._infos: dict[str, SourceInfo] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _cache_dir(wanted: str, avoid: list[str]) -> str | None:
        for candidate in (wanted, os.path.join(tempfile.gettempdir(), f"docnorm-pages-{os.getuid()}")):
            real = os.path.realpath(candidate)
            if not any(_inside(real, a) for a in avoid):
                return real
        return None

    def _ask(self, op: str, args: tuple) -> Any:
        try:
            worker = self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise Busy(f"every page renderer is busy (waited {self.wait:g} s); try again") from None
        try:
            if worker is None or not worker.alive:
                worker = _Worker(self.memory)
            try:
                return worker.ask([op, *args], self.timeout)
            except SourceError:
                if not worker.alive:
                    worker = None
                raise
        finally:
            self._idle.put(worker)

    def warm(self) -> None:
        """Start the workers now (each imports PDFium and Pillow: a first page need not wait for that)."""
        workers = [self._idle.get() for _ in range(self._idle.qsize())]
        try:
            for n, worker in enumerate(workers):
                if worker is None or not worker.alive:
                    workers[n] = _Worker(self.memory)
                    workers[n].ask(["ping"], self.timeout)
        except SourceError:
            pass  # a renderer that cannot start says why on the first page asked for
        finally:
            for worker in workers:
                self._idle.put(worker)

    def _digest(self, path: str) -> tuple[tuple, str]:
        """The source's identity: (size, mtime) and a hash of its bytes, hashed once per change."""
        try:
            st = os.stat(path)
        except OSError:
            raise SourceError("the source document cannot be read") from None
        key = (st.st_size, st.st_mtime_ns)
        with self._lock:
            hit = self._digests.get(path)
        if hit is not None and hit[0] == key:
            return key, hit[1]
        try:
            digest = source_identity(path)  # bounded: a huge source is identified by samples, not read whole
        except OSError:
            raise SourceError("the source document cannot be read") from None
        with self._lock:
            if len(self._digests) >= REMEMBERED:
                self._digests.clear()
            self._digests[path] = (key, digest)
        return key, digest

    def info(self, path: str) -> SourceInfo:
        """The source's kind and page sizes (cached while the file is unchanged); `SourceError` if unreadable."""
        key, digest = self._digest(path)
        with self._lock:
            hit = self._infos.get(digest)
        if hit is None:
            kind, sizes = self._ask("info", (path, list(key)))
            hit = SourceInfo(kind, [(float(w), float(h)) for w, h in sizes])
            with self._lock:
                if len(self._infos) >= REMEMBERED:
                    self._infos.clear()
                self._infos[digest] = hit
        return hit

    def page(self, path: str, index: int, width: int = 1200) -> bytes:
        """Page `index` (0-based) of the source as PNG, `width` pixels across (snapped to WIDTHS; an image is
        never enlarged); from the disk cache when it was rendered before."""
        key, digest = self._digest(path)
        width = snap(width)
        name = hashlib.blake2b(b"|".join([RENDER_VERSION, digest.encode(), b"%d" % index, b"%d" % width]),
                               digest_size=20).hexdigest()
        return self._cached(name + ".png", lambda: self._ask("render", (path, list(key), index, width)))

    def text(self, path: str, index: int) -> list:
        """Page `index` (0-based) of a PDF as its words: [width, height, rotation, crop box, words, boxes,
        line_starts] (see `worker.text`; an image source has none), read under the same deadline and memory cap as
        a page image, and cached on disk the same way: the grounding audit reads each page once per source.

        Example:
            >>> import tempfile
            >>> pool = PageImages(cache_dir=tempfile.mkdtemp())
            >>> width, height, turn, crop, words, boxes, lines = pool.text("samples/docling/2305.03393v1-pg9.pdf", 0)
            >>> width, height, turn, words[:3], len(boxes) == 32 * len(words)
            (612.0, 792.0, 0, ['Optimized', 'Table', 'Tokenization'], True)
            >>> pool.close()
        """
        key, digest = self._digest(path)
        name = hashlib.blake2b(b"|".join([b"text", TEXT_VERSION, digest.encode(), b"%d" % index]),
                               digest_size=20).hexdigest()
        def ask() -> bytes:
            return msgspec.msgpack.encode(self._ask("text", (path, list(key), index)))
        try:
            return msgspec.msgpack.decode(self._cached(name + ".words", ask))
        except msgspec.DecodeError:  # a damaged cache file: read again, and cached again
            return msgspec.msgpack.decode(self._cached(name + ".words", ask, fresh=True))

    def _cached(self, name: str, make: Any, fresh: bool = False) -> bytes:
        """The cache file `name` (unless `fresh`), else `make()` stored under it."""
        cached = os.path.join(self.cache_dir, name[:2], name) if self.cache_dir else None
        if cached and not fresh:
            try:
                with open(cached, "rb") as fh:
                    return fh.read()
            except OSError:
                pass
        data = make()
        if cached:
            self._store(cached, data)
        return data

    @staticmethod
    def _store(path: str, data: bytes) -> None:
        """Written whole or not at all (a reader never sees half a file); a cache that cannot be written is
        no cache, not an error."""
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:
            pass

    def close(self) -> None:
        """Stop the workers."""
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            if worker is not None:
                worker.kill()


_default: PageImages | None = None


def default_pool() -> PageImages:
    """The process's shared renderer, for the library and the command line."""
    global _default
    if _default is None:
        _default = PageImages(workers=1)
    return _default
