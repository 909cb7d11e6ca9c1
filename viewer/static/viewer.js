// docnorm viewer: document view behaviour. No inline script anywhere (the CSP forbids it); every string
// that comes from a provider reaches the page through server-escaped HTML or textContent.
"use strict";

// An id for a [data-block="..."] selector (ids are ours, but never trust that).
const cssId = (id) => (window.CSS && CSS.escape ? CSS.escape(id) : id.replace(/["\\]/g, "\\$&"));

(function () {
  const body = document.body;
  if (!body.classList.contains("document-view")) return;
  const file = body.dataset.file;
  const index = body.dataset.index;
  const sliceSize = Number(body.dataset.slice);
  const pages = document.getElementById("pages");
  const prev = document.getElementById("prev-pages");
  const inspector = document.getElementById("inspector-json");
  const fields = document.getElementById("inspector-fields");
  let firstStart = Number(body.dataset.start);
  let loading = false;

  const query = (extra) => {
    const params = new URLSearchParams({ f: file, i: index });
    for (const [k, v] of Object.entries(extra)) params.set(k, v);
    return params.toString();
  };
  const elementsOf = (id) => pages.querySelectorAll(`[data-block="${cssId(id)}"]`);

  // --- slices ------------------------------------------------------------------------------------
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) loadMore(entry.target);
    }
  }, { rootMargin: "600px" });
  const watchMore = () => pages.querySelectorAll(".more").forEach((el) => observer.observe(el));

  async function fetchSlice(params) {
    const response = await fetch(`/api/slice?${query(params)}`);
    if (!response.ok) throw new Error(`slice request failed: ${response.status}`);
    return { html: await response.text(), start: Number(response.headers.get("X-Slice-Start") || 0) };
  }

  async function loadMore(marker) {
    if (loading) return;
    loading = true;
    try {
      observer.unobserve(marker);
      const { html } = await fetchSlice({ start: marker.dataset.next });
      marker.remove();
      pages.insertAdjacentHTML("beforeend", html);  // server-rendered, every provider string escaped
      arrived();
    } finally {
      loading = false;
    }
  }

  async function replaceWith(params) {
    loading = true;
    try {
      const { html, start } = await fetchSlice(params);
      pages.querySelectorAll("section.page, .more").forEach((el) => el.remove());
      pages.insertAdjacentHTML("beforeend", html);
      firstStart = start;
      prev.hidden = firstStart === 0;
      arrived();
    } finally {
      loading = false;
    }
  }

  // Pages just put in: their marks, formulas and keyboard stops; then the next slice is watched for, and the
  // other scripts told (the audit marks the new pages).
  function arrived() {
    applyThreshold();
    typeset(pages);
    focusable(pages);
    watchMore();
    document.dispatchEvent(new CustomEvent("docnorm:pages"));
  }

  prev.addEventListener("click", async () => {
    await replaceWith({ start: Math.max(firstStart - sliceSize, 0) });
    pages.scrollIntoView();
  });

  async function showPage(number) {
    if (!document.getElementById(`page-${number}`)) await replaceWith({ page: number });
    const section = document.getElementById(`page-${number}`);
    if (section) section.scrollIntoView({ block: "start" });
  }

  const searchStatus = document.getElementById("search-status");
  const say = (text) => { searchStatus.textContent = text; searchStatus.hidden = !text; };
  const gotoForm = document.getElementById("goto-form");
  if (gotoForm) gotoForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("goto-page");
    const number = Number(input.value);
    const last = Number(input.dataset.last);
    if (!Number.isInteger(number) || number < 1 || number > last) {
      say(`There is no page ${input.value}: this document has pages 1–${last}.`);
      return;
    }
    say("");
    showPage(number);
  });

  // --- low-confidence words: marked below the threshold the reader picks -------------------------------
  const threshold = document.getElementById("threshold");
  function applyThreshold() {
    if (!threshold) return;
    const limit = Number(threshold.value);
    document.getElementById("threshold-value").textContent = limit.toFixed(2);
    pages.querySelectorAll("mark.low-confidence").forEach((mark) => {
      mark.classList.toggle("below", Number(mark.dataset.confidence) < limit);
    });
  }
  if (threshold) threshold.addEventListener("input", applyThreshold);

  // --- selection: box <-> block, and the inspector -------------------------------------------------
  // Choosing a block marks its box and its text, brings the other into view (below the sticky header, above a
  // phone's inspector sheet: the root's scroll-padding) and opens the inspector.
  async function select(id, origin) {
    body.classList.add("inspector-open");
    pages.querySelectorAll(".active").forEach((el) => el.classList.remove("active"));
    const targets = elementsOf(id);
    targets.forEach((el) => el.classList.add("active"));
    const rendered = [...targets].find((el) => !(el instanceof SVGElement));
    const box = [...targets].find((el) => el instanceof SVGElement);
    const scrollTarget = origin === "block" || origin === "search" ? box || rendered : rendered || box;
    if (scrollTarget) scrollTarget.scrollIntoView({ block: "center", behavior: "instant" });
    const response = await fetch(`/api/block?${query({ id })}`);
    if (!response.ok) {
      fields.replaceChildren();
      inspector.textContent = "not found";
      return;
    }
    const blockData = await response.json();
    showFields(blockData);
    inspector.textContent = JSON.stringify(blockData, null, 2);
  }

  // The inspector: the fields a person reads first (as text, never HTML), the canonical JSON on demand.
  function showFields(b) {
    const rows = [["id", b.id], ["kind", b.kind], ["page", b.page], ["level", b.level],
      ["box", b.bbox ? b.bbox.map((v) => Number(v).toFixed(1)).join(", ") : null],
      ["confidence", b.confidence], ["section", b.parent], ["captions", b.captions.join(", ") || null],
      ["table", b.table ? `${b.table.n_rows} rows x ${b.table.n_cols} columns, ${b.table.cells.length} cells` : null],
      ["lines", b.lines.length || null], ["text", b.text],
      ...(window.docnormAuditRows ? window.docnormAuditRows(b.id) : [])];
    fields.replaceChildren();
    for (const [name, value] of rows) {
      if (value === null || value === undefined || value === "") continue;
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      if (name === "text") dd.className = "text";
      fields.append(dt, dd);
    }
    fields.hidden = false;
    document.getElementById("inspector-raw").hidden = false;
    document.getElementById("inspector-hint").hidden = true;
  }
  // The inspector folds away until a block is chosen, and again with its × or Escape.
  const closeInspector = () => {
    if (!body.classList.contains("inspector-open")) return false;
    body.classList.remove("inspector-open");
    return true;
  };
  document.getElementById("inspector-close").addEventListener("click", closeInspector);
  const showOrder = document.getElementById("show-order");
  showOrder.addEventListener("change", () => body.classList.toggle("show-order", showOrder.checked));

  const originOf = (el) => (el instanceof SVGElement ? "box" : "block");
  pages.addEventListener("click", (event) => {
    const el = event.target.closest("svg [data-block], .content [data-block]");
    if (el) select(el.dataset.block, originOf(el));
  });

  // --- the keyboard: every box and block is a tab stop; Enter or Space inspects it; j and k step through the
  // blocks in reading order. Other scripts add their keys (docnorm.key) and what Escape closes (docnorm.onEscape).
  function focusable(root) {
    root.querySelectorAll("svg [data-block]:not([tabindex]), .content [data-block]:not([tabindex])").forEach((el) => {
      el.setAttribute("tabindex", "0");
      if (el instanceof SVGElement) el.setAttribute("role", "button");
    });
  }
  pages.addEventListener("keydown", (event) => {
    const el = event.target.closest && event.target.closest("svg [data-block], .content [data-block]");
    if (!el || (event.key !== "Enter" && event.key !== " ") || event.target.closest("a, button, input")) return;
    event.preventDefault();
    select(el.dataset.block, originOf(el));
  });
  function step(by) {
    const blocks = [...pages.querySelectorAll(".content [data-block]")].filter((el) => el.offsetParent !== null);
    const here = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(".content [data-block]") : null;
    const current = blocks.indexOf(here || pages.querySelector(".content .active"));
    const next = blocks[current < 0 ? 0 : Math.min(Math.max(current + by, 0), blocks.length - 1)];
    if (!next) return;
    next.focus({ preventScroll: true });
    select(next.dataset.block, "key");
  }
  const keys = new Map();
  const closers = [closeInspector];
  const typing = (el) => el && el.closest
    && el.closest("input:not([type=checkbox]):not([type=range]), textarea, select, [contenteditable]");
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {  // closes one thing: a menu, else the search results, else the inspector
      if ([...closers].reverse().some((close) => close())) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const action = keys.get(event.key);
    if (action) {
      event.preventDefault();
      action(event);
    }
  });
  const key = (names, action) => names.split(" ").forEach((name) => keys.set(name, action));
  key("j", () => step(1));
  key("k", () => step(-1));
  key("o", () => { showOrder.checked = !showOrder.checked; showOrder.dispatchEvent(new Event("change")); });

  // --- legend --------------------------------------------------------------------------------------
  document.getElementById("legend").addEventListener("change", (event) => {
    const kind = event.target.dataset.kind;
    if (kind) body.classList.toggle(`hide-${kind}`, !event.target.checked);
  });

  arrived();
  window.docnorm = { select, showPage, say, key, onEscape: (close) => closers.push(close) };
})();

