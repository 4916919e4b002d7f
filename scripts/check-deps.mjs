// The dependency-direction check run by `npm test`: imports point down, never up.
// The rules are written out in docs/CONVENTIONS.md ("Dependencies point down").
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

const SRC = "src";
/** Folders below the capabilities, lowest first; each may import only the ones before it. */
const FOUNDATION = ["lib", "db", "adapters", "http", "auth"];
const MAY_IMPORT = {
  lib: ["lib"],
  db: ["lib", "db"],
  adapters: ["lib", "db", "adapters", "env"],
  http: ["lib", "db", "http", "env"],
  auth: ["lib", "db", "auth", "env"],
};
/** Files that speak HTTP: route files, the request guards and middleware, schemas and views. */
/** Server-rendered pages (hono/jsx) are views and routes too: `*view(s).tsx`, `*route(s).tsx`. */
const SPEAKS_HTTP = /(^|[-/])(routes?|guards?|middleware|schemas|views?|docs-page)\.ts$|(^|[-/])(routes?|views?)\.tsx$/;

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** `src/members/service.ts` → "members"; `src/env.ts` → "env". */
function areaOf(file) {
  const rel = relative(SRC, file);
  return rel.includes("/") ? rel.split("/")[0] : rel.replace(/\.tsx?$/, "");
}

function importsOf(text) {
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)";/gms)].map((m) => m[1]);
}

export function violations(files = filesUnder(SRC)) {
  const found = [];
  for (const file of files) {
    const area = areaOf(file);
    const rel = relative(SRC, file);
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      const bad = (why) => found.push(`${file} imports ${spec}: ${why}`);
      if (spec === "hono" || spec.startsWith("hono/") || spec.startsWith("@hono/")) {
        if (area === "db" || area === "lib" || area === "adapters") bad(`${area}/ never speaks HTTP`);
        else if (!["http", "dev", "app", "worker"].includes(area) && !SPEAKS_HTTP.test(rel)) {
          bad("only route, guard, middleware, schema and view files speak HTTP; services take plain inputs");
        }
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = relative(SRC, normalize(join(dirname(file), spec)));
      if (target.startsWith("..")) continue;
      const to = target.includes("/") ? target.split("/")[0] : target.replace(/\.tsx?$/, "");
      if (to === "app" || to === "worker") {
        if (area !== "worker") bad("nothing imports the composition root");
        continue;
      }
      if (MAY_IMPORT[area] && !MAY_IMPORT[area].includes(to)) {
        bad(`${area}/ may import only ${MAY_IMPORT[area].join(", ")}`);
        continue;
      }
      if (to === "http" && !FOUNDATION.includes(area) && !["dev", "app", "worker"].includes(area)) {
        if (!SPEAKS_HTTP.test(rel)) bad("a service never imports http/; throw an AppError from lib/errors.ts");
      }
    }
  }
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = violations();
  for (const v of found) console.error(v);
  if (found.length > 0) {
    console.error(`\n${found.length} import(s) point the wrong way (docs/CONVENTIONS.md, "Dependencies point down").`);
    process.exit(1);
  }
  console.log("dependency direction: ok");
}
