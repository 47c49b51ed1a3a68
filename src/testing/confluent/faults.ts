/**
 * Injected faults: a queue of misbehaviours applied to the next matching requests. Each request
 * takes at most one fault: the first queued fault whose `match` fits it.
 */
import type { ConfluentOperationId } from './spec.ts';

/** Which requests a fault applies to; omitted fields match anything. */
export interface ConfluentFaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** The vendor operation; requests to unknown routes have none and never match this. */
  operationId?: ConfluentOperationId;
}

interface FaultBase {
  match?: ConfluentFaultMatch;
  /** How many matching requests the fault applies to: a positive integer or `Infinity`. Default 1. */
  times?: number;
}

/** Wait `ms` milliseconds, then process the request normally. */
export interface ConfluentLatencyFault extends FaultBase {
  type: 'latency';
  ms: number;
}

/**
 * Answer with a server error without processing the request (nothing is stored). `body` is the
 * vendor's JSON error body (default), nothing, or the HTML page a load balancer sends.
 */
export interface ConfluentStatusFault extends FaultBase {
  type: 'status';
  status: 500 | 502 | 503 | 504;
  body?: 'json' | 'empty' | 'html';
}

/** Reset the connection (TCP RST) without processing the request: nothing is stored. */
export interface ConfluentResetFault extends FaultBase {
  type: 'reset';
}

/**
 * Process the request completely (a create IS stored) and then close the connection instead of
 * answering: the client sees a network error for a write that succeeded.
 */
export interface ConfluentDropAfterCommitFault extends FaultBase {
  type: 'drop-after-commit';
}

/** A fault for {@link ConfluentEmulator.inject}. */
export type ConfluentFault =
  | ConfluentLatencyFault
  | ConfluentStatusFault
  | ConfluentResetFault
  | ConfluentDropAfterCommitFault;

/** A queued fault and how many more requests it will apply to. */
export interface PendingConfluentFault {
  readonly fault: ConfluentFault;
  readonly remaining: number;
}

const STATUSES = new Set([500, 502, 503, 504]);
const BODIES = new Set(['json', 'empty', 'html']);

function check(fault: ConfluentFault): void {
  const times = fault.times ?? 1;
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times > 0)))
    throw new TypeError('fault.times must be a positive integer or Infinity');
  switch (fault.type) {
    case 'latency':
      if (!Number.isFinite(fault.ms) || fault.ms < 0)
        throw new TypeError('a latency fault needs ms >= 0 (milliseconds)');
      return;
    case 'status':
      if (!STATUSES.has(fault.status))
        throw new TypeError('a status fault needs status 500, 502, 503 or 504');
      if (fault.body !== undefined && !BODIES.has(fault.body))
        throw new TypeError("a status fault's body is 'json', 'empty' or 'html'");
      return;
    case 'reset':
    case 'drop-after-commit':
      return;
    default:
      throw new TypeError(`unknown fault type ${JSON.stringify((fault as { type?: unknown }).type)}`);
  }
}

function matches(match: ConfluentFaultMatch | undefined, method: string, operationId: string | undefined) {
  if (match?.method !== undefined && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match?.operationId !== undefined && match.operationId !== operationId) return false;
  return true;
}

export class FaultQueue {
  #queue: { fault: ConfluentFault; remaining: number }[] = [];

  add(fault: ConfluentFault): void {
    check(fault);
    const copy = structuredClone(fault);
    this.#queue.push({ fault: copy, remaining: copy.times ?? 1 });
  }

  /** Takes one use of the first fault matching the request, if any. */
  take(method: string, operationId: string | undefined): ConfluentFault | undefined {
    const index = this.#queue.findIndex((entry) => matches(entry.fault.match, method, operationId));
    const entry = this.#queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#queue.splice(index, 1);
    return entry.fault;
  }

  pending(): PendingConfluentFault[] {
    return this.#queue.map((entry) => ({ fault: structuredClone(entry.fault), remaining: entry.remaining }));
  }

  clear(): void {
    this.#queue = [];
  }
}
