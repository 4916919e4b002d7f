import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { phoneNumberPool, phoneNumbers } from "../../src/db/schema";
import { carrierFor } from "../../src/adapters/telephony";
import { resourceHooks } from "../../src/resources/cleanup";
import { call, db, tenant, waitFor } from "../harness";
import { deliver } from "../provisioning/helpers";

/** Issue 9 item 5: each free org took a number from the shared pool for ever. */
const heldBy = async (orgId: string) => db().select().from(phoneNumberPool).where(eq(phoneNumberPool.orgId, orgId));

const httpEnv = {
  ...env,
  TELEPHONY_PROVIDER: "http",
  TELEPHONY_API_URL: "https://carrier.fake.test",
  TELEPHONY_API_KEY: "fake-carrier-key",
};

describe("phone numbers go back to the pool", () => {
  it("deleting an organization returns its number, which the next organization can take", async () => {
    const t = await tenant();
    await deliver("provisioning", [{ orgId: t.org.id }]);
    const [held] = await heldBy(t.org.id);
    if (!held) throw new Error("provisioning assigned no number");
    const del = await call("DELETE", "/admin/organization", {
      token: t.owner.session,
      org: t.org.id,
      body: { slug: t.org.slug },
    });
    expect(del.status).toBe(204);
    expect(await heldBy(t.org.id)).toEqual([]);
    const [again] = await db().select().from(phoneNumberPool).where(eq(phoneNumberPool.number, held.number));
    expect(again).toMatchObject({ orgId: null, assignedAt: null });
    const next = await tenant();
    await deliver("provisioning", [{ orgId: next.org.id }]);
    expect(await heldBy(next.org.id)).toHaveLength(1);
  });

  it("provisioning that runs after the org was deleted takes no number (it would never come back)", async () => {
    const t = await tenant();
    const carrier = carrierFor(env, db());
    const trunk = await carrier.ensureTrunk(t.org.id);
    const del = await call("DELETE", "/admin/organization", {
      token: t.owner.session,
      org: t.org.id,
      body: { slug: t.org.slug },
    });
    expect(del.status).toBe(204);
    await expect(carrier.assignNumber(t.org.id, trunk.id)).rejects.toThrow(/org is gone/);
    expect(await heldBy(t.org.id)).toEqual([]);
    // The provisioning message of the deleted org is simply acknowledged.
    expect((await deliver("provisioning", [{ orgId: t.org.id }])).explicitAcks).toHaveLength(1);
  });

  it("an http carrier is told to release the numbers of a deleted org", async () => {
    const t = await tenant();
    const carrier = carrierFor(httpEnv, db());
    const trunk = await carrier.ensureTrunk(t.org.id);
    const { number } = await carrier.assignNumber(t.org.id, trunk.id);
    expect(number).toMatch(/^\+1666/);
    const numbersAtCarrier = async () =>
      (
        (await (
          await fetch(`https://carrier.fake.test/numbers?org_id=${t.org.id}`, {
            headers: { authorization: "Bearer fake-carrier-key" },
          })
        ).json()) as { numbers: string[] }
      ).numbers;
    expect(await numbersAtCarrier()).toEqual([number]);
    await resourceHooks.afterDeletion?.(httpEnv, t.org);
    await waitFor(async () => (await numbersAtCarrier()).length === 0);
    expect(await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, t.org.id))).toEqual([]);
  });
});
