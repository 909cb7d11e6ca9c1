"""`docnorm dataset`: the corpus as Parquet tables, read back by DuckDB; incremental re-runs."""

from __future__ import annotations

import os
import shutil
import sys
import time

import pytest

from normalizer import NormalizeError, load
from viewer.cli import main

from .conftest import SAMPLES, sample_files

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")


def _sql(out, query: str) -> list[tuple]:
    con = duckdb.connect()
    for table in ("documents", "pages", "blocks", "cells", "chunks", "lines", "words", "warnings", "failures"):
        con.execute(f"create view {table} as select * from read_parquet('{out}/{table}/*.parquet')")
    return con.execute(query).fetchall()


def _all_docs(folder):
    docs = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".json", ".txt"):
            try:
                docs += [(str(path), i, d) for i, d in enumerate(load(path))]
            except NormalizeError:
                pass
    return docs


def test_the_samples_as_tables_with_the_expected_rows_and_joins(tmp_path):
    corpus = tmp_path / "samples"
    shutil.copytree(SAMPLES, corpus)
    out = tmp_path / "ds"
    assert main(["dataset", str(corpus), "-o", str(out), "-j", "2"]) == 0
    docs = _all_docs(corpus)
    assert len(sample_files()) == _sql(out, "select count(distinct source) from documents")[0][0]
    assert _sql(out, "select count(*) from documents")[0][0] == len(docs)
    assert _sql(out, "select count(*) from pages")[0][0] == sum(len(d.pages) for _, _, d in docs)
    assert _sql(out, "select count(*) from blocks")[0][0] == sum(len(d.blocks) for _, _, d in docs)
    cells = sum(len(b.table.cells) for _, _, d in docs for b in d.blocks if b.table)
    assert _sql(out, "select count(*) from cells")[0][0] == cells
    assert _sql(out, "select count(*) from chunks")[0][0] == sum(len(d.chunks) for _, _, d in docs)
    assert _sql(out, "select count(*) from warnings")[0][0] == sum(len(d.warnings) for _, _, d in docs)
    words = sum(len(ln.words) for _, _, d in docs for b in d.blocks for ln in b.lines)
    assert _sql(out, "select count(*) from words")[0][0] == words
    # every key joins: cells to table blocks, blocks and pages to documents, chunk blocks to blocks
    assert _sql(out, "select count(*) from cells c left join blocks b using (doc_id, block_id) "
                     "where b.kind is distinct from 'table'")[0][0] == 0
    assert _sql(out, "select count(*) from blocks left join documents d using (doc_id) where d.source is null")[0][0] == 0
    assert _sql(out, "select count(*) from pages left join documents d using (doc_id) where d.source is null")[0][0] == 0
    assert _sql(out, "select count(*) from (select doc_id, unnest(block_ids) block_id from chunks) c "
                     "left join blocks b using (doc_id, block_id) where b.kind is null")[0][0] == 0
    # the README's queries
    tables = dict(_sql(out, "select provider, count(*) from blocks join documents using (doc_id) "
                            "where kind = 'table' group by provider"))
    assert tables == {p: sum(1 for _, _, d in docs for b in d.blocks if b.kind == "table" and d.provider == p)
                      for p in tables} and set(tables) >= {"llamacloud", "somark", "baidu"}
    failed = _sql(out, "select provider, count(*) from pages join documents using (doc_id) where not ok group by 1")
    assert failed == [("llamacloud", sum(1 for _, _, d in docs for p in d.pages if not p.ok))]
    lowest = _sql(out, "select text, confidence from words where confidence is not null order by confidence limit 1")
    assert lowest[0][1] == min(w.confidence for _, _, d in docs for b in d.blocks for ln in b.lines for w in ln.words
                               if w.confidence is not None)
    first = docs[0]
    row = _sql(out, f"select provider, format, job_status, page_count from documents where doc_id = '{first[0]}#0'")
    assert row == [(first[2].provider, first[2].format, first[2].job.status, len(first[2].pages))]


