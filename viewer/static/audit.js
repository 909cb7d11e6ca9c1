// The grounding audit on the document view (docs/audit.md): each box coloured by whether its text is under it in
// the PDF, the PDF text no block covers drawn as dashed boxes of its own, the verdict (frame, score) in one line.
// The audit runs on the server in the background; this page asks until it is known. Every provider string is put
// in as text, never as HTML.
(function () {
  const body = document.body;
  const button = document.getElementById("audit-toggle");
  if (!body.classList.contains("document-view") || !button) return;
  const statusLine = document.getElementById("audit-status");
  const pages = document.getElementById("pages");
  const params = new URLSearchParams({ f: body.dataset.file, i: body.dataset.index });
  const SVG = "http://www.w3.org/2000/svg";
  const MARKS = ["a-grounded", "a-not-grounded", "a-cells", "a-unscored"];
  const NAMES = { grounded: "grounded", "not-grounded": "not grounded", cells: "grounded, some cells not" };
  let report = null;
  let asking = false;

  const pct = (v) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)} %`);
  const on = () => body.classList.contains("audit-on");

  function say(text, state) {
    statusLine.textContent = text;
    statusLine.dataset.state = state;
    statusLine.hidden = false;
  }

  function verdict(r) {
    if (r.state === "none") return `No audit: ${r.reason}.`;
    if (r.state === "failed") return `The audit failed: ${r.reason}`;
    const frame = r.frame === "ok" ? "frame ok"
      : r.frame === "unknown" ? `frame unknown (${r.notes.slice(-1)[0] || "nothing could be scored"})`
        : `frame ${r.frame} (${r.transform}): ${pct(r.score_after)} after the repair, which docnorm audit --fix-frame saves`;
    return [`Audit against ${r.source}: ${pct(r.score)} of the text is under its boxes`, frame,
      `${r.blocks_grounded} of ${r.blocks_scored} blocks grounded${r.matrix ? " after the repair" : ""}`,
      `${pct(r.missed_share)} of the PDF's text missed (${r.missed_lines} line(s), dashed)`].join(" · ");
  }

  async function ask() {
    if (asking) return;
    asking = true;
    say("Auditing against the source PDF…", "pending");
    try {
      for (let tries = 0; tries < 900 && on(); tries++) {
        const response = await fetch(`/api/audit?${params}`);
        if (!response.ok) {
          say(`The audit could not be asked for (HTTP ${response.status}).`, "failed");
          return;
        }
        const got = await response.json();
        if (got.state !== "pending") {
          report = got;
          show();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * (tries + 1), 2000)));
      }
    } finally {
      asking = false;
    }
  }

  // A repair that only scales and moves boxes within their page can be drawn: the boxes are then where the
  // marks judged them. A turn or a page offset is only described.
  const drawable = (r) => r.matrix && !r.swap_size && !r.page_offset && r.matrix[1] === 0 && r.matrix[2] === 0;

  function legend() {
    const items = [["a-grounded", "grounded"], ["a-not-grounded", "not grounded"], ["a-cells", "table: some cells not"],
      ["a-unscored", "not scored"], ["missed-text", "PDF text no block covers"]];
    const span = document.createElement("span");
    span.className = "audit-legend";
    for (const [name, label] of items) {
      const item = document.createElement("span");
      item.className = `audit-key ${name}`;
      item.textContent = label;
      span.append(item);
    }
    return span;
  }

  function show() {
    say(verdict(report), report.state === "done" ? report.frame : report.state);
    if (report.state !== "done") return;
    if (drawable(report)) {
      const label = document.createElement("label");
      label.className = "audit-repair";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = "audit-repaired";
      box.checked = true;
      box.addEventListener("change", () => apply(pages));
      label.append(box, " draw the boxes repaired (where their marks were judged)");
      statusLine.append(" ", label);
    } else if (report.matrix) {
      statusLine.append(" · the boxes are drawn as given; their marks are judged after the repair");
    }
    statusLine.append(" ", legend());
    apply(pages);
  }

  function place(rect) {
    const repaired = document.getElementById("audit-repaired");
    if (!rect.dataset.given) rect.dataset.given = ["x", "y", "width", "height"].map((k) => rect.getAttribute(k)).join(",");
    const [x, y, w, h] = rect.dataset.given.split(",").map(Number);
    let box = [x, y, x + w, y + h];
    if (repaired && repaired.checked && on()) {
      const view = rect.ownerSVGElement.viewBox.baseVal;
      const [a, , , d, e, f] = report.matrix;
      const us = [box[0], box[2]].map((v) => (a * v / view.width + e) * view.width);
      const vs = [box[1], box[3]].map((v) => (d * v / view.height + f) * view.height);
      box = [Math.min(...us), Math.min(...vs), Math.max(...us), Math.max(...vs)];
    }
    rect.setAttribute("x", box[0]);
    rect.setAttribute("y", box[1]);
    rect.setAttribute("width", box[2] - box[0]);
    rect.setAttribute("height", box[3] - box[1]);
  }

  function missedBoxes(section) {
    const svg = section.querySelector("svg.page-svg");
    const number = section.dataset.page;
    const lines = report.missed[number] || [];
    if (!svg || !lines.length || svg.querySelector("g.missed")) return;
    const view = svg.viewBox.baseVal;
    const page = report.pages[number];
    const [fw, fh] = page && page.frame.length === 2 ? page.frame : [view.width, view.height];
    const sx = view.width / fw;
    const sy = view.height / fh;
    const group = document.createElementNS(SVG, "g");
    group.setAttribute("class", "missed");
    for (const [x0, y0, x1, y1, text] of lines) {
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("class", "missed-text");
      rect.setAttribute("x", x0 * sx);
      rect.setAttribute("y", y0 * sy);
      rect.setAttribute("width", Math.max((x1 - x0) * sx, 1));
      rect.setAttribute("height", Math.max((y1 - y0) * sy, 1));
      const title = document.createElementNS(SVG, "title");
      title.textContent = `PDF text no block covers: ${text}`;
      rect.append(title);
      group.append(rect);
    }
    svg.append(group);
  }

  function apply(root) {
    if (!report || report.state !== "done" || !on()) return;
    root.querySelectorAll("svg [data-block], .content [data-block]").forEach((el) => {
      const mark = report.marks[el.dataset.block];
      el.classList.remove(...MARKS);
      el.classList.add(mark ? `a-${mark}` : "a-unscored");
      if (drawable(report) && el instanceof SVGRectElement) place(el);
    });
    root.querySelectorAll("section.page[data-page]").forEach(missedBoxes);
  }

  function clear() {
    pages.querySelectorAll("[data-block]").forEach((el) => el.classList.remove(...MARKS));
    pages.querySelectorAll("svg rect[data-given]").forEach(place);  // back where the result put them
    pages.querySelectorAll("g.missed").forEach((el) => el.remove());
    statusLine.hidden = true;
  }

  button.addEventListener("click", () => {
    const now = body.classList.toggle("audit-on");
    button.setAttribute("aria-pressed", String(now));
    if (!now) clear();
    else if (report) show();
    else ask();
  });
  document.addEventListener("docnorm:pages", () => apply(pages));

  // The inspector's rows for a block (viewer.js asks): its mark, and the PDF's text under its box when it differs.
  window.docnormAuditRows = (id) => {
    if (!report || report.state !== "done" || !on()) return [];
    const mark = report.marks[id];
    if (!mark) return [["audit", "not scored (no text, no box, or a figure or formula)"]];
    const found = report.blocks[id];
    if (!found) return [["audit", "grounded"]];
    const rows = [["audit", `${NAMES[mark]} (similarity ${found.similarity.toFixed(2)})`], ["PDF text", found.pdf_text || "(none under the box)"]];
    for (const [row, col, similarity, text, pdfText] of found.cells.slice(0, 10)) {
      rows.push([`cell ${row},${col}`, `${similarity.toFixed(2)}: "${text}" / PDF: "${pdfText}"`]);
    }
    return rows;
  };
})();

