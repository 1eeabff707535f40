import { createWebhooks, ERRORS, EVENT_TYPES, type WebhookRequest } from "@fineguide-webhooks/core";
import { afterEach, describe, expect, it } from "vitest";
import type { Send } from "../contract/types.js";
import { handRolledServer, kitServer, type RunningServer } from "../testSupport/servers.js";
import { checkEndpoint } from "./checkEndpoint.js";
import { isProbeEvent, PROBE_BOT_ID, PROBE_HEADER } from "./probeMarks.js";
import { PROBES } from "./probes.js";

describe("checkEndpoint", () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it("passes every probe against our kit on a real socket", async () => {
    const server = await kitServer({ secret: "s3cret" });
    servers.push(server);
    const report = await checkEndpoint({ url: server.url, secret: "s3cret" });
    expect(report.results.filter((r) => !r.pass)).toEqual([]);
    expect(report).toMatchObject({ ok: true, failed: 0, passed: PROBES.length });
    const duplicate = report.results.find((r) => r.probe === "duplicate delivery");
    expect(duplicate?.got).toBe("200, 200 duplicate");
    expect(report.results.find((r) => r.probe === "oversize body")?.got).toBe(
      `${ERRORS.payload_too_large.status} payload_too_large`,
    );
  });

  it("marks every event that reaches handlers as a probe", async () => {
    const server = await kitServer({ secret: "s3cret" });
    servers.push(server);
    await checkEndpoint({ url: server.url, secret: "s3cret" });
    // Valid types, the unknown type and the duplicate's first delivery.
    expect(server.events).toHaveLength(EVENT_TYPES.length + 2);
    expect(server.events.every((e) => e.botId === PROBE_BOT_ID && isProbeEvent(e))).toBe(true);
  });

  it("marks every request with the probe header and the configured secret header", async () => {
    const seen: WebhookRequest[] = [];
    const webhooks = createWebhooks({ secret: "s3cret", header: "x-auth" });
    const send: Send = async (req) => {
      seen.push(req);
      const answer = await webhooks.receive(req);
      return { status: answer.status, headers: answer.headers, body: answer.body };
    };
    const report = await checkEndpoint({ send, secret: "s3cret", header: "X-Auth" });
    expect(report.ok).toBe(true);
    expect(seen.every((r) => (r.headers as Record<string, string>)[PROBE_HEADER] === "check")).toBe(
      true,
    );
  });

  it("names the rows a hand-rolled receiver misses", async () => {
    const server = await handRolledServer("s3cret");
    servers.push(server);
    const report = await checkEndpoint({ url: server.url, secret: "s3cret" });
    expect(report.ok).toBe(false);
    expect(report.results.filter((r) => !r.pass).map((r) => r.probe)).toEqual([
      "GET instead of POST",
      "content type text/html",
      "oversize body",
      "invalid sessionId",
      "invalid messageId",
    ]);
    // 2xx is all the vendor needs for valid events and duplicates.
    expect(report.results.find((r) => r.probe === "duplicate delivery")).toMatchObject({
      pass: true,
      got: "204, 204",
    });
    // What it wrongly accepted is recognisable.
    expect(server.bodies.every(isProbeEvent)).toBe(true);
  });

  it("reports an unreachable endpoint as misses, not as a crash", async () => {
    const server = await kitServer();
    await server.close();
    const report = await checkEndpoint({ url: server.url, secret: "s3cret", timeoutMs: 2_000 });
    expect(report.passed).toBe(0);
    expect(report.results[0]!.got).toMatch(/fetch failed/);
  });

  it("needs a secret and somewhere to send", async () => {
    await expect(checkEndpoint({ secret: "s" })).rejects.toThrow(/url/);
    await expect(checkEndpoint({ url: "http://127.0.0.1:9/", secret: "" })).rejects.toThrow(
      /secret/,
    );
  });
});

describe("PROBES", () => {
  it("covers every documented type with a valid event", () => {
    for (const type of EVENT_TYPES) expect(PROBES.map((p) => p.name)).toContain(`valid ${type}`);
  });

  it("take their expected statuses from core's ERRORS", () => {
    const byName = Object.fromEntries(PROBES.map((p) => [p.name, p.expected]));
    expect(byName["wrong secret"]).toBe(String(ERRORS.unauthorized.status));
    expect(byName["GET instead of POST"]).toBe(String(ERRORS.method_not_allowed.status));
    expect(byName["content type text/html"]).toBe(String(ERRORS.unsupported_media_type.status));
    expect(byName["oversize body"]).toBe(String(ERRORS.payload_too_large.status));
  });

  it("send the oversize probe at exactly the requested size", () => {
    const probe = PROBES.find((p) => p.name === "oversize body")!;
    const [step] = probe.steps({ secret: "s", header: "x-webhook-secret", oversizeBytes: 2 ** 21 });
    expect(Buffer.byteLength(step!.request.body as string)).toBe(2 ** 21);
    expect(JSON.parse(step!.request.body as string).botId).toBe(PROBE_BOT_ID);
  });
});