// --- compare view: hovering a block highlights its partner; the two sides scroll together --------------
(function () {
  const body = document.body;
  if (!body.classList.contains("compare-view")) return;
  const sides = { a: document.getElementById("side-a"), b: document.getElementById("side-b") };
  typeset(document);

  // A long pair shows its first slice at once; the scores of the whole documents arrive after.
  const summary = document.getElementById("compare-summary");
  if (summary && summary.dataset.summary) {
    fetch(summary.dataset.summary).then((r) => r.json()).then((s) => {
      const out = document.getElementById("summary-scores");
      for (const [name, , value] of s.rows) {  // each score's cell, as the server words it
        document.querySelectorAll(`[data-score="${name}"]`).forEach((cell) => { cell.textContent = value; });
      }
      if (s.warning) {
        document.getElementById("compare-warning-text").textContent = s.warning;
        document.getElementById("compare-warning").hidden = false;
      }
      out.textContent = s.note ? s.note : `${s.counts.same} same, ${s.counts.changed} changed, ${s.counts.split} split`;
      out.classList.add("scored");
    });
  }

  function mark(event, on) {
    const el = event.target.closest("[data-partner]");
    if (!el) return;
    const side = el.closest(".diff-side").dataset.side;
    const other = sides[side === "a" ? "b" : "a"];
    const partners = (el.dataset.partner || "").split(" ").filter(Boolean);
    for (const id of partners) {
      other.querySelectorAll(`[data-block="${cssId(id)}"]`).forEach((p) => p.classList.toggle("partner", on));
    }
    sides[side].querySelectorAll(`[data-block="${cssId(el.dataset.block)}"]`)
      .forEach((p) => p.classList.toggle("partner", on));
  }
  for (const side of Object.values(sides)) {
    side.addEventListener("mouseover", (event) => mark(event, true));
    side.addEventListener("mouseout", (event) => mark(event, false));
  }

  const other = (side) => sides[side.dataset.side === "a" ? "b" : "a"];
  const top = (el, container) => el.getBoundingClientRect().top - container.getBoundingClientRect().top;
  const partnerOf = (el, side) => {
    const id = (el.dataset.partner || "").split(" ").filter(Boolean)[0];
    return id ? other(side).querySelector(`.content [data-block="${cssId(id)}"]`) : null;
  };

  // Clicking a block brings its partner level with it on the other side, both marked.
  let selected = [];
  for (const side of Object.values(sides)) {
    side.addEventListener("click", (event) => {
      const el = event.target.closest(".content [data-partner]");
      if (!el) return;
      selected.forEach((s) => s.classList.remove("selected"));
      const partner = partnerOf(el, side);
      selected = partner ? [el, partner] : [el];
      selected.forEach((s) => s.classList.add("selected"));
      if (partner) moveTo(other(side), other(side).scrollTop + top(partner, other(side)) - top(el, side));
    });
  }

  // Scrolling keeps partners level: the first paired block in view on one side sets the other side's
  // position; where nothing in view has a partner, the sides move in proportion.
  // A side moved by us fires a scroll event of its own: that one is not the reader's and moves nothing back.
  const ours = new Set();
  function moveTo(side, scrollTop) {
    const before = side.scrollTop;
    side.scrollTop = scrollTop;
    if (side.scrollTop !== before) ours.add(side);
  }
  function sync(from, to) {
    if (ours.delete(from)) return;
    const anchor = [...from.querySelectorAll(".content [data-partner]")].find((el) => {
      const t = top(el, from);
      return t >= 0 && t < from.clientHeight && el.dataset.partner;
    });
    const partner = anchor ? partnerOf(anchor, from) : null;
    if (partner) {
      moveTo(to, to.scrollTop + top(partner, to) - top(anchor, from));
    } else {
      const range = from.scrollHeight - from.clientHeight;
      moveTo(to, range > 0 ? (from.scrollTop / range) * (to.scrollHeight - to.clientHeight) : 0);
    }
  }
  sides.a.addEventListener("scroll", () => sync(sides.a, sides.b));
  sides.b.addEventListener("scroll", () => sync(sides.b, sides.a));
})();

// --- index: Compare needs two documents: say so, keep the ticks ------------------------------------------
(function () {
  const form = document.getElementById("compare-form");
  if (!form) return;
  const hint = document.getElementById("compare-message");
  form.addEventListener("submit", (event) => {
    const ticked = form.querySelectorAll('input[name="pick"]:checked').length;
    if (ticked === 2) return;
    event.preventDefault();
    hint.textContent = ticked < 2 ? `Tick ${ticked ? "a second document" : "two documents"} to compare.`
      : `Tick only two documents (${ticked} are ticked).`;
    hint.hidden = false;
  });
})();

// --- index: filter the page as you type (Enter asks the server, over every file) -------------------------
(function () {
  const table = document.querySelector("table.files");
  const filter = document.getElementById("index-filter");
  if (!table || !filter) return;
  const body = table.tBodies[0];
  const count = document.getElementById("index-count");
  const total = count.textContent;
  const rows = () => [...body.rows].filter((row) => row.dataset.file);
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows()) {
      const text = row.textContent.toLowerCase();
      const visible = words.every((w) => text.includes(w));
      row.hidden = !visible;
      shown += visible;
    }
    count.textContent = words.length ? `${shown} of ${rows().length} on this page shown`
      : total;
  });
})();

