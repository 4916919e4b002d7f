import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { MAX_BODY_BYTES, MAX_HEADER_BYTES } from "../../src/http/limits";
import { emailCodes } from "../../src/db/schema";
import { call, db, dispatch, expectProblem, tenant, uniq } from "../harness";

describe("request limits", () => {
  it("a body that is not JSON gets 415, on sign-in and on admin routes alike, and writes nothing", async () => {
    const before = (await db().select({ n: count() }).from(emailCodes))[0]?.n;
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await call("POST", "/auth/email/start", {
        rawBody: `email=${uniq("f")}@example.com`,
        headers: { "content-type": type },
      });
      expectProblem(r, 415, "unsupported_media_type");
    }
    expect((await db().select({ n: count() }).from(emailCodes))[0]?.n).toBe(before);
    const t = await tenant();
    const r = await call("POST", "/admin/organization-pats", {
      token: t.key,
      rawBody: JSON.stringify({ name: "x" }),
      headers: { "content-type": "text/plain" },
    });
    expectProblem(r, 415, "unsupported_media_type");
  });

  it("a bodiless POST or DELETE as it reaches the worker over HTTP (an empty body, content-length 0, no type) is no body", async () => {
    // curl -XPOST and fetch(url, { method: "POST" }) send no body and no content-type; the runtime
    // hands the worker an empty body stream with content-length: 0 (seen under wrangler dev).
    const bodiless = (method: string, path: string, token: string) =>
      dispatch(
        new Request(`http://api.test${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-length": "0" },
          body: "",
        }),
      );
    const t = await tenant();
    const started = await call("POST", "/admin/calls", {
      token: t.key,
      body: { channel: "voice", direction: "inbound" },
    });
    expect(started.status).toBe(201);
    const hb = await bodiless("POST", `/admin/calls/${started.json.id}/heartbeat`, t.key);
    expect(hb.status).toBe(200);
    const ended = await bodiless("POST", `/admin/calls/${started.json.id}/end`, t.key);
    expect(ended.status).toBe(200);
    expect(await ended.json()).toMatchObject({ id: started.json.id, status: "ended" });
    const inv = await call("POST", "/admin/invitations", {
      token: t.key,
      body: { email: `${uniq("e")}@example.com`, role: "member" },
    });
    expect(inv.status).toBe(201);
    expect((await bodiless("DELETE", `/admin/invitations/${inv.json.id}`, t.key)).status).toBe(204);
    // A route whose body is required asks for JSON with a 415 problem (it was a 500: zod-openapi's own 415).
    const noBody = await bodiless("POST", "/admin/calls", t.key);
    expect(noBody.status).toBe(415);
    expect(noBody.headers.get("content-type")).toContain("application/problem+json");
    expect(await noBody.json()).toMatchObject({ code: "unsupported_media_type" });
  });

  it("application/json with a charset, and +json types, are JSON", async () => {
    const r = await call("POST", "/auth/email/start", {
      rawBody: JSON.stringify({ email: `${uniq("cs")}@example.com` }),
      headers: { "content-type": "application/json; charset=utf-8", "cf-connecting-ip": "192.0.2.50" },
    });
    expect(r.status).toBe(202);
  });

  it("a body above the documented size gets 413 before it is read in full", async () => {
    const big = JSON.stringify({ email: "x@example.com", pad: "x".repeat(MAX_BODY_BYTES) });
    expectProblem(await call("POST", "/auth/email/start", { rawBody: big }), 413, "payload_too_large");
    // Without a content-length (a stream), the limit holds too.
    const chunks = new ReadableStream({
      start(ctl) {
        for (let i = 0; i < 10; i++) ctl.enqueue(new TextEncoder().encode("x".repeat(MAX_BODY_BYTES / 4)));
        ctl.close();
      },
    });
    const res = await exports.default.fetch(
      new Request("http://api.test/auth/email/start", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunks,
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });

  it("oversized headers get 431", async () => {
    const r = await call("GET", "/healthz", { headers: { "x-padding": "x".repeat(MAX_HEADER_BYTES) } });
    expectProblem(r, 431, "headers_too_large");
  });

  it("a malformed or control-character org segment in /v1/orgs/{org}/… is a 400 problem, never a 500", async () => {
    for (const segment of ["%E0%A4%A", "%", "a%00b", "a%0d%0ab", "%0A", "x%ZZ"]) {
      const r = await call("GET", `/v1/orgs/${segment}/members`);
      expectProblem(r, 400, "validation_failed");
      expect(r.text).not.toMatch(/at .*\.ts|TypeError|stack/i);
    }
  });
});
