"""One bad file never touches another: whatever one input raises (StopIteration, RecursionError, MemoryError, a
worker killed outright) is that input's failure, reported and counted, while every other input of the run is
processed as if it were alone; in normalize, export, dataset, diff, render and the viewer alike.

The crashing inputs are real samples marked with a key that a patched `normalize_all` turns into the exception:
without the per-file rule each of these tests fails (the run ends early, a traceback, a 500), whatever the
readers' own fixes for the inputs that first showed it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import exporters.corpus.build
import viewer.cli.export
import viewer.cli.normalize
from viewer.cli import main
from normalizer import normalize_all
from exporters.corpus.runner import WORKER_DIED

from .conftest import ROOT, SAMPLES

GOOD = [SAMPLES / "marker" / "drought_plan.json", SAMPLES / "mineru" / "overtopping_content_list.json",
        SAMPLES / "somark" / "oxr_paper_sync.json"]
RAISES = {"stop": StopIteration, "recursion": RecursionError, "memory": MemoryError}


def _crashing(data, *args, **kwargs):
    """normalize_all, except for an input holding a crash marker: it raises (or kills its process) as told."""
    text = data if isinstance(data, (bytes, bytearray)) else b""
    for name, kind in RAISES.items():
        if b'"zz_crash": "%s"' % name.encode() in text:
            raise kind()
    if b'"zz_crash": "kill"' in text:
        os.kill(os.getpid(), signal.SIGKILL)
    return normalize_all(data, *args, **kwargs)


def _marked(path: Path, how: str) -> bytes:
    """A good sample with a crash marker added (a key the reader keeps in extra: harmless without the patch)."""
    raw = json.loads((SAMPLES / "docling" / "meridian_h1_2025.json").read_bytes())
    raw["zz_crash"] = how
    return json.dumps(raw).encode()


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """Three good results and one of each crash kind (not `kill`: that one only runs on a pool)."""
    for command in (viewer.cli.normalize, viewer.cli.export, exporters.corpus.build):
        monkeypatch.setattr(command, "normalize_all", _crashing)
    root = tmp_path / "in"
    root.mkdir()
    for path in GOOD:
        shutil.copy(path, root / path.name)
    for how in RAISES:
        (root / f"crash_{how}.json").write_bytes(_marked(root, how))
    return root


def _errors(path: Path) -> dict[str, str]:
    return {json.loads(line)["file"].rsplit("/", 1)[-1]: json.loads(line)["error"]
            for line in path.read_text().splitlines()}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_normalize_a_folder_writes_every_good_file_and_reports_each_crash(folder, tmp_path, capsys, jobs):
    out, errors = tmp_path / "out", tmp_path / "errors.jsonl"
    status = main(["normalize", str(folder), "-o", str(out), "-j", jobs, "--errors", str(errors)])
    err = capsys.readouterr().err
    assert status == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(p.stem + ".docnorm.json" for p in GOOD)
    failed = _errors(errors)
    assert set(failed) == {f"crash_{how}.json" for how in RAISES}
    assert failed["crash_stop.json"].startswith("internal error (StopIteration at tests/test_per_file_failure.py")
    assert failed["crash_recursion.json"].startswith("nested too deeply to read (RecursionError")
    assert failed["crash_memory.json"].startswith("ran out of memory reading it (MemoryError")
    assert "6 file(s), 3 document(s)" in err and "3 error(s)" in err
    assert all(f"docnorm: {folder}/crash_{how}.json: " in err for how in RAISES)


def test_a_worker_killed_outright_fails_its_file_alone(folder, tmp_path, capsys):
    (folder / "crash_kill.json").write_bytes(_marked(folder, "kill"))
    out, errors = tmp_path / "out", tmp_path / "errors.jsonl"
    status = main(["normalize", str(folder), "-o", str(out), "-j", "2", "--errors", str(errors)])
    assert status == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(p.stem + ".docnorm.json" for p in GOOD)
    failed = _errors(errors)
    assert failed["crash_kill.json"] == WORKER_DIED and len(failed) == 4
    assert "7 file(s), 3 document(s)" in capsys.readouterr().err


def test_export_and_detect_go_on_past_a_crash(folder, tmp_path, capsys):
    out = tmp_path / "md"
    assert main(["export", str(folder), "--to", "md", "-o", str(out), "-j", "1"]) == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(p.stem + ".md" for p in GOOD)
    assert "3 error(s)" in capsys.readouterr().err


def test_one_file_that_crashes_is_one_line_and_status_1(folder, capsys):
    assert main(["normalize", str(folder / "crash_stop.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"docnorm: {folder}/crash_stop.json: internal error (StopIteration") and "Traceback" not in err
    assert main(["export", str(folder / "crash_recursion.json"), "--to", "md"]) == 1
    assert "nested too deeply" in capsys.readouterr().err


def test_the_dataset_holds_every_good_document_and_a_failures_row_per_crash(folder, tmp_path, capsys):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "ds"
    assert main(["dataset", str(folder), "-o", str(out), "-j", "1"]) == 1
    docs = duckdb.sql(f"select source from read_parquet('{out}/documents/*.parquet')").fetchall()
    failures = dict(duckdb.sql(f"select source, error from read_parquet('{out}/failures/*.parquet')").fetchall())
    assert sorted(os.path.basename(s) for (s,) in docs) == sorted(p.name for p in GOOD)
    assert sorted(os.path.basename(s) for s in failures) == sorted(f"crash_{how}.json" for how in RAISES)


def test_a_corpus_diff_lists_the_crashed_file_and_compares_the_rest(folder, tmp_path, capsys, monkeypatch):
    import normalizer
    monkeypatch.setattr(normalizer, "load", lambda path: _crashing(Path(path).read_bytes()))
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    report = tmp_path / "c.json"
    assert main(["diff", str(folder), str(other), "--json", str(report), "-j", "1"]) == 1
    result = json.loads(report.read_text())
    assert sorted(r["key"] for r in result["rows"]) == sorted({r["key"] for r in result["rows"]})
    assert len(result["rows"]) == 3 and all(r["content"] == 1.0 for r in result["rows"])
    assert sorted(e["path"] for e in result["failed"]) == sorted(2 * [f"crash_{how}.json" for how in RAISES])
    assert "crash_stop.json: internal error (StopIteration" in capsys.readouterr().err


def test_render_draws_the_other_pages_when_one_fails(tmp_path, monkeypatch, capsys):
    import exporters.pages.render as render
    real = render._image

    def failing(page, *args, **kwargs):
        if page.number == 1:
            raise MemoryError
        return real(page, *args, **kwargs)
    monkeypatch.setattr(render, "_image", failing)
    sample = SAMPLES / "same_report" / "harbor_q3_llamacloud_v2.json"
    pages = [p.number for p in normalize_all(sample.read_bytes())[0].pages]
    assert len(pages) > 1
    assert main(["render", str(sample), "-o", str(tmp_path / "png")]) == 1
    drawn = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert drawn == sorted(f"harbor_q3_llamacloud_v2-p{n}.png" for n in pages if n != 1)
    assert "page 1: ran out of memory reading it (MemoryError" in capsys.readouterr().err


def test_the_viewer_lists_a_crashing_file_as_could_not_read_and_serves_the_rest(folder, monkeypatch):
    import viewer.store as store
    from viewer import create_app
    monkeypatch.setattr(store, "load", lambda path: _crashing(Path(path).read_bytes()))
    client = create_app(str(folder), index_budget=600).test_client()  # every row in the first answer
    index = client.get("/")
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    for how in RAISES:
        assert f"crash_{how}.json</a></td><td colspan=\"8\" class=\"error-message\">could not read: " in html
    page = client.get("/view?f=crash_stop.json")
    assert page.status_code == 404 and "could not read crash_stop.json: internal error (StopIteration" in \
        page.get_data(as_text=True)
    for path in GOOD:
        assert client.get(f"/view?f={path.name}").status_code == 200


def test_a_fifo_named_json_fails_at_once_instead_of_hanging_the_run(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(GOOD[0], root / GOOD[0].name)
    os.mkfifo(root / "pipe.json")
    for command in (["detect", str(root)], ["normalize", str(root), "-o", str(tmp_path / "out")]):
        done = subprocess.run([sys.executable, "-m", "viewer.cli", *command], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)  # the timeout only guards the hang this test is about
        assert done.returncode == 1
        assert "pipe.json: cannot read: not a regular file" in done.stderr


def test_load_refuses_a_fifo_at_once(tmp_path):
    from normalizer import NormalizeError, load
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(NormalizeError, match="not a regular file"):
        load(tmp_path / "pipe.json")  # before: blocked for ever, waiting for a writer


GBK = b"\xb1\xa8\xb8\xe6.json"  # "报告.json" in GBK, as a Windows zip leaves it


def test_a_file_name_that_is_not_utf8_is_listed_read_and_stored(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(GOOD[0], root / GOOD[0].name)
    with open(os.path.join(os.fsencode(root), GBK), "wb") as fh:
        fh.write(GOOD[1].read_bytes())
    shown = "\\xb1\\xa8\\xb8\\xe6.json"
    run = subprocess.run([sys.executable, "-m", "viewer.cli", "detect", str(root)], capture_output=True,
                         cwd=ROOT, timeout=120)
    assert run.returncode == 0 and f"{shown}\tmineru".encode() in run.stdout
    out = tmp_path / "out"
    assert main(["normalize", str(root), "-o", str(out), "-j", "1"]) == 0
    assert len(os.listdir(out)) == 2
    from viewer import create_app
    index = create_app(str(root), index_budget=600).test_client().get("/")
    assert index.status_code == 200
    assert shown in index.get_data(as_text=True) and "the file name is not valid UTF-8" in index.get_data(as_text=True)
    pytest.importorskip("pyarrow")
    import duckdb
    ds = tmp_path / "ds"
    assert main(["dataset", str(root), "-o", str(ds), "-j", "1"]) == 0
    sources = duckdb.sql(f"select source from read_parquet('{ds}/documents/*.parquet')").fetchall()
    assert sorted(os.path.basename(s) for (s,) in sources) == sorted([GOOD[0].name, shown])
    assert main(["dataset", str(root), "-o", str(ds), "-j", "1"]) == 0  # the rerun finds it unchanged


@pytest.mark.parametrize("command", [["detect", "{e}"], ["normalize", "{e}", "-o", "{o}"],
                                     ["export", "{e}", "--to", "md", "-o", "{o}"], ["dataset", "{e}", "-o", "{o}"],
                                     ["diff", "{e}", "{e}"]])
def test_a_run_that_finds_nothing_to_read_says_so(tmp_path, capsys, command):
    empty, out = tmp_path / "empty", tmp_path / "out"
    empty.mkdir()
    out.mkdir()
    assert main([part.format(e=empty, o=out) for part in command]) == 2
    assert f"no result files found in {empty}" in capsys.readouterr().err


def test_a_dataset_worker_killed_outright_fails_only_its_input(folder, tmp_path, capsys):
    duckdb = pytest.importorskip("duckdb")
    (folder / "crash_kill.json").write_bytes(_marked(folder, "kill"))
    for how in RAISES:
        os.remove(folder / f"crash_{how}.json")
    out, errors = tmp_path / "ds", tmp_path / "errors.jsonl"
    assert main(["dataset", str(folder), "-o", str(out), "-j", "2", "--errors", str(errors)]) == 1
    docs = duckdb.sql(f"select source from read_parquet('{out}/documents/*.parquet')").fetchall()
    failures = dict(duckdb.sql(f"select source, error from read_parquet('{out}/failures/*.parquet')").fetchall())
    assert sorted(os.path.basename(s) for (s,) in docs) == sorted(p.name for p in GOOD)
    assert {os.path.basename(s): e for s, e in failures.items()} == {"crash_kill.json": WORKER_DIED}
    assert _errors(errors) == {"crash_kill.json": WORKER_DIED}
    assert "4 file(s), 3 document(s)" in capsys.readouterr().err
