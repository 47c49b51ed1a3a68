/**
 * The event hook. Events carry what a log line or a trace span needs (operation, attempt, status,
 * vendor request id, timings) and never a header, a body, a token, a key or a secret.
 */
import type { ErrorKind } from './errors.ts';

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

/** Emits to a listener; a listener that throws is reported as a warning and never breaks the call. */
export function createEmitter(vendor: string, listener?: ProvisionerEventListener) {
  return (event: ProvisionerEventInput): void => {
    if (!listener) return;
    try {
      listener({ ...event, vendor, time: Date.now() } as ProvisionerEvent);
    } catch (error) {
      process.emitWarning(`entitlement-provisioner: an onEvent listener threw: ${String(error)}`);
    }
  };
}

export type Emit = ReturnType<typeof createEmitter>;
