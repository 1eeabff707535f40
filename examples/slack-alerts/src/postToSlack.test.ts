import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postToSlack } from "./postToSlack.js";

// A full garbage collection on demand, as `node --expose-gc` gives it.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("postToSlack against a Slack that never answers", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    server = createServer(() => {}); // takes the request, never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("gives up after timeoutMs, even when garbage collections run meanwhile", async () => {
    // Node collects an AbortSignal.timeout() that only AbortSignal.any() refers to, and then
    // it never fires (nodejs/node#57736): under a loaded test run, posts hung for good.
    const collecting = setInterval(gc, 20);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () =>
          Promise.race([
            postToSlack(
              url,
              { text: "hello" },
              { signal: new AbortController().signal, timeoutMs: 200 },
            )
              .then(() => "answered")
              .catch((error: unknown) => (error as Error).name),
            new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 5_000).unref()),
          ]),
        ),
      );
      expect(outcomes).toEqual(Array.from({ length: 10 }, () => "TimeoutError"));
    } finally {
      clearInterval(collecting);
    }
  });
});
