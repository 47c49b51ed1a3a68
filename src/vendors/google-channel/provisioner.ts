/**
 * The Google Cloud Channel adapter: `accounts.customers.entitlements.create` is a long-running
 * operation. create sends CreateEntitlement with a request_id (a UUID derived from the caller's
 * idempotency key, or generated once) that is reused on every retry and in the token, so a retry
 * after a lost response gets the same operation; wait polls google.longrunning.Operations with a
 * finite deadline; resume(token) polls the same operation from any process.
 */

import { TYPE_NAMES } from '../../../generated/google/channel.ts';
import { invalidField, isPlainObject } from '../../core/arguments.ts';
import { type CallSettings, runCall } from '../../core/call-loop.ts';
import {
  type CallOptionRules,
  type CheckedCallOptions,
  checkAdapterOptions,
  checkCallOptions,
  checkResumeOptions,
} from '../../core/call-options.ts';
import { EntitlementError } from '../../core/errors.ts';
import { createEmitter, type Emit } from '../../core/events.ts';
import { newIdempotencyKey, uuidForKey } from '../../core/idempotency.ts';
import { createOperation } from '../../core/operation.ts';
import { Redactor } from '../../core/redact.ts';
import { decodeVendorToken, encodeToken } from '../../core/token.ts';
import type { CallMeta, OperationStatus, PollingOptions, ProvisioningOperation } from '../../core/types.ts';
import {
  type Cancellable,
  type ChannelCallOptions,
  ChannelClient,
  type ChannelClientLike,
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
import { checkOptions, type GoogleChannelOptions } from './options.ts';
import { unpackAny } from './protos.ts';
import {
  GOOGLE_CHANNEL,
  type GoogleChannelCreateRequest,
  type GoogleChannelEntitlementRef,
  type GoogleChannelEntitlementResource,
  type GoogleChannelProvisioner,
  type GoogleChannelVendor,
} from './types.ts';
import { checkCreateRequest, checkEntitlementName, checkOperationName } from './validation.ts';

/** 1 s, x1.5, at most 30 s between polls, 30 min in all (docs/architecture.md, "Long-running operations"). */
const CHANNEL_POLLING: Required<PollingOptions> = {
  initialDelayMs: 1_000,
  multiplier: 1.5,
  maxDelayMs: 30_000,
};
const CHANNEL_WAIT_TIMEOUT_MS = 30 * 60_000;
/** CreateEntitlement's documented timeout. */
const DEFAULT_TIMEOUT_MS = 60_000;

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

function closedError(): EntitlementError {
  return new EntitlementError({
    kind: 'failed-precondition',
    vendor: GOOGLE_CHANNEL,
    message: 'This Cloud Channel provisioner is closed. Create a new one.',
  });
}

class GoogleChannelAdapter implements GoogleChannelProvisioner {
  readonly vendor = GOOGLE_CHANNEL;
  readonly #client: ChannelClientLike;
  readonly #ownsClient: boolean;
  readonly #emit: Emit;
  readonly #settings: CallSettings;
  readonly #rules: CallOptionRules;
  readonly #polling: PollingOptions | undefined;
  readonly #waitTimeoutMs: number;
  readonly #endpoint: string;
  readonly #transport: Transport;
  /** Where the built-in client connects, for error messages (unknown for an injected client). */
  readonly #where: Pick<ChannelCallContext, 'endpoint' | 'transport'>;
  readonly #redactor = new Redactor();
  #closed = false;

  constructor(input: GoogleChannelOptions = {}) {
    const options = checkOptions(input);
    const common = checkAdapterOptions(GOOGLE_CHANNEL, options as Record<string, unknown>, {
      timeoutMs: DEFAULT_TIMEOUT_MS,
    });
    this.#emit = createEmitter(GOOGLE_CHANNEL, common.onEvent, this.#redactor);
    this.#settings = {
      vendor: GOOGLE_CHANNEL,
      emit: this.#emit,
      redactor: this.#redactor,
      retry: common.retry,
      timeoutMs: common.timeoutMs,
    };
    this.#rules = { retry: common.retry, headers: 'grpc' };
    this.#polling = common.polling;
    this.#waitTimeoutMs = common.waitTimeoutMs ?? CHANNEL_WAIT_TIMEOUT_MS;
    this.#transport = options.transport ?? 'grpc';
    this.#endpoint = `${options.apiEndpoint ?? DEFAULT_ENDPOINT}:${options.port ?? 443}`;
    this.#ownsClient = options.client === undefined;
    this.#where = options.client ? {} : { endpoint: this.#endpoint, transport: this.#transport };
    this.#client = options.client ?? new ChannelClient({ ...options, transport: this.#transport });
  }

  #checkCall(options: unknown, rules: Partial<CallOptionRules> = {}): CheckedCallOptions {
    if (this.#closed) throw closedError();
    const checked = checkCallOptions(GOOGLE_CHANNEL, options, { ...this.#rules, ...rules });
    for (const [name, value] of Object.entries(checked.headers ?? {}))
      if (/auth|token|secret|key|cookie/i.test(name)) this.#redactor.add(value);
    return checked;
  }

  async create(
    request: GoogleChannelCreateRequest,
    input?: Parameters<GoogleChannelProvisioner['create']>[1],
  ) {
    const options = this.#checkCall(input, { idempotencyKey: true });
    const checked = checkCreateRequest(request);
    const requestId =
      options.idempotencyKey !== undefined ? uuidForKey(options.idempotencyKey) : newIdempotencyKey();
    // Exactly what was checked: the settable fields in their wire form.
    const { offer } = checked.entitlement;
    const wire = { parent: checked.parent, entitlement: checked.entitlement, requestId };
    const { value: operation, meta } = await this.#call(
      'create',
      'CreateEntitlement',
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

  async resume(token: string, input?: Parameters<GoogleChannelProvisioner['resume']>[1]) {
    if (this.#closed) throw closedError();
    const options = checkResumeOptions(GOOGLE_CHANNEL, input, this.#rules);
    const payload = decodeVendorToken(token, GOOGLE_CHANNEL);
    const fields: TokenFields = { operation: checkOperationName(payload.operation) };
    for (const key of ['requestId', 'parent', 'offer', 'externalCorrelationId'] as const) {
      const value = payload[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || !value.isWellFormed() || value.length > 1_024)
        throw invalidField(
          GOOGLE_CHANNEL,
          'token',
          `is damaged (its ${key} is not a string): pass the token unchanged`,
        );
      fields[key] = value;
    }
    const meta: CallMeta = { vendor: GOOGLE_CHANNEL, attempts: 0, durationMs: 0 };
    return this.#operation(fields, token, { done: false }, meta, options.polling);
  }

  async get(ref: GoogleChannelEntitlementRef, input?: Parameters<GoogleChannelProvisioner['get']>[1]) {
    const options = this.#checkCall(input);
    if (!isPlainObject(ref) || ref.vendor !== GOOGLE_CHANNEL) {
      throw invalidField(GOOGLE_CHANNEL, 'ref', 'must be { vendor: "google-channel", name }');
    }
    const extra = Object.keys(ref).find((key) => key !== 'vendor' && key !== 'name');
    if (extra !== undefined)
      throw invalidField(GOOGLE_CHANNEL, `ref.${extra.slice(0, 64)}`, 'is not part of a reference');
    const name = checkEntitlementName(ref.name);
    const getEntitlement = this.#client.getEntitlement?.bind(this.#client);
    if (!getEntitlement) {
      throw new EntitlementError({
        kind: 'failed-precondition',
        vendor: GOOGLE_CHANNEL,
        message:
          'The Cloud Channel client given as the client option has no getEntitlement method. Give a client that has one.',
      });
    }
    const { value, meta } = await this.#call('get', 'GetEntitlement', options, name, (callOptions) =>
      getEntitlement({ name }, callOptions),
    );
    return toEntitlement(normaliseEntitlement(value[0]), meta);
  }

  /** The status a raw google.longrunning.Operation describes; a failed one throws `operation-failed`. */
  #status(raw: RawOperation, token: string, meta: CallMeta): ChannelStatus {
    const name = raw.name ?? '';
    if (raw.done !== true) {
      // The metadata says what is in progress; a finished operation's is not read.
      const metadata = unpackAny(raw.metadata)?.value as { operationType?: string } | undefined;
      const progress = metadata?.operationType ? { message: metadata.operationType } : undefined;
      return {
        done: false,
        meta,
        ...(progress ? { progress: { polls: 0, elapsedMs: 0, ...progress } } : {}),
      };
    }
    if (raw.error && (raw.error.code ?? 0) !== 0) throw errorFromOperationStatus(raw.error, name, token);
    const response = unpackAny(raw.response);
    if (response?.type !== TYPE_NAMES.Entitlement) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: GOOGLE_CHANNEL,
        operationName: name,
        token,
        message: `Operation ${name} finished without an Entitlement (it carries ${response?.type ?? 'nothing'}). Read the entitlement by its name instead.`,
      });
    }
    // unpackAny gives the plain form already: no second conversion.
    const entitlement = toEntitlement(response.value as GoogleChannelEntitlementResource, meta);
    return { done: true, entitlement, meta };
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
      rules: this.#rules,
      polling: { ...CHANNEL_POLLING, ...this.#polling, ...polling },
      waitTimeoutMs: this.#waitTimeoutMs,
      poll: async (options) => {
        if (this.#closed) throw closedError();
        const { value, meta: pollMeta } = await this.#call(
          'poll',
          'GetOperation',
          options,
          name,
          (callOptions) => this.#getOperation(name, callOptions) as Cancellable<RawOperation>,
        );
        return this.#status(value, token, pollMeta);
      },
      ...(cancelOperation
        ? {
            cancel: async (options: CheckedCallOptions) => {
              if (this.#closed) throw closedError();
              await this.#call('cancel', 'CancelOperation', options, name, (callOptions) =>
                cancelOperation({ name }, callOptions),
              );
            },
          }
        : {}),
    });
  }

  /** One logical call through the core call loop; each attempt is one gax call, cancelled on abort. */
  async #call<T>(
    operation: string,
    method: string,
    options: CheckedCallOptions,
    subject: string,
    invoke: (callOptions: ChannelCallOptions) => Cancellable<T>,
  ): Promise<{ value: T; meta: CallMeta }> {
    return runCall(this.#settings, {
      operation,
      method,
      subject,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      attempt: async ({ signal, responded }) => {
        const callOptions: ChannelCallOptions = {
          timeout: options.timeoutMs ?? this.#settings.timeoutMs,
          // gax must not retry underneath: the call loop is the one retry layer.
          retry: null,
          ...(options.headers ? { otherArgs: { headers: { ...options.headers } } } : {}),
        };
        const call = invoke(callOptions);
        const cancel = () => call.cancel?.();
        signal.addEventListener('abort', cancel, { once: true });
        try {
          const result = await call;
          responded({ grpcCode: 0 });
          return result;
        } catch (error) {
          const code = (error as { code?: unknown })?.code;
          if (typeof code === 'number') responded({ grpcCode: code });
          throw error;
        } finally {
          signal.removeEventListener('abort', cancel);
        }
      },
      failure: (error, facts) =>
        facts.timedOut
          ? new EntitlementError({
              kind: 'deadline-exceeded',
              vendor: GOOGLE_CHANNEL,
              message: `Cloud Channel at ${this.#endpoint} did not answer the ${operation} within the request timeout. Retrying is safe: the request_id dedupes creates.`,
              cause: error,
            })
          : errorFromCall(error, { call: operation as ChannelCall, attempts: facts.attempt, ...this.#where }),
    });
  }

  /** Closes the built-in client's channels (an injected client is the caller's to close). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) await this.#client.close?.();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export type { GoogleChannelOptions };

/** The adapter itself (loads google-gax); `createGoogleChannelProvisioner` wraps it to load on first use. */
export function createChannelAdapter(options: GoogleChannelOptions = {}): GoogleChannelProvisioner {
  return new GoogleChannelAdapter(options);
}
