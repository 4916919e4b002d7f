// The benchmark peer: Better Auth mounted in Hono as its Hono integration page shows, plus the
// same trivial floor route as ours (GET /healthz), so each side is measured against its own floor.
import { Hono } from "hono";
import { auth } from "./auth";

const app = new Hono();

app.get("/healthz", (c) => c.json({ status: "ok" }));
app.all("/api/auth/*", (c) => auth.handler(c.req.raw));

export default app;
