"""What any input must satisfy before detection: text that UTF-8 can hold, finite numbers, bounded nesting.

Bytes pay nothing here unless they carry a surrogate escape (one C-level search): JSON cannot hold NaN or
infinity, msgspec rejects numbers out of range, and nesting too deep for the decoder surfaces as a
`RecursionError` that `api` turns into a `NormalizeError`. Parsed input (dicts and lists handed to
`normalize`) is walked once, iteratively, since Python values can hold anything.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import NormalizeError, Repairs

MAX_DEPTH = 200  # nesting a parsed input may have; decoders and encoders recurse once per level

_SURROGATE = re.compile(rb"\\[uU][dD][89a-fA-F]")
# An escaped backslash, a valid surrogate pair (kept), or a lone surrogate escape (replaced).
_ESCAPE = re.compile(rb"(\\\\)|(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                     rb"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}", re.I)
_FFFD = rb"\ufffd"


# Byte order marks, longest first (UTF-32-LE's begins with UTF-16-LE's), and the encoding each announces.
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32-LE"), (b"\x00\x00\xfe\xff", "UTF-32-BE"), (b"\xff\xfe", "UTF-16-LE"),
         (b"\xfe\xff", "UTF-16-BE"))
# Without a mark, JSON (and text) starting with an ASCII character shows its encoding by which of its first four
# bytes are zero (RFC 4627, section 3).
_ZEROS = {(True, True, True, False): "UTF-32-BE", (False, True, True, True): "UTF-32-LE",
          (True, False, True, False): "UTF-16-BE", (False, True, False, True): "UTF-16-LE"}
UTF8_BOM = b"\xef\xbb\xbf"


def utf8(data: bytes, repairs: Repairs) -> bytes:
    """`data` as UTF-8 without a byte order mark: a UTF-8 mark is dropped; UTF-16 or UTF-32, told by its mark or
    by the zero bytes of its first character, is decoded (with a note saying so). Such bytes that do not decode
    are a `NormalizeError` that names the encoding and the fix."""
    if data[:3] == UTF8_BOM:
        return data[3:]
    encoding, start = _wide(data)
    if encoding is None:
        return data
    try:  # a lone surrogate is let through here to be replaced, and reported, as in any other text
        text = data[start:].decode(encoding, "surrogatepass")
    except UnicodeDecodeError as exc:
        raise NormalizeError("$", f"expected UTF-8, found undecodable {encoding} ({exc.reason} at byte "
                                  f"{exc.start + start}); save the result as UTF-8") from None
    how = "by its byte order mark" if start else "by the zero bytes of its first character"
    repairs.note("$", f"read as {encoding} (told {how}); docnorm expects UTF-8: save results as UTF-8")
    return clean_text(text, repairs).encode()


def _wide(data: bytes) -> tuple[str | None, int]:
    """The UTF-16 or UTF-32 encoding of `data` and where its text starts (after the mark), or (None, 0)."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return _ZEROS.get(tuple(b == 0 for b in data[:4])), 0


def clean_bytes(data: bytes, repairs: Repairs) -> bytes:
    """JSON bytes whose lone surrogate escapes (`"\\ud800"`, which no UTF-8 text can hold) became U+FFFD."""
    if _SURROGATE.search(data) is None:
        return data
    count = 0

    def fix(m: re.Match[bytes]) -> bytes:
        nonlocal count
        if m.group(1) or m.group(2):
            return m.group(0)
        count += 1
        return _FFFD
    fixed = _ESCAPE.sub(fix, data)
    if count:
        _report(count, repairs)
    return fixed


def clean_text(text: str, repairs: Repairs) -> str:
    """`text` with its lone surrogates (possible in a Python str, not in UTF-8) replaced by U+FFFD."""
    try:
        text.encode()
        return text
    except UnicodeEncodeError:
        fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        _report(sum(1 for a, b in zip(text, fixed) if a != b) or 1, repairs)
        return fixed


def _report(count: int, repairs: Repairs, path: str = "$") -> None:
    repairs(path, f"expected text UTF-8 can hold, found {count} lone surrogate(s)", "replaced with U+FFFD")


def clean_parsed(value: Any, repairs: Repairs) -> Any:
    """Parsed JSON with lone surrogates replaced, non-finite numbers as null (each reported at its path) and
    nesting checked against `MAX_DEPTH`; a value of a type JSON does not have is refused. The caller's value is
    never changed: a copy is cleaned when something needs it."""
    if _walk(value, repairs, fix=False):
        value = _walk_copy(value, repairs)
    return value


def _walk_copy(value: Any, repairs: Repairs) -> Any:
    import copy  # only a value needing a fix pays for it (copy and weakref: 2 ms of every command's start-up)
    copied = copy.deepcopy(value)  # nesting already checked: the copy's recursion is bounded
    _walk([copied], repairs, fix=True, start=0)
    return copied


def _walk(value: Any, repairs: Repairs, fix: bool, start: int | None = None) -> bool:
    """Whether anything needs a fix (with `fix`, fixes it in place and reports each fix)."""
    root: list[Any] = value if start is not None else [value]
    stack: list[tuple[Any, Any, str, int]] = [(root, start or 0, "$", 0)]
    found = False
    while stack:
        parent, key, path, depth = stack.pop()
        item = parent[key]
        if isinstance(item, str):
            if not _encodable(item):
                found = True
                if fix:
                    parent[key] = clean_text(item, At(repairs, path))
        elif isinstance(item, float):
            if not math.isfinite(item):
                found = True
                if fix:
                    repairs(path, f"expected a finite number, found {item!r}", "read as null")
                    parent[key] = None
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise NormalizeError(path, f"expected JSON nested at most {MAX_DEPTH} levels, found deeper")
            if isinstance(item, dict):
                if not all(type(k) is str and _encodable(k) for k in item):
                    found = True
                    if fix:
                        item = parent[key] = _clean_keys(item, repairs, path)
                    else:
                        _clean_keys(item, Repairs(), path)  # refuses keys that are not strings
                stack.extend((item, k, f"{path}.{k}", depth + 1) for k in item)
            else:
                stack.extend((item, i, f"{path}[{i}]", depth + 1) for i in range(len(item)))
        elif not (item is None or isinstance(item, (bool, int))):
            raise NormalizeError(path, f"expected a JSON value, found a Python {type(item).__name__}")
    return found


def _encodable(text: str) -> bool:
    try:
        text.encode()
        return True
    except UnicodeEncodeError:
        return False


def _clean_keys(item: dict, repairs: Repairs, path: str) -> dict:
    out = {}
    for k, v in item.items():
        if type(k) is not str:
            raise NormalizeError(path, f"expected object keys that are strings, found {type(k).__name__} {k!r:.40}")
        out[clean_text(k, At(repairs, path)) if not _encodable(k) else k] = v
    return out


class At:
    """`repairs`, reporting at `path` instead of `$` (for text cleaned inside a walk or a nested document)."""

    def __init__(self, repairs: Repairs, path: str):
        self.repairs, self.path = repairs, path

    def __call__(self, path: str, problem: str, fix: str) -> None:
        self.repairs(self.path, problem, fix)
