import { afterEach, describe, expect, it } from "vitest";
import { createEvent } from "../factories/createEvent.js";
import { kitServer, type RunningServer } from "../testSupport/servers.js";
import { postEvent } from "./postEvent.js";

describe("postEvent", () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it("delivers an event over a real socket", async () => {
    const server = await kitServer({ secret: "s3cret" });
    servers.push(server);
    const ticket = createEvent("TICKET");
    const res = await postEvent(server.url, ticket, { secret: "s3cret" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(server.events).toEqual([ticket]);
  });

  it("answers 200 duplicate for the same event twice", async () => {
    const server = await kitServer({ secret: "s3cret" });
    servers.push(server);
    const ticket = createEvent("TICKET");
    await postEvent(server.url, ticket, { secret: "s3cret" });
    const again = await postEvent(server.url, ticket, { secret: "s3cret" });
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    expect(server.events).toHaveLength(1);
  });

  it("takes an abort signal", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      postEvent("http://127.0.0.1:9/webhook", createEvent("TICKET"), { signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });
});
