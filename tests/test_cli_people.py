"""The command line as a new user meets it (issue 32): render's --source and failed jobs, the labelled --compare
PNG, detect's summary, -o folders and file names, status-only samples skipped, HTML that carries its figures, and
the exporters importable by name without their optional libraries."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from exporters.pages.render import MARK_COLOUR
from normalizer import load

from .conftest import ROOT, SAMPLES, sample_files

REPORT = SAMPLES / "same_report"
LLAMA = REPORT / "harbor_q3_llamacloud_v2.json"


def docnorm(*args, cwd=None):
    return subprocess.run(["docnorm", *map(str, args)], capture_output=True, text=True, cwd=cwd)


# --- render ---------------------------------------------------------------------------------------------------

def test_render_with_a_source_that_cannot_be_used_says_so_and_exits_non_zero(tmp_path):
    missing = docnorm("render", LLAMA, "--source", tmp_path / "nope.pdf", "-o", tmp_path / "a")
    assert missing.returncode == 2 and "--source: no such file" in missing.stderr  # a mistake in the call
    (tmp_path / "fake.pdf").write_text("not a PDF at all")
    broken = docnorm("render", LLAMA, "--source", tmp_path / "fake.pdf", "-o", tmp_path / "b")
    assert broken.returncode == 1 and "not a readable PDF" in broken.stderr and "nothing drawn" in broken.stderr
    assert not (tmp_path / "b").exists()
    short = docnorm("render", LLAMA, "--source", SAMPLES / "docling" / "2305.03393v1-pg9.pdf", "-o", tmp_path / "c")
    assert short.returncode == 1 and "has 1 page(s); page(s) 2 drawn over blank pages" in short.stderr
    assert sorted(os.listdir(tmp_path / "c")) == ["harbor_q3_llamacloud_v2-p1.png", "harbor_q3_llamacloud_v2-p2.png"]
    right = docnorm("render", LLAMA, "--source", REPORT / "harbor_q3_2025.pdf", "-o", tmp_path / "d")
    assert right.returncode == 0 and "blank" not in right.stderr


def test_render_of_a_failed_job_says_it_has_no_pages_instead_of_asking_for_a_source(tmp_path):
    out = docnorm("render", SAMPLES / "somark" / "status_failed.json", "-o", tmp_path / "r")
    assert out.returncode == 1
    assert "the result has no pages to draw (the job is failed: 文件已加密，无法解析)" in out.stderr
    assert "--source" not in out.stderr and not (tmp_path / "r").exists()


def test_the_compare_png_labels_its_sides_and_keys_its_colours(tmp_path):
    out = docnorm("render", LLAMA, "--compare", REPORT / "harbor_q3_somark.json", "--pages", "1", "--width", 400,
                  "-o", tmp_path)
    assert out.returncode == 0, out.stderr
    pair = Image.open(tmp_path / "harbor_q3_llamacloud_v2-p1.png").convert("RGB")
    alone = docnorm("render", LLAMA, "--pages", "1", "--width", 400, "-o", tmp_path / "one")
    single = Image.open(tmp_path / "one" / "harbor_q3_llamacloud_v2-p1.png")
    assert alone.returncode == 0 and pair.height > single.height  # a head above the pages
    head = pair.crop((0, 0, pair.width, pair.height - single.height))
    colours = {head.getpixel((x, y)) for x in range(head.width) for y in range(head.height)}
    for mark in ("same", "changed", "only"):  # each swatch of the key, on both sides
        rgb = tuple(int(MARK_COLOUR[mark][k:k + 2], 16) for k in (1, 3, 5))
        assert rgb in colours, mark
    assert head.getpixel((8, 8)) == (40, 40, 40) and head.getpixel((416 + 8, 8)) == (40, 40, 40)  # the A, B badges
    left, right = head.crop((0, 0, 400, head.height)), head.crop((416, 0, 816, head.height))
    assert left.tobytes() != right.tobytes()  # each side names its own file


# --- detect, -o, skipped ----------------------------------------------------------------------------------------

def test_detect_summary_says_what_detect_did():
    out = docnorm("detect", SAMPLES / "docling", SAMPLES / "same_report")
    summary = out.stderr.strip().splitlines()[-1]
    assert out.returncode == 0 and "document(s)" not in summary
    assert summary.startswith("docnorm: 5 file(s) in 4 format(s): docling 2, ") and " 0 error(s) in " in summary
    assert all(f in summary for f in ("baidu.result 1", "llamacloud.v2 1", "somark 1"))


def test_a_missing_output_folder_for_several_inputs_is_made_as_the_readme_says(tmp_path):
    folder = tmp_path / "new" / "deeper"
    out = docnorm("export", SAMPLES / "docling", "--to", "md", "-o", folder)
    assert out.returncode == 0 and sorted(os.listdir(folder)) == ["2305.03393v1-pg9.md", "meridian_h1_2025.md"]
    readme = (ROOT / "README.md").read_text()
    assert "(`DIR` is made\nwhen missing)" in readme
    assert "A folder given for several outputs is made when missing" in readme
    assert "an `-o` folder that does not exist" not in readme


def test_a_file_name_where_several_outputs_need_a_folder_is_refused(tmp_path):
    sdk = SAMPLES / "llamacloud" / "quarterly_v1_sdk_list.json"  # two documents
    out = docnorm("export", sdk, "--to", "docling", "-o", tmp_path / "out.docling.json")
    assert out.returncode == 2 and out.stderr == (f"docnorm: error: -o {tmp_path / 'out.docling.json'}: {sdk} holds "
                                                  "2 documents, one file each; this names a file: give -o DIRECTORY\n")
    assert os.listdir(tmp_path) == []
    tables = docnorm("export", SAMPLES / "llamacloud" / "annual_report_v2.json", "--to", "tables-csv", "-o",
                     tmp_path / "t.csv")
    assert tables.returncode == 2 and "writes one file per table; this names a file" in tables.stderr
    several = docnorm("export", SAMPLES / "docling", "--to", "md", "-o", tmp_path / "all.md")
    assert several.returncode == 2 and "2 inputs, one output each" in several.stderr and os.listdir(tmp_path) == []
    into = docnorm("export", sdk, "--to", "docling", "-o", tmp_path / "out")
    assert into.returncode == 0 and sorted(os.listdir(tmp_path / "out")) == [
        "quarterly_v1_sdk_list-1.docling.json", "quarterly_v1_sdk_list-2.docling.json"]


def test_exporting_the_samples_skips_status_only_results_with_the_reason_and_exits_0(tmp_path):
    out = docnorm("export", SAMPLES, "--to", "md", "-o", tmp_path / "md", "--errors", tmp_path / "errors.jsonl")
    assert out.returncode == 0, out.stderr
    status_only = {str(p) for p in sample_files() if all(not d.pages and d.job.status != "succeeded"
                                                          for d in load(p))}
    skipped = {line.split(": skipped: ")[0][len("docnorm: "):] for line in out.stderr.splitlines()
               if ": skipped: " in line}
    assert skipped == status_only and len(skipped) >= 10
    summary = out.stderr.strip().splitlines()[-1]
    assert f", {len(skipped)} skipped, 0 error(s), " in summary
    assert "it has no content to export as md" in out.stderr and (tmp_path / "errors.jsonl").read_text() == ""
    assert not any(p.name.startswith("status_failed") for p in (tmp_path / "md").rglob("*"))


# --- HTML that carries its figures ----------------------------------------------------------------------------

def test_an_html_report_written_elsewhere_embeds_its_figures(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = docnorm("export", LLAMA, "--to", "html", "--source", REPORT / "harbor_q3_2025.pdf", "-o", elsewhere)
    assert out.returncode == 0, out.stderr
    html = (elsewhere / "harbor_q3_llamacloud_v2.html").read_text()
    png = (REPORT / "page_2_image_1.png").read_bytes()
    import base64
    assert f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="Figure 1' in html
    assert 'src="page_2_image_1.png"' not in html and html.count('class="page-image"') == 2
    assert "img-src &#39;self&#39; data:;" in html  # the CSP lets data: images show, and nothing remote


def test_figure_references_leading_out_of_the_results_folder_or_to_a_fifo_are_not_read(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(REPORT / "page_2_image_1.png", tmp_path / "secret.png")  # outside the result's folder
    os.symlink(tmp_path / "secret.png", folder / "link.png")
    os.mkfifo(folder / "pipe.png")
    (folder / "fake.png").write_text("<svg onload=alert(1)>")
    raw = json.loads(LLAMA.read_text())
    figure = raw["items"]["pages"][1]["items"][2]
    pages = raw["items"]["pages"]
    for n, name in enumerate(["../secret.png", "link.png", "pipe.png", "fake.png", "/etc/hostname"]):
        pages[1]["items"].append({**figure, "url": name, "md": f"![x]({name})"})
    (folder / "r.json").write_text(json.dumps(raw))
    out = docnorm("export", folder / "r.json", "--to", "html", "-o", tmp_path / "r.html")
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "r.html").read_text()
    assert "data:image" not in html  # the result's own figure is not beside this copy, the rest are refused
    for name in ("../secret.png", "link.png", "pipe.png", "fake.png"):
        assert f'src="{name}"' in html


def test_the_exporters_import_by_name_without_their_optional_libraries():
    code = ("import sys\nfrom exporters import to_langchain, to_llama_index, to_docling, to_elements, to_xlsx, "
            "table_to_dataframe\nimport exporters\nprint(all(callable(f) for f in (to_langchain, to_llama_index, "
            "to_docling, to_elements, to_xlsx, table_to_dataframe)), [m for m in ('pandas', 'openpyxl', 'pyarrow', "
            "'langchain_core', 'llama_index', 'tiktoken', 'tokenizers') if m in sys.modules], "
            "set(['to_xlsx', 'to_docling']) <= set(exporters.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "True [] True", out.stderr
    from exporters import table_to_dataframe, to_docling
    from exporters.docling import to_docling as direct
    from exporters.spreadsheets import table_to_dataframe as df
    assert to_docling is direct and table_to_dataframe is df
    with pytest.raises(ImportError):
        from exporters import to_nothing  # noqa: F401
