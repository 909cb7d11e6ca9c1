// docnorm viewer: the sticky header of the document view. Its height is kept in --head-h (the root's scroll-padding
// and the sticky parts below it use it, so nothing scrolls under it); on a phone its tools fold into one "Tools"
// menu; the downloads menu and the keyboard list (?) close with Escape or a click elsewhere; a legend too long for
// its row says how many kinds it hides ("+3 more") and opens to show them all.
"use strict";

(function () {
  const head = document.querySelector(".doc-head");
  if (!head) return;
  const root = document.documentElement;
  const measure = () => root.style.setProperty("--head-h", `${Math.ceil(head.getBoundingClientRect().height)}px`);
  new ResizeObserver(measure).observe(head);
  measure();
  if (!document.body.classList.contains("document-view") || !window.docnorm) return;
  const docnorm = window.docnorm;

  // Each popup: is it open, close it, and what a click may land on without closing it.
  const popups = [];
  function popup(isOpen, close, ...inside) {
    popups.push({ isOpen, close, inside });
    docnorm.onEscape(() => (isOpen() ? (close(), true) : false));
  }
  document.addEventListener("click", (event) => {
    for (const p of popups) {
      if (p.isOpen() && !p.inside.some((el) => el && el.contains(event.target))) p.close();
    }
  });

  const tools = document.getElementById("tools-button");
  if (tools) {
    const show = (on) => {
      head.classList.toggle("open", on);
      tools.setAttribute("aria-expanded", String(on));
    };
    tools.addEventListener("click", () => show(!head.classList.contains("open")));
    popup(() => head.classList.contains("open"), () => show(false), head);
    document.addEventListener("docnorm:chosen", () => show(false));
  }

  const downloads = document.getElementById("downloads");
  if (downloads) popup(() => downloads.open, () => { downloads.open = false; }, downloads);

  const keysButton = document.getElementById("keys-button");
  const keysHelp = document.getElementById("keys-help");
  if (keysButton && keysHelp) {
    const show = (on) => {
      keysHelp.hidden = !on;
      keysButton.setAttribute("aria-expanded", String(on));
    };
    keysButton.addEventListener("click", () => show(keysHelp.hidden));
    docnorm.key("?", () => show(keysHelp.hidden));
    popup(() => !keysHelp.hidden, () => show(false), keysHelp, keysButton);
  }

  // The legend keeps one row; the kinds past its end are counted on a button that opens it.
  const legend = document.getElementById("legend");
  const more = document.getElementById("legend-more");
  if (legend && more) {
    const count = () => {
      if (legend.classList.contains("open")) return;
      const right = legend.getBoundingClientRect().right;
      const hidden = [...legend.children].filter((item) => item.getBoundingClientRect().right > right + 1).length;
      more.hidden = hidden === 0;
      legend.classList.toggle("clipped", hidden > 0);
      more.textContent = `+${hidden} more`;
      more.title = `${hidden} more kind(s): show the whole legend`;
    };
    const show = (open) => {
      legend.classList.toggle("open", open);
      legend.classList.remove("clipped");
      legend.scrollLeft = 0;
      more.setAttribute("aria-expanded", String(open));
      if (open) more.textContent = "fewer";
      else count();
    };
    more.addEventListener("click", () => show(!legend.classList.contains("open")));
    legend.addEventListener("focusin", (event) => {  // tabbing (not a click) opens it: the keyboard reaches every kind
      if (!more.hidden && event.target.matches(":focus-visible")) show(true);
    });
    new ResizeObserver(count).observe(legend);
    count();
  }
})();
