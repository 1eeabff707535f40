export {
  type FineguideWebhookHandler,
  fineguideWebhook,
  type HonoAdapterOptions,
  type HonoContext,
  type HonoWebhooksOptions,
} from "./fineguideWebhook.js";
