export { type ContractSuiteOptions, contractSuite } from "./contractSuite.js";
export { CONTRACT_HEADER, CONTRACT_SECRET, ROTATED_SECRET } from "./secrets.js";
export {
  fetchSender,
  type InjectApp,
  injectSender,
  type RequestApp,
  requestSender,
} from "./senders.js";
export type { Mount, MountedReceiver, ProbeRequest, ProbeResponse, Send } from "./types.js";
