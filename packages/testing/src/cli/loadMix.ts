import type { EventType } from "@fineguide-webhooks/core";
import { createEvent, uuid } from "../factories/createEvent.js";

/** One request of a load run: a body to POST and what it stands for. */
export interface LoadDelivery {
  /** Position in the run (unique). */
  readonly id: number;
  /** Which event it delivers: the twin and retry of an event share it. */
  readonly event: number;
  /** The row of the summary: the type, or what is wrong with a malformed body. */
  readonly label: string;
  /** Whether the body is a valid event of a documented type. */
  readonly valid: boolean;
  /** `first` delivery, its `twin` sent at the same moment, or a later `retry`. */
  readonly kind: "first" | "twin" | "retry";
  /** The JSON text (or broken text) sent. */
  readonly body: string;
}

/** What {@link loadMix} builds. */
export interface LoadPlan {
  /** First deliveries, each twin right after its original (sent at once). */
  readonly first: readonly LoadDelivery[];
  /** Repeats of the twinned events, sent after the vendor's (scaled) retry delay. */
  readonly retries: readonly LoadDelivery[];
  /** Distinct events (valid and malformed). */
  readonly events: number;
  /** Conversations the events belong to. */
  readonly sessions: number;
}

/** How {@link loadMix} mixes its events. */
export interface LoadMixOptions {
  /** Distinct events, valid and malformed (at least 1). */
  readonly events: number;
  /** Conversations to spread them over (default: one per 12 events). */
  readonly sessions?: number;
  /** Share of valid events delivered twice at once and once more later (0..1, default 0.1). */
  readonly duplicates?: number;
  /** Share of events whose body is malformed or invalid (0..1, default 0.05). */
  readonly malformed?: number;
  /** Seed of the mix (types, order, which events are twinned or broken); ids stay random. */
  readonly seed?: number;
}

/** mulberry32: a small seeded generator, enough to make a mix reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The events between a session's open and close, by weight: mostly messages. */
const MIDDLE: readonly (readonly [EventType, number])[] = [
  ["MESSAGE", 52],
  ["VARIABLE_UPDATE", 10],
  ["RATE_MESSAGE", 9],
  ["MESSAGE_AUDIO_URL", 9],
  ["CREATE_LEAD", 10],
  ["TICKET", 10],
];
const MIDDLE_TOTAL = MIDDLE.reduce((sum, [, weight]) => sum + weight, 0);

const MALFORMED = ["bad JSON", "not an object", "no type", "invalid"] as const;

/** Splits `total` events over `count` sessions, the first getting at least 8 when it can. */
function sessionSizes(total: number, count: number): number[] {
  const sizes = Array.from({ length: count }, (_, i) =>
    Math.floor(total / count + (i < total % count ? 1 : 0)),
  );
  // The first session holds one event of every type, so that all eight appear.
  while (total >= 8 && sizes[0]! < 8) {
    const donor = sizes.indexOf(Math.max(...sizes.slice(1)), 1);
    if (donor < 1 || sizes[donor]! <= 1) break;
    sizes[donor]!--;
    sizes[0]!++;
  }
  return sizes;
}

/**
 * A conversation of `size` events: SESSION_OPEN, messages and what follows
 * them (audio, ratings, variables, leads, tickets), SESSION_CLOSED. Text and
 * variables carry a counter, so no two events of a run are the same event to a
 * receiver's dedupe (a ticket's key is its session and content).
 */
function conversation(size: number, all: boolean, next: () => number, counter: () => number) {
  const ids = { botId: "", sessionId: uuid() };
  const spoken: string[] = [];
  const unvoiced: string[] = [];
  const pick = (): EventType => {
    let r = next() * MIDDLE_TOTAL;
    for (const [type, weight] of MIDDLE) {
      r -= weight;
      if (r < 0) return type;
    }
    return "MESSAGE";
  };
  const middle: EventType[] = [];
  const inner = Math.max(0, size - 2);
  if (all && inner >= MIDDLE.length) {
    // MESSAGE first, so that audio and ratings refer to something said.
    middle.push(...MIDDLE.map(([type]) => type));
  }
  while (middle.length < inner) middle.push(pick());
  const build = (type: EventType): Record<string, unknown> => {
    const n = counter();
    switch (type) {
      case "MESSAGE": {
        const role = next() < 0.5 ? "USER" : "ASSISTANT";
        const event = createEvent("MESSAGE", {
          ...ids,
          role,
          message: role === "USER" ? `Question ${n}: where is my order?` : `Answer ${n}: here.`,
        });
        if (role === "ASSISTANT") spoken.push(event.messageId);
        unvoiced.push(event.messageId);
        return event;
      }
      case "MESSAGE_AUDIO_URL": {
        const messageId = unvoiced.shift() ?? uuid();
        return createEvent("MESSAGE_AUDIO_URL", {
          ...ids,
          messageId,
          audioUrl: `https://audio.example.com/${messageId}.mp3`,
        });
      }
      case "RATE_MESSAGE":
        return createEvent("RATE_MESSAGE", {
          ...ids,
          messageId: spoken.shift() ?? uuid(),
          rating: next() < 0.8 ? 1 : -1,
        });
      case "VARIABLE_UPDATE":
        return createEvent("VARIABLE_UPDATE", {
          ...ids,
          variables: { user_name: "John", step: String(n) },
        });
      case "CREATE_LEAD":
        return createEvent("CREATE_LEAD", { ...ids, intent: `Enterprise pricing (#${n})` });
      case "TICKET":
        return createEvent("TICKET", { ...ids, customerMessage: `A human please (#${n})` });
      default:
        return createEvent(type, ids);
    }
  };
  const types: EventType[] = size <= 0 ? [] : ["SESSION_OPEN", ...middle];
  if (size >= 2) types.push("SESSION_CLOSED");
  return { ids, types, build };
}

