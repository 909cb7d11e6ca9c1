"""`NormalizeError`, the repair log that lenient mode fills instead of raising, and the rule that makes any
exception one input's failure (`failure_message`)."""

from __future__ import annotations

import os
from typing import Any


class DocnormError(Exception):
    """The base of docnorm's own errors: their message is complete as it is (no traceback needed)."""


class NormalizeError(DocnormError, ValueError):
    """Bad input. `.path` is a JSON path into the raw input, e.g. `$.pages[3].items[0].bbox`."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def describe(value: Any) -> str:
    """A short, safe description of a found value for error messages."""
    name = _JSON_NAMES.get(type(value), type(value).__name__)
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return f"{name} of {len(value)}"
    text = repr(value)
    return f"{name} {text[:40] + '…' if len(text) > 40 else text}"


_JSON_NAMES = {dict: "object", list: "array", str: "string", int: "integer", float: "number",
               bool: "boolean", type(None): "null"}


class Repairs:
    """Collects lenient repairs as warnings, or raises at the first one when strict.

    Each warning remembers the JSON path it was made at, so that an input holding several documents can hand
    every document the repairs made under its part of the input (`split`).
    """

    __slots__ = ("strict", "warnings", "_paths", "_shared")

    def __init__(self, strict: bool = False, shared: "Repairs | None" = None):
        self.strict = strict
        self.warnings: list[str] = []
        self._paths: list[str] = []
        self._shared = shared  # the input's repairs outside any one document

    def __call__(self, path: str, problem: str, fix: str) -> None:
        """`problem` says what was expected and found; `fix` what lenient mode did about it."""
        if self.strict:
            raise NormalizeError(path, problem)
        self.warnings.append(f"{path}: {problem}; {fix}")
        self._paths.append(path)

    def note(self, path: str, message: str) -> None:
        """Something worth telling that is not a repair (never raises)."""
        self.warnings.append(f"{path}: {message}")
        self._paths.append(path)

    def split(self, roots: list[tuple[str, ...]]) -> list["Repairs"]:
        """One Repairs per document, given the JSON paths of its parts of the input: each takes the warnings
        made under its paths; the rest (the envelope's) stay here and are shared by every document."""
        owner: dict[str, int] = {root: n for n, doc_roots in enumerate(roots) for root in doc_roots}
        parts = [Repairs(self.strict, shared=self) for _ in roots]
        kept_w, kept_p = [], []
        for warning, path in zip(self.warnings, self._paths):
            n = owner.get(_root_of(path, owner))
            if n is None:
                kept_w.append(warning)
                kept_p.append(path)
            else:
                parts[n].warnings.append(warning)
                parts[n]._paths.append(path)
        self.warnings, self._paths = kept_w, kept_p
        return parts

    def collected(self) -> list[str]:
        """Every warning for the document: the shared ones first, then its own."""
        return ([*self._shared.collected(), *self.warnings] if self._shared is not None else list(self.warnings))


def _root_of(path: str, roots: dict[str, int]) -> str:
    """The longest prefix of `path` that is a whole JSON path step and one of `roots` (or "" for none)."""
    for end in range(len(path), 0, -1):
        if end == len(path) or path[end] in ".[":
            if path[:end] in roots:
                return path[:end]
    return ""


# Exceptions that are a statement about the input or the machine, not a bug of docnorm: the plain sentence says it.
_PLAIN = {MemoryError: "ran out of memory reading it", RecursionError: "nested too deeply to read",
          OverflowError: "holds a number too large to use"}
_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the project root: frames inside are ours


def failure_message(exc: BaseException) -> str:
    """One input's failure as one line, whatever it raised: `$.path: message` for bad input, the message of
    docnorm's own errors, else the exception's class and message and the line of docnorm that raised it (an
    exception docnorm did not expect is still that input's failure, never the run's).

    >>> failure_message(NormalizeError("$.pages[0]", "expected an object, found null"))
    '$.pages[0]: expected an object, found null'
    >>> failure_message(StopIteration()).startswith("internal error (StopIteration")
    True
    """
    if isinstance(exc, NormalizeError):
        return f"{exc.path}: {exc.message}"
    if isinstance(exc, DocnormError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    where = _raised_at(exc)
    plain = next((text for kind, text in _PLAIN.items() if isinstance(exc, kind)), None)
    if plain is not None:
        return f"{plain} ({type(exc).__name__}{where})"
    detail = str(exc)
    detail = (detail[:200] + "…" if len(detail) > 200 else detail) if detail else ""
    return f"internal error ({type(exc).__name__}{where}){': ' + detail if detail else ''}; please report it"


def shown(path: str) -> str:
    """A file's path as it can be printed and stored: a name that is not UTF-8 (a GBK name from a Windows zip,
    which Python holds as surrogate escapes) keeps its bytes as `\\xNN` escapes instead of failing every writer
    that meets it (a terminal, JSON, Parquet, a web page).

    >>> shown("caf\\udcc3.json")
    'caf\\\\xc3.json'
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _raised_at(exc: BaseException) -> str:
    """` at normalizer/tables.py:434`: the innermost frame of docnorm's own code, or ''."""
    try:
        import traceback  # here, on a failure: not imported by every run that has none
        frames = traceback.extract_tb(exc.__traceback__)
    except Exception:  # a traceback we cannot walk is no reason to lose the failure
        return ""
    for frame in reversed(frames):
        if frame.filename.startswith(_HERE):
            return f" at {os.path.relpath(frame.filename, _HERE)}:{frame.lineno}"
    return ""
