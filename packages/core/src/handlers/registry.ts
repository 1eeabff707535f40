import type { AnyEvent } from "../types.js";
import type { DeliveryContext } from "./DeliveryContext.js";
import type {
  AroundHandlers,
  DuplicateHook,
  ErrorHook,
  Handler,
  InvalidHook,
  OneOrMany,
  OutcomeHook,
  Unsubscribe,
} from "./types.js";

/**
 * A handler as the registry keeps it: whatever event and context types it
 * was registered with, it is called with a validated event and the delivery's
 * context.
 */
export type StoredHandler = Handler<AnyEvent, DeliveryContext>;

/** Lists of handlers and hooks; what runs for an event is decided here. */
export class Registry {
  readonly byType = new Map<string, StoredHandler[]>();
  readonly any: StoredHandler[] = [];
  readonly unknown: StoredHandler[] = [];
  readonly invalid: InvalidHook[] = [];
  readonly duplicate: DuplicateHook<DeliveryContext>[] = [];
  readonly error: ErrorHook<DeliveryContext>[] = [];
  readonly outcome: OutcomeHook[] = [];
  readonly around: AroundHandlers<DeliveryContext>[] = [];

  /** What runs per type, computed on first use and forgotten on any change. */
  private readonly runs = new Map<string, readonly StoredHandler[]>();

  add<F>(list: F[], fn: F): Unsubscribe {
    if (typeof fn !== "function") throw new TypeError("A handler must be a function.");
    list.push(fn);
    this.runs.clear();
    return () => {
      const index = list.indexOf(fn);
      if (index !== -1) list.splice(index, 1);
      this.runs.clear();
    };
  }

  addAll<F>(list: F[], fns: OneOrMany<F> | undefined): void {
    if (fns === undefined) return;
    for (const fn of Array.isArray(fns) ? (fns as readonly F[]) : [fns as F]) this.add(list, fn);
  }

  listFor(type: string): StoredHandler[] {
    let list = this.byType.get(type);
    if (!list) {
      list = [];
      this.byType.set(type, list);
    }
    return list;
  }

  /** The handlers for an event, specific ones first, then `onAny`. */
  handlersFor(type: string, known: boolean): readonly StoredHandler[] {
    const cacheKey = known ? type : "";
    let handlers = this.runs.get(cacheKey);
    if (!handlers) {
      const specific = (known ? this.byType.get(type) : this.unknown) ?? [];
      handlers = [...specific, ...this.any];
      this.runs.set(cacheKey, handlers);
    }
    return handlers;
  }
}
