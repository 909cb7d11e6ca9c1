"""The command line over a corpus: folders, patterns, @lists and stdin; the mirrored tree; -j; errors and summary."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES


def docnorm(*args, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viewer.cli", *map(str, args)], capture_output=True, input=stdin,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """Two providers' folders with a subfolder each, one broken file and a file that is not a result."""
    root = tmp_path / "bucket"
    shutil.copytree(SAMPLES / "somark", root / "somark" / "2026-11")
    shutil.copytree(SAMPLES / "same_report", root / "report")
    (root / "somark" / "broken.json").write_text('{"job": ')
    (root / "somark" / "notes.md").write_text("# not a result")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.json").write_text("{}")
    return root


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_is_normalized_into_a_mirrored_tree_the_same_with_any_number_of_processes(corpus, tmp_path):
    one, two = tmp_path / "j1", tmp_path / "j2"
    first = docnorm("normalize", corpus, "-o", one, "-j", "1")
    second = docnorm("normalize", corpus, "-o", two, "-j", "2")
    assert first.returncode == second.returncode == 1  # the broken file
    tree = _tree(one)
    assert tree == _tree(two)  # byte for byte
    assert "somark/2026-11/oxr_paper_sync.docnorm.json" in tree and "report/harbor_q3_baidu.docnorm.json" in tree
    assert not any(".hidden" in name or "notes" in name or "broken" in name for name in tree)
    expected = {str(p.relative_to(corpus)).rsplit(".", 1)[0] + ".docnorm.json"
                for p in corpus.rglob("*.json") if ".hidden" not in str(p) and "broken" not in p.name}
    assert set(tree) == expected
    err = second.stderr.decode()
    assert f"docnorm: {corpus / 'somark' / 'broken.json'}: $: expected JSON" in err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith(f"docnorm: {len(expected) + 1} file(s), ") and " 1 error(s), " in summary
    assert summary.endswith("files/s)")


def test_glob_narrows_a_folder_and_a_quoted_pattern_is_expanded(corpus, tmp_path):
    out = docnorm("normalize", corpus, "--glob", "harbor_*.json", "-o", tmp_path / "a")
    assert out.returncode == 0
    assert sorted(_tree(tmp_path / "a")) == [f"report/harbor_q3_{p}.docnorm.json" for p in ("baidu", "llamacloud_v2", "somark")]
    out = docnorm("detect", f"{corpus}/**/harbor_*.json")
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 3
    out = docnorm("detect", f"{corpus}/**/nothing-*.json")
    assert out.returncode == 2 and b"no file matches" in out.stderr


