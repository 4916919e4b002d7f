// Reads .dev.vars, creating it from .dev.vars.example with random secrets on a fresh clone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

export function parseVars(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return out;
}

export function ensureDevVars(dir = process.cwd()) {
  const path = `${dir}/.dev.vars`;
  if (!existsSync(path)) {
    const example = readFileSync(`${dir}/.dev.vars.example`, "utf8");
    const filled = example.replace(
      /^([A-Z0-9_]+)=generate$/gm,
      (_, k) => `${k}=${randomBytes(32).toString("base64url")}`,
    );
    writeFileSync(path, filled, { mode: 0o600 });
  }
  return parseVars(readFileSync(path, "utf8"));
}

/** For tests: the values of .dev.vars if present, else freshly generated ones (nothing written). */
export function testVars(dir = process.cwd()) {
  const path = `${dir}/.dev.vars`;
  if (existsSync(path)) return parseVars(readFileSync(path, "utf8"));
  const example = parseVars(readFileSync(`${dir}/.dev.vars.example`, "utf8"));
  for (const k of Object.keys(example))
    if (example[k] === "generate") example[k] = randomBytes(32).toString("base64url");
  return example;
}

/** The named variables of the calling shell that are set, for the test bindings. */
export function shellVars(names) {
  return Object.fromEntries(names.filter((n) => process.env[n] !== undefined).map((n) => [n, process.env[n]]));
}
