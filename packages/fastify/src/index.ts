export {
  type FastifyAdapterOptions,
  type FastifyContext,
  type FastifyReceiver,
  type FastifyWebhooksOptions,
  type FineguideWebhook,
  type FineguideWebhookPlugin,
  type FineguideWebhookPluginOptions,
  fineguideWebhook,
} from "./fineguideWebhook.js";
