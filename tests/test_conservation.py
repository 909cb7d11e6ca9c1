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
            if isinstance(value, dict) and type(member) is mi.StructType or \
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
    return value


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_an_unknown_key_in_any_provider_struct_is_kept(path):
    data = path.read_bytes()
    found = registry.get(detect(data))
    if found.shape is None or found.id == "docnorm":
        pytest.skip("not a provider format")
    placed: dict[str, str] = {}
    probed = _probe(json.loads(data), mi.type_info(found.shape), itertools.count(), "$", placed)
    assert placed, "no provider struct was probed"
    docs = normalize_all(json.dumps(probed, ensure_ascii=False).encode(), format=found.id)
    output = b"\n".join(to_json(d) for d in docs).decode()
    missing = {where for probe, where in placed.items() if f'"{probe}"' not in output}
    assert not missing, f"unknown keys lost at: {sorted(missing)[:12]}"
