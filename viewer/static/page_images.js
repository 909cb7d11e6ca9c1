// docnorm viewer: the source pages under the boxes (document and compare views), and the "enlarge" button.
"use strict";

// Each page's image loads once its page comes near the view (opening a document never waits for images), at
// the width it is drawn times the screen's pixel ratio, and again sharper when the page is shown large. A page
// the server cannot render shows the server's reason.
(function () {
  const WIDTHS = [400, 800, 1200, 1600, 2400];
  const widthFor = (img) => {
    const px = img.ownerSVGElement.getBoundingClientRect().width * (window.devicePixelRatio || 1);
    return WIDTHS.find((w) => w >= px) || WIDTHS[WIDTHS.length - 1];
  };
  function load(img) {
    const width = widthFor(img);
    if (Number(img.dataset.width || 0) >= width) return;
    img.dataset.width = String(width);
    img.setAttribute("href", `${img.dataset.src}&w=${width}`);
  }
  async function failed(img) {
    const card = img.closest(".layout").querySelector(".image-error");
    img.remove();
    if (!card) return;
    let reason = "the page image could not be loaded";
    try {
      const response = await fetch(`${img.dataset.src}&w=${img.dataset.width}`);
      if (!response.ok) reason = (await response.text()).slice(0, 300);
    } catch (error) { /* the server is gone: the generic reason stands */ }
    card.textContent = `Page image: ${reason}`;
    card.hidden = false;
  }
  const near = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      near.unobserve(entry.target);
      load(entry.target.querySelector("image.page-image"));
    }
  }, { rootMargin: "400px" });
  function watch(root) {
    root.querySelectorAll("image.page-image[data-src]:not([data-watched])").forEach((img) => {
      img.dataset.watched = "1";
      img.addEventListener("load", () => img.ownerSVGElement.classList.add("image-loaded"));
      img.addEventListener("error", () => failed(img));
      near.observe(img.ownerSVGElement);
    });
  }
  watch(document);
  new MutationObserver(() => watch(document)).observe(document.body, { childList: true, subtree: true });
  // A page drawn larger (zoom) asks for a sharper image; a smaller one keeps what it has.
  document.addEventListener("docnorm:zoom", () => document.querySelectorAll("image.page-image[data-width]").forEach(load));

  const show = document.getElementById("show-image");
  if (show) show.addEventListener("change", () => document.body.classList.toggle("hide-image", !show.checked));
  const opacity = document.getElementById("box-opacity");
  if (opacity) opacity.addEventListener("input", () => document.body.style.setProperty("--box-alpha", opacity.value));
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.enlarge");
    if (!button) return;
    const section = button.closest("section.page");
    const large = section.classList.toggle("large");
    button.textContent = large ? "smaller" : "enlarge";
    section.querySelectorAll("image.page-image[data-width]").forEach(load);
    if (large) section.scrollIntoView({ block: "start" });  // below the sticky header: the root's scroll-padding
  });
})();
