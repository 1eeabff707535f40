import { describe, expect, it } from "vitest";
import { createDeliveryIds } from "./deliveryIds.js";

describe("createDeliveryIds", () => {
  it("never repeats, within a generator or across generators (processes)", () => {
    const a = createDeliveryIds();
    const b = createDeliveryIds();
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      ids.add(a());
      ids.add(b());
    }
    expect(ids.size).toBe(20_000);
  });
});
