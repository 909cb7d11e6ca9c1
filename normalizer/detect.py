"""A lazily decoded look at an input, for the sniffers of the format registry (`registry.FORMATS`).

JSON bytes are decoded two levels deep and below that one level at a time (`msgspec.Raw` leaves stay
unparsed, containers are told apart by their first byte), so sniffing a 100 MB result costs one fast scan.
Input that is not JSON is text (LLMWhisperer's `result_text`), unless its first bytes say it is a PDF, an
image or an Office file (what people mistake for a result), or it is a file path given instead of content.
Markdown is text too, told by its file's name (`file_bytes`: a `.md` file's bytes carry the format) or by the
caller.
"""

from __future__ import annotations

from typing import Any, Union

import os
import re

import msgspec

from .errors import NormalizeError

_Scalar = Union[str, int, float, bool, None]
_Level = Union[dict[str, msgspec.Raw], list[msgspec.Raw], _Scalar]
_level = msgspec.json.Decoder(_Level)
# The whole input is decoded two levels deep in its one scan: every rule looks at least that far, and each
# level decoded on its own would scan everything under it again.
_top = msgspec.json.Decoder(Union[dict[str, _Level], list[_Level], _Scalar])


class Probe:
    """A lazily decoded view of a JSON value: `probe["a"]["b"][0]`, missing parts give an empty probe."""

    __slots__ = ("_value", "_children")

    def __init__(self, value: Any):
        self._value = value
        self._children: dict[str | int, Probe] = {}  # each level is decoded once, however often it is asked

    @property
    def value(self) -> Any:
        v = self._value
        if isinstance(v, (msgspec.Raw, bytes)):
            try:
                v = (_top if isinstance(v, bytes) else _level).decode(v)
            except msgspec.DecodeError as exc:
                raise NormalizeError("$", f"expected JSON, found malformed input ({exc})") from None
            self._value = v
        return v

    def __getitem__(self, key: str | int) -> "Probe":
        child = self._children.get(key)
        if child is None:
            v = self.value
            if isinstance(key, int):
                child = Probe(v[key] if isinstance(v, list) and -len(v) <= key < len(v) else _MISSING)
            else:
                child = Probe(v.get(key, _MISSING) if isinstance(v, dict) else _MISSING)
            self._children[key] = child
        return child

    def __contains__(self, key: str) -> bool:
        v = self.value
        return isinstance(v, dict) and key in v

    @property
    def exists(self) -> bool:
        return self.value is not _MISSING

    def is_(self, kind: type | tuple[type, ...]) -> bool:
        v = self._value
        if isinstance(v, msgspec.Raw):  # an undecoded container answers from its first byte: no scan
            container = _CONTAINER_OF.get(memoryview(v)[:1].tobytes())
            if container is not None:
                return issubclass(container, kind)
        return isinstance(self.value, kind)

    def keys(self) -> set[str]:
        v = self.value
        return set(v) if isinstance(v, dict) else set()


_CONTAINER_OF = {b"{": dict, b"[": list}
_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()

JSON_START = (b"{", b"[")


# The first bytes of the files people pass where a result is expected: (magic, what it is).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"), (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"), (b"PK\x03\x04", "a ZIP archive or Office document (docx, xlsx, pptx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document (doc, xls, ppt)"),
)
_RIFF_WEBP = (b"RIFF", b"WEBP")
# marker's paginated Markdown opens with its first page's separator `{0}----…`: text, though it starts with "{"
# (JSON never has a digit after its opening brace).
_PAGINATED = re.compile(rb"\{\d{1,6}\}-{48}")
# One line that names a file rather than holding a result: a path ending in a suffix of a file people have.
_PATH = re.compile(r"[^\n<>|\"]{0,4000}\.(?:json|jsonl|txt|md|pdf|png|jpe?g|tiff?|webp|bmp|docx?|xlsx?|pptx?)\s*",
                   re.I)


def _not_a_result(what: str) -> NormalizeError:
    return NormalizeError("$", f"this is {what}, not a parsing service's result; docnorm reads the JSON (or "
                               "LLMWhisperer text) the service returned")


def _file_kind(data: bytes) -> str | None:
    """What a binary file is, from its first bytes; None when it is none of the known kinds."""
    for magic, what in MAGIC:
        if data.startswith(magic):
            return what
    if data[:4] == _RIFF_WEBP[0] and data[8:12] == _RIFF_WEBP[1]:
        return "a WebP image"
    return None


def probe(raw: Any) -> Probe | str:
    """A `Probe` for JSON input, or the text itself for a non-JSON text file."""
    raw = _checked(raw)
    if isinstance(raw, str):
        stripped = raw.lstrip("\ufeff \t\r\n")
        if stripped[:1] in ("{", "[") and not _PAGINATED.match(stripped[:60].encode("utf-8", "replace")):
            return Probe(_encoded(stripped))
        return _not_a_path(raw)
    if isinstance(raw, bytes):
        stripped = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped[:1] in JSON_START and not _PAGINATED.match(stripped, 0, 60):
            return Probe(stripped)
        return _text(raw)
    return Probe(raw)


