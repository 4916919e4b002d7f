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
  if (url.host === "stripe.fake.test") return fakeStripe(request, url);
  if (url.host.endsWith("-hang.fake.test")) return hangingProvider();
  return new Response(JSON.stringify({ error: `no fake for ${url.host}` }), { status: 502 });
}

/**
 * A provider that takes the request and does not answer in time (any `*-hang.fake.test`
 * host): only the adapters' PROVIDER_TIMEOUT_MS ends the wait, since it answers (so no run is
 * left holding a request) only after a test's 30 s timeout.
 */
function hangingProvider(): Promise<Response> {
  return new Promise((resolve) => setTimeout(() => resolve(new Response("too late", { status: 504 })), 40_000));
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

/**
 * Stripe (BILLING_PROVIDER=stripe with STRIPE_API_BASE=http://stripe.fake.test): exactly the
 * endpoints src/adapters/billing.ts calls, answering Stripe-shaped objects. Like Stripe it
 * checks the secret key, reads form-encoded bodies, and replays the first response of an
 * Idempotency-Key.
 */
type StripeObject = Record<string, unknown> & { id: string };
const stripeObjects = new Map<string, StripeObject>();
const stripeReplays = new Map<string, { status: number; body: string }>();
let stripeSeq = 0;

/** `a[b][0][c]=v` form fields as nested objects (arrays as objects keyed "0", "1", …, then listed). */
function parseStripeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, "").split("[");
    let node = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  const lists = (v: unknown): unknown => {
    if (!v || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return keys.map((k) => lists(o[k]));
    return Object.fromEntries(keys.map((k) => [k, lists(o[k])]));
  };
  return lists(root) as Record<string, unknown>;
}

