import { afterAll, inject } from "vitest";

// Stryker 9.5's vitest runner learns which tests cover which mutant (and how often a mutant
// ran, to stop endless loops) from each test file's `meta`. Its own setup file writes it from
// `afterAll(({ meta }) => …)`, vitest 3's signature; vitest 4 passes the file second, so
// without this every mutant would run every test. Listed after Stryker's setup file, so this
// runs first (afterAll hooks run in reverse).

declare module "vitest" {
  export interface ProvidedContext {
    globalNamespace: string;
  }
}

interface StrykerNamespace {
  mutantCoverage?: unknown;
  hitCount?: number;
}

const ns = (globalThis as Record<string, unknown>)[inject("globalNamespace")] as
  | StrykerNamespace
  | undefined;

// vitest 4 wants the fixtures argument destructured, even when no fixture is used.
// biome-ignore lint/correctness/noEmptyPattern: see above
afterAll(({}, file) => {
  if (!ns) return;
  Object.assign(file.meta, { mutantCoverage: ns.mutantCoverage, hitCount: ns.hitCount });
});
