// Builds panels/static from the govuk-frontend package and frontend/.
// panels/static is generated: never commit it.
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "panels", "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
for (const dir of ["css", "js", "images"]) mkdirSync(join(out, dir), { recursive: true });

const css = compile(join(root, "frontend", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "app.css"), css.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
cpSync(join(root, "frontend", "app.mjs"), join(out, "js", "app.mjs"));
cpSync(join(root, "frontend", "favicon.svg"), join(out, "images", "favicon.svg"));
console.log(`built ${out}`);
