"""The `docnorm` command line: output, error format and exit codes as pinned in docs/ and the README."""

from __future__ import annotations

import json
import subprocess
import sys

from normalizer import normalize

from .conftest import ROOT, SAMPLES

REPORT = SAMPLES / "llamacloud" / "annual_report_v2.json"
PENDING = SAMPLES / "llamacloud" / "pending_job_v2.json"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "viewer.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True)


def test_detect_prints_file_tab_format():
    out = run("detect", REPORT, PENDING)
    assert out.returncode == 0
    assert out.stdout.splitlines() == [f"{REPORT}\tllamacloud.v2", f"{PENDING}\tllamacloud.v2"]


def test_normalize_one_file_to_stdout_and_to_a_path(tmp_path):
    out = run("normalize", REPORT)
    assert out.returncode == 0 and out.stderr == ""
    assert normalize(out.stdout) == normalize(REPORT.read_bytes())
    target = tmp_path / "one.json"
    assert run("normalize", REPORT, "-o", target).returncode == 0
    assert json.loads(target.read_text())["format"] == "llamacloud.v2"


def test_normalize_many_files_to_a_directory(tmp_path):
    sdk = SAMPLES / "llamacloud" / "quarterly_v1_sdk_list.json"
    out = run("normalize", REPORT, PENDING, sdk, "-o", tmp_path / "out")
    assert out.returncode == 0, out.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["annual_report_v2.docnorm.json", "pending_job_v2.docnorm.json",
                       "quarterly_v1_sdk_list.docnorm.json"]
    assert len(json.loads((tmp_path / "out" / "quarterly_v1_sdk_list.docnorm.json").read_text())) == 2
    # canonical output can be fed back in
    again = run("normalize", tmp_path / "out" / "annual_report_v2.docnorm.json")
    assert normalize(again.stdout) == normalize(REPORT.read_bytes())


def test_errors_go_to_stderr_with_path_and_exit_1(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"job": {"id": "x", "status": "COMPLETED"}, "items": {"pages": [{"page_number": "one"}]}}')
    out = run("normalize", "--strict", bad)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == (f"docnorm: {bad}: $.items.pages[0].page_number: expected integer or null, found "
                          "string 'one'\n")
    out = run("normalize", bad, tmp_path / "missing.json", "-o", tmp_path / "o")
    assert out.returncode == 1
    first, summary = out.stderr.splitlines()
    assert first == f"docnorm: {tmp_path / 'missing.json'}: cannot read: No such file or directory"
    assert summary.startswith("docnorm: 2 file(s), 1 document(s), 1 page(s), 1 error(s)")
    assert (tmp_path / "o" / "bad.docnorm.json").exists()  # the good one was still written
    trunc = tmp_path / "trunc.json"
    trunc.write_bytes(REPORT.read_bytes()[:500])
    out = run("detect", trunc)
    assert out.returncode == 1 and "expected JSON, found malformed input" in out.stderr


def test_usage_errors_exit_2():
    assert run("normalize").returncode == 2
    assert run("frobnicate").returncode == 2
    out = run("normalize", REPORT, PENDING)
    assert out.returncode == 2 and "-o DIRECTORY" in out.stderr


