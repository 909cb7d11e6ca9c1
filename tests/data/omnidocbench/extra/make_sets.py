"""Makes the extra prediction sets in this folder from the demo's ground-truth Markdown (`../mds`) and the demo
model's predictions (`../end2end`). Deterministic: run it again and nothing changes.

- `shuffled/`: every page's paragraphs in a shuffled order (reading order, text matching across positions).
- `edited/`: the ground truth damaged: the first table of each page deleted or its cells changed, display
  formulas and text edited, paragraphs merged and split, one page empty, one page left out.
- `styled/`: the demo predictions rewritten in other Markdown styles: HTML tables as pipe tables or LaTeX
  tabulars, `$$` formulas as `\\[ \\]`, images, code fences, an unclosed `$$`, headers as plain text.

The official figures for these sets (OmniDocBench's evaluator at bch9248/OmniDocBench d295eea) are in
`tests/test_eval_omnidocbench.py`.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
MDS, END2END = HERE.parent / "mds", HERE.parent / "end2end"


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def shuffled() -> None:
    for path in sorted(MDS.glob("*.md")):
        rng = random.Random(path.name)
        parts = path.read_text(encoding="utf-8").split("\n\n")
        rng.shuffle(parts)
        _write(HERE / "shuffled", path.name, "\n\n".join(parts))


def _edit_text(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 12)):
        i = rng.randrange(len(words))
        words[i] = words[i][::-1] if rng.random() < 0.5 else words[i] + "x"
    return " ".join(words)


def _edit_table(table: str, rng: random.Random) -> str:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)
    if rng.random() < 0.5 or not cells:
        return ""
    for cell in rng.sample(cells, max(1, len(cells) // 3)):
        table = table.replace(f">{cell}</td>", f">{cell[::-1] or 'x'}</td>", 1)
    return table.replace("<tr>", "<tr><td>extra</td>", 1)


def edited() -> None:
    paths = sorted(MDS.glob("*.md"))
    for n, path in enumerate(paths):
        if n == 3:
            continue   # left out: a page with no prediction
        rng = random.Random(path.name + "edited")
        text = "" if n == 7 else path.read_text(encoding="utf-8")
        text = re.sub(r"<table.*?</table>", lambda m: _edit_table(m.group(0), rng), text, count=1, flags=re.S)
        text = re.sub(r"\$\$(.*?)\$\$", lambda m: "$$" + m.group(1).replace("=", "-", 1).replace("x", "y") + "$$",
                      text, flags=re.S)
        parts = text.split("\n\n")
        out = []
        for part in parts:
            roll = rng.random()
            if roll < 0.25 and not part.startswith(("<table", "$$")):
                out.append(_edit_text(part, rng))
            elif roll < 0.35 and out:
                out[-1] += " " + part
            elif roll < 0.45 and len(part) > 40:
                cut = len(part) // 2
                out += [part[:cut], part[cut:]]
            else:
                out.append(part)
        _write(HERE / "edited", path.name, "\n\n".join(out))


def _pipe_table(table: str) -> str:
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    lines = []
    for k, row in enumerate(rows):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        lines.append("| " + " | ".join(cells) + " |")
        if k == 0:
            lines.append("|" + "---|" * len(cells))
    return "\n".join(lines)


def _latex_table(table: str) -> str:
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    body = [" & ".join(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row,
                                                                          flags=re.S)) + r" \\" for row in rows]
    return "\\begin{tabular}{|l|l|}\n\\hline\n" + "\n".join(body) + "\n\\hline\n\\end{tabular}"


def styled() -> None:
    for n, path in enumerate(sorted(END2END.glob("*.md"))):
        text = path.read_text(encoding="utf-8")
        convert = _latex_table if n % 3 == 2 else _pipe_table
        text = re.sub(r"<table.*?</table>", lambda m: convert(m.group(0)), text, flags=re.S)
        text = re.sub(r"\$\$(.*?)\$\$", lambda m: "\\[" + m.group(1) + "\\]", text, flags=re.S)
        if n % 4 == 1:
            text = "![figure](images/fig.png)\n\n" + text + "\n\n```python\nprint('hello')\n```\n"
        if n % 5 == 3:
            text = text.replace("# ", "", 2) + "\n\n$$ x = 1"
        if n % 6 == 5:
            text = "```markdown\n" + text + "\n```"
        _write(HERE / "styled", path.name, text)


if __name__ == "__main__":
    for name in ("shuffled", "edited", "styled"):
        shutil.rmtree(HERE / name, ignore_errors=True)
    shuffled()
    edited()
    styled()
