"""The dataset's rows, built column by column and packed into Arrow buffers by hand, are exactly the rows the tables
are defined to hold (one row per page, block, cell, line, word, chunk and warning, as README "Dataset" lists them)
and exactly the arrays pyarrow's own converter makes of them; and no process of a dataset run imports pandas."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys

import pytest

from normalizer import NormalizeError, load
from normalizer.schema import Block, Cell, Chunk, Document, Job, Line, Location, Page, Table, Word
from viewer.cli import main

from .conftest import ROOT, SAMPLES, sample_files

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from exporters.corpus.arrow_arrays import arrow_array  # noqa: E402
from exporters.corpus.rows import COLUMNS, Columns, arrow_schema  # noqa: E402


def _box(bbox):
    return dict(zip(("x0", "y0", "x1", "y1"), bbox if bbox and len(bbox) == 4 else (None,) * 4))


def _defined_rows(docs: list[Document], source: str) -> dict[str, list[dict]]:
    """The tables' rows by their definition, one dict per row."""
    rows: dict[str, list[dict]] = {table: [] for table in COLUMNS}
    for index, doc in enumerate(docs):
        d = f"{source}#{index}"
        rows["documents"].append(dict(
            doc_id=d, source=source, doc_index=index, provider=doc.provider, format=doc.format,
            file_name=doc.file_name, job_id=doc.job.id, job_status=doc.job.status, job_error=doc.job.error,
            page_count=len(doc.pages), block_count=len(doc.blocks), warning_count=len(doc.warnings),
            table_count=sum(b.kind == "table" for b in doc.blocks), schema_version=1))
        rows["pages"] += [dict(doc_id=d, page=p.number, width=p.width, height=p.height, unit=p.unit, ok=p.ok,
                               error=p.error, is_scan=p.is_scan, confidence=p.confidence) for p in doc.pages]
        for seq, b in enumerate(doc.blocks):
            rows["blocks"].append(dict(doc_id=d, block_id=b.id, seq=seq, page=b.page, kind=b.kind, level=b.level,
                                       parent=b.parent, text=b.text, confidence=b.confidence, **_box(b.bbox)))
            rows["cells"] += [dict(doc_id=d, block_id=b.id, row=c.row, col=c.col, row_span=c.row_span,
                                   col_span=c.col_span, text=c.text, header=c.header, confidence=c.confidence)
                              for c in (b.table.cells if b.table else [])]
            for n, ln in enumerate(b.lines):
                rows["lines"].append(dict(doc_id=d, block_id=b.id, line=n, page=b.page, text=ln.text, top=ln.top,
                                          bottom=ln.bottom, confidence=ln.confidence, **_box(ln.bbox)))
                rows["words"] += [dict(doc_id=d, block_id=b.id, line=n, word=k, page=b.page, text=w.text,
                                       confidence=w.confidence, **_box(w.bbox)) for k, w in enumerate(ln.words)]
        rows["chunks"] += [dict(doc_id=d, chunk_id=c.id, seq=seq, kind=c.kind, text=c.text, headings=c.headings,
                                block_ids=c.block_ids,
                                locations=[{"page": loc.page, **_box(loc.bbox)} for loc in c.locations])
                           for seq, c in enumerate(doc.chunks)]
        rows["warnings"] += [dict(doc_id=d, seq=seq, message=m) for seq, m in enumerate(doc.warnings)]
    return rows


def _sample_docs() -> list[tuple[str, list[Document]]]:
    docs = []
    for path in sample_files():
        try:
            docs.append((str(path.relative_to(ROOT)), load(path)))
        except NormalizeError:
            pass
    return docs


def test_every_table_of_the_samples_holds_its_defined_rows_as_pyarrow_writes_them():
    columns = Columns()
    expected: dict[str, list[dict]] = {table: [] for table in COLUMNS}
    docs = _sample_docs()
    assert len(docs) > 50
    for source, found in docs:
        columns.add_all(found, source)
        for table, rows in _defined_rows(found, source).items():
            expected[table] += rows
    for table, cols in COLUMNS.items():
        got = columns.take(table)
        want = pa.Table.from_pylist(expected[table], schema=arrow_schema(cols))  # pyarrow's converter
        assert got.schema.equals(want.schema, check_metadata=True)
        assert got.equals(want), table
        assert columns.rows(table) == 0  # taken
    assert sum(len(rows) for rows in expected.values()) > 1000