function stripeError(status: number, message: string, type = "invalid_request_error"): Response {
  return new Response(JSON.stringify({ error: { type, message } }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

const stripeId = (prefix: string) => `${prefix}_fake${Date.now().toString(36)}${++stripeSeq}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function stripeSubscription(customer: unknown, price: unknown, metadata: unknown): StripeObject {
  const periodEnd = nowSeconds() + 30 * 86_400;
  return {
    id: stripeId("sub"),
    object: "subscription",
    customer,
    status: "active",
    cancel_at_period_end: false,
    canceled_at: null,
    trial_end: null,
    metadata: metadata ?? {},
    items: {
      object: "list",
      data: [
        {
          id: stripeId("si"),
          object: "subscription_item",
          price: { id: price, object: "price" },
          current_period_end: periodEnd,
        },
      ],
    },
  };
}

async function fakeStripe(request: Request, url: URL): Promise<Response> {
  if (!/^Bearer sk_test_\w+$/.test(request.headers.get("authorization") ?? ""))
    return stripeError(401, "Invalid API Key provided", "authentication_error");
  const key = request.headers.get("idempotency-key");
  const replayKey = key ? `${request.method} ${url.pathname} ${key}` : null;
  const replay = replayKey ? stripeReplays.get(replayKey) : undefined;
  if (replay) {
    return new Response(replay.body, {
      status: replay.status,
      headers: { "content-type": "application/json", "idempotent-replayed": "true" },
    });
  }
  const res = await stripeHandle(request, url);
  if (replayKey && request.method !== "GET") {
    const body = await res.clone().text();
    stripeReplays.set(replayKey, { status: res.status, body });
  }
  return res;
}

async function stripeHandle(request: Request, url: URL): Promise<Response> {
  const ok = (o: unknown) =>
    new Response(JSON.stringify(o), { status: 200, headers: { "content-type": "application/json" } });
  const body = request.method === "POST" ? parseStripeForm(await request.text()) : {};
  const path = url.pathname;
  if (request.method === "POST" && path === "/v1/customers") {
    const c: StripeObject = {
      id: stripeId("cus"),
      object: "customer",
      name: body.name,
      email: body.email ?? null,
      metadata: body.metadata ?? {},
    };
    stripeObjects.set(c.id, c);
    return ok(c);
  }
  if (request.method === "POST" && path === "/v1/checkout/sessions") {
    if (!stripeObjects.has(String(body.customer))) return stripeError(400, `No such customer: '${body.customer}'`);
    if (body.mode !== "subscription" && body.mode !== "payment") return stripeError(400, "Invalid mode");
    if (!Array.isArray(body.line_items) || body.line_items.length === 0) return stripeError(400, "Missing line_items");
    if (typeof body.success_url !== "string") return stripeError(400, "Missing success_url");
    const id = stripeId("cs");
    const s: StripeObject = {
      id,
      object: "checkout.session",
      mode: body.mode,
      customer: body.customer,
      line_items: body.line_items,
      metadata: body.metadata ?? {},
      subscription_data: body.subscription_data ?? null,
      status: "open",
      url: `https://checkout.stripe.fake.test/c/pay/${id}`,
    };
    stripeObjects.set(id, s);
    return ok(s);
  }
  if (request.method === "POST" && path === "/v1/billing_portal/sessions") {
    if (!stripeObjects.has(String(body.customer))) return stripeError(400, `No such customer: '${body.customer}'`);
    const id = stripeId("bps");
    return ok({
      id,
      object: "billing_portal.session",
      customer: body.customer,
      return_url: body.return_url,
      url: `https://billing.stripe.fake.test/p/session/${id}`,
    });
  }
  if (request.method === "POST" && path === "/v1/subscriptions") {
    if (!stripeObjects.has(String(body.customer))) return stripeError(400, `No such customer: '${body.customer}'`);
    const items = body.items as { price?: string }[] | undefined;
    if (!items?.[0]?.price) return stripeError(400, "Missing items[0][price]");
    const s = stripeSubscription(body.customer, items[0].price, body.metadata);
    stripeObjects.set(s.id, s);
    return ok(s);
  }
  if (request.method === "GET" && path === "/v1/subscriptions/search") {
    const m = /^metadata\['org_id'\]:'([^']*)'$/.exec(url.searchParams.get("query") ?? "");
    if (!m) return stripeError(400, "Unsupported search query");
    const data = [...stripeObjects.values()].filter(
      (o) => o.object === "subscription" && (o.metadata as Record<string, unknown>)?.org_id === m[1],
    );
    return ok({ object: "search_result", data, has_more: false, next_page: null, url: "/v1/subscriptions/search" });
  }
  const sub = /^\/v1\/subscriptions\/(\w+)$/.exec(path);
  if (sub) {
    const s = stripeObjects.get(sub[1] ?? "");
    if (s?.object !== "subscription") return stripeError(404, `No such subscription: '${sub[1]}'`);
    if (request.method === "GET") return ok(s);
    if (request.method === "DELETE") {
      if (s.status === "canceled") return stripeError(400, "This subscription has already been canceled.");
      Object.assign(s, { status: "canceled", canceled_at: nowSeconds(), cancel_at_period_end: false });
      return ok(s);
    }
    if (request.method === "POST") {
      if (s.status === "canceled")
        return stripeError(400, "A canceled subscription can only update its cancellation_details and metadata.");
      if (body.cancel_at_period_end !== undefined) s.cancel_at_period_end = body.cancel_at_period_end === "true";
      const items = body.items as { id?: string; price?: string }[] | undefined;
      const data = (s.items as { data: { id: string; price: { id: unknown } }[] }).data;
      if (items?.[0]?.price) {
        const item = data.find((i) => i.id === items[0]?.id);
        if (items[0].id && !item) return stripeError(400, `No such subscription item: '${items[0].id}'`);
        if (item) item.price = { id: items[0].price };
      }
      return ok(s);
    }
  }
  return stripeError(404, `Unrecognized request URL (${request.method}: ${path})`);
}
