import { NotProcessedError } from "@fineguide-webhooks/core";

/**
 * What a store's `complete()` throws when the delivery's transaction did not
 * commit although every handler returned (a transactional handler's error
 * caught by another handler, or one not awaited): core then answers 500
 * `handler_failed` instead of 200, and FineGuide retries the event.
 */
export const notCommitted = (): NotProcessedError =>
  new NotProcessedError(
    "fineguide-webhooks/sql: the delivery's transaction did not commit although every handler returned; " +
      "await each transactional handler and let its error through",
  );
