"""Decode provider JSON into typed msgspec structs: fast when the input is clean, lenient when not.

Provider structs subclass `Raw` (unknown fields forbidden). Clean input decodes in one msgspec pass,
which is both the validation and the fast path. Input with unknown keys or wrong types fails that pass and
is walked field by field instead: unknown keys land in the struct's `rest` (nothing is dropped), wrong
types are repaired to the field default with the original value kept in `rest`, and each repair is
reported with its JSON path (or raised, when strict).
"""

from __future__ import annotations

import math
from functools import lru_cache
from types import MappingProxyType
from operator import attrgetter
from typing import Any, Callable, TypeVar

import msgspec
import msgspec.inspect as mi
from msgspec import Struct, field

from .errors import NormalizeError, Repairs, describe
from .schema import decoder as _decoder

T = TypeVar("T")

# The `rest` of clean input: one shared, read-only empty mapping. A fresh dict per struct (a 1,000-page
# result decodes ~100,000 of them) was an eighth of the decode; the walker gives `rest` a dict of its own.
_NO_REST: Any = MappingProxyType({})


class Raw(Struct, forbid_unknown_fields=True, kw_only=True, gc=False):
    """Base of provider structs. `rest` holds keys the struct does not know (filled by the walker); read it,
    never write to it.

    Not tracked by the cyclic collector (`gc=False`), every subclass alike and for one reason: a raw struct is made
    only by decoding JSON (msgspec, or the walker below from parsed JSON), a tree, and no converter assigns to one
    afterwards; a field typed `Any` holds JSON values, never a struct. No instance can be part of a reference cycle,
    and the ~100,000 of a 1,000-page result are freed by reference counting alone, without collector passes."""

    rest: dict[str, Any] = field(default=_NO_REST, name="~docnorm-rest~")


_untyped = msgspec.json.Decoder()


def loads(data: bytes | str) -> Any:
    """Parse JSON bytes (any integer size), turning malformed or truncated input into a `NormalizeError`."""
    try:
        return _untyped.decode(data)
    except msgspec.DecodeError as exc:
        raise NormalizeError("$", f"expected JSON, found malformed input ({exc})") from None


def decode_as(raw: Any, tp: type[T], repairs: Repairs, path: str = "$") -> T:
    """`raw` (JSON bytes/str or already-parsed JSON) as an instance of `tp`."""
    if isinstance(raw, (bytes, bytearray, memoryview, str)):
        try:
            return _decoder(tp).decode(raw)
        except msgspec.ValidationError:
            raw = loads(raw)
        except msgspec.DecodeError as exc:
            raise NormalizeError("$", f"expected JSON, found malformed input ({exc})") from None
    elif isinstance(raw, msgspec.Raw):
        return decode_as(bytes(raw), tp, repairs, path)
    else:
        try:
            return msgspec.convert(raw, tp)
        except msgspec.ValidationError:
            pass
    return coerce(raw, tp, repairs, path)


def coerce(value: Any, tp: Any, repairs: Repairs, path: str = "$") -> Any:
    info = _info(tp)
    out = _walk(value, info, path, repairs, _no_spill(path, repairs))
    if out is _MISMATCH:
        raise NormalizeError(path, f"expected {_expected(info)}, found {describe(value)}")
    return out


# --- the lenient walker ---------------------------------------------------------------------------

_MISMATCH = object()
Spill = Callable[[str, Any], None]


@lru_cache(maxsize=None)
def _info(tp: Any) -> mi.Type:
    return mi.type_info(tp)


_FIELDS: dict[type, dict[str, mi.Field]] = {}


def _fields(info: mi.StructType) -> dict[str, mi.Field]:
    fields = _FIELDS.get(info.cls)
    if fields is None:
        fields = _FIELDS[info.cls] = {f.encode_name: f for f in info.fields if f.name != "rest"}
    return fields


def _no_spill(path: str, repairs: Repairs) -> Spill:
    def spill(key: str, value: Any) -> None:  # top level: there is no struct to keep it in
        raise NormalizeError(path, f"cannot keep {describe(value)} at {key}")
    return spill


