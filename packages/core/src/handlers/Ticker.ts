/** Something woken up while it is in flight. */
export interface Ticking {
  tick(now: number): void;
}

/**
 * One timer for all deliveries in flight, instead of one per delivery: while
 * any run is registered it wakes every `intervalMs` and ticks each run (which
 * checks its own deadline and renews its lease). It stops when none is left,
 * and never keeps a process alive by itself (`unref`).
 */
export class Ticker {
  private readonly runs = new Set<Ticking>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly intervalMs: number) {}

  add(run: Ticking): void {
    this.runs.add(run);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tickAll(), this.intervalMs);
      // Runtimes without `unref` (browsers, some edge runtimes) have no process to keep alive.
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Forgets every run and stops the timer (when the receiver closes). */
  stop(): void {
    this.runs.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** How many runs are registered. */
  get size(): number {
    return this.runs.size;
  }

  delete(run: Ticking): void {
    this.runs.delete(run);
  }

  private tickAll(): void {
    if (this.runs.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    for (const run of this.runs) run.tick(now);
  }
}
