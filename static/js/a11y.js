/* Keyboard use on every page: focus survives an htmx swap.
 *
 * A swap replaces the form that holds the control the user just changed (a condition pill moved
 * with the arrow keys, a period chosen in a select). Without help focus falls back to <body> and
 * the next Tab lands on the first link of the page or the footer. Before the swap we note which
 * control had focus (its id, or its name and value); after the swap we focus the same control in
 * the new content, without scrolling. htmx itself only does this for controls with an id.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");
  var remembered = null;

  function describe(el) {
    if (!el || el === document.body || !el.tagName) return null;
    return {
      id: el.id || "",
      name: el.getAttribute("name") || "",
      value: el.type === "radio" || el.type === "checkbox" ? el.value : null,
      tag: el.tagName.toLowerCase(),
      form: el.form && el.form.id ? el.form.id : "",
    };
  }

  function cssEscape(text) {
    return window.CSS && window.CSS.escape ? window.CSS.escape(text) : text.replace(/"/g, '\\"');
  }

  function find(note, root) {
    if (note.id) {
      var byId = document.getElementById(note.id);
      if (byId) return byId;
    }
    if (!note.name) return null;
    var selector = note.tag + '[name="' + cssEscape(note.name) + '"]';
    if (note.value !== null) selector += '[value="' + cssEscape(note.value) + '"]';
    return (root && root.querySelector(selector)) || document.querySelector(selector);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var active = document.activeElement;
    remembered = null;
    if (target && active && active !== document.body && target.contains(active)) {
      remembered = describe(active);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var note = remembered;
    remembered = null;
    if (!note) return;
    var active = document.activeElement;
    // The user may have moved on during the request; only restore a focus that was lost.
    if (active && active !== document.body && document.body.contains(active)) return;
    var target = event.detail && event.detail.target;
    var el = find(note, target);
    if (el && typeof el.focus === "function") el.focus({ preventScroll: true });
  });

  /* A table that is wider than its box scrolls inside it (.table-wrap); keyboard users need to
   * reach that box to scroll it, so it becomes a named, focusable region while (and only while)
   * it overflows. Tables that fit add no Tab stop. */
  function labelFor(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var block = wrap.closest("section[aria-labelledby]");
    var title = block && document.getElementById(block.getAttribute("aria-labelledby"));
    return title ? title.textContent.trim() : "Tabel";
  }
  function markScrollers(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll(".table-wrap"), function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", labelFor(wrap) + " (schuift zijwaarts)");
        wrap.setAttribute("data-scroller", "");
      } else if (!scrolls && wrap.hasAttribute("data-scroller")) {
        ["tabindex", "role", "aria-label", "data-scroller"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    });
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      markScrollers(document);
    }, 150);
  });
  document.addEventListener("DOMContentLoaded", function () {
    markScrollers(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    markScrollers(event.detail && event.detail.target ? event.detail.target : document);
  });
  // Closed <details> hold tables of zero width; opening one may reveal a wide table.
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.open) markScrollers(event.target);
    },
    true
  );
})();
