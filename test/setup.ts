import { applyD1Migrations, env } from "cloudflare:test";
// Loads the app so capabilities register their org-creation hooks (the provisioning
// outbox) before tests create organizations directly through the service.
import "../src/worker";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
