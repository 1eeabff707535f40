import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type AdapterBench, BENCH_HEADERS, benchDelivery } from "./adapterBench.js";

// The bench measures what it claims only if both variants answer a valid
// delivery 200 and the adapter variant really processes it (not a 401 or a
// duplicate). Children load the packages' built dist, as `npm test` builds first.
const modules = readdirSync(new URL("./adapters/", import.meta.url)).filter((f) =>
  f.endsWith(".ts"),
);

describe.each(modules)("bench module adapters/%s", (file) => {
  it("serves a bare and an adapter variant that both answer a fresh delivery 200", async () => {
    const bench = (await import(`./adapters/${file}`)) as AdapterBench;
    for (const variant of ["bare", "adapter"] as const) {
      const server = await bench[variant]();
      try {
        const body = benchDelivery();
        const first = await fetch(server.url, { method: "POST", headers: BENCH_HEADERS, body });
        expect(first.status, `${bench.name} ${variant}`).toBe(200);
        expect(await first.json()).toEqual({ ok: true });
        if (variant === "adapter") {
          const again = await fetch(server.url, { method: "POST", headers: BENCH_HEADERS, body });
          expect(await again.json()).toEqual({ ok: true, duplicate: true });
        }
      } finally {
        await server.close();
      }
    }
  }, 30_000);
});
