/**
 * An in-process emulator of Google Cloud Channel's `CloudChannelService.CreateEntitlement` (and
 * `GetEntitlement`) with `google.longrunning.Operations`, over gRPC and REST at once, implemented
 * from the pruned descriptor in `generated/google/` and independent of this library's Google
 * adapter.
 *
 * Each call goes through, in order: decoding (REST: invalid JSON is INVALID_ARGUMENT), the
 * method's quota (RESOURCE_EXHAUSTED), an injected call fault (latency, UNAVAILABLE), the
 * completion of operations whose time has come, the method itself, and for a
 * `drop-after-create` fault the replacement of its answer by UNAVAILABLE. Each answered call is
 * appended to {@link ChannelEmulator.calls}.
 */
import type {
  CancelOperationRequest,
  CreateEntitlementRequest,
  GetEntitlementRequest,
  GetOperationRequest,
} from '../../../generated/google/channel.ts';
import { checkClock, type EmulatorClock, SYSTEM_CLOCK } from '../clock.ts';
import {
  CallLog,
  type CallOutcome,
  type ChannelCallRecord,
  type IncomingCall,
  type RunningServer,
} from './calls.ts';
import {
  type ChannelCompletion,
  type ChannelCustomer,
  type ChannelOffer,
  type ChannelOperationSnapshot,
  DEFAULT_CHANNEL_COMPLETION,
  DEFAULT_CHANNEL_CUSTOMERS,
  DEFAULT_CHANNEL_OFFERS,
} from './defaults.ts';
import type { ChannelEntitlementJson } from './descriptor.ts';
import type { RpcStatus } from './errors.ts';
import { type ChannelFault, FaultQueue, type PendingChannelFault } from './faults.ts';
import type { ChannelQuota } from './quota.ts';
import type { Result } from './state.ts';

/** The only interface the emulator listens on. */
const HOST = '127.0.0.1';

/** Options of {@link startChannelEmulator}. */
export interface ChannelEmulatorOptions {
  /** gRPC port on 127.0.0.1. Default `0`: a free port chosen by the OS. */
  grpcPort?: number;
  /** REST (HTTP/JSON) port on 127.0.0.1. Default `0`: a free port chosen by the OS. */
  restPort?: number;
  /** The reseller's customers. Default {@link DEFAULT_CHANNEL_CUSTOMERS}. */
  customers?: readonly ChannelCustomer[];
  /** The reseller's offers. Default {@link DEFAULT_CHANNEL_OFFERS}. */
  offers?: readonly ChannelOffer[];
  /** When operations complete. Default {@link DEFAULT_CHANNEL_COMPLETION}: on the second GetOperation. */
  completion?: ChannelCompletion;
  /** Per-method quotas per minute (`CHANNEL_PUBLISHED_QUOTA` has the vendor's). Default: none. */
  quota?: ChannelQuota;
  /**
   * The emulator's time: completion by `afterMs`, latency faults and the times it records follow
   * it. Default: the system clock; {@link createManualClock} gives one that moves when told to.
   */
  clock?: EmulatorClock;
  /**
   * Quota windows pass this many times faster than real time (60: a minute lasts 1 s), on the
   * emulator's clock. Default 1.
   */
  timeScale?: number;
}

/** How long {@link ChannelEmulator.close} may take at most. */
const CLOSE_BOUND_MS = 2_000;