def _odd_document() -> Document:
    """Values at every edge a converter may leave: missing and malformed boxes, a None inside a box, NaN, a lone
    surrogate, an integer past 64 bits, non-ASCII text, empty lists, a location without a box."""
    words = [Word(text="naïve", confidence=0.5, bbox=[1.0, 2.0, 3.0, 4.0]), Word(text="x", bbox=[1.0, None, 3.0, 4.0])]
    lines = [Line(text="a\udc80b", bbox=[0.0, 0.0, 1.0], top=None, bottom=2.0, words=words), Line(text="")]
    cells = [Cell(row=0, col=0, text="日本", header=True, confidence=float("nan")), Cell(row=0, col=1, text="")]
    blocks = [Block(id="b1", page=1, kind="heading", text="Ünïcode", level=1 << 70, bbox=[1.0, 2.0, 3.0, 4.0]),
              Block(id="b2", page=1, kind="paragraph", text="plain", bbox=None, lines=lines, parent="b1"),
              Block(id="b3", page=2, kind="table", text="", bbox=[], confidence=0.25,
                    table=Table(n_rows=1, n_cols=2, cells=cells)),
              Block(id="b4", page=2, kind="table", table=Table(n_rows=0, n_cols=0))]
    chunks = [Chunk(id="c1", text="t", headings=["H", "é"], block_ids=["b1", "b2"],
                    locations=[Location(page=1, bbox=[1.0, 2.0, 3.0, 4.0]), Location(page=2)]),
              Chunk(id="c2", headings=[], block_ids=[], locations=[])]
    pages = [Page(number=1, width=612.0, height=792.0, unit="pt", is_scan=True, confidence=0.9),
             Page(number=2, ok=False, error="timeout")]
    return Document(provider="edge", format="edge", job=Job(status="succeeded"), pages=pages, blocks=blocks,
                    chunks=chunks, warnings=["$.x: repaired", "$.y: 💥"])


def test_values_at_the_edges_are_written_as_pyarrow_writes_them_or_in_the_nearest_form_it_takes():
    doc = _odd_document()
    columns = Columns()
    columns.add_all([doc], "edge.json")
    tables = {table: columns.take(table).to_pylist() for table in COLUMNS}
    blocks = {row["block_id"]: row for row in tables["blocks"]}
    assert blocks["b1"]["level"] is None and blocks["b1"]["text"] == "Ünïcode"  # past 64 bits: null
    assert (blocks["b1"]["x0"], blocks["b1"]["y1"]) == (1.0, 4.0)
    assert blocks["b2"]["x0"] is None and blocks["b3"]["x0"] is None and blocks["b3"]["confidence"] == 0.25
    assert [row["text"] for row in tables["lines"]] == ["a\\udc80b", ""]  # the lone surrogate escaped
    assert tables["lines"][0]["x0"] is None and tables["lines"][0]["bottom"] == 2.0  # a box of three: none
    assert [(w["text"], w["x0"], w["y0"]) for w in tables["words"]] == [("naïve", 1.0, 2.0), ("x", 1.0, None)]
    assert math.isnan(tables["cells"][0]["confidence"]) and tables["cells"][1]["confidence"] is None
    assert tables["chunks"][0]["locations"] == [{"page": 1, "x0": 1.0, "y0": 2.0, "x1": 3.0, "y1": 4.0},
                                                {"page": 2, "x0": None, "y0": None, "x1": None, "y1": None}]
    assert tables["chunks"][0]["headings"] == ["H", "é"] and tables["chunks"][1]["block_ids"] == []
    assert [p["is_scan"] for p in tables["pages"]] == [True, None]
    assert tables["warnings"][1]["message"] == "$.y: 💥"
    assert [row["table_count"] for row in tables["documents"]] == [2]


