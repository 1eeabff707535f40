import fc from "fast-check";

// The Redis store's properties make a round trip to redis-server per step: under mutation they
// run 40 sequences instead of 300 (and 100), enough for a wrong answer to show, and a failing
// one only has to fail (no shrinking).
fc.configureGlobal({ endOnFailure: true, numRuns: 40 });
