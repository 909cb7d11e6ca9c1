// docnorm viewer: how large the document view draws each page. The page takes a share of the width (half by
// default, its text beside it); "fit width" gives it the whole width (the text goes below), "fit page" the share
// that shows a whole page under the header; + and − step between shares. Keys: + − 0 w f. The choice is kept for the
// next document (localStorage); a phone always draws the page across the screen (viewer.css).
"use strict";

(function () {
  const body = document.body;
  const value = document.getElementById("zoom-value");
  if (!body.classList.contains("document-view") || !value) return;
  const SHARES = [0.25, 0.33, 0.4, 0.5, 0.6, 0.75, 0.9, 1];
  const HALF = 0.5;
  const buttons = { width: "zoom-width", page: "zoom-page", half: "zoom-half" };
  let state = { mode: "share", share: HALF };
  try {
    const kept = JSON.parse(localStorage.getItem("docnorm.zoom") || "null");
    if (kept && (kept.mode === "page" || SHARES.includes(kept.share))) state = kept;
  } catch (error) { /* no storage: the default */ }

  const headHeight = () => document.getElementById("doc-head").getBoundingClientRect().height;
  // The section in view (the one across the middle of the screen under the header), to keep it there.
  function inView() {
    const middle = (headHeight() + window.innerHeight) / 2;
    return [...document.querySelectorAll("section.page")].find((s) => {
      const r = s.getBoundingClientRect();
      return r.top <= middle && r.bottom >= middle;
    });
  }

  // The share that shows the whole page in view under the header: its height, the label above it, a margin.
  function pageShare(section) {
    const svg = section && section.querySelector("svg.page-svg");
    if (!svg) return HALF;
    const box = svg.viewBox.baseVal;
    const label = section.querySelector(".page-label");
    const tall = window.innerHeight - headHeight() - (label ? label.offsetHeight : 0) - 40;
    const room = section.querySelector(".layout").parentElement.clientWidth - 20;
    return Math.max(0.15, Math.min(1, (tall * box.width) / box.height / room));
  }

  // `chosen`: the reader asked (not the start or a resize), so "fit page" also brings the page in view up to the header.
  function apply(chosen) {
    const anchor = inView();
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    const share = state.mode === "page" ? pageShare(anchor || document.querySelector("section.page")) : state.share;
    body.style.setProperty("--page-w", `${(share * 100).toFixed(2)}%`);
    body.classList.toggle("zoom-full", share >= 1);
    value.textContent = `${Math.round(share * 100)} %`;
    const pressed = { width: share >= 1, page: state.mode === "page", half: state.mode === "share" && share === HALF };
    for (const [name, id] of Object.entries(buttons)) {
      document.getElementById(id).setAttribute("aria-pressed", String(pressed[name]));
    }
    if (anchor && chosen && state.mode === "page") anchor.scrollIntoView({ block: "start" });  // the whole page, under the header
    else if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);  // the same page stays in view
    try { localStorage.setItem("docnorm.zoom", JSON.stringify(state)); } catch (error) { /* not kept */ }
    document.dispatchEvent(new CustomEvent("docnorm:zoom"));
  }

  function by(direction) {
    const now = state.mode === "page" ? pageShare(inView()) : state.share;
    const next = direction > 0 ? SHARES.find((s) => s > now + 0.001) : [...SHARES].reverse().find((s) => s < now - 0.001);
    state = { mode: "share", share: next === undefined ? now : next };
    apply(true);
  }
  const set = (next) => () => { state = next; apply(true); };

  const actions = {
    "zoom-in": () => by(1), "zoom-out": () => by(-1), "zoom-width": set({ mode: "share", share: 1 }),
    "zoom-page": set({ mode: "page" }), "zoom-half": set({ mode: "share", share: HALF }),
  };
  for (const [id, action] of Object.entries(actions)) document.getElementById(id).addEventListener("click", action);
  window.docnorm.key("+ =", actions["zoom-in"]);
  window.docnorm.key("-", actions["zoom-out"]);
  window.docnorm.key("0", actions["zoom-half"]);
  window.docnorm.key("w", actions["zoom-width"]);
  window.docnorm.key("f", actions["zoom-page"]);
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (state.mode === "page") apply(); }, 150);
  });
  apply();
})();