def test_an_input_that_fails_part_way_leaves_none_of_its_rows():
    good, bad = _odd_document(), _odd_document()
    bad.blocks[1].lines.append("not a line")  # its blocks, cells and lines are in before this raises
    columns = Columns()
    columns.add_all([good], "good.json")
    with pytest.raises(AttributeError):
        columns.add_all([good, bad], "bad.json")
    columns.fail("bad.json", "$.blocks[1].lines[2]: not a line")
    tables = {table: columns.take(table).to_pylist() for table in COLUMNS}  # every column as long as the others
    assert {row["doc_id"] for table in COLUMNS if table != "failures" for row in tables[table]} == {"good.json#0"}
    assert len(tables["blocks"]) == 4 and tables["failures"] == [{"source": "bad.json",
                                                                 "error": "$.blocks[1].lines[2]: not a line"}]


@pytest.mark.parametrize("kind,arrow,values", [
    ("str", "string", ["a", None, "", "é", "日本語", "z"]),
    ("str", "string", [None, None]),
    ("int", "int64", [1, None, -(1 << 62), 0]),
    ("int", "int64", [1.0, 2]),  # a float where an integer belongs: pyarrow's converter takes it
    ("int", "int32", [3, 1 << 20]),
    ("float", "float64", [0.5, None, float("nan"), float("inf"), 3]),
    ("float", "float64", [None, None, None]),
    ("float", "float64", [1.5, 2]),
    ("bool", "bool", [True, None, False, True, True, False, True, False, True]),
])
def test_a_column_packed_by_hand_is_the_array_pyarrow_makes(kind, arrow, values):
    arrow_type = getattr(pa, arrow)() if arrow != "bool" else pa.bool_()
    got, want = arrow_array(values, kind, arrow_type), pa.array(values, arrow_type)
    got.validate(full=True)
    assert got.type == want.type and got.null_count == want.null_count
    assert repr(got.to_pylist()) == repr(want.to_pylist())  # (repr: NaN is not equal to itself)


def test_no_process_of_a_dataset_run_imports_pandas(tmp_path):
    """pyarrow's own list converter imports pandas (0.36 s) in every process that builds a table; a run builds
    its tables from buffers, in the parent (-j 1, the manifest, a rerun's dropped rows) and in every worker."""
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLES / "same_report", corpus / "report")
    shutil.copytree(SAMPLES / "somark", corpus / "somark")
    probe = (
        "import sys, os\n"
        "import exporters.corpus.build as build\n"
        "real = build._part_job\n"
        "def checked(job):\n"
        "    out = real(job)\n"
        "    assert 'pandas' not in sys.modules, 'a worker imported pandas'\n"
        "    return out\n"
        "build._part_job = checked\n"
        "from viewer.cli import main\n"
        "for jobs in ('2', '1'):\n"
        "    main(['dataset', sys.argv[1], '-o', sys.argv[2], '-j', jobs])\n"
        "    open(sys.argv[3], 'ab').write(b' ')\n"  # changed: the rerun reads it again and drops its old rows
        "print('pandas' in sys.modules)\n")
    changed = corpus / "somark" / "oxr_paper_sync.json"
    done = subprocess.run([sys.executable, "-c", probe, str(corpus), str(tmp_path / "ds"), str(changed)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert "1 read, 1 replaced" in done.stderr


def _all_rows(out) -> dict[str, list]:
    return {table: sorted((row for part in sorted((out / table).glob("*.parquet"))
                           for row in pq.ParquetFile(part).read().to_pylist()), key=repr) for table in COLUMNS}


def test_the_tables_are_the_same_for_any_number_of_processes(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLES, corpus, ignore=shutil.ignore_patterns("*.png", "*.pdf", "*.jpg"))
    (corpus / "broken.json").write_text('{"job": ')
    for jobs in ("1", "2"):
        assert main(["dataset", str(corpus), "-o", str(tmp_path / jobs), "-j", jobs]) in (0, 1)
    one, two = _all_rows(tmp_path / "1"), _all_rows(tmp_path / "2")
    assert one == two and len(one["blocks"]) > 500 and len(one["failures"]) == 1


@pytest.mark.parametrize("module", ["exporters.corpus.rows", "exporters.corpus.arrow_arrays",
                                    "exporters.corpus.runner"])
def test_the_examples_of_the_corpus_modules_run(module, monkeypatch):
    import doctest
    import importlib
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