def _walk(value: Any, info: mi.Type, path: str, repairs: Repairs, spill: Spill) -> Any:
    handler = _HANDLERS.get(type(info))
    if handler is None:
        return value
    return handler(value, info, path, repairs, spill)


def _struct(value: Any, info: mi.StructType, path: str, repairs: Repairs, spill: Spill) -> Any:
    if not isinstance(value, dict):
        return _MISMATCH
    fields = _fields(info)
    kwargs: dict[str, Any] = {}
    rest: dict[str, Any] = {}

    def keep(key: str, raw: Any) -> None:
        rest[key] = raw

    for key, item in value.items():
        f = fields.get(key)
        if f is None:
            rest[key] = item
            continue
        sub = f"{path}.{key}"
        got = _walk(item, f.type, sub, repairs, lambda k, v, key=key: keep(key + k, v))
        if got is _MISMATCH:
            if item is None and isinstance(f.type, mi.ListType):
                repairs(sub, "expected array, found null", "used []")
                continue
            repairs(sub, f"expected {_expected(f.type)}, found {describe(item)}", "kept in extra")
            rest[key] = item
            continue
        kwargs[f.name] = got
    if any(f.required and f.name not in kwargs for f in info.fields):
        return _MISMATCH
    if rest:
        kwargs["rest"] = rest
    return info.cls(**kwargs)


def _list(value: Any, info: mi.ListType, path: str, repairs: Repairs, spill: Spill) -> Any:
    if not isinstance(value, list):
        return _MISMATCH
    return [got for _, got in _each(enumerate(value), info.item_type, path, repairs, spill, "[{}]")]


def _dict(value: Any, info: mi.DictType, path: str, repairs: Repairs, spill: Spill) -> Any:
    """An object of free keys. Values of a declared type (Docling's `pages`) are walked like a list's items: left
    raw, the converter would not know them for its structs and would skip each one, every field with it."""
    if not isinstance(value, dict):
        return _MISMATCH
    if type(info.value_type) is mi.AnyType:
        return value
    return dict(_each(value.items(), info.value_type, path, repairs, spill, ".{}"))


def _each(pairs: Any, item_type: Any, path: str, repairs: Repairs, spill: Spill, step: str) -> Any:
    """(key, walked value) for each of a list's or a free object's items; an item that does not fit `item_type`
    is a repair, moved to extra (`step` spells the key's JSON path step)."""
    for key, item in pairs:
        sub = path + step.format(key)
        got = _walk(item, item_type, sub, repairs, spill)
        if got is _MISMATCH:
            repairs(sub, f"expected {_expected(item_type)}, found {describe(item)}", "moved to extra")
            spill(step.format(key), item)
            continue
        yield key, got


def _tuple(value: Any, info: mi.TupleType, path: str, repairs: Repairs, spill: Spill) -> Any:
    """A fixed-size array (a box) is taken as given: the converter judges and reports it, as it would have to
    for a value of any type."""
    return value if isinstance(value, list) else _MISMATCH


def _union(value: Any, info: mi.UnionType, path: str, repairs: Repairs, spill: Spill) -> Any:
    for member in info.types:
        if _accepts(member, value):
            return _walk(value, member, path, repairs, spill)
    for member in info.types:  # second chance: a repairable scalar
        got = _scalar(value, member, path, repairs, spill)
        if got is not _MISMATCH:
            return got
    return _MISMATCH


def _accepts(info: mi.Type, value: Any) -> bool:
    kind = type(info)
    if kind is mi.NoneType:
        return value is None
    if kind in (mi.StructType, mi.DictType):
        return isinstance(value, dict)
    if kind in (mi.ListType, mi.TupleType):
        return isinstance(value, list)
    if kind is mi.AnyType:
        return True
    return _exact(info, value)


def _exact(info: mi.Type, value: Any) -> bool:
    if isinstance(value, bool):
        return type(info) is mi.BoolType
    kind = type(info)
    if kind is mi.IntType:
        return isinstance(value, int)
    if kind is mi.FloatType:
        return isinstance(value, (int, float))
    if kind is mi.StrType:
        return isinstance(value, str)
    if kind is mi.LiteralType:
        return value in info.values
    return False


