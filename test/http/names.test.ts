import { beforeAll, describe, expect, it } from "vitest";
import { safeName } from "../../src/lib/names";
import { call, createUser, expectProblem, tenant } from "../harness";

type Schema = { $ref?: string; properties?: Record<string, Schema> };
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

/**
 * Issue 9 item 13: one rule for every name a person types (src/lib/names.ts, http/schemas.ts
 * `Name`). Each route below takes a name; the first test fails when a documented body gains a
 * `name` field that is not listed here.
 */
type NameRoute = { method: string; path: string; send: (name: string) => Promise<Awaited<ReturnType<typeof call>>> };

let t: Awaited<ReturnType<typeof tenant>>;
let agentId: string;
let routes: NameRoute[];

beforeAll(async () => {
  t = await tenant();
  const as =
    (method: string, path: string, org = true) =>
    (body: unknown) =>
      call(method, path, { token: t.owner.session, org: org ? t.org.id : undefined, body });
  agentId = (await as("POST", "/admin/agents")({ name: "Agent" })).json.id;
  routes = [
    {
      method: "POST",
      path: "/admin/organizations",
      // A new user each time: one user's organizations are limited (quotas).
      send: async (name) =>
        call("POST", "/admin/organizations", { token: (await createUser()).session, body: { name } }),
    },
    { method: "PATCH", path: "/admin/organization", send: (name) => as("PATCH", "/admin/organization")({ name }) },
    { method: "POST", path: "/admin/agents", send: (name) => as("POST", "/admin/agents")({ name }) },
    {
      method: "PATCH",
      path: "/admin/agents/{id}",
      send: (name) => as("PATCH", `/admin/agents/${agentId}`)({ name }),
    },
    { method: "POST", path: "/admin/knowledge-bases", send: (name) => as("POST", "/admin/knowledge-bases")({ name }) },
    {
      method: "POST",
      path: "/admin/organization-pats",
      send: (name) => as("POST", "/admin/organization-pats")({ name }),
    },
    {
      method: "POST",
      path: "/admin/account/tokens",
      send: (name) => as("POST", "/admin/account/tokens", false)({ name }),
    },
  ];
});

const REFUSED: [string, string][] = [
  ["NUL", "Acme\u0000Corp"],
  ["escape", "Acme\u001b[31m"],
  ["newline", "Acme\nCorp"],
  ["tab", "Acme\tCorp"],
  ["DEL", "Acme\u007f"],
  ["C1 control", "Acme\u0085"],
  ["right-to-left override", "Acme\u202Egpj.exe"],
  ["left-to-right embedding", "\u202AAcme"],
  ["right-to-left isolate", "Acme\u2067x\u2069"],
  ["left-to-right mark", "Acme\u200E"],
  ["right-to-left mark", "Ac\u200Fme"],
  ["Arabic letter mark", "Acme\u061Cx"],
  ["zero-width space", "Ac\u200Bme"],
  ["zero-width non-joiner", "Ac\u200Cme"],
  ["zero-width joiner", "Ac\u200Dme"],
  ["word joiner", "Ac\u2060me"],
  ["byte-order mark inside", "Ac\uFEFFme"],
  ["soft hyphen", "Ac\u00ADme"],
  ["line separator", "Acme\u2028Corp"],
  ["lone surrogate", "Acme\uD800"],
  ["HTML", "<script>alert(1)</script>"],
  ["an angle bracket", "Acme > Rivals"],
  ["blank", "   "],
  ["empty", ""],
  ["too long", "x".repeat(101)],
];

describe("human-entered names", () => {
  it("every documented body with a name field is listed here", async () => {
    const doc = (await call("GET", "/openapi.json")).json as Doc;
    const resolve = (s?: Schema) => (s?.$ref ? doc.components?.schemas?.[s.$ref.split("/").pop() ?? ""] : s);
    // A DNS record's `name` (POST /dev/dns) is a hostname, validated as one, not a name people type.
    const notPeoplesNames = new Set(["POST /dev/dns"]);
    const withName = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => resolve(op.requestBody?.content?.["application/json"]?.schema)?.properties?.name)
        .map(([method]) => `${method.toUpperCase()} ${path}`)
        .filter((route) => !notPeoplesNames.has(route)),
    );
    expect(withName.length).toBeGreaterThanOrEqual(7);
    expect(withName.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("refuse control, bidirectional and zero-width characters, angle brackets, blank and over-long names", async () => {
    for (const r of routes) {
      for (const [what, name] of REFUSED) {
        const res = await r.send(name);
        expect({ route: `${r.method} ${r.path}`, what, status: res.status }).toEqual({
          route: `${r.method} ${r.path}`,
          what,
          status: 400,
        });
        expectProblem(res, 400, "validation_failed");
        expect(res.json.errors.map((e: { field: string }) => e.field)).toContain("name");
      }
    }
  });

  it("accept letters of any script, punctuation and emoji; trimmed and NFC-normalised", async () => {
    for (const r of routes) {
      for (const [sent, stored] of [
        ["  Acme West  ", "Acme West"],
        ["Cafe\u0301 Ünïcode", "Café Ünïcode"],
        ["日本語の会社", "日本語の会社"],
        ['R&D "Labs" — O\'Brien', 'R&D "Labs" — O\'Brien'],
        ["🚀 Rocket", "🚀 Rocket"],
      ]) {
        const res = await r.send(sent as string);
        expect({ route: `${r.method} ${r.path}`, sent, status: res.status }).toEqual({
          route: `${r.method} ${r.path}`,
          sent,
          status: r.method === "POST" ? 201 : 200,
        });
        expect(res.json.name).toBe(stored);
      }
    }
  });

  it("billing address lines and agent descriptions refuse the same characters (descriptions keep line breaks)", async () => {
    const patch = (body: unknown) =>
      call("PATCH", "/admin/organization", { token: t.owner.session, org: t.org.id, body });
    expectProblem(await patch({ billing_address: { line1: "Main St\u202E1" } }), 400, "validation_failed");
    expectProblem(await patch({ billing_address: { city: "Ber\u0000lin" } }), 400, "validation_failed");
    expect((await patch({ billing_address: { line1: "  1 Main St ", city: "Berlin" } })).json.billing_address).toEqual({
      line1: "1 Main St",
      city: "Berlin",
    });
    const agent = (description: string) =>
      call("POST", "/admin/agents", { token: t.owner.session, org: t.org.id, body: { name: "A", description } });
    expectProblem(await agent("Hello\u202Edlrow"), 400, "validation_failed");
    expectProblem(await agent("Hello\u0000"), 400, "validation_failed");
    expect((await agent("Line one\nLine two\tindented")).status).toBe(201);
  });

  it("a name the product makes itself (first sign-in, from the e-mail) follows the rule", () => {
    expect(safeName("john", "x")).toBe("john");
    expect(safeName("jo\u202Ehn<b>", "x")).toBe("johnb");
    expect(safeName("\u200B\u0000", "My organization")).toBe("My organization");
  });
});
