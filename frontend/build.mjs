// Builds CivicBuy's front-end assets from npm packages into src/civicbuy/static/civicbuy/build/
// (ignored by git): the stylesheet compiled from Sass, and the scripts copied from their packages.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src", "civicbuy", "static", "civicbuy", "build");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "frontend", "scss", "civicbuy.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "civicbuy.css"), css.css);

const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  // Interactive dashboard charts (loaded only on pages with charts); vega-embed bundles vega-interpreter,
  // which evaluates Vega expressions without eval, as the app's Content-Security-Policy requires.
  ["vega/build/vega.min.js", "vega.min.js"],
  ["vega-lite/build/vega-lite.min.js", "vega-lite.min.js"],
  ["vega-embed/build/vega-embed.min.js", "vega-embed.min.js"],
];
// The packages' source maps are not copied, so their "sourceMappingURL" comments are dropped: a comment naming a
// missing file makes collectstatic warn and a browser's developer tools ask for a file that is not there.
const sourceMap = /\n?\/\/# sourceMappingURL=\S+\s*$/;
for (const [from, to] of copies) {
  const script = readFileSync(join(root, "node_modules", from), "utf8");
  writeFileSync(join(out, to), script.replace(sourceMap, "\n"));
}
console.log(`Built front-end assets in ${out}`);
