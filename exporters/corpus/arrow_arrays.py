"""A column of Python values as an Arrow array, built from its buffers: the dataset's rows reach Parquet without
pandas.

pyarrow's own converter (`pa.array(list)`) first asks whether the list is a pandas object, and to ask it imports
pandas: 0.36 s in every process that builds a table (the parent and each worker of a run), more than the tables
of a thousand small inputs cost. Here a column is packed by C loops (`str.join`, `array`, NumPy, which pyarrow
itself imports) into Arrow's buffers: for the values a canonical document holds, the same array `pa.array` makes
(the loops are laxer only where pyarrow refuses: a boolean as an integer, a numeric string as a float). A column
these loops refuse (a value of another type, a lone surrogate, an integer past 64 bits) takes pyarrow's converter,
and a value it refuses in turn is written in the nearest form Arrow takes (`arrow_safe`), as before.
"""

from __future__ import annotations

import operator
from array import array
from itertools import chain, compress, repeat
from typing import Any, Callable

from ..optional import need

INSTALL = "pip install 'docnorm[dataset]'   # or: pip install pyarrow"
_INT64 = 1 << 63
_NO_BOX = (None, None, None, None)


def load_pyarrow() -> Any:
    """pyarrow, or ImportError with the pip command (and pyarrow.parquet loaded: the writer needs it)."""
    need("pyarrow.parquet", INSTALL, "the Parquet dataset needs pyarrow")
    return need("pyarrow", INSTALL)


def arrow_array(values: list[Any], kind: str, arrow_type: Any) -> Any:
    """`values` as an Arrow array of `arrow_type`; `kind` is the dataset's type name (str, int, float, bool,
    strs, locations). The array `pa.array(values, arrow_type)` makes, without importing pandas.

    >>> arrow_array(["a", None, "é"], "str", load_pyarrow().string()).to_pylist()
    ['a', None, 'é']
    >>> arrow_array([1.5, None], "float", load_pyarrow().float64()).null_count
    1
    """
    try:
        got = _FAST[kind](values, arrow_type)
    except (TypeError, ValueError, OverflowError, UnicodeError):
        got = None
    return _converted(values, kind, arrow_type) if got is None else got


def _validity(values: list[Any]) -> Any:
    """The validity bitmap of a column holding None (a bit per value, set where it is not None)."""
    import numpy as np
    valid = np.fromiter(map(operator.is_not, values, repeat(None)), dtype=np.bool_, count=len(values))
    return load_pyarrow().py_buffer(np.packbits(valid, bitorder="little"))


def _strings(values: list[Any], arrow_type: Any) -> Any:
    """UTF-8 strings: joined with NUL between them and encoded in one pass over the strings (a string is often a
    cache miss: one pass, not one per step), the NULs then found and taken out by NumPy, giving the offsets."""
    import numpy as np
    n = len(values)
    try:
        texts, valid = values, None
        joined = "\0".join(values)
    except TypeError:  # a None (or a value of another type, which the next line refuses in turn)
        texts, valid = ["" if v is None else v for v in values], _validity(values)
        joined = "\0".join(texts)
    data = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    between = data == 0
    ends = np.flatnonzero(between)
    offsets = np.empty(n + 1, dtype=np.int64)
    offsets[0] = 0
    if len(ends) == n - 1:
        offsets[1:n] = ends - np.arange(n - 1)
        data = data[~between]
    else:  # a NUL inside a string: each string's length from its own encoding
        data = np.frombuffer("".join(texts).encode("utf-8"), dtype=np.uint8)
        np.cumsum(np.fromiter(map(len, map(str.encode, texts)), dtype=np.int64, count=n)[:-1], out=offsets[1:n])
    offsets[n] = len(data)
    if len(data) >= 1 << 31:  # past 32-bit offsets: pyarrow's converter splits it into chunks
        return None
    pa = load_pyarrow()
    return pa.Array.from_buffers(arrow_type, n, [valid, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)])


def _ints(values: list[Any], arrow_type: Any) -> Any:
    """Integers packed by `array` (which refuses a float or a string, as pyarrow does) in the Arrow type's width;
    Nones as zeros under null bits."""
    code = {64: "q", 32: "i"}.get(arrow_type.bit_width)
    if code is None:
        return None
    pa = load_pyarrow()
    n = len(values)
    if None not in values:
        return pa.Array.from_buffers(arrow_type, n, [None, pa.py_buffer(array(code, values))])
    if values.count(None) == n:
        return pa.nulls(n, arrow_type)
    data = array(code, [0 if v is None else v for v in values])
    return pa.Array.from_buffers(arrow_type, n, [_validity(values), pa.py_buffer(data)])


def _floats(values: list[Any], arrow_type: Any) -> Any:
    """Floats read by NumPy (None as NaN, then a null bit: where every NaN is a None, from the NaNs themselves)."""
    import numpy as np
    pa = load_pyarrow()
    n = len(values)
    data = np.fromiter(values, dtype=np.float64, count=n)
    nulls = values.count(None) if None in values else 0
    if not nulls:
        return pa.Array.from_buffers(arrow_type, n, [None, pa.py_buffer(data)])
    if nulls == n:
        return pa.nulls(n, arrow_type)
    nan = np.isnan(data)
    valid = pa.py_buffer(np.packbits(~nan, bitorder="little")) if int(nan.sum()) == nulls else _validity(values)
    return pa.Array.from_buffers(arrow_type, n, [valid, pa.py_buffer(data)])


