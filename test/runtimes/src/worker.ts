/*
 * The contract suite in workerd (a Cloudflare Worker, run by miniflare):
 * GET /run registers the suites, runs them inside the isolate with real
 * Requests (a Worker cannot listen on a socket of its own) and answers the report.
 */
import { type Result, runAll } from "./miniVitest.js";
import { registerSuites } from "./suites.js";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/run") return new Response("not found", { status: 404 });
    registerSuites("workerd", undefined);
    const results: Result[] = await runAll();
    return Response.json(results);
  },
};
