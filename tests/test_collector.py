"""The collector and docnorm's trees: canonical and raw structs are untracked (`gc=False`), which is safe only while
no instance can be part of a reference cycle; `normalizer.collector.paused` keeps the collector off around the long
loops and restores it whatever happens."""

from __future__ import annotations

import gc
import threading
from typing import Any

import msgspec
import pytest

from normalizer import detect, normalize_all, registry, typed
from normalizer.collector import paused
from normalizer.schema import Block, Document

from .conftest import sample_files


def cycle_in(root: Any) -> list[str] | None:
    """The path of a reference cycle reachable from `root` through struct fields, lists, tuples and dict values, or
    None when what is reachable is a tree (or a DAG: a value shared by two parents is no cycle)."""
    on_path: dict[int, str] = {}
    done: set[int] = set()
    stack: list[tuple[Any, str, bool]] = [(root, "$", False)]
    while stack:
        obj, where, leaving = stack.pop()
        if leaving:
            on_path.pop(id(obj), None)
            done.add(id(obj))
            continue
        if id(obj) in on_path:
            return [on_path[id(obj)], where]
        if id(obj) in done:
            continue
        if isinstance(obj, msgspec.Struct):
            children = [(getattr(obj, f), f"{where}.{f}") for f in obj.__struct_fields__]
        elif isinstance(obj, (list, tuple)):
            children = [(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        elif isinstance(obj, dict) or type(obj).__name__ == "mappingproxy":
            children = [(v, f"{where}.{k}") for k, v in obj.items()]
        else:
            continue
        on_path[id(obj)] = where
        stack.append((obj, where, True))
        stack.extend((child, path, False) for child, path in children)
    return None


def test_the_cycle_finder_finds_a_cycle_through_a_struct_and_not_a_shared_value():
    block = Block(id="b", page=1, kind="paragraph")
    shared = [1.0, 2.0, 3.0, 4.0]
    assert cycle_in(Document(provider="x", format="x", blocks=[block, Block(id="c", page=1, kind="other",
                                                                              bbox=shared)], extra={"s": shared})) is None
    block.extra["me"] = [block]
    assert cycle_in(Document(provider="x", format="x", blocks=[block])) == ["$.blocks[0]", "$.blocks[0].extra.me[0]"]


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_reads_into_trees_and_no_converter_links_raw_structs_back(path, monkeypatch):
    """The raw structs a reader decodes are looked at after it has converted them: had it assigned a parent
    link (or anything) into one, a cycle would show here; the documents it returns are trees too."""
    decoded: list[Any] = []
    real = typed.decode_as

    def keep(*args: Any, **kwargs: Any) -> Any:
        decoded.append(real(*args, **kwargs))
        return decoded[-1]
    for f in registry.FORMATS:
        if not f.text:
            monkeypatch.setattr(f.convert.__module__ + ".decode_as", keep, raising=False)
    docs = normalize_all(path.read_bytes())
    found = registry.get(detect(path.read_bytes()))
    assert docs and (decoded or found.text or found.id == "docnorm")  # canonical JSON has no raw structs
    for doc in docs:
        assert cycle_in(doc) is None, path
    for raw in decoded:
        assert cycle_in(raw) is None, path


def test_a_kept_document_adds_no_tracked_struct_to_the_collector():
    """What a full collection walks for a kept document: its lists and dicts, never a struct of it."""
    data = max(sample_files("llamacloud"), key=lambda p: p.stat().st_size).read_bytes()
    gc.collect()
    before = {id(o) for o in gc.get_objects()}
    doc = normalize_all(data)[0]
    added = [o for o in gc.get_objects() if id(o) not in before]
    assert doc.blocks and not [o for o in added if isinstance(o, msgspec.Struct)]
    assert not gc.is_tracked(doc) and not gc.is_tracked(doc.blocks[0])


def test_paused_nests_restores_on_error_and_leaves_a_callers_choice_alone():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with paused():
            with paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
            1 / 0
    assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()  # the caller turned it off: it stays off
    finally:
        gc.enable()


def test_paused_on_several_threads_restores_the_collector_once_the_last_one_ends():
    inside, release = threading.Barrier(3), threading.Event()

    def work() -> None:
        with paused():
            inside.wait()
            release.wait()
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()


@paused()
def _decorated() -> bool:
    return gc.isenabled()


def test_paused_decorates_a_function():
    assert _decorated() is False and gc.isenabled()


def test_what_a_pause_built_is_old_at_once():
    """The first collections after a pause would otherwise walk everything it built (young): it is moved to the
    oldest generation instead, in constant time (no pass over what anyone froze)."""
    with paused():
        built = [[n] for n in range(1000)]
    assert gc.get_count()[0] < 100 and any(o is built[-1] for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def _sample_document() -> Document:
    return normalize_all(max(sample_files("llamacloud"), key=lambda p: p.stat().st_size).read_bytes())[0]


def test_diff_and_the_framework_records_run_with_the_collector_paused_and_restore_it(monkeypatch):
    import exporters.diff as diff_module
    import exporters.frameworks as frameworks
    seen: list[bool] = []
    real_match, real_chunks = diff_module.match, frameworks.to_chunks

    def match(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return real_match(*args)

    def to_chunks(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return real_chunks(*args)
    monkeypatch.setattr(diff_module, "match", match)
    monkeypatch.setattr(frameworks, "to_chunks", to_chunks)
    doc = _sample_document()
    assert diff_module.diff(doc, doc).scores.content == 1.0
    assert frameworks.to_langchain_jsonl(doc).count("\n") == len(frameworks.records(doc))
    assert seen == [False, False, False] and gc.isenabled()


def test_the_viewer_keeps_a_document_old_and_its_structs_untracked(tmp_path):
    from viewer.store import Store
    path = max(sample_files("llamacloud"), key=lambda p: p.stat().st_size)
    (tmp_path / "a.json").write_bytes(path.read_bytes())
    loaded = Store(str(tmp_path)).load("a.json")
    assert loaded.docs and gc.isenabled() and gc.get_freeze_count() == 0
    assert not gc.is_tracked(loaded.docs[0]) and not gc.is_tracked(loaded.docs[0].blocks[0])
    assert any(o is loaded.docs[0].blocks for o in gc.get_objects(generation=2))  # aged, not young
