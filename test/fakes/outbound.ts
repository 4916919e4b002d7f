/**
 * The third-party HTTP services the worker talks to, faked locally. Runs in Node (as
 * miniflare's outbound service): every fetch() the worker makes to the outside lands here.
 * Each fake checks what the real provider would check, so the adapters are tested for real.
 */
export async function fakeOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host === "mail.fake.test") return fakeMail(request, url);
  if (url.host === "carrier.fake.test") return fakeCarrier(request, url);
  if (url.host === "doh.fake.test") return fakeDoh(request, url);
  if (url.host === "cloudflare.fake.test") return fakeCloudflare(request, url);
  return new Response(JSON.stringify({ error: `no fake for ${url.host}` }), { status: 502 });
}

async function fakeMail(request: Request, url: URL): Promise<Response> {
  if (url.pathname === "/fail") return new Response("provider down", { status: 503 });
  if (request.method !== "POST" || url.pathname !== "/send") return new Response("not found", { status: 404 });
  if (request.headers.get("authorization") !== "Bearer fake-mail-key")
    return new Response("unauthorized", { status: 401 });
  if (!request.headers.get("idempotency-key")) return new Response("idempotency-key required", { status: 400 });
  const body = (await request.json()) as Record<string, unknown>;
  for (const f of ["from", "to", "subject", "text"]) {
    if (typeof body[f] !== "string" || body[f] === "") return new Response(`missing ${f}`, { status: 422 });
  }
  return new Response(JSON.stringify({ id: `msg_${Date.now()}` }), { status: 200 });
}

/** A telephony carrier (TELEPHONY_PROVIDER=http): one number per org from its own pool. */
const carrierNumbers = new Map<string, string>();
let carrierSeq = 0;

async function fakeCarrier(request: Request, url: URL): Promise<Response> {
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
  if (request.headers.get("authorization") !== "Bearer fake-carrier-key")
    return new Response("unauthorized", { status: 401 });
  if (request.method === "GET" && url.pathname === "/numbers") {
    const number = carrierNumbers.get(url.searchParams.get("org_id") ?? "");
    return json({ numbers: number ? [number] : [] });
  }
  if (request.method !== "POST") return new Response("not found", { status: 404 });
  if (!request.headers.get("idempotency-key")) return new Response("idempotency-key required", { status: 400 });
  const body = (await request.json()) as { org_id?: string };
  if (typeof body.org_id !== "string") return new Response("missing org_id", { status: 422 });
  const orgId = body.org_id;
  switch (url.pathname) {
    case "/trunks":
      return json({ id: `trk_fake${orgId.slice(4)}` });
    case "/numbers": {
      const number = carrierNumbers.get(orgId) ?? `+1666${String(++carrierSeq).padStart(7, "0")}`;
      carrierNumbers.set(orgId, number);
      return json({ number });
    }
    case "/numbers/release":
      carrierNumbers.delete(orgId);
      return json({ released: true });
    default:
      return new Response("not found", { status: 404 });
  }
}

/**
 * A DNS-over-HTTPS resolver (DOMAIN_PROVIDER=doh), JSON API as Cloudflare's and Google's serve
 * it. Tests set what it answers with `POST /_records {name, type, values}` (values [] removes).
 */
const dohRecords = new Map<string, string[]>();

async function fakeDoh(request: Request, url: URL): Promise<Response> {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/dns-json" } });
  if (request.method === "POST" && url.pathname === "/_records") {
    const body = (await request.json()) as { name: string; type: string; values: string[] };
    dohRecords.set(`${body.type}:${body.name.toLowerCase()}`, body.values);
    return json({ ok: true });
  }
  if (url.pathname === "/fail") return new Response("resolver down", { status: 503 });
  if (request.method !== "GET" || url.pathname !== "/dns-query") return new Response("not found", { status: 404 });
  if (request.headers.get("accept") !== "application/dns-json") return new Response("bad accept", { status: 415 });
  const name = url.searchParams.get("name")?.toLowerCase() ?? "";
  const type = url.searchParams.get("type") ?? "";
  if (!name || type !== "TXT") return json({ Status: 1 }, 400);
  const values = dohRecords.get(`TXT:${name}`) ?? [];
  if (values.length === 0) return json({ Status: 3, Question: [{ name, type: 16 }] });
  // Long TXT values come split in 255-byte strings, each quoted.
  const quoted = (v: string) => (v.match(/.{1,255}/g) ?? [""]).map((p) => `"${p}"`).join(" ");
  return json({
    Status: 0,
    Question: [{ name, type: 16 }],
    Answer: values.map((v) => ({ name, type: 16, TTL: 300, data: quoted(v) })),
  });
}

