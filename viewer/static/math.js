// docnorm viewer: mathematics typeset with the vendored KaTeX (viewer/static/katex), in the document and compare views.
// Formula blocks (server-rendered as their LaTeX source in <pre class="formula">) are typeset as displays; inline
// `$...$` and `\(...\)` in the text of other blocks are typeset in place. Only text nodes are read, and only KaTeX's
// own output is put in their place (trust off: no \href, \url, \includegraphics or HTML commands); provider HTML is
// never interpreted. A formula KaTeX cannot read keeps its source. Safe to call again: done ones are skipped.
"use strict";

const KATEX_OPTIONS = { throwOnError: true, trust: false, strict: "ignore", maxSize: 20, maxExpand: 200 };

// Inline math in running text: `\(...\)`, or `$...$` with no space just inside either dollar, no dollar, letter or
// backslash just before it and no digit just after it (so "$5 and $10" and "US$5" stay text). At most 400 characters.
const INLINE_MATH = /\\\(([^\n]{1,400}?)\\\)|(?<![\\$\w])\$(?![\s$])((?:\\.|[^$\\\n]){1,400}?)(?<![\s\\])\$(?![\d$\w])/g;
// Text under these is never typeset: code, layout-preserving text, diffs, marks, math already done.
const NO_MATH = "pre, code, .layout-text, .textdiff, .tablediff, mark, .katex, .chunk-head, script, style, textarea";

function typesetDisplays(root) {
  root.querySelectorAll("pre.formula:not(.typeset)").forEach((el) => {
    const tex = el.textContent;
    el.classList.add("typeset");
    el.dataset.latex = tex;
    const out = document.createElement("span");
    try {
      window.katex.render(tex, out, { ...KATEX_OPTIONS, displayMode: true });
      el.replaceChildren(out);
      el.classList.add("math");
    } catch (error) {
      el.classList.add("math-error");
      el.title = `LaTeX (not typeset: ${error.message})`;
    }
  });
}

// One text node's inline math, each piece KaTeX reads replaced by its rendering; the rest stays the same text.
function typesetText(node) {
  const text = node.nodeValue;
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(INLINE_MATH)) {
    const tex = m[1] !== undefined ? m[1] : m[2];
    const out = document.createElement("span");
    out.className = "math-inline";
    try {
      window.katex.render(tex, out, { ...KATEX_OPTIONS, displayMode: false });
    } catch (error) {
      continue;  // not LaTeX after all: left as the text it is
    }
    out.title = m[0];
    parts.push(document.createTextNode(text.slice(at, m.index)), out);
    at = m.index + m[0].length;
  }
  if (!parts.length) return;
  parts.push(document.createTextNode(text.slice(at)));
  node.replaceWith(...parts);
}

function typesetInline(root) {
  root.querySelectorAll(".content [data-block]:not([data-inline-math])").forEach((block) => {
    block.dataset.inlineMath = "1";
    if (block.closest(NO_MATH)) return;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (/[$\\]/.test(node.nodeValue) && !node.parentElement.closest(NO_MATH)
        ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
    });
    const found = [];
    while (walker.nextNode()) found.push(walker.currentNode);
    found.forEach(typesetText);
  });
}

function typeset(root) {
  if (!window.katex) return;
  typesetDisplays(root);
  typesetInline(root);
}
