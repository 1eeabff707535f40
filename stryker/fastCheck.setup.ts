import fc from "fast-check";

// Under mutation a failing property only has to fail: no shrinking to a smallest counterexample.
fc.configureGlobal({ endOnFailure: true });
