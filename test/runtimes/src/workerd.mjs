// Runs the worker bundle in workerd through miniflare (which needs Node >= 22:
// run.ts starts this file with the node22 binary) and prints the suite's results as JSON.
import { Miniflare } from "miniflare";

const [scriptPath] = process.argv.slice(2);
const mf = new Miniflare({
  modules: true,
  scriptPath,
  compatibilityDate: "2024-09-23",
  compatibilityFlags: ["nodejs_compat"],
});
try {
  const res = await mf.dispatchFetch("http://localhost/run");
  process.stdout.write(`${await res.text()}\n`);
} finally {
  await mf.dispose();
}
