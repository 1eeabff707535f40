import { chai } from "vitest";

// vitest's `toThrow()`, `toThrow("text")` and `toThrow(/re/)` pass when the function throws,
// or the promise rejects with, `undefined` or `null`: the text is then never compared. A
// mutant that rejected with nothing survived such a test. Here they require a thrown value.
// Negated assertions, and error classes or instances (already strict), go through as before.
chai.use((_chai, utils) => {
  for (const name of ["toThrow", "toThrowError"]) {
    utils.overwriteMethod(
      chai.Assertion.prototype,
      name,
      (original: (this: Chai.AssertionStatic, ...args: unknown[]) => unknown) =>
        function (this: Chai.AssertionStatic, ...args: unknown[]) {
          const expected = args[0];
          if (
            (expected !== undefined &&
              typeof expected !== "string" &&
              !(expected instanceof RegExp)) ||
            utils.flag(this, "negate")
          ) {
            return original.apply(this, args);
          }
          const promise = utils.flag(this, "promise") as string | undefined;
          const subject: unknown = utils.flag(this, "object");
          let thrown: unknown;
          let threw = false;
          if (promise === "rejects") {
            threw = true;
            thrown = subject;
          } else if (promise === undefined && typeof subject === "function") {
            try {
              subject();
            } catch (error) {
              threw = true;
              thrown = error;
            }
            // Called once: the original matcher sees the same outcome again.
            utils.flag(this, "object", () => {
              if (threw) throw thrown;
            });
          }
          if (threw && thrown == null) {
            const wanted =
              expected === undefined
                ? "an error"
                : `an error matching ${typeof expected === "string" ? JSON.stringify(expected) : String(expected)}`;
            const how = promise === "rejects" ? "the promise rejected" : "the function threw";
            throw new chai.AssertionError(`expected ${wanted}, but ${how} with ${String(thrown)}`);
          }
          return original.apply(this, args);
        },
    );
  }
});
