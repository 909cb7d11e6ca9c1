// docnorm viewer: layout-preserving text (LLMWhisperer's) keeps its columns and fits its column of the page: each
// page's text gets one font size, from 12 px down to 9 px, so its longest line fits; a line longer still scrolls in its
// own box, its cut edge shaded. Refitted when the column changes width (zoom, the inspector, a resize).
"use strict";

(function () {
  const pages = document.getElementById("pages");
  if (!document.body.classList.contains("document-view") || !pages) return;
  const LARGEST = 12;
  const SMALLEST = 9;

  function fit(content) {
    const texts = [...content.querySelectorAll("p.layout-text")];
    if (!texts.length || !content.clientWidth) return;
    content.style.setProperty("--layout-font", `${LARGEST}px`);
    const widest = Math.max(...texts.map((p) => p.scrollWidth / Math.max(p.clientWidth, 1)));
    const size = Math.max(SMALLEST, Math.min(LARGEST, Math.floor((LARGEST / widest) * 4) / 4));
    content.style.setProperty("--layout-font", `${size}px`);
    texts.forEach((p) => p.classList.toggle("scrolls", p.scrollWidth > p.clientWidth + 1));
  }

  const resized = new ResizeObserver((entries) => entries.forEach((entry) => fit(entry.target)));
  function watch() {
    pages.querySelectorAll(".content:not([data-fitted])").forEach((content) => {
      if (!content.querySelector("p.layout-text")) return;
      content.dataset.fitted = "1";
      resized.observe(content);
    });
  }
  document.addEventListener("docnorm:pages", watch);
  watch();
})();