// The index's Audit column: each row's score, asked for (the server audits in the background) until all are known.
(function () {
  const cells = [...document.querySelectorAll("td.audit-score[data-doc]")];
  if (!cells.length) return;
  const FRAME_OK = new Set(["ok", "unknown"]);

  function fill(cell, got) {
    cell.classList.remove("pending");
    if (got.state === "done") {
      const frame = FRAME_OK.has(got.frame) ? "" : ` ${got.frame}`;
      cell.textContent = got.score === null ? "–" : `${Math.round(got.score * 100)} %${frame}`;
      cell.title = got.score === null ? "nothing could be scored" : `audit against ${got.source}: frame ${got.frame}`;
      cell.dataset.level = got.score === null ? "none" : got.score >= 0.9 && !frame ? "good" : got.score >= 0.6 ? "fair" : "poor";
    } else {
      cell.textContent = got.state === "failed" ? "failed" : "–";
      cell.title = got.reason;
      cell.dataset.level = "none";
    }
    delete cell.dataset.doc;
  }

  async function round(tries) {
    const waiting = cells.filter((cell) => cell.dataset.doc);
    if (!waiting.length || tries > 120) return;
    const params = new URLSearchParams();
    waiting.slice(0, 200).forEach((cell) => params.append("d", cell.dataset.doc));
    try {
      const response = await fetch(`/api/audit/scores?${params}`);
      if (response.ok) {
        const found = await response.json();
        for (const cell of waiting) {
          const got = found[cell.dataset.doc];
          if (got && got.state !== "pending") fill(cell, got);
          else cell.classList.add("pending");
        }
      }
    } catch (error) {
      return;  // the viewer stopped: the column keeps what it has
    }
    setTimeout(() => round(tries + 1), Math.min(500 * (tries + 1), 3000));
  }
  round(0);
})();
