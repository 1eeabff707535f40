import { randomUUID } from "node:crypto";

/** The bot every test event comes from. */
export const BOT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";

/** A valid MESSAGE event with fresh ids. */
export function messageEvent(text = "hello") {
  return {
    type: "MESSAGE" as const,
    botId: BOT_ID,
    sessionId: randomUUID(),
    messageId: randomUUID(),
    role: "USER" as const,
    message: text,
  };
}

/** A valid VARIABLE_UPDATE event (a `latest` key per session). */
export function variableUpdate(sessionId: string, variables: Record<string, string>) {
  return { type: "VARIABLE_UPDATE" as const, botId: BOT_ID, sessionId, variables };
}

/** A valid TICKET event (a `once` key built from its content). */
export function ticketEvent(sessionId = randomUUID(), message = "I need a human") {
  return {
    type: "TICKET" as const,
    botId: BOT_ID,
    sessionId,
    customerName: "Jane Doe",
    customerEmail: "jane@example.com",
    customerMessage: message,
  };
}

/** Runs `task` over `items` with at most `limit` in flight; results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 25 ms until it returns true, for at most `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(25);
  }
}
