"""The dataset survives interruption: a run killed at any point and run again ends with the tables of a clean
run, and the dataset stays readable (every part a whole Parquet file) while it waits for the rerun.

Kills are real (`os._exit` in a child process, nothing cleaned up) and placed deterministically: at the k-th
atomic rename of a run (staged parts moved in, the manifest, a part rewritten) or at the k-th row group written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES

pq = pytest.importorskip("pyarrow.parquet")

KILLER = r'''
import os, sys
import pyarrow.parquet as pq
where, k = sys.argv[1], int(sys.argv[2])
count = [0]
def dies(real):
    def wrapped(*args, **kwargs):
        count[0] += 1
        if count[0] == k:
            os._exit(9)
        return real(*args, **kwargs)
    return wrapped
if where == "rename":
    os.replace = dies(os.replace)
else:
    pq.ParquetWriter.write_table = dies(pq.ParquetWriter.write_table)
from viewer.cli import main
sys.exit(main(sys.argv[3:]))
'''


def _corpus(root: Path) -> Path:
    root.mkdir()
    for folder in ("somark", "same_report", "marker"):
        shutil.copytree(SAMPLES / folder, root / folder, ignore=shutil.ignore_patterns("*.png", "*.pdf"))
    (root / "broken.json").write_text('{"job": ')
    return root


def _dataset(corpus: Path, out: Path, *pre: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *pre, str(corpus), "-o", str(out), "-j", "1"], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def _clean(corpus: Path, out: Path) -> subprocess.CompletedProcess:
    return _dataset_cmd(corpus, out)


def _dataset_cmd(corpus: Path, out: Path, *killer: str) -> subprocess.CompletedProcess:
    pre = ["-c", KILLER, *killer, "dataset"] if killer else ["-m", "viewer.cli", "dataset"]
    return _dataset(corpus, out, *pre)


def _tables(out: Path) -> dict[str, list]:
    """Every table's rows (sorted), read as a reader would: each `TABLE/*.parquet` must be a whole file."""
    tables = {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        rows = [row for part in sorted(folder.glob("*.parquet")) for row in pq.read_table(part).to_pylist()]
        tables[folder.name] = sorted(rows, key=repr)
    return tables


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict[str, list]]:
    base = tmp_path_factory.mktemp("clean")
    corpus = _corpus(base / "corpus")
    done = _clean(corpus, base / "ds")
    assert done.returncode == 1, done.stderr  # broken.json fails; every other input is written
    tables = _tables(base / "ds")
    assert len(tables["documents"]) > 10 and len(tables["failures"]) == 1
    return corpus, tables


@pytest.mark.parametrize("where,k", [("rename", 1), ("rename", 5), ("rename", 10), ("rename", 12),
                                     ("write", 1), ("write", 4)])
def test_a_first_run_killed_anywhere_then_run_again_equals_a_clean_run(clean, tmp_path, where, k):
    corpus, expected = clean
    out = tmp_path / "ds"
    killed = _dataset_cmd(corpus, out, where, str(k))
    assert killed.returncode == 9, killed.stderr  # it really died there
    _tables(out)  # what is on disk meanwhile reads as whole Parquet files
    again = _clean(corpus, out)
    assert again.returncode == 1, again.stderr
    assert _tables(out) == expected
    assert not (out / ".staging").exists()


@pytest.mark.parametrize("where,k", [("rename", 1), ("rename", 2), ("rename", 4), ("write", 1)])
def test_a_rerun_killed_after_a_change_keeps_the_previous_dataset_readable_and_resumes(clean, tmp_path, where, k):
    corpus, _ = clean
    mine = tmp_path / "corpus"
    shutil.copytree(corpus, mine)
    out = tmp_path / "ds"
    assert _clean(mine, out).returncode == 1
    before = _tables(out)
    (mine / "broken.json").write_bytes((SAMPLES / "mineru" / "overtopping_content_list.json").read_bytes())
    os.remove(mine / "marker" / "drought_plan.json")
    killed = _dataset_cmd(mine, out, where, str(k))
    assert killed.returncode == 9, killed.stderr
    meanwhile = _tables(out)  # readable; the old rows of the inputs being replaced at most dropped
    assert set(map(repr, meanwhile["documents"])) <= set(map(repr, before["documents"]))
    assert _clean(mine, out).returncode == 0
    fresh = tmp_path / "fresh"
    assert _clean(mine, fresh).returncode == 0
    assert _tables(out) == _tables(fresh)


def test_the_workers_of_a_killed_run_end_with_it(tmp_path):
    """A run killed outright leaves no pool worker behind (they end with their parent)."""
    import signal
    import time
    corpus = tmp_path / "many"
    corpus.mkdir()
    sample = (SAMPLES / "same_report" / "harbor_q3_llamacloud_v2.json").read_bytes()
    for n in range(400):  # enough work that the run is still going when its workers are seen
        (corpus / f"r{n:03d}.json").write_bytes(sample)
    tag = f"docnorm-test-{os.getpid()}-{tmp_path.name}"
    env = {**os.environ, "DOCNORM_TEST_TAG": tag}
    run = subprocess.Popen([sys.executable, "-m", "viewer.cli", "dataset", str(corpus), "-o", str(tmp_path / "ds"),
                            "-j", "2"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # guards a hang only: the loop ends as soon as the workers are seen
    while len(_tagged(tag)) < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if run.poll() is not None:
        pytest.skip("the run ended before its workers could be seen")  # nothing to kill: not this test's case
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 60
    while _tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tagged(tag) == []


def _tagged(tag: str) -> list[int]:
    """The live processes whose environment holds `tag` (the run and its workers)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if tag.encode() in fh.read():
                    with open(f"/proc/{pid}/stat") as st:
                        if st.read().rsplit(")", 1)[1].split()[0] != "Z":
                            found.append(int(pid))
        except OSError:
            continue
    return found