/** Breaks `event` in one of four ways; returns the label and body. */
function breakEvent(event: Record<string, unknown>, how: (typeof MALFORMED)[number]) {
  const json = JSON.stringify(event);
  switch (how) {
    case "bad JSON":
      return { label: "(malformed) bad JSON", body: json.slice(0, Math.ceil(json.length / 2)) };
    case "not an object":
      return { label: "(malformed) not an object", body: `[${json}]` };
    case "no type": {
      const { type: _type, ...rest } = event;
      return { label: "(malformed) no type", body: JSON.stringify(rest) };
    }
    default:
      return {
        label: `(invalid) ${String(event.type)}`,
        body: JSON.stringify({ ...event, sessionId: "session-42" }),
      };
  }
}

/**
 * The deliveries of a load run: `events` events of all eight types over many
 * sessions (as a busy assistant sends them: conversations interleaved, each in
 * its order), a share of them malformed, and a share delivered twice at once
 * and once more later, as the vendor's retries do.
 *
 * @example
 * ```ts
 * const plan = loadMix({ events: 500, duplicates: 0.1, malformed: 0.05, seed: 1 });
 * plan.first.length; // 500 plus one twin per duplicated event
 * plan.retries.length; // one per duplicated event
 * ```
 */
export function loadMix(options: LoadMixOptions): LoadPlan {
  const total = Math.max(1, Math.floor(options.events));
  const sessions = Math.min(
    total,
    Math.max(1, Math.floor(options.sessions ?? Math.ceil(total / 12))),
  );
  const next = random(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  let n = 0;
  const counter = () => ++n;
  const bots = Array.from({ length: Math.min(3, sessions) }, () => uuid());
  const convs = sessionSizes(total, sessions).map((size, i) => {
    const conv = conversation(size, i === 0, next, counter);
    conv.ids.botId = bots[i % bots.length]!;
    return { ...conv, at: 0 };
  });

  // Interleave the conversations, each keeping its order.
  const ordered: Record<string, unknown>[] = [];
  let left = total;
  while (left > 0) {
    let r = Math.floor(next() * left);
    const conv = convs.find((c) => {
      const remaining = c.types.length - c.at;
      if (r < remaining) return true;
      r -= remaining;
      return false;
    })!;
    ordered.push(conv.build(conv.types[conv.at++]!));
    left--;
  }

  const malformedCount = Math.round(total * Math.min(1, Math.max(0, options.malformed ?? 0.05)));
  const broken = new Set<number>();
  while (broken.size < malformedCount) broken.add(Math.floor(next() * total));
  const validCount = total - malformedCount;
  const twinCount = Math.round(validCount * Math.min(1, Math.max(0, options.duplicates ?? 0.1)));
  // A VARIABLE_UPDATE followed by a newer one for its session is not repeated: the
  // kit keeps the latest version per session, so a late retry of an older one runs again.
  const superseded = new Set<number>();
  const lastUpdate = new Map<unknown, number>();
  ordered.forEach((event, i) => {
    if (event.type !== "VARIABLE_UPDATE") return;
    const before = lastUpdate.get(event.sessionId);
    if (before !== undefined) superseded.add(before);
    lastUpdate.set(event.sessionId, i);
  });
  const candidates = ordered.map((_, i) => i).filter((i) => !broken.has(i) && !superseded.has(i));
  const twinned = new Set<number>();
  while (twinned.size < Math.min(twinCount, candidates.length)) {
    twinned.add(candidates[Math.floor(next() * candidates.length)]!);
  }

  const first: LoadDelivery[] = [];
  const later: Omit<LoadDelivery, "id">[] = [];
  let brokenSeen = 0;
  ordered.forEach((event, i) => {
    if (broken.has(i)) {
      const how = MALFORMED[brokenSeen++ % MALFORMED.length]!;
      first.push({
        id: first.length,
        event: i,
        valid: false,
        kind: "first",
        ...breakEvent(event, how),
      });
      return;
    }
    const delivery = {
      event: i,
      label: String(event.type),
      valid: true,
      body: JSON.stringify(event),
    };
    first.push({ id: first.length, kind: "first", ...delivery });
    if (twinned.has(i)) {
      first.push({ id: first.length, kind: "twin", ...delivery });
      later.push({ kind: "retry", ...delivery });
    }
  });
  const retries = later.map((d, i) => ({ ...d, id: first.length + i }));
  return { first, retries, events: total, sessions };
}
