import type { AnyEvent } from "../types.js";
import type {
  DuplicateHook,
  ErrorHook,
  Handler,
  InvalidHook,
  OneOrMany,
  Unsubscribe,
} from "./types.js";

/** Lists of handlers and hooks; what runs for an event is decided here. */
export class Registry {
  readonly byType = new Map<string, Handler<never>[]>();
  readonly any: Handler<AnyEvent>[] = [];
  readonly unknown: Handler<never>[] = [];
  readonly invalid: InvalidHook[] = [];
  readonly duplicate: DuplicateHook[] = [];
  readonly error: ErrorHook[] = [];

  /** What runs per type, computed on first use and forgotten on any change. */
  private readonly runs = new Map<string, readonly Handler<AnyEvent>[]>();

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

  listFor(type: string): Handler<never>[] {
    let list = this.byType.get(type);
    if (!list) {
      list = [];
      this.byType.set(type, list);
    }
    return list;
  }

  /** The handlers for an event, specific ones first, then `onAny`. */
  handlersFor(type: string, known: boolean): readonly Handler<AnyEvent>[] {
    const cacheKey = known ? type : "";
    let handlers = this.runs.get(cacheKey);
    if (!handlers) {
      const specific = ((known ? this.byType.get(type) : this.unknown) ??
        []) as Handler<AnyEvent>[];
      handlers = [...specific, ...this.any];
      this.runs.set(cacheKey, handlers);
    }
    return handlers;
  }
}
