import { describe, expect, it } from "vitest";
import { CSS } from "../../src/console/assets";
import { DEFAULT_ACCENT, DEFAULT_PRIMARY } from "../../src/console/layout-view";
import { contrastRatio } from "../../src/lib/colour";

/** The declarations of each rule of the console's stylesheet, by selector as written. */
function rules(css: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const flat = css.replace(/@media[^{]*\{((?:[^{}]*\{[^}]*\})*)\}/g, "").replace(/\s+/g, " ");
  for (const m of flat.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const decls: Record<string, string> = {};
    for (const d of (m[2] ?? "").split(";")) {
      const i = d.indexOf(":");
      if (i > 0) decls[d.slice(0, i).trim()] = d.slice(i + 1).trim();
    }
    out.set((m[1] ?? "").trim(), decls);
  }
  return out;
}

const VARS: Record<string, string> = { "var(--primary)": DEFAULT_PRIMARY, "var(--accent)": DEFAULT_ACCENT };

/** A colour of the stylesheet (a default theme variable resolved), checked to be one. */
function hex(colour: string): string {
  const value = VARS[colour] ?? colour;
  expect(value, colour).toMatch(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i);
  return value;
}

const contrast = (a: string, b: string) => contrastRatio(hex(a), hex(b));

describe("console default theme: WCAG contrast", () => {
  const css = rules(CSS);
  const decl = (selector: string, property: string) => {
    const value = css.get(selector)?.[property];
    expect(value, `${selector} { ${property} }`).toBeDefined();
    return value as string;
  };
  const page = decl("body", "background");
  const card = decl("section,.card", "background");

  it("computes the known ratios (black on white 21:1, white on white 1:1)", () => {
    expect(contrast("#000", "#fff")).toBeCloseTo(21, 5);
    expect(contrast("#fff", "#ffffff")).toBeCloseTo(1, 5);
  });

  it("every text colour on its background is at least 4.5:1", () => {
    const pairs: [string, string, string][] = [
      ["body text on the page", decl("body", "color"), page],
      ["body text on a card", decl("body", "color"), card],
      ["links on a card", decl("a", "color"), card],
      ["links on the page", decl("a", "color"), page],
      ["header text", decl("header.top", "color"), decl("header.top", "background")],
      ["button text", decl("button,.button", "color"), decl("button,.button", "background")],
      ["danger button text", decl("button,.button", "color"), decl("button.danger", "background")],
      ["secondary button text", decl("button.secondary", "color"), decl("button.secondary", "background")],
      ["errors on a card", decl(".error", "color"), card],
      ["notes on a card", decl(".note", "color"), card],
      ["breadcrumbs on a card", decl(".crumb", "color"), card],
      ["badges", decl(".badge", "color"), decl(".badge", "background")],
      ["the switcher's panel", decl("#ctx-panel a", "color"), decl("#ctx-panel", "background")],
    ];
    for (const [what, fg, bg] of pairs) {
      expect(contrast(fg, bg), `${what}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("focus rings are at least 3:1 against what they surround (WCAG 1.4.11)", () => {
    const ring = (selector: string, property: string) => decl(selector, property).split(" ").at(-1) ?? "";
    const pairs: [string, string, string][] = [
      ["focus ring on a card", ring(":focus-visible", "outline"), card],
      ["focus ring on the page", ring(":focus-visible", "outline"), page],
      [
        "focus ring in the header",
        decl("header.top :focus-visible", "outline-color"),
        decl("header.top", "background"),
      ],
      ["focused tree item", ring("[role=treeitem]:focus>.node", "outline"), card],
      ["form field borders", ring("input,select", "border"), card],
    ];
    for (const [what, fg, bg] of pairs) {
      expect(contrast(fg, bg), `${what}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(3);
    }
  });
});
