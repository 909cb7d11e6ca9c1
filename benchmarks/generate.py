"""Synthetic, realistic-shaped provider results for the benchmark (deterministic, no I/O)."""

from __future__ import annotations

import orjson

_WORDS = ("revenue grew in every region while operating costs stayed flat and the board "
          "approved a dividend of forty cents per share payable in the third quarter").split()


def _sentence(i: int, n: int = 14) -> str:
    return " ".join(_WORDS[(i + k * 7) % len(_WORDS)] for k in range(n)).capitalize() + "."


def _box(x: float, y: float, w: float, h: float, label: str, end: int) -> dict:
    return {"x": x, "y": y, "w": w, "h": h, "confidence": 0.93, "label": label,
            "start_index": 0, "end_index": end}


def _table(p: int) -> dict:
    body = "".join(
        f"<tr><td>Region {r}</td><td>{100 + r + p}.5</td><td>{200 + r}.0</td></tr>" for r in range(6))
    html = ('<table><thead><tr><th rowspan="2">Region</th><th colspan="2">Revenue</th></tr>'
            f"<tr><th>2024</th><th>2025</th></tr></thead><tbody>{body}</tbody></table>")
    rows = [["Region", "Revenue", ""], ["", "2024", "2025"]]
    rows += [[f"Region {r}", 100 + r + p + 0.5, 200.0 + r] for r in range(6)]
    csv = "\n".join(",".join(str(c) for c in row) for row in rows)
    return {"type": "table", "md": html, "html": html, "csv": csv, "rows": rows,
            "bbox": [_box(72.0, 400.0, 460.0, 120.0, "table", len(html))]}


def llamacloud_v2(pages: int = 1000, items_per_page: int = 20) -> bytes:
    """A completed `GET /api/v2/parse/{id}?expand=items,markdown,text,metadata` response."""
    out_pages, md_pages, text_pages, meta_pages = [], [], [], []
    for p in range(1, pages + 1):
        items: list[dict] = [
            {"type": "header", "md": "ACME Corp annual report",
             "bbox": [_box(72.0, 28.0, 200.0, 10.0, "page_header", 23)],
             "items": [{"type": "text", "md": "ACME Corp annual report", "value": "ACME Corp annual report",
                        "bbox": [_box(72.0, 28.0, 200.0, 10.0, "page_header", 23)]}]},
            {"type": "heading", "level": 2, "md": f"## Section {p}", "value": f"Section {p}",
             "bbox": [_box(72.0, 60.0, 150.0, 16.0, "paragraph_title", 10)]},
            _table(p),
            {"type": "list", "ordered": False, "md": "- first point\n- second point",
             "bbox": [_box(72.0, 540.0, 200.0, 30.0, "text", 28)],
             "items": [{"type": "text", "md": "first point", "value": "first point",
                        "bbox": [_box(84.0, 540.0, 100.0, 12.0, "text", 11)]},
                       {"type": "text", "md": "second point", "value": "second point",
                        "bbox": [_box(84.0, 556.0, 100.0, 12.0, "text", 12)]}]},
        ]
        y = 90.0
        for i in range(items_per_page - len(items)):
            s = _sentence(p * 31 + i)
            items.append({"type": "text", "md": s, "value": s,
                          "bbox": [_box(72.0, y, 460.0, 14.0, "text", len(s))]})
            y += 18.0
        out_pages.append({"page_number": p, "page_width": 612.0, "page_height": 792.0,
                          "success": True, "items": items})
        md = "\n\n".join(it["md"] for it in items if it["type"] not in ("header", "footer"))
        md_pages.append({"page_number": p, "markdown": md, "success": True,
                         "header": "ACME Corp annual report", "footer": None})
        text_pages.append({"page_number": p, "text": md})
        meta_pages.append({"page_number": p, "confidence": 0.95, "printed_page_number": str(p)})
    doc = {
        "job": {"id": "pjb-bench", "project_id": "proj-bench", "status": "COMPLETED",
                "created_at": "2026-09-01T10:00:00Z", "updated_at": "2026-09-01T10:05:00Z",
                "name": "bench.pdf", "tier": "agentic"},
        "items": {"pages": out_pages},
        "markdown": {"pages": md_pages},
        "text": {"pages": text_pages},
        "metadata": {"pages": meta_pages},
    }
    return orjson.dumps(doc)
