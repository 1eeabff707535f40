import { randomUUID } from "node:crypto";

/** The bot every test event comes from. */
export const BOT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";

/** A valid MESSAGE event with fresh ids. */
export function messageEvent(text = "hello"): {
  type: "MESSAGE";
  botId: string;
  sessionId: string;
  messageId: string;
  role: "USER";
  message: string;
} {
  return {
    type: "MESSAGE",
    botId: BOT_ID,
    sessionId: randomUUID(),
    messageId: randomUUID(),
    role: "USER",
    message: text,
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