def test_an_at_list_names_files_and_folders_and_at_dash_reads_it_from_stdin(corpus, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text(f"# the report\n{corpus / 'report'}\n\n{corpus / 'somark' / '2026-11' / 'bare_outputs.json'}\n")
    out = docnorm("detect", f"@{listing}", "-j", "1")
    lines = out.stdout.decode().splitlines()
    assert out.returncode == 0 and len(lines) == 4 and lines[-1].endswith("bare_outputs.json\tsomark")
    piped = docnorm("detect", "@-", stdin=listing.read_bytes())
    assert piped.stdout == out.stdout
    assert docnorm("detect", "@missing.txt").returncode == 2


def test_dash_is_a_result_on_stdin_in_a_batch_too(corpus, tmp_path):
    data = (SAMPLES / "somark" / "bare_outputs.json").read_bytes()
    out = docnorm("normalize", "-", corpus / "report", "-o", tmp_path / "o", stdin=data)
    assert out.returncode == 0
    assert set(_tree(tmp_path / "o")) == {"stdin.docnorm.json", "harbor_q3_baidu.docnorm.json",
                                          "harbor_q3_llamacloud_v2.docnorm.json", "harbor_q3_somark.docnorm.json"}
    assert docnorm("normalize", "-", "-", "-o", tmp_path / "o", stdin=data).returncode == 2


def test_errors_are_written_as_json_lines_and_exit_codes_say_what_happened(corpus, tmp_path):
    errors = tmp_path / "errors.jsonl"
    out = docnorm("normalize", corpus / "somark", "-o", tmp_path / "o", "--errors", errors)
    assert out.returncode == 1
    rows = [json.loads(line) for line in errors.read_text().splitlines()]
    assert rows == [{"file": str(corpus / "somark" / "broken.json"),
                     "error": "$: expected JSON, found malformed input (Input data was truncated)"}]
    good = docnorm("normalize", corpus / "report", "-o", tmp_path / "o2", "--errors", errors)
    assert good.returncode == 0 and errors.read_text() == ""
    assert docnorm("normalize", corpus, "--errors", tmp_path / "no" / "such" / "e.jsonl", "-o", tmp_path / "x").returncode == 2
    assert docnorm("normalize", corpus).returncode == 2  # several files need -o DIRECTORY
    assert docnorm("normalize", corpus, "-o", tmp_path / "o3", "-j", "-1").returncode == 2


def test_export_a_folder_mirrors_it_tables_numbered(corpus, tmp_path):
    out = docnorm("export", corpus / "report", "--to", "tables-csv", "-o", tmp_path / "csv", "-j", "2")
    assert out.returncode == 0
    assert sorted(_tree(tmp_path / "csv")) == [f"harbor_q3_{p}-1.csv" for p in ("baidu", "llamacloud_v2", "somark")]
    out = docnorm("export", corpus / "somark", "--to", "md", "-o", tmp_path / "md")
    assert out.returncode == 1  # the broken file (jobs without content are skipped, no failure)
    tree = _tree(tmp_path / "md")
    assert "2026-11/oxr_paper_sync.md" in tree and "2026-11/status_failed.md" not in tree
    assert b"2026-11/status_failed.json: skipped: the job is failed" in out.stderr
    single = docnorm("export", SAMPLES / "somark" / "oxr_paper_sync.json", "--to", "md")
    assert single.stdout.decode() == tree["2026-11/oxr_paper_sync.md"].decode()


def test_one_named_file_still_goes_to_stdout_without_a_summary():
    out = docnorm("normalize", SAMPLES / "somark" / "bare_outputs.json")
    assert out.returncode == 0 and out.stdout.startswith(b'{"schema":"docnorm/1"') and out.stderr == b""


def _pid(_job) -> int:
    import os
    return os.getpid()


def _or_die(job: str) -> str:
    import os
    import signal
    if job == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    return job


def test_chunks_hold_every_job_once_in_order_shrinking_toward_the_end():
    from exporters.corpus.runner import chunks
    jobs = list(range(1000))
    cut = chunks(jobs, 2)
    assert [job for chunk in cut for job in chunk] == jobs
    sizes = [len(c) for c in cut]
    assert max(sizes) == 64 and sizes[:-1] == sorted(sizes[:-1], reverse=True) and sizes[-1] <= 16
    heavy = chunks(jobs, 2, most=256, weights=[500] + [1] * 999)  # one large file, then small ones
    assert heavy[0] == [0] and max(len(c) for c in heavy) <= 256
    assert [len(c) for c in chunks(jobs[:5], 4, most=1)] == [1] * 5


def test_the_passes_of_a_run_share_their_worker_processes():
    from exporters.corpus.runner import map_jobs, one_pool
    with one_pool():
        first = set(map_jobs(_pid, list(range(40)), 2))
        second = set(map_jobs(_pid, list(range(40)), 2))
    assert len(first | second) <= 2  # the same two workers
    apart = [set(map_jobs(_pid, list(range(40)), 2)) for _ in range(2)]
    assert apart[0].isdisjoint(apart[1])  # each pass its own pool


def test_a_worker_killed_in_a_shared_pool_fails_its_job_alone_and_the_run_goes_on():
    from exporters.corpus.runner import WORKER_DIED, Crashed, map_jobs, one_pool
    with one_pool():
        got = list(map_jobs(_or_die, ["a", "b", "kill", "c", "d"], 2))
        again = list(map_jobs(_or_die, ["e", "f"], 2))
    assert got == ["a", "b", Crashed(WORKER_DIED), "c", "d"] and again == ["e", "f"]
