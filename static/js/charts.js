/* Draws every Plotly figure on the page, on load and after every htmx swap.
 *
 * A figure travels as JSON in <script type="application/json" id="figuur-…"> (data, not code, so a
 * strict Content-Security-Policy holds); its container names it in data-figure. Clicking a region
 * on a map (or a point carrying a URL) opens that region's page: the URL is in customdata.
 */
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
  };

  function urlOf(point) {
    var custom = point.customdata;
    if (custom === undefined && point.data && point.data.customdata) {
      custom = point.data.customdata[0];
    }
    if (Array.isArray(custom)) custom = custom[0];
    if (typeof custom === "string" && custom.charAt(0) === "/") return custom;
    if (point.data && point.data.meta && typeof point.data.meta.url === "string") {
      return point.data.meta.url;
    }
    return null;
  }

  /* Each drawn figure is watched: when its container changes size (a window resize, a grid
   * column that wraps), Plotly redraws it to the new width. The container holds the figure's own
   * height, because Plotly's resize measures the container: an empty one measures its
   * min-height, which left every chart 300 px high after a resize. */
  var watcher = null;
  var pending = new Set();
  function resizeLater(el) {
    if (pending.has(el)) return;
    pending.add(el);
    window.requestAnimationFrame(function () {
      pending.delete(el);
      if (!document.body.contains(el)) {
        if (watcher) watcher.unobserve(el);
        return;
      }
      if (el.getAttribute("data-drawn") && window.Plotly) window.Plotly.Plots.resize(el);
    });
  }
  function watch(el) {
    if (!("ResizeObserver" in window)) return;
    if (!watcher) {
      watcher = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          resizeLater(entry.target);
        });
      });
    }
    watcher.observe(el);
  }

  function draw(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    var containers = root.querySelectorAll("[data-figure]");
    if (root.matches && root.matches("[data-figure]")) containers = [root];
    Array.prototype.forEach.call(containers, function (el) {
      if (el.getAttribute("data-drawn")) return;
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      if (!figure) return;
      el.setAttribute("data-drawn", "1");
      var height = (figure.layout && figure.layout.height) || Number(el.getAttribute("data-height"));
      if (height) el.style.height = height + "px";
      window.Plotly.newPlot(el, figure.data, figure.layout, CONFIG).then(function (gd) {
        watch(gd);
        var block = el.closest(".chart-block");
        if (block) block.classList.add("has-figure");
        gd.on("plotly_click", function (event) {
          var url = event && event.points && event.points.length ? urlOf(event.points[0]) : null;
          if (url) window.location.assign(url);
        });
      });
    });
  }

  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:load", function (event) {
    draw(event.detail && event.detail.elt ? event.detail.elt : document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    draw(event.detail && event.detail.target ? event.detail.target : document);
  });
})();
