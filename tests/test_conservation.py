"""Nothing is silently lost: an unknown key added to any provider struct of any sample reaches the output.

The probes are generated from the raw structs themselves (the registry's `shape` of each format, walked with
msgspec's type info alongside the sample), so a struct added later is probed without anyone listing it.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import msgspec.inspect as mi
import pytest

from exporters import to_json
from normalizer import detect, normalize_all, registry
from normalizer.typed import Raw

from .conftest import sample_files

JSON_SAMPLES = [p for p in sample_files() if p.suffix == ".json"]


def _probe(value: Any, info: mi.Type, counter: itertools.count, where: str, placed: dict[str, str]) -> Any:
    """`value` with a probe key added to every object that a provider struct decodes; `placed` maps each
    probe's value to where it was put."""
    kind = type(info)
    if kind is mi.UnionType:
        for member in info.types:
            if isinstance(value, dict) and type(member) in (mi.StructType, mi.DictType) or \
                    isinstance(value, list) and type(member) is mi.ListType:
                return _probe(value, member, counter, where, placed)
        if isinstance(value, str) and value[:1] == "{":  # JSON delivered as a string (SoMark's outputs.json)
            struct = next((m for m in info.types if type(m) is mi.StructType), None)
            if struct is not None:
                return json.dumps(_probe(json.loads(value), struct, counter, where, placed), ensure_ascii=False)
        return value
    if kind is mi.StructType and isinstance(value, dict) and issubclass(info.cls, Raw):
        fields = {f.encode_name: f.type for f in info.fields if f.name != "rest"}
        out = {k: _probe(v, fields[k], counter, f"{where}.{k}", placed) if k in fields else v
               for k, v in value.items()}
        probe = f"probe-{next(counter)}"
        out[f"zz_unknown_{probe}"] = probe
        placed[probe] = where
        return out
    if kind is mi.ListType and isinstance(value, list):
        return [_probe(v, info.item_type, counter, f"{where}[{i}]", placed) for i, v in enumerate(value)]
    if kind is mi.DictType and isinstance(value, dict):  # free keys whose values are structs (Docling's pages)
        return {k: _probe(v, info.value_type, counter, f"{where}.{k}", placed) for k, v in value.items()}
    return value


def _provider_shape(path):
    """The sample's format row, when it is a provider format with typed structs (else the test is skipped)."""
    found = registry.get(detect(path.read_bytes()))
    if found.shape is None or found.id == "docnorm":
        pytest.skip("not a provider format")
    return found


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_an_unknown_key_in_any_provider_struct_is_kept(path):
    found = _provider_shape(path)
    placed: dict[str, str] = {}
    probed = _probe(json.loads(path.read_bytes()), mi.type_info(found.shape), itertools.count(), "$", placed)
    assert placed, "no provider struct was probed"
    docs = normalize_all(json.dumps(probed, ensure_ascii=False).encode(), format=found.id)
    output = b"\n".join(to_json(d) for d in docs).decode()
    missing = {where for probe, where in placed.items() if f'"{probe}"' not in output}
    assert not missing, f"unknown keys lost at: {sorted(missing)[:12]}"


def _is_any(info: mi.Type) -> bool:
    return type(info) is mi.AnyType or type(info) is mi.UnionType and any(type(m) is mi.AnyType for m in info.types)


def _probe_declared(value: Any, info: mi.Type, counter: itertools.count, where: str, placed: dict[str, str]) -> Any:
    """`value` with every field a provider struct declares as `Any` (fields read as they come: boxes, polygons,
    hierarchies, indexes) that the sample has replaced by a probe string, which no reader can read as what it
    expects: each must then be kept in extra as it came (`placed` maps each probe to where it was put)."""
    kind = type(info)
    if kind is mi.UnionType:
        member = next((m for m in info.types if isinstance(value, dict) and type(m) in (mi.StructType, mi.DictType)
                       or isinstance(value, list) and type(m) is mi.ListType), None)
        return value if member is None else _probe_declared(value, member, counter, where, placed)
    if kind is mi.StructType and isinstance(value, dict) and issubclass(info.cls, Raw):
        fields = {f.encode_name: f.type for f in info.fields if f.name != "rest"}
        out = {}
        for k, v in value.items():
            if k in fields and _is_any(fields[k]):
                out[k] = probe = f"probe-{next(counter)}"
                placed[probe] = f"{where}.{k}"
            else:
                out[k] = _probe_declared(v, fields[k], counter, f"{where}.{k}", placed) if k in fields else v
        return out
    if kind is mi.ListType and isinstance(value, list):
        return [_probe_declared(v, info.item_type, counter, f"{where}[{i}]", placed) for i, v in enumerate(value)]
    if kind is mi.DictType and isinstance(value, dict):
        return {k: _probe_declared(v, info.value_type, counter, f"{where}.{k}", placed) for k, v in value.items()}
    return value


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_declared_free_field_holding_what_no_reader_expects_is_kept(path):
    """A box, polygon or position that cannot be read is repaired as "kept in extra": it must be there (an
    unreadable table cell box, a page's polygon or a line's bbox once vanished), as must a field read as it is."""
    found = _provider_shape(path)
    placed: dict[str, str] = {}
    probed = _probe_declared(json.loads(path.read_bytes()), mi.type_info(found.shape), itertools.count(), "$",
                             placed)
    if not placed:
        pytest.skip("the sample has no free field")
    docs = normalize_all(json.dumps(probed, ensure_ascii=False).encode(), format=found.id)
    output = b"\n".join(to_json(d) for d in docs).decode()
    missing = {where for probe, where in placed.items() if f'"{probe}"' not in output}
    assert not missing, f"free fields lost at: {sorted(missing)[:12]}"
