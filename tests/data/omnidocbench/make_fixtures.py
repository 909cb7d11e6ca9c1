"""Makes the reference fixtures of tests/test_eval_omnidocbench.py with OmniDocBench's own environment.

Run it with the Python of an environment that has OmniDocBench's pinned requirements (scipy 1.10.1,
beautifulsoup4 4.11.1, lxml 4.9.1, pylatexenc 3.0a30, ...), e.g. the venv benchmarks/eval_bench.py describes:

    /tmp/omnivenv/bin/python tests/data/omnidocbench/make_fixtures.py /tmp/omnidocbench

It writes, next to itself:
- `official/<set>_metric_result.json`: OmniDocBench's `*_metric_result.json` for the demo predictions
  (`end2end`, `mds`) and the extra sets (`extra/shuffled`, `extra/edited`, `extra/styled`), from its
  `pdf_validation.py` with `match_method: quick_match` (for `edited`, the page it leaves out is given to
  OmniDocBench as an empty file, which is how docnorm scores a missing page);
- `lsa_cases.json`: cost matrices with many ties and what `scipy.optimize.linear_sum_assignment` returns;
- `soup_cases.json`: random, often malformed table markup, with OmniDocBench's BeautifulSoup normalisation of it
  and the `.string` of its cells.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = """end2end_eval:
  metrics:
    text_block: {{metric: [Edit_dist]}}
    display_formula: {{metric: [Edit_dist, CDM_plain]}}
    table: {{metric: [TEDS, Edit_dist]}}
    reading_order: {{metric: [Edit_dist]}}
  dataset:
    dataset_name: end2end_dataset
    ground_truth: {{data_path: {truth}}}
    prediction: {{data_path: {pred}}}
    match_method: quick_match
"""
TOKENS = ['<table>', '</table>', '<tr>', '</tr>', '<td>', '</td>', '<th>', '</th>', '<thead>', '</thead>', '<tbody>',
          '</tbody>', '<span>', '</span>', '<span class=" a  b ">', '<math alttext="x^2">', '</math>', '<br>', '<br/>',
          '</br>', '<img src="a&b">', '<b>', '</b>', '<sup>', '</sup>', '<p>', '</p>', '<div>', '</div>', '<pre>',
          '</pre>', '<script>', '</script>', '<style>', '</style>', '<td colspan="2" rowspan=3>',
          "<td rowspan='2' COLSPAN=2>", '<td a="1" a="2">', '<td title=\'say "hi"\'>', '<td title="it\'s &quot;x&quot;">',
          '<TD>', '</TD>', 'text', ' ', '  ', '\n', '\n  \n', '\t', '&amp;', '&lt;', '&gt;', '&foo;', '&nbsp;', '&#150;',
          '&#x41;', '&#0;', '&#99999999;', '&', '<', '>', '<!-- c -->', '<!---->', '<![CDATA[x]]>', '<!DOCTYPE html>',
          '<?pi x?>', '</x>', '<x/>', '<td/>', '中文', '$a$', '<!x>', '</ >', '<a href=x>', '</a>', '<textarea>',
          '</textarea>', '<td headers=" h1  h2 ">', '<input>', '</input>', '<math>', '<span><span>', '</span></span>']


def official_results(repo: Path) -> None:
    out = HERE / "official"
    out.mkdir(exist_ok=True)
    truth = HERE / "OmniDocBench_demo.json"
    sets = {"end2end": HERE / "end2end", "mds": HERE / "mds"}
    sets.update({name: HERE / "extra" / name for name in ("shuffled", "edited", "styled")})
    with tempfile.TemporaryDirectory() as tmp:
        for name, folder in sets.items():
            pred = Path(tmp) / name
            shutil.copytree(folder, pred)
            for page in (HERE / "mds").glob("*.md"):
                if not (pred / page.name).exists():
                    (pred / page.name).write_text("", encoding="utf-8")
            config = Path(tmp) / f"{name}.yaml"
            config.write_text(CONFIG.format(truth=truth, pred=pred), encoding="utf-8")
            subprocess.run([sys.executable, "pdf_validation.py", "--config", str(config)], cwd=repo, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = repo / "result" / name / f"{name}_quick_match_metric_result.json"
            shutil.copy(result, out / f"{name}_metric_result.json")


def lsa_cases() -> None:
    from scipy.optimize import linear_sum_assignment
    rng = random.Random(7)
    cases = []
    for _ in range(400):
        rows, cols = rng.randint(1, 8), rng.randint(1, 8)
        values = rng.choice([[0, 1], [0.25, 0.5, 1.0], [1.0], [0.1, 0.2, 0.3, 0.7, 1.0], None])
        matrix = [[rng.choice(values) if values else round(rng.random(), 3) for _ in range(cols)] for _ in range(rows)]
        r, c = linear_sum_assignment(matrix)
        cases.append([matrix, r.tolist(), c.tolist()])
    (HERE / "lsa_cases.json").write_text(json.dumps(cases, separators=(",", ":")), encoding="utf-8")


def soup_cases() -> None:
    from bs4 import BeautifulSoup
    rng = random.Random(11)
    cases = []
    for _ in range(400):
        markup = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 25)))
        soup = BeautifulSoup(markup, "html.parser")
        for th in soup.find_all("th"):
            th.name = "td"
        for thead in soup.find_all("thead"):
            thead.unwrap()
        for math in soup.find_all("math"):
            try:
                math.replace_with(f"${math.get('alttext', '')}$")
            except ValueError:   # a math inside a math already replaced: OmniDocBench stops here
                pass
        for span in soup.find_all("span"):
            span.unwrap()
        cells = [str(td.string) for td in BeautifulSoup(markup, "html.parser").find_all("td") if td.string]
        cases.append([markup, str(soup), cells])
    (HERE / "soup_cases.json").write_text(json.dumps(cases, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    official_results(Path(sys.argv[1]))
    lsa_cases()
    soup_cases()
