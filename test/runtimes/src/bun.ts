/* The contract suite in Bun, against Bun.serve. Bundled by run.ts, run with `bun`. */
import { runAll } from "./miniVitest.js";
import { report } from "./report.js";
import { registerSuites } from "./suites.js";

declare const Bun: {
  readonly version: string;
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { readonly port: number; stop(closeActiveConnections?: boolean): void };
};

registerSuites(`bun ${Bun.version}`, async (fetch) => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch });
  return { port: server.port, close: () => server.stop(true) };
});
const results = await runAll();
console.log(report("bun", results));
process.exit(results.some((r) => r.status === "failed") ? 1 : 0);
