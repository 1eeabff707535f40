export {
  type FastifyAdapterOptions,
  type FineguideWebhook,
  type FineguideWebhookPlugin,
  type FineguideWebhookPluginOptions,
  fineguideWebhook,
} from "./fineguideWebhook.js";
