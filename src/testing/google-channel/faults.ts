/**
 * Injected faults: a queue of misbehaviours applied to the next matching calls, in the order they
 * were injected. A call takes at most one call fault (`latency`, `unavailable`,
 * `drop-after-create`); a `fail-operation` fault is taken separately, by the next operation a
 * CreateEntitlement call creates.
 */
import type { ChannelMethod } from './descriptor.ts';

/** The transport a call came in on. */
export type ChannelTransport = 'grpc' | 'rest';

interface FaultBase {
  /** Apply only to calls of this method. Default: any method the fault can apply to. */
  method?: ChannelMethod;
  /** Apply only to calls over this transport. Default: both. */
  transport?: ChannelTransport;
  /** How many calls (or operations) the fault applies to: a positive integer or `Infinity`. Default 1. */
  times?: number;
}

/**
 * Wait `ms` milliseconds, then process the call normally. Like a real server, the emulator goes
 * on processing when the client gives up (deadline, abort) in the meantime: a create delayed past
 * the client's deadline still creates its operation.
 */
export interface ChannelLatencyFault extends FaultBase {
  type: 'latency';
  ms: number;
}

/** Answer UNAVAILABLE without processing the call (nothing is created, no poll is counted). */
export interface ChannelUnavailableFault extends FaultBase {
  type: 'unavailable';
  /** The status message. Default `The service is currently unavailable.` */
  message?: string;
}

/**
 * CreateEntitlement only: process the call completely (the operation IS created and stored, or
 * the request id deduplicated), then answer UNAVAILABLE as if the response had been lost. The
 * call that duplicates purchases in clients that retry without a request id.
 */
export interface ChannelDropAfterCreateFault extends FaultBase {
  type: 'drop-after-create';
  method?: 'CreateEntitlement';
}

/**
 * The next operation(s) CreateEntitlement creates finish (on the configured completion schedule)
 * with this `google.rpc.Status` instead of an entitlement; its details hold an ErrorInfo
 * `{reason, domain: 'cloudchannel.googleapis.com'}`. The create call itself succeeds.
 */
export interface ChannelFailOperationFault extends FaultBase {
  type: 'fail-operation';
  method?: 'CreateEntitlement';
  /** A gRPC status code from 1 to 16. */
  code: number;
  message: string;
  /** `ErrorInfo.reason`. Default: the code's name, e.g. `INTERNAL`. */
  reason?: string;
}

/** A fault for {@link ChannelEmulator.inject}. */
export type ChannelFault =
  | ChannelLatencyFault
  | ChannelUnavailableFault
  | ChannelDropAfterCreateFault
  | ChannelFailOperationFault;

/** The faults a call can take (all but `fail-operation`). */
export type ChannelCallFault = Exclude<ChannelFault, ChannelFailOperationFault>;

/** A queued fault and how many more calls or operations it will apply to. */
export interface PendingChannelFault {
  readonly fault: ChannelFault;
  readonly remaining: number;
}

const METHODS = new Set<string>(['CreateEntitlement', 'GetOperation', 'CancelOperation', 'GetEntitlement']);
const TRANSPORTS = new Set<string>(['grpc', 'rest']);

function check(fault: ChannelFault): void {
  if (typeof fault !== 'object' || fault === null) throw new TypeError('a fault is an object');
  const times = fault.times ?? 1;
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times > 0)))
    throw new TypeError('fault.times must be a positive integer or Infinity');
  if (fault.method !== undefined && !METHODS.has(fault.method))
    throw new TypeError(`unknown fault.method ${JSON.stringify(fault.method)}`);
  if (fault.transport !== undefined && !TRANSPORTS.has(fault.transport))
    throw new TypeError("fault.transport is 'grpc' or 'rest'");
  switch (fault.type) {
    case 'latency':
      if (!Number.isFinite(fault.ms) || fault.ms < 0)
        throw new TypeError('a latency fault needs ms >= 0 (milliseconds)');
      return;
    case 'unavailable':
      if (fault.message !== undefined && typeof fault.message !== 'string')
        throw new TypeError("an unavailable fault's message is a string");
      return;
    case 'drop-after-create':
      if (fault.method !== undefined && fault.method !== 'CreateEntitlement')
        throw new TypeError('a drop-after-create fault applies to CreateEntitlement only');
      return;
    case 'fail-operation':
      if (fault.method !== undefined && fault.method !== 'CreateEntitlement')
        throw new TypeError('a fail-operation fault applies to CreateEntitlement only');
      if (!Number.isInteger(fault.code) || fault.code < 1 || fault.code > 16)
        throw new TypeError('a fail-operation fault needs a gRPC code from 1 to 16');
      if (typeof fault.message !== 'string') throw new TypeError('a fail-operation fault needs a message');
      if (fault.reason !== undefined && typeof fault.reason !== 'string')
        throw new TypeError("a fail-operation fault's reason is a string");
      return;
    default:
      throw new TypeError(`unknown fault type ${JSON.stringify((fault as { type?: unknown }).type)}`);
  }
}

interface Entry {
  fault: ChannelFault;
  remaining: number;
}

export class FaultQueue {
  #queue: Entry[] = [];

  add(fault: ChannelFault): void {
    check(fault);
    const copy = structuredClone(fault);
    this.#queue.push({ fault: copy, remaining: copy.times ?? 1 });
  }

  #take(accepts: (fault: ChannelFault) => boolean): ChannelFault | undefined {
    const index = this.#queue.findIndex((entry) => accepts(entry.fault));
    const entry = this.#queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#queue.splice(index, 1);
    return entry.fault;
  }

  /** Takes one use of the first call fault matching a call, if any. */
  takeCallFault(method: ChannelMethod, transport: ChannelTransport): ChannelCallFault | undefined {
    return this.#take(
      (fault) =>
        fault.type !== 'fail-operation' &&
        (fault.method === undefined || fault.method === method) &&
        (fault.transport === undefined || fault.transport === transport) &&
        (fault.type !== 'drop-after-create' || method === 'CreateEntitlement'),
    ) as ChannelCallFault | undefined;
  }

  /** Takes one use of the first `fail-operation` fault for an operation being created, if any. */
  takeOperationFault(transport: ChannelTransport): ChannelFailOperationFault | undefined {
    return this.#take(
      (fault) =>
        fault.type === 'fail-operation' && (fault.transport === undefined || fault.transport === transport),
    ) as ChannelFailOperationFault | undefined;
  }

  pending(): PendingChannelFault[] {
    return this.#queue.map((entry) => ({ fault: structuredClone(entry.fault), remaining: entry.remaining }));
  }

  clear(): void {
    this.#queue = [];
  }
}
