"""samples/folders: "Compare folders" can be tried on the bundled samples, and its files are what its README says."""

from __future__ import annotations

import re

from viewer import create_app

from .conftest import SAMPLES

FOLDERS = SAMPLES / "folders"


def test_compare_folders_on_the_samples_pairs_both_documents_and_opens_each_pair():
    client = create_app(str(SAMPLES)).test_client()
    form = client.get("/folders").get_data(as_text=True)
    assert 'value="folders/run_a"' in form and 'value="folders/run_b"' in form
    page = client.get("/folders?a=folders/run_a&b=folders/run_b").get_data(as_text=True)
    assert "No document has a result in both folders" not in page
    links = re.findall(r'href="(/compare\?[^"]+)"', page)
    assert len(links) == 2 and "2 pair(s)" in page
    for link in links:
        view = client.get(link.replace("&amp;", "&"))
        assert view.status_code == 200
    harbor = next(link for link in links if "harbor_q3_2025" in link).replace("&amp;", "&")
    view = client.get(harbor).get_data(as_text=True)
    assert "folders/run_a/harbor_q3_2025.pdf" in view and "folders/run_b/harbor_q3_2025.pdf" in view  # each side's page


def test_the_folders_samples_are_the_copies_their_readme_names():
    readme = (FOLDERS / "README.md").read_text()
    rows = re.findall(r"^\| `(run_[ab]/[^`]+)` \| .*? \| `samples/([^`]+)` \|$", readme, re.M)
    assert len(rows) == 5  # four results and the figure image
    for copy, original in rows:
        assert (FOLDERS / copy).read_bytes() == (SAMPLES / original).read_bytes(), copy
    for side in ("run_a", "run_b"):
        assert (FOLDERS / side / "harbor_q3_2025.pdf").read_bytes() == (SAMPLES / "same_report" /
                                                                         "harbor_q3_2025.pdf").read_bytes()
