/**
 * `npm run bench:memory` (in bench/): heap per remembered key of
 * `memoryStore({ max: BENCH_KEYS })` after a claim + complete of each key,
 * beside a bare `Map` of the same key strings, in one process (see
 * `src/memoryCost.ts` for how). Once-mode keys are compared with a
 * `Map<string, true>`, latest-mode keys (with a fingerprint each) with a
 * `Map<string, string>` of key to fingerprint. Exits 1 when a store costs
 * more than 1.5x its `Map`.
 *
 * Env: BENCH_KEYS (default 100 000), BENCH_ROUNDS (default 5; medians).
 */
import { measureMemory } from "./memoryCost.js";

const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET = 1.5;

const rows = measureMemory({ keys: KEYS, rounds: ROUNDS });

console.log(
  `\nheap per remembered key, ${KEYS.toLocaleString("en-US")} keys, median of ${ROUNDS} rounds, ` +
    `Node ${process.version} (V8 used heap + array buffers, after gc)\n`,
);
console.log("| structure | bytes/key | rounds | vs its Map |");
console.log("|---|---:|---|---:|");
for (const row of rows) {
  const rounds = row.rounds.map((b) => b.toFixed(0)).join(" ");
  const ratio = row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`;
  console.log(`| ${row.name} | ${row.bytesPerKey.toFixed(1)} | ${rounds} | ${ratio} |`);
}
const worst = Math.max(...rows.map((r) => r.ratio ?? 0));
const ok = worst <= TARGET;
console.log(
  `\nstore / Map (median of per-round ratios), worst: ${worst.toFixed(2)}x ` +
    `(target: within ${TARGET}x) -> ${ok ? "OK" : "MISSED"}`,
);
if (!ok) process.exitCode = 1;
