import type { Webhooks } from "@fineguide-webhooks/core";

/** A request the contract suite sends. `body` is sent byte for byte. */
export interface ProbeRequest {
  readonly method: string;
  /** Lowercase header names. `content-length` is left to the client. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** What came back: status, lowercase headers, and the body as text. */
export interface ProbeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends one request to the receiver under test. */
export type Send = (request: ProbeRequest) => Promise<ProbeResponse>;

/** A mounted receiver: how to reach it, and how to stop it. */
export interface MountedReceiver {
  readonly send: Send;
  readonly close?: () => void | Promise<void>;
}

/**
 * How the suite reaches a receiver: it creates a `Webhooks` instance per test
 * (with its own handlers and options) and asks you to mount it in your app.
 */
export type Mount = (
  webhooks: Webhooks,
) => Send | MountedReceiver | Promise<Send | MountedReceiver>;