/**
 * Cloudflare for SaaS custom hostnames (DOMAIN_PROVIDER=cloudflare) for zone `zone-test` with
 * token `fake-cf-token`. New hostnames are pending; tests move one with
 * `POST /_test/custom_hostnames/{hostname} {status, ssl_status, verification_errors?}`.
 */
type FakeHostname = {
  id: string;
  hostname: string;
  status: string;
  ssl: { status: string; method: string; type: string };
  ownership_verification: { type: string; name: string; value: string };
  verification_errors?: string[];
  created_at: string;
};
const cfHostnames = new Map<string, FakeHostname>();
let cfSeq = 0;

async function fakeCloudflare(request: Request, url: URL): Promise<Response> {
  const ok = (result: unknown, status = 200) =>
    new Response(JSON.stringify({ success: true, errors: [], messages: [], result }), { status });
  const fail = (status: number, code: number, message: string) =>
    new Response(JSON.stringify({ success: false, errors: [{ code, message }], messages: [], result: null }), {
      status,
    });
  const test = /^\/_test\/custom_hostnames\/([^/]+)$/.exec(url.pathname);
  if (test && request.method === "POST") {
    const h = [...cfHostnames.values()].find((x) => x.hostname === decodeURIComponent(test[1] ?? ""));
    if (!h) return fail(404, 1436, "Custom hostname not found.");
    const body = (await request.json()) as { status?: string; ssl_status?: string; verification_errors?: string[] };
    if (body.status) h.status = body.status;
    if (body.ssl_status) h.ssl.status = body.ssl_status;
    h.verification_errors = body.verification_errors;
    return ok(h);
  }
  if (request.headers.get("authorization") !== "Bearer fake-cf-token") return fail(403, 10000, "Authentication error");
  const m = /^\/client\/v4\/zones\/([^/]+)\/custom_hostnames(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m) return fail(404, 7003, "No route for that URI");
  if (m[1] !== "zone-test") return fail(404, 1001, "Invalid zone identifier");
  const id = m[2];
  if (!id && request.method === "POST") {
    const body = (await request.json()) as { hostname?: string; ssl?: { method?: string; type?: string } };
    if (typeof body.hostname !== "string" || !body.ssl?.method) return fail(400, 1409, "Invalid hostname or ssl.");
    if ([...cfHostnames.values()].some((h) => h.hostname === body.hostname)) {
      return fail(409, 1406, "Duplicate custom hostname found.");
    }
    cfSeq += 1;
    const h: FakeHostname = {
      id: `cfh${String(cfSeq).padStart(6, "0")}`,
      hostname: body.hostname,
      status: "pending",
      ssl: { status: "pending_validation", method: body.ssl.method, type: body.ssl.type ?? "dv" },
      ownership_verification: {
        type: "txt",
        name: `_cf-custom-hostname.${body.hostname}`,
        value: crypto.randomUUID(),
      },
      created_at: new Date().toISOString(),
    };
    cfHostnames.set(h.id, h);
    return ok(h, 201);
  }
  if (!id && request.method === "GET") {
    const hostname = url.searchParams.get("hostname");
    return ok([...cfHostnames.values()].filter((h) => !hostname || h.hostname === hostname));
  }
  const h = id ? cfHostnames.get(id) : undefined;
  if (!h) return fail(404, 1436, "Custom hostname not found.");
  if (request.method === "GET") return ok(h);
  if (request.method === "DELETE") {
    cfHostnames.delete(h.id);
    return ok({ id: h.id });
  }
  return fail(405, 10000, "Method not allowed");
}
