import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { Ticker } from "./Ticker.js";

describe("Ticker", () => {
  it("ticks registered runs until they leave, then stops", async () => {
    const ticker = new Ticker(5);
    const ticks: number[] = [];
    const run = { tick: (now: number) => void ticks.push(now) };
    ticker.add(run);
    await vi.waitFor(() => expect(ticks.length).toBeGreaterThan(1));
    ticker.delete(run);
    const seen = ticks.length;
    await sleep(30);
    expect(ticks.length).toBe(seen);
    expect(ticker.size).toBe(0);
  });

  it("stop() forgets every run", async () => {
    const ticker = new Ticker(5);
    let ticks = 0;
    ticker.add({ tick: () => void ticks++ });
    ticker.stop();
    await sleep(20);
    expect(ticks).toBe(0);
    expect(ticker.size).toBe(0);
  });

  it("does not keep a process alive while a handler runs", () => {
    const core = fileURLToPath(new URL("../index.ts", import.meta.url));
    // Nothing but the receiver's ticker could keep this process up until the 20 s deadline.
    const script = `
      import { createWebhooks } from ${JSON.stringify(core)};
      const webhooks = createWebhooks({ secret: "s", deadlineMs: 20000, leaseMs: 40000,
        onAny: () => new Promise(() => {}) });
      void webhooks.receive({ method: "POST", headers: { "x-webhook-secret": "s" },
        body: '{"type":"NEW","botId":"b","sessionId":"s"}' });
      console.log("received");
    `;
    const started = Date.now();
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(child.stdout.trim()).toBe("received");
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000); // gone long before the deadline
  }, 20_000); // starting tsx in a child takes seconds on a busy machine
});
