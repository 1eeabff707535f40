export {
  type FineguideWebhookHandler,
  fineguideWebhook,
  type HonoAdapterOptions,
} from "./fineguideWebhook.js";
