/**
 * The Google Cloud Channel adapter: `accounts.customers.entitlements.create` is a long-running
 * operation. create sends CreateEntitlement with a request_id (a UUID derived from the caller's
 * idempotency key, or generated once) that is reused on every retry and in the token, so a retry
 * after a lost response gets the same operation; wait polls google.longrunning.Operations with a
 * finite deadline; resume(token) polls the same operation from any process.
 */

import { TYPE_NAMES } from '../../../generated/google/channel.ts';
import {
  type CallMeta,
  type CallOptions,
  CallTrace,
  type CommonAdapterOptions,
  createEmitter,
  createOperation,
  decodeVendorToken,
  type Emit,
  type Entitlement,
  EntitlementError,
  encodeToken,
  isEntitlementError,
  isLoopbackHost,
  newIdempotencyKey,
  type OperationStatus,
  type PollingOptions,
  type ProvisioningOperation,
  type ResumeOptions,
  retrySettings,
  uuidForKey,
  withRetries,
} from '../../core/index.ts';
import {
  type Cancellable,
  type ChannelCallOptions,
  ChannelClient,
  type ChannelClientLike,
  type ChannelClientOptions,
  DEFAULT_ENDPOINT,
  type OperationLike,
  type Transport,
} from './channel-client.ts';
import {
  type ChannelCall,
  type ChannelCallContext,
  errorFromCall,
  errorFromOperationStatus,
  type StatusLike,
} from './errors.ts';
import { normaliseEntitlement, toEntitlement } from './mapping.ts';
import { unpackAny } from './protos.ts';
import {
  GOOGLE_CHANNEL,
  type GoogleChannelCreateRequest,
  type GoogleChannelEntitlementRef,
  type GoogleChannelEntitlementResource,
  type GoogleChannelProvisioner,
  type GoogleChannelVendor,
} from './types.ts';
import {
  checkCreateRequest,
  checkEntitlementName,
  checkOperationName,
  invalidArgument,
} from './validation.ts';

export interface GoogleChannelOptions extends CommonAdapterOptions, Omit<ChannelClientOptions, 'transport'> {
  /** `grpc` (default) or `rest` (HTTP/JSON). */
  transport?: Transport;
  /** An official `CloudChannelServiceClient` (or anything of its shape) to use instead of the built-in one. */
  client?: ChannelClientLike;
}

/** DESIGN section 5: 1 s, x1.5, at most 30 s between polls, 30 min in all. */
const CHANNEL_POLLING: Required<PollingOptions> = {
  initialDelayMs: 1_000,
  multiplier: 1.5,
  maxDelayMs: 30_000,
};
const CHANNEL_WAIT_TIMEOUT_MS = 30 * 60_000;
/** CreateEntitlement's documented timeout. */
const DEFAULT_TIMEOUT_MS = 60_000;

type ChannelEntitlement = Entitlement<GoogleChannelVendor, GoogleChannelEntitlementResource>;
type ChannelOperationHandle = ProvisioningOperation<GoogleChannelVendor, GoogleChannelEntitlementResource>;
type ChannelStatus = OperationStatus<GoogleChannelVendor, GoogleChannelEntitlementResource>;

interface TokenFields {
  operation: string;
  requestId?: string;
  parent?: string;
  offer?: string;
  externalCorrelationId?: string;
}

interface RawOperation {
  name?: string | null;
  done?: boolean | null;
  error?: StatusLike | null;
  response?: unknown;
  metadata?: unknown;
}

