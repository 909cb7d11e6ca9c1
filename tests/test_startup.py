"""Start-up: the command line imports what the call needs and no more. Each case runs in a fresh interpreter and
looks at `sys.modules` afterwards (no timing here: benchmarks/speed_bench.py times it)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

from normalizer import registry, sniffers

from .conftest import ROOT, SAMPLES

# What no call below may import: the viewer's, the dataset's and the exporters' dependencies.
HEAVY = ("pandas", "numpy", "flask", "werkzeug", "pyarrow", "jinja2", "tqdm", "lxml", "PIL", "pypdfium2",
         "rapidfuzz", "ray", "duckdb")

RUN = """
import io, json, sys
sys.stdin = io.TextIOWrapper(io.BytesIO(sys.argv[1].encode()))
out, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO())
from viewer.cli.main import main
try:
    main(json.loads(sys.argv[2]))
except SystemExit:
    pass
out.write(json.dumps(sorted(sys.modules)))
"""


def modules_after(argv: list[str], stdin: str = "") -> set[str]:
    """The modules a fresh `docnorm ARGV` has imported by its end."""
    done = subprocess.run([sys.executable, "-c", RUN, stdin, json.dumps(argv)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return set(json.loads(done.stdout))


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_version_imports_no_reader_no_exporter_no_msgspec_and_no_metadata_lookup():
    modules = modules_after(["--version"])
    assert not roots(modules) & {*HEAVY, "normalizer", "exporters", "msgspec"} and "importlib.metadata" not in modules
    assert not {m for m in modules if m.startswith("viewer.cli.") and m != "viewer.cli.main"}


@functools.lru_cache(maxsize=None)
def bare() -> frozenset[str]:
    """The modules python's own start-up loads (a site hook may load typing, copy, ...): not the command's doing."""
    done = subprocess.run([sys.executable, "-c", "import sys, json; print(json.dumps(sorted(sys.modules)))"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return frozenset(json.loads(done.stdout))


def test_version_imports_not_even_typing():
    """typing alone is a quarter of `--version`'s own cost."""
    added = modules_after(["--version"]) - bare()
    assert "viewer.cli.main" in added and not added & {"typing", "msgspec", "importlib.metadata"}


def test_normalize_of_a_small_result_imports_its_reader_alone_and_nothing_heavy():
    result = (SAMPLES / "somark" / "bare_outputs.json").read_text()
    modules = modules_after(["normalize", "-"], result)
    assert not roots(modules) & set(HEAVY)
    readers = {m for m in modules if m.startswith("normalizer.providers.")}
    assert readers == {"normalizer.providers.somark"}
    assert not {m for m in modules if m.startswith("viewer.cli.")} & {"viewer.cli.export", "viewer.cli.diff",
                                                                    "viewer.cli.serve", "viewer.cli.audit"}


def test_a_result_with_no_entity_no_pipe_table_and_no_failure_imports_no_parser_it_does_not_use():
    """html's entity table, markdown-it, traceback and copy are imported where they are used: an HTML cell holding
    "&", a pipe table, a failure to report, a value to mend. A result with none of them pays for none."""
    result = (SAMPLES / "llamacloud" / "failed_page_v2.json").read_text()
    assert "&" not in result
    modules = modules_after(["normalize", "-"], result) - bare()
    assert "normalizer.providers.llamacloud_v2" in modules
    assert not roots(modules) & {"html", "markdown_it", "traceback", "copy"}


@pytest.mark.parametrize("argv", [["detect", "-"], ["export", "-", "--to", "md"], ["export", "-", "--to", "json"]])
def test_commands_on_a_small_result_import_nothing_heavy(argv):
    result = (SAMPLES / "llamacloud" / "annual_report_v2.json").read_text()
    assert not roots(modules_after(argv, result)) & set(HEAVY)


def test_detection_imports_no_reader_and_a_named_format_only_its_own():
    code = ("import sys; from normalizer import detect, normalize; data = open(sys.argv[1], 'rb').read(); "
            "print(detect(data), sorted(m for m in sys.modules if m.startswith('normalizer.providers.'))); "
            "normalize(data, format='baidu.result'); "
            "print(sorted(m for m in sys.modules if m.startswith('normalizer.providers.')))")
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "baidu" / "annual_report_result.json")],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    detected, after = done.stdout.splitlines()
    assert detected == "baidu.result []"
    assert after == "['normalizer.providers.baidu', 'normalizer.providers.baidu_matrix']"


def test_every_row_names_a_reader_shape_and_provider_that_exist():
    """The rows name their readers as strings: each one resolves, to the provider its module declares."""
    for f in registry.FORMATS:
        module = registry.resolve(f.reader.split(":")[0] + ":PROVIDER") if "." not in f.reader.split(":")[0] \
            else "docnorm"
        assert callable(f.convert) and module == f.provider, f.id
        assert (f.shape is None) == f.text, f.id
        assert f.sniff.__module__ == sniffers.__name__, f.id


@pytest.mark.parametrize("name", ["normalizer.registry:resolve", "normalizer.schema:decoder",
                                  "normalizer.collector:paused", "viewer.cli.main:build_parser"])
def test_the_examples_of_the_start_up_and_collector_helpers_run(name, monkeypatch):
    import doctest
    import importlib
    monkeypatch.chdir(ROOT)
    module, _, attribute = name.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    tests = doctest.DocTestFinder().find(found, attribute, globs=vars(importlib.import_module(module)))
    results = [doctest.DocTestRunner().run(t) for t in tests]
    assert sum(r.attempted for r in results) > 0 and sum(r.failed for r in results) == 0


def test_the_version_shown_is_the_projects():
    import tomllib

    from viewer.cli.main import VERSION
    assert VERSION == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    done = subprocess.run([sys.executable, "-m", "viewer.cli", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout == f"docnorm {VERSION}\n"
