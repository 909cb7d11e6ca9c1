// docnorm viewer: searching the document view. The results open under the search box and close with Escape, a
// click elsewhere, their × or choosing one; Enter in the box (or /) brings them back. Each snippet comes cut at
// word boundaries (viewer/layout.py `snippet`) and shows the query in a <mark>, built from text nodes, never as HTML.
"use strict";

(function () {
  const form = document.getElementById("search-form");
  if (!document.body.classList.contains("document-view") || !form) return;
  const docnorm = window.docnorm;
  const panel = document.getElementById("hits-panel");
  const list = document.getElementById("hits");
  const input = document.getElementById("search");
  const params = (q) => new URLSearchParams({ f: document.body.dataset.file, i: document.body.dataset.index, q });
  let listed = null;  // the query the list holds results for

  const open = () => { panel.hidden = !list.children.length; };
  const close = () => {
    if (panel.hidden) return false;
    panel.hidden = true;
    if (panel.contains(document.activeElement)) input.focus();
    return true;
  };

  // The snippet with each occurrence of the query in a <mark>.
  function highlighted(snippet, q) {
    const out = document.createDocumentFragment();
    const lower = snippet.toLowerCase();
    const needle = q.trim().toLowerCase();
    let at = 0;
    while (needle) {
      const found = lower.indexOf(needle, at);
      if (found < 0) break;
      out.append(snippet.slice(at, found));
      const mark = document.createElement("mark");
      mark.textContent = snippet.slice(found, found + needle.length);
      out.append(mark);
      at = found + needle.length;
    }
    out.append(snippet.slice(at));
    return out;
  }

  async function goToHit(page, block) {
    await docnorm.showPage(page);
    await docnorm.select(block, "search");
  }

  function item(hit, q) {
    const li = document.createElement("li");
    li.className = "hit";
    li.tabIndex = 0;
    li.dataset.block = hit.block;
    li.dataset.page = hit.page;
    li.append(`page ${hit.page} · ${hit.kind}: `, highlighted(hit.snippet, q));
    return li;
  }

  function choose(li) {
    close();
    document.dispatchEvent(new CustomEvent("docnorm:chosen"));  // a phone's Tools menu folds away
    goToHit(Number(li.dataset.page), li.dataset.block);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value;
    if (!q.trim()) {
      close();
      docnorm.say("");
      return;
    }
    if (q === listed && list.children.length) return open();  // the same query: its results again
    const response = await fetch(`/api/search?${params(q)}`);
    const { hits, total } = await response.json();
    listed = q;
    list.replaceChildren(...hits.map((hit) => item(hit, q)));
    open();
    docnorm.say(!total ? `No block contains “${q}”.` : total > hits.length
      ? `${total} blocks contain “${q}”; the first ${hits.length} are listed.`
      : `${total} block${total === 1 ? "" : "s"} contain${total === 1 ? "s" : ""} “${q}”.`);
    if (hits.length) goToHit(hits[0].page, hits[0].block);
  });
  list.addEventListener("click", (event) => {
    const li = event.target.closest("li.hit");
    if (li) choose(li);
  });
  list.addEventListener("keydown", (event) => {
    const li = event.target.closest("li.hit");
    if (!li) return;
    const moves = { ArrowDown: li.nextElementSibling, ArrowUp: li.previousElementSibling };
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      choose(li);
    } else if (event.key in moves) {
      event.preventDefault();
      (moves[event.key] || li).focus();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && !panel.hidden && list.firstElementChild) {
      event.preventDefault();
      list.firstElementChild.focus();
    }
  });
  document.getElementById("hits-close").addEventListener("click", close);
  document.addEventListener("click", (event) => {
    if (!form.contains(event.target)) close();
  });
  docnorm.onEscape(close);
  docnorm.key("/", () => {
    input.focus();
    input.select();
  });
})();
