/**
 * The third-party HTTP services the worker talks to, faked locally. Runs in Node (as
 * miniflare's outbound service): every fetch() the worker makes to the outside lands here.
 * Each fake checks what the real provider would check, so the adapters are tested for real.
 */
export async function fakeOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host === "mail.fake.test") return fakeMail(request, url);
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
