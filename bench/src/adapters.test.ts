import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type AdapterBench, BENCH_HEADER, BENCH_HEADERS, benchDelivery } from "./adapterBench.js";
import { VARIANTS } from "./childServer.js";

// The bench measures what it claims only if every variant answers a valid
// delivery 200 and the adapter and hand-rolled variants really process it
// (not a 401 or a duplicate): both check the secret, validate and dedupe.
// Children load the packages' built dist, as `npm test` builds first.
const modules = readdirSync(new URL("./adapters/", import.meta.url)).filter((f) =>
  f.endsWith(".ts"),
);
const { [BENCH_HEADER]: _secret, ...unsigned } = BENCH_HEADERS;

describe.each(modules)("bench module adapters/%s", (file) => {
  it("serves a bare, an adapter and a hand-rolled variant that answer a fresh delivery 200", async () => {
    const bench = (await import(`./adapters/${file}`)) as AdapterBench;
    for (const variant of VARIANTS) {
      const server = await bench[variant]();
      const post = (headers: Record<string, string>, body: string) =>
        fetch(server.url, { method: "POST", headers, body });
      try {
        const body = benchDelivery();
        const first = await post(BENCH_HEADERS, body);
        expect(first.status, `${bench.name} ${variant}`).toBe(200);
        expect(await first.json()).toEqual({ ok: true });
        if (variant === "bare") continue;
        const again = await post(BENCH_HEADERS, body);
        expect(await again.json(), `${bench.name} ${variant}`).toEqual({
          ok: true,
          duplicate: true,
        });
        const unsignedAnswer = await post(unsigned, benchDelivery());
        expect(unsignedAnswer.status, `${bench.name} ${variant} without the secret`).toBe(401);
        const invalid = await post(BENCH_HEADERS, JSON.stringify({ type: "MESSAGE" }));
        expect(invalid.status, `${bench.name} ${variant} invalid payload`).toBe(400);
      } finally {
        await server.close();
      }
    }
  }, 30_000);
});
