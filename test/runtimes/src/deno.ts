/* The contract suite in Deno, against Deno.serve. Bundled by run.ts, run with `deno run`. */
import { runAll } from "./miniVitest.js";
import { report } from "./report.js";
import { registerSuites } from "./suites.js";

declare const Deno: {
  readonly version: { readonly deno: string };
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
  exit(code: number): never;
};

registerSuites(`deno ${Deno.version.deno}`, async (fetch) => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, fetch);
  return { port: server.addr.port, close: () => server.shutdown() };
});
const results = await runAll();
console.log(report("deno", results));
Deno.exit(results.some((r) => r.status === "failed") ? 1 : 0);
