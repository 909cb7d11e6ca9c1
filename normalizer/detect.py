"""Recognise which provider format a saved file holds (PROVIDERS.md §0), without parsing all of it.

JSON bytes are decoded two levels deep and below that one level at a time (`msgspec.Raw` leaves stay
unparsed, containers are told apart by their first byte), so sniffing a 100 MB result costs one fast scan.
The rules are one ordered table: the first predicate that holds names the format; a shape nobody claims
gets a `NormalizeError` describing what was seen.
"""

from __future__ import annotations

from typing import Any, Callable, Union

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


def probe(raw: Any) -> Probe | str:
    """A `Probe` for JSON input, or the text itself for a non-JSON text file."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw)
    if isinstance(raw, (str, bytes)) and not raw.strip():
        raise NormalizeError("$", "expected JSON or text, found an empty input")
    if isinstance(raw, str):
        stripped = raw.lstrip("\ufeff \t\r\n")
        if stripped[:1] in ("{", "["):
            return Probe(stripped.encode())
        return raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        data = bytes(raw)
        stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped[:1] in JSON_START:
            return Probe(stripped)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NormalizeError("$", f"expected JSON or UTF-8 text, found undecodable bytes ({exc.reason} "
                                      f"at byte {exc.start})") from None
    return Probe(raw)


# --- predicates, one per shape --------------------------------------------------------------------

def _is_canonical(p: Probe) -> bool:
    schema = p["schema"].value
    return isinstance(schema, str) and schema.startswith("docnorm/")


def _is_canonical_list(p: Probe) -> bool:
    return p.is_(list) and len(p.value) > 0 and _is_canonical(p[0])


def _is_llamacloud_v2(p: Probe) -> bool:
    job = p["job"]
    return job.is_(dict) and "id" in job and "status" in job


_V1_STATUSES = {"PENDING", "SUCCESS", "ERROR", "PARTIAL_SUCCESS", "CANCELLED"}


def _is_llamaparse_v1_page(p: Probe) -> bool:
    return isinstance(p["page"].value, int) and bool(p.keys() & {"md", "text", "items"})


def _is_llamaparse_v1(p: Probe) -> bool:
    if p.is_(list):
        return len(p.value) > 0 and _is_llamaparse_v1(p[0])
    if p["pages"].is_(list):
        first = p["pages"][0]
        return _is_llamaparse_v1_page(first) if first.exists else "job_metadata" in p
    # the v1 job status response {id, status}
    return p.keys() >= {"id", "status"} and p["status"].value in _V1_STATUSES and \
        p.keys() <= {"id", "status", "error_code", "error_message"}


# Error codes each provider documents (PROVIDERS.md §2.1, §5): an error envelope carries no data to tell
# the providers apart, only its code.
RAGFLOW_ERROR_CODES = frozenset({10, 100, 101, 102, 103, 105, 106, 108, 109, 400, 401, 403, 404, 409, 500})
_SOMARK_ERROR_CODES = frozenset(range(1100, 1200))


def _error_code(p: Probe) -> int | None:
    """The code of an envelope `{code, message, data?}` that carries no result, else None."""
    code, data = p["code"].value, p["data"]
    if not isinstance(code, int) or isinstance(code, bool) or code == 0 or not p["message"].is_(str):
        return None
    if data.exists and data.value not in (None, False) and not (data.is_(dict) and not data.keys()):
        return None
    return code


def _is_somark(p: Probe) -> bool:
    if {"code", "message", "data"} <= p.keys():
        data = p["data"]
        if data.value is None:
            code = p["code"].value
            return code != 0 and not (isinstance(code, int) and code in RAGFLOW_ERROR_CODES)
        return data.is_(dict) and bool(data.keys() & {"task_id", "record_id", "result", "status"}) \
            and "docs" not in data and "chunks" not in data
    if _error_code(p) in _SOMARK_ERROR_CODES:
        return True
    pages = p["pages"]
    return pages.is_(list) and "blocks" in pages[0] and "layouts" not in pages[0]


def _is_baidu_task(p: Probe) -> bool:
    result = p["result"]
    if result.is_(dict) and "task_id" in result and ("error_code" in p or "log_id" in p):
        return True
    return "error_code" in p and "error_msg" in p and not result.exists


def _is_baidu_result(p: Probe) -> bool:
    pages = p["pages"]
    first = pages[0]
    return pages.is_(list) and ("layouts" in first or "page_id" in first or
                                ("file_id" in p and not first.exists))


def _is_whisperer_retrieve(p: Probe) -> bool:
    return "result_text" in p or ("status_code" in p and p["extraction"].is_(dict))


_WHISPER_STATUS_KEYS = {"status", "message", "detail", "whisper_hash", "status_code", "extraction"}


def _is_whisperer_status(p: Probe) -> bool:
    return p["status"].is_(str) and p.keys() <= _WHISPER_STATUS_KEYS and \
        p["status"].value not in _V1_STATUSES


def _ragflow_data(p: Probe) -> Probe | None:
    if "code" in p and p["data"].is_(dict):
        return p["data"]
    return None


def _is_ragflow_documents(p: Probe) -> bool:
    data = _ragflow_data(p)
    return data is not None and data["docs"].is_(list) or _error_code(p) in RAGFLOW_ERROR_CODES


def _is_ragflow_retrieval(p: Probe) -> bool:
    data = _ragflow_data(p)
    return data is not None and data["chunks"].is_(list) and "doc_aggs" in data


def _is_ragflow_chunks(p: Probe) -> bool:
    data = _ragflow_data(p)
    return data is not None and data["chunks"].is_(list) and "doc_aggs" not in data


RULES: list[tuple[str, Callable[[Probe], bool]]] = [
    ("docnorm", _is_canonical),
    ("docnorm", _is_canonical_list),
    ("llamacloud.v2", _is_llamacloud_v2),
    ("ragflow.documents", _is_ragflow_documents),
    ("ragflow.retrieval", _is_ragflow_retrieval),
    ("ragflow.chunks", _is_ragflow_chunks),
    ("somark", _is_somark),
    ("baidu.task", _is_baidu_task),
    ("baidu.result", _is_baidu_result),
    ("llamaparse.v1", _is_llamaparse_v1),
    ("whisperer.retrieve", _is_whisperer_retrieve),
    ("whisperer.status", _is_whisperer_status),
]
TEXT_FORMAT = "whisperer.text"


def detect_probe(p: Probe | str) -> str:
    if isinstance(p, str):
        return TEXT_FORMAT
    for format_id, predicate in RULES:
        if predicate(p):
            return format_id
    raise NormalizeError("$", f"expected a known provider format, found {_shape(p)}; known formats: "
                              + ", ".join(sorted({f for f, _ in RULES} | {TEXT_FORMAT})))


def _shape(p: Probe) -> str:
    v = p.value
    if isinstance(v, dict):
        keys = sorted(v)
        shown = ", ".join(keys[:12]) + (", …" if len(keys) > 12 else "")
        return f"an object with keys [{shown}]"
    if isinstance(v, list):
        return f"an array of {len(v)}" + (f" whose first element is {_shape(p[0])}" if v else "")
    return f"a JSON {type(v).__name__}"