def test_console_script_is_installed():
    out = subprocess.run(["docnorm", "detect", PENDING], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.endswith("\tllamacloud.v2\n")


def test_export_markdown_text_json_and_tables(tmp_path):
    out = run("export", REPORT, "--to", "md")
    assert out.returncode == 0 and out.stdout.startswith("# Annual Report 2025\n")
    assert run("export", REPORT, "--to", "text").stdout.startswith("Annual Report 2025\n")
    assert run("export", REPORT, "--to", "html").stdout.startswith("<!DOCTYPE html>")
    chunks = [json.loads(line) for line in run("export", REPORT, "--to", "chunks").stdout.splitlines()]
    assert chunks[0]["headings"] == ["Annual Report 2025", "1. Letter to shareholders"]
    assert normalize(run("export", REPORT, "--to", "json").stdout) == normalize(REPORT.read_bytes())
    out = run("export", REPORT, "--to", "tables-csv", "--span-policy", "repeat", "-o", tmp_path / "t")
    assert out.returncode == 0
    files = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert files == [f"annual_report_v2-{i}.csv" for i in range(1, 5)]
    assert (tmp_path / "t" / "annual_report_v2-1.csv").read_text().splitlines()[0] == \
        "Segment,Revenue (EUR m),Revenue (EUR m),Change"
    quarter = (tmp_path / "t" / "annual_report_v2-2.csv").read_text().splitlines()
    assert quarter[-1] == "Q4 2025,590,\"2,075\""  # the page-3 fragment was joined into the page-2 table
    assert run("export", REPORT, "--to", "tables-html").returncode == 2  # several tables need -o
    out = run("export", REPORT, "--to", "md", "--span-policy", "repeat", "-o", tmp_path / "r.md")
    assert out.returncode == 0 and "<table>" not in (tmp_path / "r.md").read_text()


def test_normalize_reads_stdin_and_starts_without_the_viewer_stack():
    """`docnorm normalize -` imports neither Flask, rapidfuzz, jinja2 nor markdown-it: they are most of the
    start-up time, and only the viewer, the diff and the exporters need them."""
    code = ("import sys, io; from viewer.cli import main; sys.stdin = io.TextIOWrapper(io.BytesIO("
            "open(sys.argv[1], 'rb').read())); sys.argv = ['docnorm', 'normalize', '-']; main(); "
            "heavy = [m for m in ('flask', 'rapidfuzz', 'jinja2', 'markdown_it', 'exporters.html', 'exporters.diff', 'tqdm') if m in sys.modules]; "
            "print('HEAVY', heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "somark" / "status_queuing.json")],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["job"]["status"] == "queued"
    assert "HEAVY []" in done.stderr


def test_export_csv_neutralizes_formulas_unless_raw(tmp_path):
    from viewer.cli import main
    sample = SAMPLES / "llamacloud" / "annual_report_v2.json"
    assert main(["export", str(sample), "--to", "tables-csv", "-o", str(tmp_path / "safe")]) == 0
    assert main(["export", str(sample), "--to", "tables-csv", "--raw-csv", "-o", str(tmp_path / "raw")]) == 0
    safe = (tmp_path / "safe" / "annual_report_v2-3.csv").read_text()
    raw = (tmp_path / "raw" / "annual_report_v2-3.csv").read_text()
    assert "'+5–7 %" in safe and "'+5" not in raw and "+5–7 %" in raw


# --- every mistake: one line on stderr, exit 2 (usage) or 1 (input), through the installed console script ---

def docnorm(*args, stdin=None):
    return subprocess.run(["docnorm", *map(str, args)], capture_output=True, text=True, input=stdin)


def test_output_into_a_missing_folder_is_one_line_exit_2(tmp_path):
    missing = tmp_path / "nope" / "out.json"
    for args in (("normalize", REPORT, "-o", missing), ("export", REPORT, "--to", "md", "-o", missing),
                 ("diff", REPORT, REPORT, "--html", missing), ("diff", REPORT, REPORT, "--json", missing)):
        out = docnorm(*args)
        assert out.returncode == 2, args
        assert out.stderr == f"docnorm: error: -o {missing}: no such folder: {missing.parent}\n" or \
            out.stderr == f"docnorm: error: -o {missing}: no such folder: {tmp_path / 'nope'}\n", out.stderr
        assert "Traceback" not in out.stderr and not missing.exists()


def test_several_outputs_into_an_existing_file_is_one_line_exit_2(tmp_path):
    existing = tmp_path / "taken.txt"
    existing.write_text("x")
    for args in (("normalize", REPORT, PENDING, "-o", existing),
                 ("export", REPORT, "--to", "tables-csv", "-o", existing)):
        out = docnorm(*args)
        assert out.returncode == 2 and out.stderr == (f"docnorm: error: -o {existing}: several outputs need a "
                                                      "folder, and this is a file\n"), out.stderr
    assert existing.read_text() == "x"


def test_exporting_a_job_without_content_says_so_and_exits_1(tmp_path):
    for to in ("md", "text", "chunks", "tables-csv"):
        out = docnorm("export", PENDING, "--to", to, "-o", tmp_path / f"x-{to}")
        assert out.returncode == 1 and out.stdout == ""
        assert out.stderr.startswith(f"docnorm: {PENDING}: the job is queued; it has no content to export as {to}")
        assert not (tmp_path / f"x-{to}").exists()
    html = docnorm("export", PENDING, "--to", "html")
    assert html.returncode == 0 and "job queued" in html.stdout


def test_a_file_that_cannot_be_read_has_no_json_path(tmp_path):
    out = docnorm("detect", tmp_path / "missing.json")
    assert out.returncode == 1 and out.stderr == f"docnorm: {tmp_path / 'missing.json'}: cannot read: No such file or directory\n"


def test_help_teaches():
    alone = docnorm()
    assert alone.returncode == 0 and "normalize" in alone.stdout and "COMMAND --help" in alone.stdout
    version = docnorm("--version")
    assert version.returncode == 0 and version.stdout.startswith("docnorm ")
    from normalizer.registry import FORMATS
    from exporters.formats import EXPORTS
    for command in ("detect", "normalize", "export", "diff", "serve", "schema"):
        out = docnorm(command, "--help")
        examples = out.stdout.rstrip().split("\nexamples:\n")[-1].splitlines()
        assert out.returncode == 0 and len(examples) >= 2, command
        assert all(line.startswith("  docnorm " + command + " ") for line in examples), command
    normalize_help = docnorm("normalize", "--help").stdout
    assert all(f"  {f.id} " in normalize_help for f in FORMATS)
    export_help = docnorm("export", "--help").stdout
    assert all(f"  {name} " in export_help for name in EXPORTS)


def test_normalize_indent_and_a_multi_document_file(tmp_path):
    out = docnorm("normalize", REPORT, "--indent", "2")
    assert out.returncode == 0 and out.stdout.startswith('{\n  "schema": "docnorm/1"')
    sdk = SAMPLES / "llamacloud" / "quarterly_v1_sdk_list.json"
    out = docnorm("normalize", sdk)
    assert out.returncode == 0 and len(json.loads(out.stdout)) == 2
    assert out.stderr == f"docnorm: {sdk}: holds 2 documents; written as a JSON array\n"
    out = docnorm("export", sdk, "--to", "md")
    assert out.returncode == 2 and out.stderr == f"docnorm: error: {sdk} holds 2 documents: give -o DIRECTORY for one file each\n"


def test_diff_picks_a_document_of_a_multi_document_file():
    sdk = SAMPLES / "llamacloud" / "quarterly_v1_sdk_list.json"
    out = docnorm("diff", sdk, f"{sdk}#2")
    assert out.returncode == 2 and out.stderr == (f"docnorm: error: {sdk} holds 2 documents; pick one with "
                                                  f"{sdk}#1 … {sdk}#2\n")
    out = docnorm("diff", f"{sdk}#1", f"{sdk}#2")
    assert out.returncode == 0 and "content" in out.stdout and "look like different documents" in out.stderr
    out = docnorm("diff", f"{sdk}#1", f"{sdk}#3")
    assert out.returncode == 2 and out.stderr == f"docnorm: error: {sdk} holds 2 document(s); there is no #3\n"


def test_serve_a_busy_port_says_so_before_any_banner():
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(["docnorm", "serve", str(SAMPLES), "--port", str(port)], capture_output=True, text=True,
                             timeout=30)
    assert out.returncode == 2 and "serving" not in out.stderr
    assert out.stderr.startswith(f"docnorm: error: cannot listen on 127.0.0.1:{port}: ")


def test_serve_a_file_serves_its_folder_and_opens_it():
    import socket
    import time
    import urllib.request
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = SAMPLES / "somark" / "bare_outputs.json"
    server = subprocess.Popen(["docnorm", "serve", str(target), "--port", str(port)], stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True)
    try:
        banner = server.stderr.readline()
        assert banner == (f"docnorm: serving {target.parent} at http://127.0.0.1:{port}/view?f=bare_outputs.json "
                          "(Ctrl+C to stop)\n")
        deadline = time.monotonic() + 10
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/view?f=bare_outputs.json", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert b"svg" in page
    finally:
        server.terminate()
        server.wait(10)


def test_a_folder_given_with_a_trailing_slash_names_its_files_once(tmp_path):
    """`docnorm detect runs/` printed `runs//a.json`, and `-o` mirrored the files under a folder named ''."""
    from viewer.cli.inputs import expand
    (tmp_path / "sub").mkdir()
    for rel in ("a.json", "sub/b.json"):
        (tmp_path / rel).write_bytes((SAMPLES / "somark" / "bare_outputs.json").read_bytes())
    for spec in (str(tmp_path), str(tmp_path) + "/", str(tmp_path) + "//"):
        items = expand([spec])
        assert [i.rel for i in items] == ["a.json", "sub/b.json"], spec
        assert [i.path for i in items] == [str(tmp_path / "a.json"), str(tmp_path / "sub" / "b.json")], spec
