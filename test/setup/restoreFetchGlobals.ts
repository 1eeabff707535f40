import { afterAll } from "vitest";

// @hono/node-server replaces the global `Request` and `Response` with its own when it serves
// (its `overrideGlobalObjects`, on by default). Test files share their worker's globals
// (`isolate: false` in vitest.config.ts), so each file hands Node's own back when it ends.
const { Request, Response } = globalThis;

afterAll(() => {
  globalThis.Request = Request;
  globalThis.Response = Response;
});