def _rows(out) -> dict[str, list[tuple]]:
    return {t: sorted(_sql(out, f"select * from {t}"), key=repr)
            for t in ("documents", "pages", "blocks", "cells", "chunks", "words", "warnings", "failures")}


def test_a_rerun_reads_only_what_changed_and_ends_equal_to_a_fresh_build(tmp_path, capsys):
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLES / "same_report", corpus / "report")
    shutil.copytree(SAMPLES / "somark", corpus / "somark")
    out = tmp_path / "ds"
    assert main(["dataset", str(corpus), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["dataset", str(corpus), "-o", str(out)]) == 0
    assert "11 input(s) unchanged since the last run, 0 read" in capsys.readouterr().err
    time.sleep(0.01)
    os.utime(corpus / "somark" / "bare_outputs.json")  # touched, same bytes: still unchanged
    changed = corpus / "report" / "harbor_q3_somark.json"
    changed.write_bytes((SAMPLES / "somark" / "oxr_paper_sync.json").read_bytes())  # another document now
    (corpus / "somark" / "status_queuing.json").unlink()
    (corpus / "somark" / "broken.json").write_text("{")
    assert main(["dataset", str(corpus), "-o", str(out)]) == 1  # the broken one
    err = capsys.readouterr().err
    assert "9 input(s) unchanged since the last run, 2 read, 2 replaced or removed" in err
    fresh = tmp_path / "fresh"
    assert main(["dataset", str(corpus), "-o", str(fresh)]) == 1
    assert _rows(out) == _rows(fresh)
    assert _sql(out, "select source from failures") == [(os.path.normpath(corpus / "somark" / "broken.json"),)]
    assert _sql(out, "select count(*) from documents where source like '%status_queuing%'")[0][0] == 0


def test_a_dataset_of_another_schema_version_is_not_mixed(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = tmp_path / "ds"
    out.mkdir()
    pq.write_table(pa.table({"path": ["x"]}).replace_schema_metadata({b"docnorm.schema_version": b"0"}),
                   out / "_manifest.parquet")
    assert main(["dataset", str(SAMPLES / "somark"), "-o", str(out)]) == 2
    assert "schema version 0" in capsys.readouterr().err


def test_without_pyarrow_the_error_gives_the_install_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert main(["dataset", str(SAMPLES / "somark"), "-o", str(tmp_path / "ds")]) == 2
    assert "pip install 'docnorm[dataset]'" in capsys.readouterr().err


def test_the_ray_engine_writes_the_local_engines_rows_and_reruns_incrementally(tmp_path, capsys):
    """On a local Ray instance of 2 CPUs, as CI runs it."""
    ray = pytest.importorskip("ray")
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLES / "same_report", corpus / "report")
    shutil.copytree(SAMPLES / "whisperer", corpus / "whisperer")
    (corpus / "broken.json").write_text("[1, 2")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert main(["dataset", str(corpus), "-o", str(tmp_path / "ray"), "--engine", "ray"]) == 1
        assert main(["dataset", str(corpus), "-o", str(tmp_path / "local")]) == 1
        assert _rows(tmp_path / "ray") == _rows(tmp_path / "local")
        assert _sql(tmp_path / "ray", "select count(*) from failures")[0][0] == 1
        (corpus / "report" / "harbor_q3_baidu.json").write_bytes((SAMPLES / "baidu" / "paddle_vl_result.json").read_bytes())
        (corpus / "broken.json").unlink()
        capsys.readouterr()
        assert main(["dataset", str(corpus), "-o", str(tmp_path / "ray"), "--engine", "ray"]) == 0
        assert "1 read, 2 replaced or removed" in capsys.readouterr().err
        assert main(["dataset", str(corpus), "-o", str(tmp_path / "fresh")]) == 0
        assert _rows(tmp_path / "ray") == _rows(tmp_path / "fresh")
    finally:
        ray.shutdown()
