/**
 * The third-party HTTP services the worker talks to, faked locally. Runs in Node (as
 * miniflare's outbound service): every fetch() the worker makes to the outside lands here.
 * Each fake checks what the real provider would check, so the adapters are tested for real.
 */
export async function fakeOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host === "mail.fake.test") return fakeMail(request, url);
  if (url.host === "carrier.fake.test") return fakeCarrier(request, url);
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
