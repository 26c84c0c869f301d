// actfn atlas: render the formulas with the vendored KaTeX and filter the sidebar (and
// the index table) by the search box. No network: KaTeX and the index ship with the site.
(function () {
  "use strict";
  function renderMath() {
    if (!window.katex) { return; }
    document.querySelectorAll(".math[data-tex]").forEach(function (el) {
      window.katex.render(el.getAttribute("data-tex"), el, {
        displayMode: el.classList.contains("display"),
        throwOnError: true,
        output: "htmlAndMathml"
      });
    });
  }
  function matcher(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var index = window.ACTFN_INDEX || {};
    return function (name) {
      var hay = (index[name] || name).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    };
  }
  function filter() {
    var box = document.getElementById("search");
    var match = matcher(box.value);
    var shown = 0;
    document.querySelectorAll("[data-name]").forEach(function (el) {
      var ok = match(el.getAttribute("data-name"));
      el.classList.toggle("hidden", !ok);
      if (ok && el.tagName === "LI") { shown += 1; }
    });
    document.getElementById("no-match").hidden = shown > 0;
  }
  function setup() {
    renderMath();
    var box = document.getElementById("search");
    if (!box) { return; }
    box.addEventListener("input", filter);
    box.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter") { return; }
      var first = document.querySelector("#nav-list li:not(.hidden) a");
      if (first) { window.location.href = first.getAttribute("href"); }
    });
    var current = document.querySelector("#nav-list li.current");
    if (current) { current.scrollIntoView({block: "nearest"}); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
