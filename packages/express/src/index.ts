export { fineguideErrorHandler } from "./fineguideErrorHandler.js";
export { type FineguideWebhookMiddleware, fineguideWebhook } from "./fineguideWebhook.js";
export type { ExpressAdapterOptions, ExpressContext, ExpressWebhooksOptions } from "./options.js";