/** A running emulator. Close it when done (`await emu.close()`, or `await using emu = ...`). */
export interface ChannelEmulator extends AsyncDisposable {
  /** Where the gRPC server listens (insecure): pass `${host}:${port}` to a gRPC client. */
  readonly grpcAddress: { readonly host: string; readonly port: number };
  /** The REST base URL, `http://127.0.0.1:<port>` (no trailing slash); paths start with `/v1/`. */
  readonly restUrl: string;
  /**
   * Every answered call of an implemented method since start or the last
   * {@link ChannelEmulator.reset}, in the order they were answered (a fresh copy on each read).
   */
  readonly calls: readonly ChannelCallRecord[];
  /** The faults still queued, with how many more calls or operations each will apply to. */
  readonly pendingFaults: readonly PendingChannelFault[];
  /**
   * Resolves with the call log once at least `count` calls have been answered since start or the
   * last reset; rejects after `timeoutMs` (default 5000) so that a wait for a call that never
   * comes fails instead of hanging.
   */
  waitForCalls(count: number, options?: { timeoutMs?: number }): Promise<readonly ChannelCallRecord[]>;
  /** Calls refused with RESOURCE_EXHAUSTED for quota since start or the last reset. */
  readonly quotaErrors: number;
  /** The operations CreateEntitlement created, oldest first (a snapshot). */
  operations(): ChannelOperationSnapshot[];
  /** The entitlements completed operations created, oldest first, in proto3 JSON (a snapshot). */
  entitlements(): ChannelEntitlementJson[];
  /**
   * Queues a fault, applied `fault.times` times (default 1) to the next calls matching
   * `fault.method` / `fault.transport` (`fail-operation`: to the next created operations). Throws
   * `TypeError` for an invalid fault.
   */
  inject(fault: ChannelFault): void;
  /**
   * Forgets every operation, entitlement, queued fault, logged call and quota count. Customers,
   * offers and the completion schedule stay.
   */
  reset(): void;
  /**
   * Stops both servers and closes every connection (HTTP/2 or not, busy or idle); calls in
   * progress (e.g. waiting on a latency fault) end without being processed. Ends within about two
   * seconds whatever clients are connected. Idempotent.
   */
  close(): Promise<void>;
}

function checkPort(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`${name} must be an integer from 0 to 65535`);
  return port;
}

const error = (status: RpcStatus): CallOutcome => ({ kind: 'error', status });

function fromResult(result: Result<object>): CallOutcome {
  return result.ok ? { kind: 'ok', response: result.value } : error(result.status);
}

/**
 * Starts a Cloud Channel emulator (gRPC and REST) on 127.0.0.1.
 *
 * @example
 * ```ts
 * const emu = await startChannelEmulator({ completion: { afterPolls: 1 } });
 * // gRPC: any client of google.cloud.channel.v1.CloudChannelService / google.longrunning.Operations
 * //   at `${emu.grpcAddress.host}:${emu.grpcAddress.port}` with insecure credentials.
 * // REST:
 * const res = await fetch(`${emu.restUrl}/v1/accounts/C0000001/customers/S0000001/entitlements`, {
 *   method: 'POST',
 *   headers: { 'Content-Type': 'application/json' },
 *   body: JSON.stringify({
 *     entitlement: { offer: 'accounts/C0000001/offers/OFFER-WORKSPACE-STARTER' },
 *     requestId: crypto.randomUUID(),
 *   }),
 * }); // 200, an Operation: { name: 'operations/…', metadata: { '@type': …, operationType: 'CREATE_ENTITLEMENT' } }
 * await emu.close();
 * ```
 */
