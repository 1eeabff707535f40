/**
 * Heap per remembered key of `memoryStore()` beside a bare `Map` of the same
 * key strings, measured in one process: `src/memoryStore.ts` prints it and
 * checks the ratio, `src/memoryCost.test.ts` runs it small.
 *
 * Every structure is built from nothing and measured alone: the heap is
 * collected, read, the structure built, the heap collected and read again,
 * and the difference divided by the number of keys. Keys look like the
 * default MESSAGE keys, `<botId uuid>:MESSAGE:<messageId uuid>`, and are built
 * afresh in every structure as one flat string each (from uuids made once,
 * outside the measurement), so each structure pays for its own key strings,
 * the same 104 bytes a key. Fingerprints (latest mode) likewise: computed
 * afresh for each structure. "Heap" is V8's used heap plus array buffers,
 * where `lru-cache` keeps its typed arrays. A first round warms up and is
 * left out.
 */
import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fingerprint, memoryStore } from "@fineguide-webhooks/core";
import { median } from "./median.js";

type Gc = () => void;

/** `gc()` from `--expose-gc`, or the same function switched on at run time. */
const gc: Gc =
  (globalThis as { gc?: Gc }).gc ??
  (() => {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as Gc;
  })();

const used = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const LEASE_MS = 45_000;
const TTL_MS = 30 * 60_000;

/** The inputs shared by every structure: only the parts, never the built keys. */
interface Inputs {
  readonly botId: string;
  readonly messageIds: readonly string[];
  readonly tokenPrefix: string;
}

/** A structure measured: `build` makes a key per message id and says how many it holds. */
interface Subject {
  readonly name: string;
  /** The bare `Map` this one is compared with, if it is a store. */
  readonly baseline?: string;
  build(inputs: Inputs): { readonly held: unknown; readonly size: number };
}

// `join` builds one flat string: the key's own 81 characters and nothing they point to.
const key = (inputs: Inputs, i: number) =>
  [inputs.botId, "MESSAGE", inputs.messageIds[i]].join(":");
const print = (inputs: Inputs, i: number) =>
  fingerprint({ messageId: inputs.messageIds[i], rating: i % 2 === 0 ? 1 : -1 });
const token = (inputs: Inputs, i: number) => `${inputs.tokenPrefix}.${(i + 1).toString(36)}`;

const MAP_ONCE = "Map<string, true>";
const MAP_LATEST = "Map<string, string> (key -> fingerprint)";

/** The structures compared; each builds its own key strings (and fingerprints). */
export const SUBJECTS: readonly Subject[] = [
  {
    name: MAP_ONCE,
    build(inputs) {
      const map = new Map<string, true>();
      for (let i = 0; i < inputs.messageIds.length; i++) map.set(key(inputs, i), true);
      return { held: map, size: map.size };
    },
  },
  {
    name: "memoryStore once: claim + complete",
    baseline: MAP_ONCE,
    build(inputs) {
      const n = inputs.messageIds.length;
      const store = memoryStore({ max: n });
      for (let i = 0; i < n; i++) {
        const k = key(inputs, i);
        const t = token(inputs, i);
        if (store.claim(k, { token: t, leaseMs: LEASE_MS, mode: "once" }) !== "claimed")
          throw new Error("memory bench: a fresh key was not claimed");
        if (!store.complete(k, t, { ttlMs: TTL_MS }))
          throw new Error("memory bench: the owner could not complete");
      }
      return { held: store, size: store.size };
    },
  },
  {
    name: MAP_LATEST,
    build(inputs) {
      const map = new Map<string, string>();
      for (let i = 0; i < inputs.messageIds.length; i++) map.set(key(inputs, i), print(inputs, i));
      return { held: map, size: map.size };
    },
  },
  {
    name: "memoryStore latest: claim + complete with a fingerprint",
    baseline: MAP_LATEST,
    build(inputs) {
      const n = inputs.messageIds.length;
      const store = memoryStore({ max: n });
      for (let i = 0; i < n; i++) {
        const k = key(inputs, i);
        const t = token(inputs, i);
        const request = {
          token: t,
          leaseMs: LEASE_MS,
          mode: "latest" as const,
          fingerprint: print(inputs, i),
        };
        if (store.claim(k, request) !== "claimed")
          throw new Error("memory bench: a fresh key was not claimed");
        if (!store.complete(k, t, { ttlMs: TTL_MS }))
          throw new Error("memory bench: the owner could not complete");
      }
      return { held: store, size: store.size };
    },
  },
];

/** What one structure cost, over the rounds. */
export interface MemoryRow {
  readonly name: string;
  readonly baseline: string | undefined;
  /** Median bytes per key over the rounds. */
  readonly bytesPerKey: number;
  readonly rounds: readonly number[];
  /** Median over the rounds of this structure's bytes / its baseline's, same round. */
  readonly ratio: number | undefined;
}

/**
 * One measurement, in a function of its own: once it returns, nothing of the
 * structure stays in a register or on the stack to be counted in the next.
 */
function bytesPerKey(subject: Subject, inputs: Inputs): number {
  const keys = inputs.messageIds.length;
  const before = used();
  const built = subject.build(inputs);
  const after = used();
  // Read after the second reading: `built`, and the structure it holds, were alive for it.
  if (built.size !== keys)
    throw new Error(`memory bench: ${subject.name} holds ${built.size} keys, not ${keys}`);
  return (after - before) / keys;
}

/**
 * Measures every subject `rounds` times at `keys` keys, in an order that
 * rotates each round, after a warm-up round unless `warmup` is false, and
 * returns bytes per key with the ratio to the bare `Map` of the same kind.
 */
export function measureMemory({
  keys,
  rounds,
  warmup = true,
}: {
  keys: number;
  rounds: number;
  warmup?: boolean;
}): MemoryRow[] {
  const inputs: Inputs = {
    botId: randomUUID(),
    messageIds: Array.from({ length: keys }, () => randomUUID()),
    tokenPrefix: randomUUID(),
  };
  const samples = new Map<string, number[]>(SUBJECTS.map((s) => [s.name, []]));
  for (let r = warmup ? -1 : 0; r < rounds; r++) {
    for (let j = 0; j < SUBJECTS.length; j++) {
      const subject = SUBJECTS[(j + r + 1) % SUBJECTS.length]!;
      const bytes = bytesPerKey(subject, inputs);
      if (r >= 0) samples.get(subject.name)!.push(bytes);
    }
  }
  return SUBJECTS.map((s) => {
    const own = samples.get(s.name)!;
    const base = s.baseline === undefined ? undefined : samples.get(s.baseline)!;
    return {
      name: s.name,
      baseline: s.baseline,
      bytesPerKey: median(own),
      rounds: own,
      ratio: base && median(own.map((b, i) => b / base[i]!)),
    };
  });
}
