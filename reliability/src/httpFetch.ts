import { type Agent, request } from "node:http";
import type { FetchLike } from "@fineguide-webhooks/testing";

/**
 * A {@link FetchLike} on `node:http` with a keep-alive agent, for the kit's
 * `simulateDelivery`: the global `fetch` (undici) costs the sender one to three
 * milliseconds of CPU per request, which at a few hundred requests a second
 * would make the sender, not the receiver, the bottleneck. Plain HTTP only;
 * redirects are not followed (a 3xx is an answer, as the vendor's would be).
 *
 * @example
 * ```ts
 * const fetch = httpFetch(new Agent({ keepAlive: true }));
 * await simulateDelivery({ url, fetch, event, timeScale: 0.01 });
 * ```
 */
export function httpFetch(agent: Agent): FetchLike {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const req = request(url, {
        agent,
        method: init.method ?? "GET",
        headers: init.headers as Record<string, string>,
        ...(init.signal ? { signal: init.signal } : {}),
      });
      req.on("error", reject);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        const body = new Promise<string>((done, fail) => {
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => done(Buffer.concat(chunks).toString()));
          res.on("error", fail);
        });
        body.catch(() => {});
        resolve({ status: res.statusCode ?? 0, text: () => body });
      });
      req.end(typeof init.body === "string" ? init.body : undefined);
    });
}