export async function startChannelEmulator(options: ChannelEmulatorOptions = {}): Promise<ChannelEmulator> {
  const grpcPort = checkPort('grpcPort', options.grpcPort ?? 0);
  const restPort = checkPort('restPort', options.restPort ?? 0);
  const clock = options.clock === undefined ? SYSTEM_CLOCK : checkClock(options.clock);
  // Loaded on first start, so that importing the testing entry point stays cheap.
  const [{ ChannelState }, { Quotas }, { unavailable }, { startGrpcServer }, { startRestServer }] =
    await Promise.all([
      import('./state.ts'),
      import('./quota.ts'),
      import('./errors.ts'),
      import('./grpc-server.ts'),
      import('./rest-server.ts'),
    ]);
  const state = new ChannelState(
    options.customers ?? DEFAULT_CHANNEL_CUSTOMERS,
    options.offers ?? DEFAULT_CHANNEL_OFFERS,
    options.completion ?? DEFAULT_CHANNEL_COMPLETION,
  );
  const quotas = new Quotas(options.quota, {
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    now: () => clock.now(),
  });
  const faults = new FaultQueue();
  const log = new CallLog();
  const closing = new AbortController();

  function run(call: IncomingCall, now: number): { outcome: CallOutcome; operationName?: string } {
    switch (call.method) {
      case 'CreateEntitlement': {
        const result = state.createEntitlement(
          call.request as CreateEntitlementRequest,
          () => {
            const fault = faults.takeOperationFault(call.transport);
            return fault && { code: fault.code, message: fault.message, reason: fault.reason };
          },
          now,
        );
        return { outcome: fromResult(result), operationName: result.ok ? result.value.name : undefined };
      }
      case 'GetOperation': {
        const result = state.getOperation(call.request as GetOperationRequest, now);
        return { outcome: fromResult(result), operationName: result.ok ? result.value.name : undefined };
      }
      case 'CancelOperation': {
        const request = call.request as CancelOperationRequest;
        const result = state.cancelOperation(request);
        return {
          outcome: fromResult(result),
          operationName: result.ok ? (request.name ?? undefined) : undefined,
        };
      }
      case 'GetEntitlement':
        return { outcome: fromResult(state.getEntitlement(call.request as GetEntitlementRequest)) };
    }
  }

  async function handle(call: IncomingCall): Promise<CallOutcome> {
    if (closing.signal.aborted) return { kind: 'closed' };
    const requestId = call.method === 'CreateEntitlement' ? call.request.requestId : undefined;
    const base = {
      transport: call.transport,
      method: call.method,
      ...(typeof requestId === 'string' && requestId !== '' ? { requestId } : {}),
      ...(call.routingHeader === undefined ? {} : { routingHeader: call.routingHeader }),
      time: new Date(clock.now()).toISOString(),
    };
    const finish = (
      outcome: CallOutcome,
      extra: Pick<ChannelCallRecord, 'operationName' | 'fault'> = {},
    ): CallOutcome => {
      if (outcome.kind === 'closed') return outcome;
      const code = outcome.kind === 'ok' ? 0 : outcome.status.code;
      log.add({
        ...base,
        code,
        ...(extra.operationName === undefined ? {} : { operationName: extra.operationName }),
        ...(extra.fault === undefined ? {} : { fault: extra.fault }),
      });
      return outcome;
    };

    if (call.invalid) return finish(error(call.invalid));
    const overQuota = quotas.consume(call.method);
    if (overQuota) return finish(error(overQuota));

    const fault = faults.takeCallFault(call.method, call.transport);
    if (fault?.type === 'latency') {
      try {
        await clock.sleep(fault.ms, closing.signal);
      } catch {
        return { kind: 'closed' };
      }
    }
    if (closing.signal.aborted) return { kind: 'closed' };
    if (fault?.type === 'unavailable')
      return finish(error(unavailable(fault.message)), { fault: fault.type });

    const now = clock.now();
    state.settle(now);
    const { outcome, operationName } = run(call, now);
    if (fault?.type === 'drop-after-create')
      return finish(error(unavailable('The service is currently unavailable (the response was lost).')), {
        operationName,
        fault: fault.type,
      });
    return finish(outcome, { operationName, fault: fault?.type });
  }

  const grpc = await startGrpcServer(HOST, grpcPort, handle);
  let rest: RunningServer;
  try {
    rest = await startRestServer(HOST, restPort, handle);
  } catch (cause) {
    await grpc.close();
    throw cause;
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing.abort();
      // Both servers destroy every connection; the bound is a backstop, never a wait.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_BOUND_MS);
        timer.unref();
      });
      await Promise.race([Promise.all([grpc.close(), rest.close()]), bound]);
      clearTimeout(timer);
    })();
    return closed;
  };

  return {
    grpcAddress: Object.freeze({ host: HOST, port: grpc.port }),
    restUrl: `http://${HOST}:${rest.port}`,
    get calls() {
      return log.snapshot();
    },
    get pendingFaults() {
      return faults.pending();
    },
    waitForCalls: (count, { timeoutMs = 5_000 } = {}) => log.waitFor(count, timeoutMs),
    get quotaErrors() {
      return quotas.errors;
    },
    operations() {
      state.settle(clock.now());
      return state.operations();
    },
    entitlements() {
      state.settle(clock.now());
      return state.entitlements();
    },
    inject: (fault) => faults.add(fault),
    reset() {
      state.clear();
      faults.clear();
      log.clear();
      quotas.reset();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
