"""The house plan holds: the layers import downwards only, and the old import paths keep working (with a
deprecation warning) for one release."""

from __future__ import annotations

import ast
import importlib
import sys
import warnings

import pytest

from .conftest import ROOT

# Each layer may import those below it, never those above: the viewer uses the exporters, the exporters the
# normalizer, the normalizer nothing of ours.
ABOVE = {"normalizer": ("exporters", "viewer"), "exporters": ("viewer",)}


def _imports(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_no_import_runs_back_up(layer):
    wrong = [f"{path.relative_to(ROOT)}: {name}" for path in sorted((ROOT / layer).rglob("*.py"))
             for name in _imports(path) if name.split(".")[0] in ABOVE[layer]]
    assert wrong == []


@pytest.mark.parametrize("old,new,name", [("viewer.batch", "exporters.corpus.runner", "run"),
                                          ("exporters.dataset", "exporters.corpus.dataset", "PartWriter"),
                                          ("exporters.dataset_ray", "exporters.corpus.dataset_ray", "run_on_ray"),
                                          ("exporters.page_images", "exporters.pages.images", "SOURCE_SUFFIXES"),
                                          ("exporters.render", "exporters.pages.render", "render_page"),
                                          ("exporters.page_frame", "exporters.pages.frame", "page_blocks"),
                                          ("exporters.page_worker", "exporters.pages.worker", "MAX_PIXELS")])
def test_an_old_import_path_still_works_and_warns(old, new, name):
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)
    assert any(issubclass(w.category, DeprecationWarning) and new in str(w.message) for w in caught)


def test_every_export_target_has_every_column():
    from exporters.formats import EXPORTS, option_fields, options_type
    for name, target in EXPORTS.items():
        assert target.suffix.startswith(".") and "/" in target.media_type and target.help, name
        assert isinstance(option_fields(target), list) and options_type(target).__struct_config__.frozen, name


def test_every_option_of_every_target_is_reachable_from_the_command_line_and_the_viewer(tmp_path):
    """Each option given by name with a value other than its default changes what is written (or is accepted)."""
    from exporters.formats import EXPORTS, option_fields
    from viewer import create_app
    from viewer.cli import main
    from .conftest import SAMPLES
    sample = SAMPLES / "same_report" / "harbor_q3_llamacloud_v2.json"
    client = create_app(str(sample.parent)).test_client()
    view = client.get(f"/view?f={sample.name}").get_data(as_text=True)
    for name, target in EXPORTS.items():
        for option, kind, choices, default in option_fields(target):
            value = {"bool": str(not default).lower() if default is not None else "true", "int": "1"}.get(
                kind, choices[-1] if choices else "x")
            assert f'name="opt.{option}"' in view, (name, option)
            assert client.get(f"/export/{name}?f={sample.name}&opt.{option}={value}").status_code == 200, (name, option)
            out = tmp_path / f"{name}-{option}"
            assert main(["export", str(sample), "--to", name, "--opt", f"{option}={value}", "-o", str(out)]) == 0
    assert client.get(f"/export/md?f={sample.name}&opt.nope=1").status_code == 400


def test_an_export_target_registered_in_one_place_reaches_the_command_line_and_the_viewer(tmp_path, capsys):
    """Adding a target: its writer and one `register` row (here both in this test module)."""
    from msgspec import Struct

    from exporters.formats import EXPORTS, Target, options_for, register
    from viewer import create_app
    from viewer.cli import main
    from .conftest import SAMPLES

    class ShoutOptions(Struct, frozen=True, kw_only=True):
        exclaim: bool = False

    def shout(doc, settings):
        opts = options_for(EXPORTS["shout"], settings)
        return "\n".join(b.text.upper() for b in doc.blocks) + ("!" if opts.exclaim else "") + "\n"
    register("shout", Target(".shout.txt", "text/plain", shout, ShoutOptions, help="every block, louder"))
    try:
        sample = SAMPLES / "marker" / "drought_plan.json"
        assert main(["export", str(sample), "--to", "shout", "--opt", "exclaim=true", "-o", str(tmp_path / "x")]) == 0
        assert (tmp_path / "x").read_text().endswith("!\n")
        client = create_app(str(sample.parent)).test_client()
        response = client.get(f"/export/shout?f={sample.name}")
        assert response.status_code == 200 and response.mimetype == "text/plain"
        assert 'name="opt.exclaim"' in client.get(f"/view?f={sample.name}").get_data(as_text=True)
        capsys.readouterr()
        try:
            main(["export", "--help"])
        except SystemExit:
            pass
        assert "shout            every block, louder" in capsys.readouterr().out
    finally:
        EXPORTS.pop("shout")


def test_the_readme_lists_every_export_target_with_its_options():
    import re

    from exporters.formats import EXPORTS, option_fields
    text = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `([a-z][a-z-]*)` \| .*? \| (.*) \|$", text.split("\n## Exports", 1)[1].split("\n## ", 1)[0], re.M)
    assert [r[0] for r in rows] == list(EXPORTS)
    for name, options in rows:
        assert re.findall(r"`(\w+)`", options) == [o for o, _, _, _ in option_fields(EXPORTS[name])], name


def test_every_kind_of_the_schema_has_its_row_and_every_row_a_known_rendering():
    from exporters import html, markdown
    from normalizer.kinds import BLOCK_KINDS
    from normalizer.schema import KINDS
    assert set(BLOCK_KINDS) == set(KINDS)
    for kind, info in BLOCK_KINDS.items():
        assert info.draws_as in markdown.RENDER and info.draws_as in html.RENDER, kind
        assert info.element and info.docling and info.colour.startswith("#") and info.text_from in ("text", "latex")


def test_a_block_kind_registered_in_one_row_goes_through_every_exporter_and_the_viewer():
    """Adding a kind: its name in schema.Kind, its row, a provider's label for it. Here the row alone (a document
    built by hand): every writer and the viewer's layout read it, and a kind with no row at all gets the defaults."""
    import msgspec

    from exporters.formats import EXPORTS, ExportSettings
    from exporters.kinds import kind_style
    from normalizer import normalize
    from normalizer.kinds import KindRow, forget_kind, register_kind
    from viewer.layout import kinds_css, slice_views
    from .conftest import SAMPLES
    doc = normalize((SAMPLES / "marker" / "drought_plan.json").read_bytes())
    register_kind("marginalia", KindRow("paragraph", "NarrativeText", "text", colour="#44AA99", dash="3 1"))
    try:
        for kind, element in (("marginalia", b'"type":"NarrativeText"'), ("unheard_of", b'"type":"UncategorizedText"')):
            blocks = [msgspec.structs.replace(b, kind=kind) if b.kind == "paragraph" else b for b in doc.blocks]
            odd = msgspec.structs.replace(doc, blocks=blocks)
            for name, target in EXPORTS.items():
                target.write(odd, ExportSettings())
            slice_views(odd, 0)
            assert element in EXPORTS["elements"].write(odd, ExportSettings())
            paragraph = next(b.text for b in doc.blocks if b.kind == "paragraph")
            assert paragraph.split()[0] in EXPORTS["md"].write(odd, ExportSettings())
        assert kind_style("marginalia") == ("#44AA99", "3 1") and ".k-marginalia" in kinds_css()
    finally:
        forget_kind("marginalia")


def test_no_module_over_450_lines_and_no_function_over_60():
    too_long = []
    for layer in ("normalizer", "exporters", "viewer"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            if source.count("\n") > 450:
                too_long.append(f"{path.relative_to(ROOT)}: {source.count(chr(10))} lines")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert too_long == []