def _scalar(value: Any, info: mi.Type, path: str, repairs: Repairs, spill: Spill) -> Any:
    if _exact(info, value):
        if type(info) is mi.FloatType:
            try:
                return float(value)
            except OverflowError:  # an integer past the float range (1e400 written out): no number JSON carries
                return _MISMATCH
        return value
    kind = type(info)
    if isinstance(value, str) and kind in (mi.IntType, mi.FloatType):
        try:
            number = int(value) if kind is mi.IntType else float(value)
        except ValueError:  # not a number, or more digits than int() reads
            return _MISMATCH
        if not math.isfinite(number):  # "NaN", "inf", "1e999": no number JSON can carry back
            return _MISMATCH
        repairs(path, f"expected {_expected(info)}, found {describe(value)}", f"read as {number}")
        return number
    if kind is mi.IntType and isinstance(value, float) and value.is_integer():
        repairs(path, f"expected integer, found {describe(value)}", f"read as {int(value)}")
        return int(value)
    if kind is mi.StrType and isinstance(value, (int, float)) and not isinstance(value, bool):
        repairs(path, f"expected string, found {describe(value)}", "read as text")
        return str(value)
    return _MISMATCH


_HANDLERS: dict[type, Callable[..., Any]] = {
    mi.StructType: _struct, mi.ListType: _list, mi.DictType: _dict, mi.UnionType: _union, mi.TupleType: _tuple,
    mi.IntType: _scalar, mi.FloatType: _scalar, mi.StrType: _scalar, mi.BoolType: _scalar,
    mi.LiteralType: _scalar,
    mi.NoneType: lambda v, *a: None if v is None else _MISMATCH,
}


def _expected(info: mi.Type) -> str:
    kind = type(info)
    if kind is mi.UnionType:
        return " or ".join(_expected(t) for t in info.types)
    if kind is mi.StructType:
        return "object"
    if kind in (mi.ListType, mi.TupleType):
        return "array"
    return _NAMES.get(kind, "value")


_NAMES = {mi.IntType: "integer", mi.FloatType: "number", mi.StrType: "string", mi.BoolType: "boolean",
          mi.NoneType: "null", mi.DictType: "object", mi.LiteralType: "one of the known values"}


def present(obj: Raw, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields among `names` that the input had (declared `Any = UNSET`), then the unknown ones, verbatim.

    Fields that have no canonical home are declared rather than left to `rest`, so that clean input stays
    on msgspec's one-pass path; this gives them back for `extra`.
    """
    out = {name: value for name in names if (value := getattr(obj, name)) is not msgspec.UNSET}
    out.update(obj.rest)
    return out


def as_json(obj: Raw) -> dict[str, Any]:
    """A provider struct kept whole in `extra`: the fields it had under their JSON names, then its unknown
    keys, nulls left out as `compact` does. A struct itself cannot go there: it would encode its `rest`."""
    out = {f.encode_name: _json_value(getattr(obj, f.name)) for f in msgspec.structs.fields(obj) if f.name != "rest"}
    out.update(obj.rest)
    return {k: v for k, v in out.items() if v is not None and v is not msgspec.UNSET}


def _json_value(value: Any) -> Any:
    return list(value) if type(value) is tuple else value


def rest_of(obj: Raw | None, prefix: str) -> dict[str, Any]:
    """The unknown keys of a nested provider struct, prefixed so that they can share its parent's `extra`."""
    return {prefix + k: v for k, v in obj.rest.items()} if obj is not None else {}


def present_getter(names: tuple[str, ...]) -> Callable[[Raw, dict[str, Any]], None]:
    """`compact(present(...))` for a hot loop: adds to `out` the fields among `names` that the input had, then
    the unknown ones, leaving out nulls (the fields are read in one C-level call)."""
    get = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    skip = (msgspec.UNSET, None)
    all_none = (None,) * len(names)

    def add(obj: Raw, out: dict[str, Any]) -> None:
        values = get(obj)
        if values != all_none:  # one C-level comparison for the common struct that has none of them
            for name, value in zip(names, values):
                if value not in skip:
                    out[name] = value
        if obj.rest:
            out.update((k, v) for k, v in obj.rest.items() if v is not None)
    return add