def _bools(values: list[Any], arrow_type: Any) -> Any:
    import numpy as np
    if not set(map(type, values)) <= {bool, type(None)}:
        return None
    valid = _validity(values) if None in values else None
    bits = np.packbits(np.fromiter(map(operator.is_, values, repeat(True)), dtype=np.bool_, count=len(values)),
                       bitorder="little")
    pa = load_pyarrow()
    return pa.Array.from_buffers(arrow_type, len(values), [valid, pa.py_buffer(bits)])


def _offsets(lengths: list[int]) -> Any:
    """List offsets (int32, from 0) for lists of these lengths."""
    import numpy as np
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(lengths, dtype=np.int64, count=len(lengths)), out=offsets[1:])
    pa = load_pyarrow()
    return pa.Array.from_buffers(pa.int32(), len(offsets), [None, pa.py_buffer(offsets)])


def _string_lists(values: list[Any], arrow_type: Any) -> Any:
    flat = _strings(list(chain.from_iterable(values)), arrow_type.value_type)
    if flat is None:
        return None
    return load_pyarrow().ListArray.from_arrays(_offsets(list(map(len, values))), flat, type=arrow_type)


def _location_lists(values: list[Any], arrow_type: Any) -> Any:
    """Each chunk's locations (canonical `Location`s) as a list of {page, x0, y0, x1, y1}."""
    flat = list(chain.from_iterable(values))
    struct = arrow_type.value_type
    pages = _ints([loc.page for loc in flat], struct.field(0).type)
    parts = [pages, *box_arrays([loc.bbox for loc in flat], struct.field(1).type)]
    if any(part is None for part in parts):
        return None
    pa = load_pyarrow()
    return pa.ListArray.from_arrays(_offsets(list(map(len, values))),
                                    pa.StructArray.from_arrays(parts, fields=list(struct)), type=arrow_type)


def box_arrays(boxes: list[Any], arrow_type: Any) -> list[Any]:
    """Boxes as the four arrays x0, y0, x1, y1 (null for a missing box, or one that is not four numbers).

    >>> [a.to_pylist() for a in box_arrays([[1.0, 2.0, 3.0, 4.0], None], load_pyarrow().float64())]
    [[1.0, None], [2.0, None], [3.0, None], [4.0, None]]
    """
    import numpy as np
    pa = load_pyarrow()
    n = len(boxes)
    have = list(map(operator.is_not, boxes, repeat(None))) if None in boxes else None  # where there is a box
    present = boxes if have is None else list(compress(boxes, have))
    grid = _grid(present)
    if grid is None:  # a box that is not four numbers: each side's values as they are
        flat = list(chain.from_iterable(b if b is not None and len(b) == 4 else _NO_BOX for b in boxes))
        return [arrow_array(flat[k::4], "float", arrow_type) for k in range(4)]
    valid = None
    if len(present) < n:
        mask = np.array(have, dtype=np.bool_)
        full = np.zeros((n, 4), dtype=np.float64)
        full[mask] = grid
        grid, valid = full, pa.py_buffer(np.packbits(mask, bitorder="little"))
    return [pa.Array.from_buffers(arrow_type, n, [valid, pa.py_buffer(np.ascontiguousarray(grid[:, k]))])
            for k in range(4)]


def _grid(boxes: list[Any]) -> Any:
    """The boxes as an n x 4 NumPy grid when every one is four numbers; else None (a None in a box: NumPy would
    read it as NaN where Arrow writes null)."""
    import numpy as np
    try:
        if set(map(len, boxes)) <= {4}:
            grid = np.fromiter(list(chain.from_iterable(boxes)), dtype=np.float64, count=4 * len(boxes))
            return None if np.isnan(grid).any() else grid.reshape(len(boxes), 4)
    except (TypeError, ValueError):
        pass
    return None


_FAST: dict[str, Callable[[list[Any], Any], Any]] = {
    "str": _strings, "int": _ints, "float": _floats, "bool": _bools,
    "strs": _string_lists, "locations": _location_lists,
}


def _converted(values: list[Any], kind: str, arrow_type: Any) -> Any:
    """pyarrow's converter (for values of other types), and for a value it refuses the nearest form it takes."""
    pa = load_pyarrow()
    if kind == "locations":
        values = [[{"page": loc.page, **dict(zip(("x0", "y0", "x1", "y1"), _box(loc.bbox)))} for loc in locs]
                  for locs in values]
    try:
        return pa.array(values, arrow_type)
    except (UnicodeError, OverflowError, pa.ArrowException):
        return pa.array([arrow_safe(v) for v in values], arrow_type)


def _box(bbox: Any) -> tuple[Any, ...]:
    return (bbox[0], bbox[1], bbox[2], bbox[3]) if bbox and len(bbox) == 4 else _NO_BOX


def arrow_safe(value: Any) -> Any:
    """`value` as Arrow takes it: strings as valid UTF-8 (lone surrogates escaped), integers within 64 bits.

    >>> arrow_safe("a\\udc80"), arrow_safe(1 << 70)
    ('a\\\\udc80', None)
    """
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, bool) or not isinstance(value, int):
        return [arrow_safe(v) for v in value] if isinstance(value, list) else \
            {k: arrow_safe(v) for k, v in value.items()} if isinstance(value, dict) else value
    return value if -_INT64 <= value < _INT64 else None
