import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createWebhooks } from "./createWebhooks.js";
import type { AroundHandlers, WebhookContext } from "./handlers/types.js";
import type { Logger } from "./logger.js";

const SECRET = "s3cr3t-for-around-tests";
const message = (messageId = "733b7d55-61ea-450f-b585-27755b015596") =>
  JSON.stringify({
    type: "MESSAGE",
    botId: "6434515b-8541-4861-bb24-8acd6e77e8c4",
    sessionId: "b8e034be-90d8-477d-b919-8fcfcf37dc10",
    role: "USER",
    message: "Hi",
    messageId,
  });
const post = (body: string, secret = SECRET) => ({
  method: "POST",
  headers: { "x-webhook-secret": secret },
  body,
});

const errors = () => {
  const seen: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (_o, msg) => void seen.push(msg ?? ""),
  };
  return { seen, logger };
};

describe("aroundHandlers", () => {
  it("runs the handlers inside the wrapper's context, before and after an await", async () => {
    const store = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const webhooks = createWebhooks({
      secret: SECRET,
      aroundHandlers: (run, event, ctx) => store.run(`${event.type} ${ctx.deliveryId}`, run),
      onMessage: async () => {
        seen.push(store.getStore());
        await sleep(5);
        seen.push(store.getStore());
      },
      onAny: () => void seen.push(store.getStore()),
    });
    const res = await webhooks.receive(post(message()));
    expect(res.outcome).toBe("processed");
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).toMatch(/^MESSAGE \S+$/);
    expect(store.getStore()).toBeUndefined();
  });

  it("is called only when handlers run: not for 401, 400 or a duplicate", async () => {
    const calls: string[] = [];
    const webhooks = createWebhooks({ secret: SECRET, onMessage: () => {} });
    webhooks.aroundHandlers((run, event) => {
      calls.push(event.type);
      run();
    });
    await webhooks.receive(post(message(), "wrong"));
    await webhooks.receive(post('{"type":"MESSAGE"}'));
    await webhooks.receive(post(message()));
    await webhooks.receive(post(message()));
    expect(calls).toEqual(["MESSAGE"]);
    await webhooks.dispatch(JSON.parse(message("1b4e28ba-2fa1-41d2-883f-0016d3cca427")));
    expect(calls).toEqual(["MESSAGE", "MESSAGE"]);
  });

  it("nests wrappers, the first registered outermost; unsubscribing removes one", async () => {
    const order: string[] = [];
    const wrap =
      (name: string): AroundHandlers =>
      (run) => {
        order.push(`${name} in`);
        run();
        order.push(`${name} out`);
      };
    const webhooks = createWebhooks({
      secret: SECRET,
      aroundHandlers: [wrap("a"), wrap("b")],
      onMessage: () => void order.push("handler"),
    });
    const off = webhooks.aroundHandlers(wrap("c"));
    await webhooks.receive(post(message()));
    expect(order).toEqual(["a in", "b in", "c in", "handler", "c out", "b out", "a out"]);
    off();
    order.length = 0;
    await webhooks.receive(post(message("1b4e28ba-2fa1-41d2-883f-0016d3cca427")));
    expect(order).toEqual(["a in", "b in", "handler", "b out", "a out"]);
  });

  it("starts the handlers once, whatever a wrapper does: throws, forgets run, calls it twice", async () => {
    const wrappers: AroundHandlers[] = [
      () => {
        throw new Error("tracing broke");
      },
      () => {},
      (run) => {
        run();
        run();
      },
      (run) => {
        setTimeout(run, 1); // too late: ignored
      },
    ];
    for (const wrapper of wrappers) {
      const { seen, logger } = errors();
      let ran = 0;
      const webhooks = createWebhooks({
        secret: SECRET,
        logger,
        aroundHandlers: wrapper,
        onMessage: () => void ran++,
      });
      expect((await webhooks.receive(post(message()))).outcome).toBe("processed");
      await sleep(10);
      expect(ran).toBe(1);
      expect(seen.length).toBeLessThanOrEqual(1);
    }
  });

  it("leaves failures to the contract: a handler's throw inside a wrapper is 500", async () => {
    const webhooks = createWebhooks({
      secret: SECRET,
      aroundHandlers: (run) => run(),
      onMessage: () => {
        throw new Error("crm down");
      },
    });
    expect((await webhooks.receive(post(message()))).status).toBe(500);
  });

  it("is typed with the receiver's context", () => {
    interface Req {
      readonly url: string;
    }
    const webhooks = createWebhooks<WebhookContext<Req>>({ secret: SECRET });
    webhooks.aroundHandlers((run, _event, ctx) => {
      expectTypeOf(ctx.request).toEqualTypeOf<Req>();
      expectTypeOf(run).toEqualTypeOf<() => void>();
      run();
    });
  });
});
