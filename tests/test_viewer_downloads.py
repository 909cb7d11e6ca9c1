"""The viewer's HTML download is a page that can be sent alone: the figure images beside its result travel inside
it (data: URLs), as the command line's export does; nothing outside the result's folder is ever read into it."""

from __future__ import annotations

import os
import shutil

from msgspec.structs import replace

from exporters import to_json
from normalizer import load
from viewer import create_app

from .conftest import SAMPLES

HARBOR = SAMPLES / "same_report"


def test_a_downloaded_html_page_carries_its_figures_and_nothing_from_outside(tmp_path):
    served = tmp_path / "served"
    (served / "run").mkdir(parents=True)
    shutil.copy(HARBOR / "harbor_q3_llamacloud_v2.json", served / "run" / "good.json")
    shutil.copy(HARBOR / "page_2_image_1.png", served / "run" / "page_2_image_1.png")
    shutil.copy(HARBOR / "page_2_image_1.png", tmp_path / "secret.png")  # outside the served folder
    os.symlink(tmp_path / "secret.png", served / "run" / "linked.png")
    doc, = load(str(HARBOR / "harbor_q3_llamacloud_v2.json"))
    figure = next(b for b in doc.blocks if b.image)
    for name, ref in (("up.json", "../../secret.png"), ("link.json", "linked.png"), ("abs.json", str(tmp_path / "secret.png"))):
        blocks = [replace(b, image=ref) if b.id == figure.id else b for b in doc.blocks]
        (served / "run" / name).write_bytes(to_json(replace(doc, blocks=blocks)))
    client = create_app(str(served), index_budget=600).test_client()
    good = client.get("/export/html?f=run/good.json").get_data(as_text=True)
    assert good.count('src="data:image/png;base64,') == 1
    for name in ("up.json", "link.json", "abs.json"):
        page = client.get(f"/export/html?f=run/{name}").get_data(as_text=True)
        assert "data:image/png" not in page, name