/** Rejects as soon as the signal aborts (and cancels the gax call when it can be). */
function abortable<T>(call: Cancellable<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return call;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      call.cancel?.();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

class GoogleChannelAdapter implements GoogleChannelProvisioner {
  readonly vendor = GOOGLE_CHANNEL;
  readonly #client: ChannelClientLike;
  readonly #emit: Emit;
  readonly #options: GoogleChannelOptions;
  /** Where the built-in client connects, for error messages (unknown for an injected client). */
  readonly #where: Pick<ChannelCallContext, 'endpoint' | 'transport'>;

  constructor(options: GoogleChannelOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('options must be an object');
    retrySettings(options.maxRetries);
    if (options.apiEndpoint?.includes(':') && !options.apiEndpoint.startsWith('[')) {
      throw invalidArgument('apiEndpoint is a host name only: give the port in the port option');
    }
    const host = options.apiEndpoint ?? DEFAULT_ENDPOINT;
    if (options.insecure && !isLoopbackHost(host)) {
      throw invalidArgument(
        `insecure (plain-text) transport is refused for ${host}: it is for loopback emulators only`,
      );
    }
    this.#options = options;
    this.#where = options.client
      ? {}
      : { endpoint: `${host}:${options.port ?? 443}`, transport: options.transport ?? 'grpc' };
    this.#emit = createEmitter(GOOGLE_CHANNEL, options.onEvent);
    this.#client =
      options.client ?? new ChannelClient({ ...options, transport: options.transport ?? 'grpc' });
  }

  async create(
    request: GoogleChannelCreateRequest,
    options: CallOptions = {},
  ): Promise<ChannelOperationHandle> {
    const checked = checkCreateRequest(request);
    const requestId =
      options.idempotencyKey !== undefined ? uuidForKey(options.idempotencyKey) : newIdempotencyKey();
    // Exactly what was checked: the settable fields in their wire form.
    const { offer } = checked.entitlement;
    const wire = { parent: checked.parent, entitlement: checked.entitlement, requestId };
    const { value: operation, meta } = await this.#call(
      'create',
      options,
      `${checked.parent} ${offer}`,
      (callOptions) => this.#client.createEntitlement(wire, callOptions),
    );
    const handle = operation[0];
    handle.on?.('error', () => undefined);
    const raw = (handle.latestResponse ?? handle) as RawOperation;
    const name = checkOperationName(raw.name ?? handle.name);
    const fields: TokenFields = { operation: name, requestId, parent: checked.parent, offer };
    if (checked.externalCorrelationId !== undefined)
      fields.externalCorrelationId = checked.externalCorrelationId;
    const token = encodeToken({ vendor: GOOGLE_CHANNEL, ...fields });
    return this.#operation(fields, token, this.#status(raw, token, meta), { ...meta });
  }

  async resume(token: string, options: ResumeOptions = {}): Promise<ChannelOperationHandle> {
    const payload = decodeVendorToken(token, GOOGLE_CHANNEL);
    const fields: TokenFields = { operation: checkOperationName(payload.operation) };
    for (const key of ['requestId', 'parent', 'offer', 'externalCorrelationId'] as const) {
      if (typeof payload[key] === 'string') fields[key] = payload[key];
    }
    const meta: CallMeta = { vendor: GOOGLE_CHANNEL, attempts: 0, durationMs: 0 };
    return this.#operation(fields, token, { done: false }, meta, options.polling);
  }

  async get(ref: GoogleChannelEntitlementRef, options: CallOptions = {}): Promise<ChannelEntitlement> {
    if (typeof ref !== 'object' || ref === null || ref.vendor !== GOOGLE_CHANNEL) {
      throw invalidArgument('a Cloud Channel entitlement reference is { vendor: "google-channel", name }');
    }
    const name = checkEntitlementName(ref.name);
    const getEntitlement = this.#client.getEntitlement?.bind(this.#client);
    if (!getEntitlement) {
      throw new EntitlementError({
        kind: 'failed-precondition',
        vendor: GOOGLE_CHANNEL,
        message: 'the injected Cloud Channel client has no getEntitlement method',
      });
    }
    const { value, meta } = await this.#call('get', options, name, (callOptions) =>
      getEntitlement({ name }, callOptions),
    );
    return toEntitlement(normaliseEntitlement(value[0]), meta);
  }

  /** The status a raw google.longrunning.Operation describes; a failed one throws `operation-failed`. */
  #status(raw: RawOperation, token: string, meta: CallMeta): ChannelStatus {
    const name = raw.name ?? '';
    const metadata = unpackAny(raw.metadata)?.value as { operationType?: string } | undefined;
    const progress = metadata?.operationType ? { message: metadata.operationType } : undefined;
    if (raw.done !== true)
      return {
        done: false,
        meta,
        ...(progress ? { progress: { polls: 0, elapsedMs: 0, ...progress } } : {}),
      };
    if (raw.error && (raw.error.code ?? 0) !== 0) throw errorFromOperationStatus(raw.error, name, token);
    const response = unpackAny(raw.response);
    if (response?.type !== TYPE_NAMES.Entitlement) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: GOOGLE_CHANNEL,
        operationName: name,
        token,
        message: `operation ${name} finished without an Entitlement (got ${response?.type ?? 'nothing'})`,
      });
    }
    return { done: true, entitlement: toEntitlement(normaliseEntitlement(response.value), meta), meta };
  }

  async #getOperation(name: string, callOptions: ChannelCallOptions): Promise<RawOperation> {
    if (this.#client.getOperation) {
      const [operation] = await this.#client.getOperation({ name }, callOptions);
      return operation as RawOperation;
    }
    const operation: OperationLike = await this.#client.checkCreateEntitlementProgress(name);
    operation.on?.('error', () => undefined);
    return (operation.latestResponse ?? operation) as RawOperation;
  }

  #operation(
    fields: TokenFields,
    token: string,
    initial: ChannelStatus,
    meta: CallMeta,
    polling?: PollingOptions,
  ): ChannelOperationHandle {
    const name = fields.operation;
    const cancelOperation = this.#client.cancelOperation?.bind(this.#client);
    return createOperation({
      vendor: GOOGLE_CHANNEL,
      token,
      replayed: false,
      meta,
      initial,
      emit: this.#emit,
      polling: { ...CHANNEL_POLLING, ...this.#options.polling, ...polling },
      waitTimeoutMs: this.#options.waitTimeoutMs ?? CHANNEL_WAIT_TIMEOUT_MS,
      poll: async (options) => {
        const { value, meta: pollMeta } = await this.#call(
          'poll',
          options,
          name,
          (callOptions) => this.#getOperation(name, callOptions) as Cancellable<RawOperation>,
        );
        return this.#status(value, token, pollMeta);
      },
      ...(cancelOperation
        ? {
            cancel: async (options: CallOptions) => {
              await this.#call('cancel', options, name, (callOptions) =>
                cancelOperation({ name }, callOptions),
              );
            },
          }
        : {}),
    });
  }

  /** One logical call with retries, timeouts, AbortSignal and events. */
  async #call<T>(
    operation: string,
    options: CallOptions,
    subject: string,
    invoke: (callOptions: ChannelCallOptions) => Cancellable<T>,
  ): Promise<{ value: T; meta: CallMeta }> {
    const trace = new CallTrace(GOOGLE_CHANNEL, operation, subject, this.#emit);
    const settings = retrySettings(options.maxRetries ?? this.#options.maxRetries);
    try {
      const value = await withRetries(
        { vendor: GOOGLE_CHANNEL, operation, settings, signal: options.signal, emit: this.#emit },
        async () => {
          trace.begin(operation);
          const callOptions: ChannelCallOptions = {
            timeout: options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            // gax must not retry underneath: this layer retries (DESIGN section 4).
            retry: null,
            ...(options.headers ? { otherArgs: { headers: { ...options.headers } } } : {}),
          };
          try {
            const result = await abortable(invoke(callOptions), options.signal);
            trace.responded({ grpcCode: 0 });
            return result;
          } catch (error) {
            if (options.signal?.aborted) {
              throw new EntitlementError({
                kind: 'cancelled',
                vendor: GOOGLE_CHANNEL,
                message: `Cloud Channel ${operation} was cancelled by the caller's AbortSignal`,
                cause: error,
              });
            }
            if (isEntitlementError(error)) throw error;
            const failure = errorFromCall(error, {
              call: operation as ChannelCall,
              attempts: trace.attempts,
              ...this.#where,
            });
            trace.responded({ ...(failure.grpcCode === undefined ? {} : { grpcCode: failure.grpcCode }) });
            throw failure;
          }
        },
      );
      return { value, meta: trace.done() };
    } catch (error) {
      throw trace.failed(error);
    }
  }

  /** Closes the built-in client's channels (an injected client is the caller's to close). */
  async close(): Promise<void> {
    if (!this.#options.client) await this.#client.close?.();
  }
}

export type GoogleChannelProvisionerWithClose = GoogleChannelProvisioner & { close(): Promise<void> };

export function createGoogleChannelProvisioner(
  options: GoogleChannelOptions = {},
): GoogleChannelProvisionerWithClose {
  return new GoogleChannelAdapter(options);
}
