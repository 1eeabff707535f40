import { describe, expect, it } from "vitest";
import { measureMemory, SUBJECTS } from "./memoryCost.js";

// Only that the measurement of `npm run bench:memory` works: every structure is
// built, holds every key (measureMemory throws otherwise) and gets a number. At
// this scale, in a test worker, the numbers are noise (even below 0); the 1.5x
// target is checked by the bench, at 100 000 keys, not here.
describe("bench:memory measurement", () => {
  // Each reading collects the heap twice; on a loaded machine that takes seconds.
  it("measures every structure, each store beside its Map", { timeout: 30_000 }, () => {
    const rows = measureMemory({ keys: 2_000, rounds: 1, warmup: false });
    expect(rows.map((r) => r.name)).toEqual(SUBJECTS.map((s) => s.name));
    for (const row of rows) {
      expect(row.rounds).toHaveLength(1);
      expect(Number.isFinite(row.bytesPerKey), row.name).toBe(true);
      if (row.baseline === undefined) expect(row.ratio).toBeUndefined();
      else expect(Number.isFinite(row.ratio), row.name).toBe(true);
    }
    expect(rows.filter((r) => r.baseline !== undefined)).toHaveLength(2);
  });
});
