// Dashboard charts: turns each server-drawn SVG chart into an interactive Vega-Lite chart (tooltips on hover).
// Progressive enhancement: without JavaScript, or if anything here fails, the server's SVG stays; the text
// summary (figcaption) and the data table are never touched.
//
// Works under the app's Content-Security-Policy (script-src 'self', no inline styles):
// - `ast: true` makes vega-embed evaluate Vega expressions with vega-interpreter instead of `new Function`;
// - `defaultStyle: false` and the tooltip's `disableDefaultStyle` stop both from injecting <style> elements
//   (their styles are in dashboard/charts.css).
// Loaded, after vega, vega-lite and vega-embed (built by frontend/build.mjs), only on pages with charts.
(function () {
  "use strict";
  if (typeof window.vegaEmbed !== "function") {
    return;
  }
  var lang = (document.documentElement.lang || "en").slice(0, 2);
  // Numbers in tooltips and axes the way the page's language writes them (d3-format locales).
  var LOCALES = {
    es: { decimal: ",", thousands: ".", grouping: [3], currency: ["", " €"] },
  };
  var options = {
    ast: true,
    actions: false,
    renderer: "svg",
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true, theme: "light" },
    logLevel: 0,
  };
  if (LOCALES[lang]) {
    options.formatLocale = LOCALES[lang];
  }

  document.querySelectorAll("figure[data-vega-spec]").forEach(function (figure) {
    var drawn = figure.querySelector(".cb-chart-static");
    var spec;
    try {
      spec = JSON.parse(figure.getAttribute("data-vega-spec"));
    } catch (error) {
      return;
    }
    var target = document.createElement("div");
    target.className = "cb-chart-interactive";
    figure.insertBefore(target, figure.firstChild);
    window
      .vegaEmbed(target, spec, options)
      .then(function (result) {
        var svg = target.querySelector("svg");
        var label = drawn && drawn.querySelector("svg title");
        if (svg && label) {
          // The interactive chart is described the same way as the static one.
          svg.setAttribute("aria-label", label.textContent);
        }
        if (drawn) {
          drawn.hidden = true;
        }
        figure.classList.add("cb-chart-figure--interactive");
        return result;
      })
      .catch(function () {
        target.remove(); // keep the server's chart
      });
  });
})();