def text_of(raw: Any) -> str | None:
    """The input read as text whatever it looks like, for a format every text belongs to (Markdown): a str as it
    is, bytes as UTF-8 (a PDF, an image, an Office file or bytes that are not UTF-8 are a `NormalizeError`, as in
    `probe`; blank text is text, an empty page); None for parsed JSON, which is no text.

    Example:
        >>> text_of(b"[a link](x.md) opens this text")
        '[a link](x.md) opens this text'
    """
    if isinstance(raw, (str, bytes, bytearray, memoryview)) and not raw.strip():
        return bytes(raw).decode() if not isinstance(raw, str) else raw  # blank: an empty page
    raw = _checked(raw)
    if isinstance(raw, str):
        return _not_a_path(raw)
    return _text(raw) if isinstance(raw, bytes) else None


def _checked(raw: Any) -> Any:
    """`raw` with bytes-like values as bytes; a path object or an empty input is a `NormalizeError`."""
    if isinstance(raw, os.PathLike):
        raise NormalizeError("$", f"expected a result's content, found the path {os.fspath(raw)!r}; "
                                  "read a file with normalizer.load(path)")
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw)
    if isinstance(raw, (str, bytes)) and not raw.strip():
        raise NormalizeError("$", "expected JSON or text, found an empty input")
    return raw


def _not_a_path(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if _PATH.fullmatch(stripped):
        raise NormalizeError("$", f"expected a result's content, found what looks like a file path "
                                  f"{stripped.strip()[:200]!r}; read a file with normalizer.load(path)")
    return text


def _text(raw: bytes) -> str:
    """Bytes that are not JSON as text: UTF-8, unless their first bytes say they are a document or an image."""
    kind = _file_kind(raw)
    if kind is not None:
        raise _not_a_result(kind)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = "; zero bytes in it suggest UTF-16 or UTF-32 without a byte order mark: save it as UTF-8" \
            if b"\x00" in raw else ""
        raise NormalizeError("$", f"expected JSON or UTF-8 text, found undecodable bytes ({exc.reason} "
                                  f"at byte {exc.start}){hint}") from None


# --- formats a file's name gives -------------------------------------------------------------------------

# What a suffix says that content cannot: any text is Markdown, so a Markdown file is known by its name.
SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown"}


class NamedBytes(bytes):
    """A file's bytes that carry the format its name gives (`SUFFIX_FORMATS`) and the name; `api.read_file` returns
    one for such a file (every other file's bytes are plain `bytes`), and `normalize_all`, `detect` and `load` read
    it as that format unless the caller names another."""

    format: str = ""
    name: str = ""


def file_bytes(data: bytes, path: Any) -> bytes:
    """`data` as `NamedBytes` when the name of `path` gives a format, else unchanged: the bytes then carry what the
    name says through every caller that only passes bytes on (the command line, the corpus runner).

    Example:
        >>> named_format(file_bytes(b"# Notes", "notes.MD")), named_format(file_bytes(b"{}", "x.json"))
        ('markdown', None)
    """
    name = os.fspath(path)
    found = SUFFIX_FORMATS.get(os.path.splitext(name)[1].lower()) if isinstance(name, str) else None
    if found is None:
        return data
    named = NamedBytes(data)
    named.format, named.name = found, os.path.basename(name)
    return named


def named_format(raw: Any) -> str | None:
    """The format a file's name gave its bytes (`file_bytes`), or None: what detection cannot see in the content.

    Example:
        >>> named_format(file_bytes(b"- item", "notes.markdown")), named_format(b"- item")
        ('markdown', None)
    """
    return raw.format if isinstance(raw, NamedBytes) else None


def _encoded(text: str) -> bytes:
    """JSON text as UTF-8 for msgspec; lone surrogates (which UTF-8 cannot hold) become U+FFFD."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


def shape(p: Probe | str) -> str:
    """What an input looks like, for error messages."""
    if isinstance(p, str):
        return "plain text"
    v = p.value
    if isinstance(v, dict):
        keys = sorted(v)
        shown = ", ".join(keys[:12]) + (", …" if len(keys) > 12 else "")
        return f"an object with keys [{shown}]"
    if isinstance(v, list):
        return f"an array of {len(v)}" + (f" whose first element is {shape(p[0])}" if v else "")
    return f"a JSON {_JSON_NAMES.get(type(v), type(v).__name__)}"


_JSON_NAMES = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


# --- envelopes several providers share --------------------------------------------------------------

# Error codes each provider documents (PROVIDERS.md §2.1, §5): an error envelope carries no data to tell
# the providers apart, only its code.
RAGFLOW_ERROR_CODES = frozenset({10, 100, 101, 102, 103, 105, 106, 108, 109, 400, 401, 403, 404, 409, 500})
SOMARK_ERROR_CODES = frozenset(range(1100, 1200))


def error_code(p: Probe) -> int | None:
    """The code of an envelope `{code, message, data?}` that carries no result, else None."""
    code, data = p["code"].value, p["data"]
    if not isinstance(code, int) or isinstance(code, bool) or code == 0 or not p["message"].is_(str):
        return None
    if data.exists and data.value not in (None, False) and not (data.is_(dict) and not data.keys()):
        return None
    return code
