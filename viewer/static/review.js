// docnorm review mode: correct a result into a ground truth over its page. Every action is one edit POSTed with
// the page's CSRF token and the truth's version it is based on; the server saves it at once and answers with the
// page as it now is (or 409: the truth changed elsewhere, and the page offers a reload). No inline script (the
// CSP forbids it); every string of the truth reaches the page as text or an input's value.
"use strict";

(function () {
  const body = document.body;
  if (!body.classList.contains("review-view")) return;
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const who = { f: body.dataset.file, i: Number(body.dataset.index) };
  const svg = $("review-svg");
  const list = $("block-list");
  let data = null;        // the page as the server last sent it
  let selected = null;    // the selected block's id
  const carets = {};      // block id -> where the caret last was in its text
  let drawing = false;
  let drag = null;
  let conflicted = false;
  let chain = Promise.resolve();
  const cssId = (id) => (window.CSS && CSS.escape ? CSS.escape(id) : id.replace(/["\\]/g, "\\$&"));

  // --- talking to the server ------------------------------------------------------------------------
  function say(text, isError) {
    const box = $("review-message");
    box.textContent = text || "";
    box.hidden = !text;
    box.classList.toggle("error", Boolean(isError));
  }
  const status = (text) => {
    $("save-status").textContent = text;
    $("save-status").classList.toggle("unsaved", text === "not saved");
  };

  function post(path, extra) {
    const page = data ? data.page.number : Number(body.dataset.page) || null;
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ ...who, page, base: data ? data.etag : "", ...extra }) });
  }

  // One write after another (each based on the version the previous one made), answered by the new page.
  let pending = 0;  // writes sent or waiting
  function send(path, extra, after) {
    pending += 1;
    chain = chain.then(async () => {
      try { await write(path, extra, after); } finally { pending -= 1; }
    });
    return chain;
  }
  async function write(path, extra, after) {
    if (conflicted) return;
    status("saving…");
    let response;
    try {
      response = await post(path, extra);
    } catch (error) {
      status("not saved");
      say(`Not saved: ${error.message}`, true);
      return;
    }
    const answer = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
    if (response.status === 409) { conflict(answer.error); return; }
    if (!response.ok) {
      status("not saved");
      say(answer.error || `refused (${response.status})`, true);
      render();  // the page as it was: nothing changed
      return;
    }
    say("");
    show(answer, after);
  }
  const edit = (change, after) => send("/review/api/edit", { edit: change }, after);

  function conflict(message) {
    conflicted = true;
    status("not saved");
    $("conflict-text").textContent = message;
    $("conflict").hidden = false;
  }

  async function load(page) {
    const query = new URLSearchParams({ f: who.f, i: who.i, page: page || "" });
    const response = await fetch(`/review/api/truth?${query}`);
    if (!response.ok) { say(`The truth cannot be read (${response.status}).`, true); return; }
    show(await response.json());
  }

  // Back on this tab with nothing of its own unsaved: the truth as it is now (another tab may have changed it).
  window.addEventListener("focus", async () => {
    if (!data || conflicted || pending || document.activeElement.closest("textarea, input")) return;
    const before = data.etag;
    await load(data.page.number);
    if (data.etag !== before) say("This truth was changed elsewhere (another tab or person): it is shown as it is now.");
  });

  function show(payload, after) {
    const before = new Set(data ? data.blocks.map((b) => b.id) : []);
    const samePage = data && data.page.number === payload.page.number;
    data = payload;
    if (after === "new") selected = (data.blocks.find((b) => !before.has(b.id)) || {}).id || selected;
    if (!samePage) history.replaceState(null, "", `?${new URLSearchParams({ f: who.f, i: who.i, page: data.page.number })}`);
    render();
    const h = data.history;
    $("undo").disabled = !h.undo;
    $("redo").disabled = !h.redo;
    $("undo").textContent = h.undo ? `Undo (${h.undo})` : "Undo";
    $("redo").textContent = h.redo ? `Redo (${h.redo})` : "Redo";
    status(h.edits ? `saved · ${h.edits} step(s) in the log · last: ${h.last}` : "saved · no edit yet");
    body.dataset.etag = data.etag;
    const origin = data.started_from;
    if (origin && origin.file) $("started-from").textContent = `· started from ${origin.file} (${origin.provider})`;
    scores();
  }

  // --- drawing --------------------------------------------------------------------------------------
  function render() {
    if (!data) return;
    const keep = focused();
    if (!data.blocks.some((b) => b.id === selected)) selected = null;
    renderPage();
    renderList();
    renderTools();
    restore(keep);
  }

  function node(name, attrs) {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  }

  function renderPage() {
    const p = data.page;
    svg.setAttribute("viewBox", `0 0 ${p.width} ${p.height}`);
    let image = svg.querySelector("image.review-image");
    if (!image || image.getAttribute("href") !== (p.image || "")) {
      svg.replaceChildren(node("rect", { class: "page-bg", x: 0, y: 0, width: p.width, height: p.height }));
      if (p.image) {
        image = node("image", { class: "review-image", href: p.image, x: 0, y: 0, width: p.width, height: p.height,
                                preserveAspectRatio: "none" });
        image.addEventListener("load", () => svg.classList.add("image-loaded"));
        svg.append(image);
      }
      svg.append(node("g", { class: "boxes" }));
    }
    const layer = svg.querySelector("g.boxes");
    layer.replaceChildren();
    const size = p.width / 45;
    data.blocks.forEach((b, n) => {
      if (!b.bbox) return;
      const [x0, y0, x1, y1] = b.bbox;
      const rect = node("rect", { class: `rbox k-${b.kind}${b.id === selected ? " active" : ""}`, "data-block": b.id,
                                  x: x0, y: y0, width: Math.max(x1 - x0, 0.1), height: Math.max(y1 - y0, 0.1) });
      const title = node("title", {});
      title.textContent = `${n + 1}. ${b.kind} ${b.id}`;
      rect.append(title);
      const number = node("text", { class: `rorder k-${b.kind}`, x: x0 + size / 4, y: y0 + size, "font-size": size });
      number.textContent = String(n + 1);
      layer.append(rect, number);
    });
    const chosen = data.blocks.find((b) => b.id === selected && b.bbox);
    if (chosen) {
      const [x0, y0, x1, y1] = chosen.bbox;
      const r = p.width / 150;
      for (const [corner, x, y] of [["nw", x0, y0], ["ne", x1, y0], ["sw", x0, y1], ["se", x1, y1]]) {
        layer.append(node("rect", { class: "handle", "data-corner": corner, x: x - r, y: y - r, width: 2 * r, height: 2 * r }));
      }
    }
  }

  function option(value, label, chosen) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    o.selected = chosen;
    return o;
  }

  function button(label, title, action, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.dataset.action = action;
    b.addEventListener("click", onClick);
    return b;
  }

  function kindSelect(b) {
    const select = document.createElement("select");
    select.className = "kind";
    select.setAttribute("aria-label", "kind");
    for (const kind of data.kinds) select.append(option(kind, kind, kind === b.kind));
    select.addEventListener("change", () => edit({ op: "set_kind", block: b.id, kind: select.value }));
    return select;
  }

  function levelSelect(b) {
    const select = document.createElement("select");
    select.className = "level";
    select.setAttribute("aria-label", "level");
    select.append(option("", "no level", b.level === null));
    const top = b.kind === "heading" ? 6 : 9;
    for (let n = 1; n <= Math.max(top, b.level || 0); n += 1) select.append(option(String(n), `level ${n}`, b.level === n));
    select.addEventListener("change", () => edit({ op: "set_level", block: b.id, level: select.value ? Number(select.value) : null }));
    return select;
  }

  function linkSelect(b) {
    const select = document.createElement("select");
    select.className = "link";
    select.setAttribute("aria-label", "caption of");
    select.append(option("", "captions nothing", !b.caption_of));
    for (const other of data.blocks) {
      if (other.kind === "caption") continue;
      const label = `${other.kind} ${other.id}: ${(other.text || "").slice(0, 40)}`;
      select.append(option(other.id, label, other.id === b.caption_of));
    }
    select.addEventListener("change", () => edit({ op: "link_caption", caption: b.id, target: select.value || null }));
    const label = document.createElement("label");
    label.className = "caption-of";
    label.append("caption of ", select);
    return label;
  }

  function textArea(b) {
    const area = document.createElement("textarea");
    area.className = "text";
    area.value = b.text;
    area.dataset.orig = b.text;
    area.dataset.focusKey = `text:${b.id}`;
    area.rows = Math.min(8, Math.max(2, Math.ceil(b.text.length / 60) + (b.text.match(/\n/g) || []).length));
    area.setAttribute("aria-label", `text of ${b.id}`);
    const remember = () => { carets[b.id] = area.selectionStart; };
    ["keyup", "click", "select", "input"].forEach((name) => area.addEventListener(name, remember));
    area.addEventListener("change", () => saveText(area, b));
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        saveText(area, b);
        split(b.id, area.selectionStart);
      } else if (event.key === "Escape") {
        area.blur();
      }
    });
    return area;
  }

  function saveText(area, b) {
    if (!area.isConnected || area.value === area.dataset.orig) return;
    area.dataset.orig = area.value;
    edit({ op: "set_text", block: b.id, text: area.value });
  }

  function item(b, n) {
    const li = document.createElement("li");
    li.className = `block-item k-${b.kind}${b.id === selected ? " active" : ""}`;
    li.dataset.block = b.id;
    li.draggable = true;
    const head = document.createElement("div");
    head.className = "block-head";
    const grip = document.createElement("span");
    grip.className = "grip";
    grip.title = "drag to move in the reading order (Alt+↑ / Alt+↓)";
    grip.textContent = "⠿";
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = String(n + 1);
    const id = document.createElement("code");
    id.className = "bid";
    id.textContent = b.id;
    head.append(grip, num, kindSelect(b));
    if (b.kind === "heading" || b.kind === "list_item") head.append(levelSelect(b));
    head.append(id);
    if (!b.bbox) head.append(Object.assign(document.createElement("span"), { className: "nobox", textContent: "no box" }));
    const actions = document.createElement("span");
    actions.className = "block-actions";
    if (!b.table) actions.append(button("split", "split at the caret (Ctrl+Enter in the text, S)", "split", () => split(b.id, carets[b.id])));
    actions.append(button("merge ↓", "merge with the next block (M)", "merge", () => merge(b.id)),
                   button("delete", "delete the block (Delete)", "delete", () => remove(b.id)));
    head.append(actions);
    li.append(head);
    if (b.kind === "caption") li.append(linkSelect(b));
    if (b.table) li.append(window.DocnormTable.render(b, edit, (text) => say(text, true)));
    else li.append(textArea(b));
    return li;
  }

  function renderList() {
    list.replaceChildren(...data.blocks.map(item));
    if (!data.blocks.length) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = "No block on this page: draw one (N).";
      list.append(empty);
    }
  }

  function renderTools() {
    const pages = $("page-select");
    if (pages.options.length !== data.pages.length) pages.replaceChildren(...data.pages.map((n) => option(String(n), `${n} of ${data.pages.length}`, false)));
    pages.value = String(data.page.number);
    const kinds = $("draw-kind");
    if (!kinds.options.length) kinds.replaceChildren(...data.kinds.map((k) => option(k, k, k === "paragraph")));
  }

  // The focused field (and its caret) before a redraw, to give back after it; an unsaved text is kept.
  function focused() {
    const el = document.activeElement;
    if (!el || !el.dataset || !el.dataset.focusKey) return null;
    return { key: el.dataset.focusKey, start: el.selectionStart, end: el.selectionEnd,
             dirty: el.value !== el.dataset.orig ? el.value : null };
  }
  function restore(keep) {
    if (!keep) return;
    const el = document.querySelector(`[data-focus-key="${cssId(keep.key)}"]`);
    if (!el) return;
    if (keep.dirty !== null) el.value = keep.dirty;
    el.focus({ preventScroll: true });
    try { el.setSelectionRange(keep.start, keep.end); } catch (error) { /* not a text field */ }
  }

  // --- actions --------------------------------------------------------------------------------------
  const blockOf = (id) => data && data.blocks.find((b) => b.id === id);

  function select(id, scroll = true) {
    if (selected === id) return;
    selected = id;
    svg.querySelectorAll(".rbox.active").forEach((r) => r.classList.remove("active"));
    list.querySelectorAll(".block-item.active").forEach((li) => li.classList.remove("active"));
    if (!id) { renderPage(); return; }
    const li = list.querySelector(`[data-block="${cssId(id)}"]`);
    if (li) {
      li.classList.add("active");
      if (scroll) reveal(li);
    }
    renderPage();
  }

  // The list item in view inside the list's own scroll box (the window does not move: a box being dragged stays
  // under the pointer).
  function reveal(li) {
    const box = li.closest(".review-blocks");
    const top = li.offsetTop - box.offsetTop;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + li.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = top + li.offsetHeight - box.clientHeight;
  }

  function split(id, at) {
    const b = blockOf(id);
    if (!b || at === undefined || at === null) { say("Put the caret in the block's text where it should be split.", true); return; }
    edit({ op: "split_block", block: id, at }, "new");
  }

  function merge(id) {
    const b = blockOf(id);
    const next = b && data.blocks.find((x) => x.at === b.at + 1);
    if (!next) { say("There is no next block on this page to merge with.", true); return; }
    edit({ op: "merge_blocks", block: id, next: next.id });
  }

  function remove(id) {
    const n = data.blocks.findIndex((b) => b.id === id);
    if (n < 0) return;
    const neighbour = data.blocks[n + 1] || data.blocks[n - 1];
    selected = neighbour ? neighbour.id : null;
    edit({ op: "delete_block", block: id });
  }

  // Moving block `id` just before (or after) block `other` in the reading order.
  function moveBeside(id, other, after) {
    const b = blockOf(id), c = blockOf(other);
    if (!b || !c || b === c) return;
    const to = after ? (c.at < b.at ? c.at + 1 : c.at) : (c.at < b.at ? c.at : c.at - 1);
    if (to !== b.at) edit({ op: "move_block", block: id, to });
  }
  function step(id, delta) {
    const n = data.blocks.findIndex((b) => b.id === id);
    const other = data.blocks[n + delta];
    if (other) moveBeside(id, other.id, delta > 0);
  }

  function nudge(id, dx, dy, grow) {
    const b = blockOf(id);
    if (!b || !b.bbox) return;
    const unit = data.page.width / 200;
    const [x0, y0, x1, y1] = b.bbox;
    const box = grow ? [x0, y0, Math.max(x0 + unit, x1 + dx * unit), Math.max(y0 + unit, y1 + dy * unit)]
      : [x0 + dx * unit, y0 + dy * unit, x1 + dx * unit, y1 + dy * unit];
    edit({ op: "set_bbox", block: id, bbox: clamp(box, !grow) });
  }

  const round = (v) => Math.round(v * 100) / 100;
  // A box kept on the page, corners in order: a moved box slides back whole, a resized or drawn one is cut.
  function clamp(box, slide) {
    const { width, height } = data.page;
    let [x0, y0, x1, y1] = box;
    [x0, x1] = [Math.min(x0, x1), Math.max(x0, x1)];
    [y0, y1] = [Math.min(y0, y1), Math.max(y0, y1)];
    if (!slide) {
      const cut = (v, top) => round(Math.max(0, Math.min(v, top)));
      return [cut(x0, width), cut(y0, height), cut(x1, width), cut(y1, height)];
    }
    const w = Math.min(x1 - x0, width), h = Math.min(y1 - y0, height);
    x0 = Math.max(0, Math.min(x0, width - w));
    y0 = Math.max(0, Math.min(y0, height - h));
    return [round(x0), round(y0), round(x0 + w), round(y0 + h)];
  }

  // --- the page: select, move, resize, draw --------------------------------------------------------
  function point(event) {
    const m = svg.getScreenCTM().inverse();
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(m);
    return [p.x, p.y];
  }

  function dragged(d, [x, y]) {
    const [dx, dy] = [x - d.start[0], y - d.start[1]];
    const [x0, y0, x1, y1] = d.orig;
    if (d.mode === "move") return clamp([x0 + dx, y0 + dy, x1 + dx, y1 + dy], true);
    if (d.mode === "draw") return clamp([d.start[0], d.start[1], x, y]);
    const c = d.corner;
    return clamp([c.includes("w") ? x0 + dx : x0, c.includes("n") ? y0 + dy : y0, c.includes("e") ? x1 + dx : x1,
                  c.includes("s") ? y1 + dy : y1]);
  }

  svg.addEventListener("pointerdown", (event) => {
    if (!data || event.button !== 0) return;
    const at = point(event);
    const handle = event.target.closest(".handle");
    const box = event.target.closest(".rbox");
    if (drawing) {
      drag = { mode: "draw", start: at, orig: [...at, ...at], id: null };
      const rubber = node("rect", { class: "rubber", x: at[0], y: at[1], width: 0, height: 0 });
      svg.append(rubber);
    } else if (handle && selected) {
      drag = { mode: "resize", corner: handle.dataset.corner, start: at, orig: blockOf(selected).bbox, id: selected };
    } else if (box) {
      select(box.dataset.block);
      drag = { mode: "move", start: at, orig: blockOf(box.dataset.block).bbox, id: box.dataset.block };
    } else {
      select(null);
      return;
    }
    svg.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  svg.addEventListener("dblclick", (event) => {  // a box's text, to edit in place of reading it
    const box = event.target.closest(".rbox");
    if (box) { select(box.dataset.block); field("textarea, input"); }
  });

  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const [x0, y0, x1, y1] = drag.now = dragged(drag, point(event));
    const target = drag.mode === "draw" ? svg.querySelector("rect.rubber")
      : svg.querySelector(`rect.rbox[data-block="${cssId(drag.id)}"]`);
    if (!target) return;
    for (const [k, v] of Object.entries({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 })) target.setAttribute(k, v);
    svg.querySelectorAll(".handle").forEach((h) => { if (drag.mode !== "draw") h.remove(); });
  });

  svg.addEventListener("pointerup", () => {
    const d = drag;
    drag = null;
    if (!d) return;
    svg.querySelectorAll("rect.rubber").forEach((r) => r.remove());
    const box = d.now;
    if (d.mode === "draw") {
      setDrawing(false);
      if (box && box[2] - box[0] > 2 && box[3] - box[1] > 2) {
        edit({ op: "add_block", page: data.page.number, kind: $("draw-kind").value, bbox: box }, "new");
      }
      return;
    }
    if (box && box.some((v, k) => Math.abs(v - d.orig[k]) > 0.5)) edit({ op: "set_bbox", block: d.id, bbox: box });
    else renderPage();
  });

  function setDrawing(on) {
    drawing = on;
    body.classList.toggle("drawing", on);
    $("draw").setAttribute("aria-pressed", String(on));
  }

  // --- the list: select, reorder by dragging ------------------------------------------------------------
  list.addEventListener("focusin", (event) => {
    const li = event.target.closest(".block-item");
    if (li) select(li.dataset.block, false);
  });
  list.addEventListener("click", (event) => {
    const li = event.target.closest(".block-item");
    if (li && !event.target.closest("select, button, input, textarea")) select(li.dataset.block, false);
  });
  let armed = false;  // a drag starts from the grip only: a text is still selectable with the mouse
  list.addEventListener("pointerdown", (event) => { armed = Boolean(event.target.closest(".grip")); });
  list.addEventListener("dragstart", (event) => {
    const li = event.target.closest && event.target.closest(".block-item");
    if (!li || !armed) { event.preventDefault(); return; }
    event.dataTransfer.setData("text/plain", li.dataset.block);
    event.dataTransfer.effectAllowed = "move";
    li.classList.add("dragging");
  });
  const below = (li, event) => event.clientY > li.getBoundingClientRect().top + li.offsetHeight / 2;
  list.addEventListener("dragover", (event) => {
    const li = event.target.closest(".block-item");
    if (!li) return;
    event.preventDefault();
    list.querySelectorAll(".drop-before, .drop-after").forEach((x) => x.classList.remove("drop-before", "drop-after"));
    li.classList.add(below(li, event) ? "drop-after" : "drop-before");
  });
  list.addEventListener("drop", (event) => {
    const li = event.target.closest(".block-item");
    if (!li) return;
    event.preventDefault();
    moveBeside(event.dataTransfer.getData("text/plain"), li.dataset.block, below(li, event));
  });
  list.addEventListener("dragend", () => {
    armed = false;
    list.querySelectorAll(".dragging, .drop-before, .drop-after").forEach((x) => x.classList.remove("dragging", "drop-before", "drop-after"));
  });

  // --- keys -----------------------------------------------------------------------------------------
  const field = (selector) => {
    const li = selected && list.querySelector(`[data-block="${cssId(selected)}"]`);
    const el = li && li.querySelector(selector);
    if (el) el.focus();
  };
  const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  const KEYS = {
    "?": () => $("keys").showModal(),
    j: () => pick(1), k: () => pick(-1),
    Enter: () => field("textarea, input"), c: () => field("select.kind"), l: () => field("select.link"),
    n: () => setDrawing(!drawing), Escape: () => (drawing ? setDrawing(false) : select(null)),
    Delete: () => selected && remove(selected), Backspace: () => selected && remove(selected),
    m: () => selected && merge(selected), s: () => selected && split(selected, carets[selected]),
    u: () => selected && step(selected, -1), d: () => selected && step(selected, 1),
    "[": () => turn(-1), "]": () => turn(1),
  };
  function pick(delta) {
    if (!data.blocks.length) return;
    const n = data.blocks.findIndex((b) => b.id === selected);
    const next = data.blocks[Math.max(0, Math.min(data.blocks.length - 1, n < 0 ? 0 : n + delta))];
    select(next.id);
  }
  function turn(delta) {
    const n = data.pages.indexOf(data.page.number) + delta;
    if (n >= 0 && n < data.pages.length) load(data.pages[n]);
  }
  function levelKey(key) {
    const b = blockOf(selected);
    if (!b || !/^[0-9]$/.test(key) || (b.kind !== "heading" && b.kind !== "list_item")) return false;
    edit({ op: "set_level", block: b.id, level: key === "0" ? null : Number(key) });
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (!data || $("keys").open || conflicted) return;
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    const mod = event.ctrlKey || event.metaKey;
    if (event.altKey && !mod && (event.key === "ArrowUp" || event.key === "ArrowDown") && selected
        && (!typing || event.target.closest(".block-head"))) {
      event.preventDefault();
      step(selected, event.key === "ArrowUp" ? -1 : 1);
      return;
    }
    if (typing) return;
    if ((event.key === "Enter" || event.key === " ") && event.target.closest("button, a, summary")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (mod && (key === "z" || key === "y")) {
      event.preventDefault();
      send(key === "y" || event.shiftKey ? "/review/api/redo" : "/review/api/undo", {});
      return;
    }
    if (ARROWS[event.key] && selected && !event.altKey) {
      event.preventDefault();
      const [dx, dy] = ARROWS[event.key];
      const times = event.shiftKey ? 10 : 1;
      nudge(selected, dx * times, dy * times, mod);
      return;
    }
    if (mod || event.altKey) return;
    if (levelKey(key) || !KEYS[key]) return;
    event.preventDefault();
    KEYS[key]();
  });

  // --- the scores -----------------------------------------------------------------------------------
  let scoring = 0;
  let shown = {};  // file -> scores last shown, to mark what an edit changed
  const LABELS = ["overall", "content", "segmentation", "reading_order", "teds", "layout"];
  async function scores() {
    const ticket = ++scoring;
    const query = new URLSearchParams({ f: who.f, i: who.i });
    const response = await fetch(`/review/api/scores?${query}`).catch(() => null);
    if (ticket !== scoring) return;
    if (!response || !response.ok) { $("scores-status").textContent = "The scores cannot be worked out."; return; }
    const answer = await response.json();
    if (ticket !== scoring || !data || answer.etag !== data.etag) return;
    const rows = answer.rows.map((row) => scoreRow(row));
    $("scores").tBodies[0].replaceChildren(...rows);
    shown = Object.fromEntries(answer.rows.map((row) => [row.file, row.scores]));
    const more = answer.more ? ` (${answer.more} more not scored)` : "";
    $("scores-status").textContent = answer.rows.length
      ? `${answer.rows.length} result(s) of this source, against the truth as it is now${more}.`
      : "No result of this source in the served folder.";
    body.dataset.scored = data.etag;
    if (answer.pending) setTimeout(scores, 1000);
  }
  function cell(text, cls, title) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    if (title) td.title = title;
    return td;
  }
  function scoreRow(row) {
    const tr = document.createElement("tr");
    tr.dataset.file = row.file;
    const name = document.createElement("td");
    const file = document.createElement("span");
    file.className = "score-file";
    file.textContent = row.file.split("/").pop();
    file.title = row.file;
    const provider = document.createElement("span");
    provider.className = "score-provider";
    provider.textContent = row.provider;
    const link = document.createElement("a");
    link.href = row.compare;
    link.className = "compare";
    link.textContent = "compare";
    link.title = "this result against the truth, side by side";
    name.append(provider, " ", link, file);
    tr.append(cell(row.rank === null ? "–" : String(row.rank)), name);
    if (row.error) {
      tr.append(cell(`not scored: ${row.error}`, "score-error"));
      tr.lastChild.colSpan = LABELS.length;
    } else {
      const before = shown[row.file] || {};
      for (const label of LABELS) {
        const v = row.scores[label];
        const was = before[label];
        const moved = was !== undefined && was !== null && v !== null && Math.abs(v - was) > 1e-9;
        tr.append(cell(v === null ? "–" : v.toFixed(3), `score ${label}${moved ? (v > was ? " up" : " down") : ""}`,
                       moved ? `was ${was.toFixed(3)}` : ""));
      }
    }
    return tr;
  }

  // --- the buttons ----------------------------------------------------------------------------------
  $("undo").addEventListener("click", () => send("/review/api/undo", {}));
  $("redo").addEventListener("click", () => send("/review/api/redo", {}));
  $("draw").addEventListener("click", () => setDrawing(!drawing));
  $("prev-page").addEventListener("click", () => turn(-1));
  $("next-page").addEventListener("click", () => turn(1));
  $("page-select").addEventListener("change", (event) => load(Number(event.target.value)));
  $("show-keys").addEventListener("click", () => $("keys").showModal());
  $("reload").addEventListener("click", () => window.location.reload());
  const start = $("start-truth");
  if (start) {
    start.addEventListener("click", async () => {
      start.disabled = true;
      await send("/review/api/start", {});
      if (!data) { start.disabled = false; return; }
      $("review-start").hidden = true;
      $("review-tools").hidden = false;
      $("review-body").hidden = false;
      render();
    });
    start.disabled = false;  // disabled in the page until now: the scripts are deferred, the button is not
  }
  if (body.dataset.hasTruth === "yes") load(Number(body.dataset.page) || null);
})();
