/**
 * What the queue keeps in Redis for an item: the job data (request, key, digest and, once the
 * create returned, the operation token), the job's return value, and its failure as the
 * serialised EntitlementError. Everything here is JSON and never holds a secret: requests carry
 * no credentials, and errors are the library's own (their messages never include one).
 */
import {
  EntitlementError,
  type EntitlementErrorInit,
  isEntitlementError,
  isErrorKind,
} from '../core/errors.ts';
import type { Entitlement, EntitlementState } from '../core/types.ts';

export const JOB_DATA_VERSION = 1;

/** BullMQ job names: an item (create, then its polls when they share its queue), and a poll. */
export const ITEM_JOB = 'item';
export const POLL_JOB = 'poll';

export interface ItemJobData {
  v: typeof JOB_DATA_VERSION;
  vendor: string;
  key: string;
  /** SHA-256 of the request's canonical JSON: the same key with another digest is a conflict. */
  digest: string;
  /** The create request, without `idempotencyKey`. */
  request: Record<string, unknown> & { vendor: string };
  /** True when the key is sent as the call's idempotency key (false: the request carries it, as Confluent's external_id). */
  sendKey: boolean;
  /** Random per enqueue: tells the producer whether its add made the job or found one. */
  nonce: string;
  enqueuedAt: number;
  /** The operation token, written right after the create returned. */
  token?: string;
  /** When the token was written (the poll deadline counts from here). */
  tokenAt?: number;
}

export interface PollJobData {
  v: typeof JOB_DATA_VERSION;
  vendor: string;
  key: string;
  token: string;
  tokenAt: number;
}

/** An entitlement as JSON (dates as ISO strings; no call metadata). */
export interface EntitlementJson {
  vendor: string;
  id: string;
  state: EntitlementState;
  stateReasons?: string[];
  product: string;
  plan: string;
  externalId?: string;
  createdAt?: string;
  raw: unknown;
}

/** What an item ends with: its entitlement. */
export interface QueueResult {
  vendor: string;
  key: string;
  entitlement: EntitlementJson;
  /** The operation token (resume it with the provisioner's `resume`). */
  token: string;
  /** Polls it took after the create. */
  polls: number;
}

/** The return value of an item job: the result, or (polls in their own queue) where it went on. */
export type ItemJobReturn = { stage: 'done'; result: QueueResult } | { stage: 'polling'; token: string };

/** Progress reported on the jobs (QueueEvents `progress`). */
export type QueueProgress = { stage: 'created'; token: string } | { stage: 'polling'; polls: number };

export function entitlementJson(entitlement: Entitlement): EntitlementJson {
  const json: EntitlementJson = {
    vendor: entitlement.vendor,
    id: entitlement.id,
    state: entitlement.state,
    product: entitlement.product,
    plan: entitlement.plan,
    raw: JSON.parse(JSON.stringify(entitlement.raw ?? null)),
  };
  if (entitlement.stateReasons) json.stateReasons = [...entitlement.stateReasons];
  if (entitlement.externalId !== undefined) json.externalId = entitlement.externalId;
  if (entitlement.createdAt !== undefined) json.createdAt = entitlement.createdAt.toISOString();
  return json;
}

/** The failed reason a job carries: the serialised EntitlementError (no cause, no stack). */
export function failureReason(error: EntitlementError): string {
  return JSON.stringify(error.toJSON());
}

/** Rebuilds the EntitlementError from a job's failed reason; BullMQ's own reasons (stalls) become `internal`. */
export function errorFromReason(
  reason: string | undefined,
  context: { vendor: string; token?: string },
): EntitlementError {
  let parsed: unknown;
  try {
    parsed = reason === undefined ? undefined : JSON.parse(reason);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    (parsed as { name?: unknown }).name === 'EntitlementError' &&
    isErrorKind((parsed as { kind?: unknown }).kind) &&
    typeof (parsed as { message?: unknown }).message === 'string'
  ) {
    const { name: _name, ...init } = parsed as EntitlementErrorInit & { name: string };
    const error = new EntitlementError({ ...init, vendor: init.vendor ?? context.vendor });
    return error.token === undefined && context.token !== undefined
      ? error.with({ token: context.token })
      : error;
  }
  return new EntitlementError({
    kind: 'internal',
    vendor: context.vendor,
    retryable: false,
    message: `the job failed: ${reason ?? 'no reason recorded'}`,
    ...(context.token !== undefined ? { token: context.token } : {}),
  });
}

/** Any error as an EntitlementError (a bug or a Redis failure becomes a retryable `internal`). */
export function asEntitlementError(error: unknown, vendor: string): EntitlementError {
  if (isEntitlementError(error)) return error;
  return new EntitlementError({
    kind: 'internal',
    vendor,
    retryable: true,
    message: error instanceof Error ? error.message : String(error),
    cause: error,
  });
}
