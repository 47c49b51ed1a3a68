/**
 * The event hook. Events carry what a log line or a trace span needs (operation, attempt, status,
 * vendor request id, timings) and never a header, a body, a token, a key or a secret.
 */
import type { ErrorKind } from './errors.ts';
import type { Redactor } from './redact.ts';

interface EventBase {
  vendor: string;
  /** The logical call: `create`, `get`, `poll`, `cancel`, ... */
  operation: string;
  /** Milliseconds since the epoch. */
  time: number;
}

export type ProvisionerEvent =
  | (EventBase & { type: 'request' })
  | (EventBase & { type: 'attempt'; attempt: number; method?: string; url?: string })
  | (EventBase & {
      type: 'response';
      attempt: number;
      httpStatus?: number;
      grpcCode?: number;
      requestId?: string;
      durationMs: number;
    })
  | (EventBase & { type: 'retry'; attempt: number; delayMs: number; errorKind: ErrorKind; message: string })
  | (EventBase & {
      type: 'poll';
      polls: number;
      done: boolean;
      elapsedMs: number;
      /** When not done: the pause before the next poll. */
      nextDelayMs?: number;
    })
  | (EventBase & { type: 'done'; attempts: number; durationMs: number; requestId?: string })
  | (EventBase & {
      type: 'error';
      attempts: number;
      durationMs: number;
      errorKind: ErrorKind;
      message: string;
      requestId?: string;
    });

export type ProvisionerEventListener = (event: ProvisionerEvent) => void;

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ProvisionerEventInput = Without<ProvisionerEvent, 'time' | 'vendor'>;
export type { EventBase as ProvisionerEventBase, Without as DistributiveOmit };

/**
 * Emits to a listener; a listener that throws is reported as a warning and never breaks the call.
 * With a redactor, every string of every event is scrubbed of the secrets it knows first.
 */
export function createEmitter(
  vendor: string,
  listener?: ProvisionerEventListener,
  redactor?: Redactor,
): Emit {
  const emit = (event: ProvisionerEventInput): void => {
    if (!listener) return;
    const full = { ...event, vendor, time: Date.now() } as ProvisionerEvent;
    try {
      listener(redactor ? redactor.value(full) : full);
    } catch (error) {
      const what = describeThrown(error);
      process.emitWarning(
        `entitlement-provisioner: an onEvent listener threw: ${redactor ? redactor.text(what) : what}`,
      );
    }
  };
  return Object.assign(emit, { active: listener !== undefined });
}

function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
  } catch {
    return 'an unreadable value';
  }
}

/** Sends an event to the listener; `active` is false when there is none (hot paths skip building events). */
export type Emit = ((event: ProvisionerEventInput) => void) & { readonly active: boolean };
