export {
  INSTRUMENTATION_NAME,
  type InstrumentOptions,
  instrument,
  otelOutcomeHook,
} from "./instrument.js";
export { VERSION } from "./version.js";
