import { contractSuite } from "./contractSuite.js";

// The contract against core's receive() itself, the reference every adapter must match.
contractSuite("core receive()", (webhooks) => async (req) => {
  const res = await webhooks.receive({ method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, headers: { ...res.headers }, body: res.body };
});
