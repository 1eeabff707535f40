/**
 * Marks an object as one of the kit's kinds with a `Symbol.for` key, which
 * every copy of the package (an ESM and a CommonJS build in one process)
 * shares, so that `hasBrand` recognises it where `instanceof` would not.
 */
export function setBrand(target: object, brand: symbol): void {
  Object.defineProperty(target, brand, { value: true });
}

/** Whether `value` carries `brand` (see {@link setBrand}). */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}
