/**
 * The Confluent Cloud partner/v2 adapter: an openapi-fetch client over the generated types behind
 * the EntitlementProvisioner contract.
 *
 * Create is idempotent by `external_id`: a 409 (on a retry after a lost response, or on a repeated
 * create) reads the conflicting entitlement through its Location and returns it when it matches the
 * request; otherwise the caller gets `already-exists` with the conflicting resource's URI.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../../../generated/confluent/schema.ts';
import {
  attemptSignal,
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
  type OperationStatus,
  type PollingOptions,
  type ProvisioningOperation,
  type ResumeOptions,
  retrySettings,
  withRetries,
} from '../../core/index.ts';
import { idFromLocation, parseBaseUrl } from './base-url.ts';
import { Authorizer, type ConfluentCredentials } from './credentials.ts';
import { errorFromResponse, errorFromTransport } from './http-errors.ts';
import { toEntitlement } from './mapping.ts';
import {
  CONFLUENT,
  type ConfluentCreateRequest,
  type ConfluentEntitlementInput,
  type ConfluentEntitlementRef,
  type ConfluentEntitlementResource,
  type ConfluentProvisioner,
  type ConfluentVendor,
} from './types.ts';
import { checkCreateBody, checkEntitlementId, getValidator, invalidArgument } from './validation.ts';

export interface ConfluentOptions extends CommonAdapterOptions {
  credentials: ConfluentCredentials;
  /** Defaults to https://api.confluent.cloud; plain http:// only for loopback (emulators). */
  baseUrl?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
  /** Sent as User-Agent, after the library's own. */
  userAgent?: string;
}

/** A Confluent create answers at once; the operation completes on the first read that sees it. */
const CONFLUENT_POLLING: Required<PollingOptions> = { initialDelayMs: 250, multiplier: 2, maxDelayMs: 5_000 };
const CONFLUENT_WAIT_TIMEOUT_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 60_000;
const USER_AGENT = 'entitlement-provisioner (confluent partner/v2)';

type ConfluentEntitlement = Entitlement<ConfluentVendor, ConfluentEntitlementResource>;
type ConfluentOperation = ProvisioningOperation<ConfluentVendor, ConfluentEntitlementResource>;

interface TokenFields {
  id: string;
  externalId?: string;
  organizationId?: string;
}

interface Sent<D> {
  data?: D | undefined;
  error?: unknown;
  response: Response;
}

interface Exchanged<D> extends Sent<D> {
  meta: CallMeta;
}

class ConfluentAdapter implements ConfluentProvisioner {
  readonly vendor = CONFLUENT;
  readonly #client: Client<paths>;
  readonly #base: URL;
  readonly #auth: Authorizer;
  readonly #emit: Emit;
  readonly #options: ConfluentOptions;
  readonly #userAgent: string;

  constructor(options: ConfluentOptions) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('options are required');
    this.#options = { ...options, credentials: undefined as never };
    this.#auth = new Authorizer(options.credentials);
    this.#base = parseBaseUrl(options.baseUrl);
    this.#emit = createEmitter(CONFLUENT, options.onEvent);
    this.#userAgent = options.userAgent ? `${USER_AGENT} ${options.userAgent}` : USER_AGENT;
    retrySettings(options.maxRetries);
    this.#client = createClient<paths>({
      baseUrl: this.#base.href.replace(/\/$/, ''),
      fetch: options.fetch ?? globalThis.fetch,
    });
  }

  async create(request: ConfluentCreateRequest, options: CallOptions = {}): Promise<ConfluentOperation> {
    if (typeof request !== 'object' || request === null || request.vendor !== CONFLUENT) {
      throw invalidArgument('a Confluent create request is { vendor: "confluent", entitlement: { ... } }');
    }
    const body = request.entitlement;
    checkCreateBody(body);
    if (options.idempotencyKey !== undefined && options.idempotencyKey !== body.external_id) {
      throw invalidArgument(
        'Confluent uses entitlement.external_id as the idempotency key: idempotencyKey must equal external_id or be left out',
      );
    }
    const sent = await this.#exchange<ConfluentEntitlementResource>(
      'create',
      options,
      `with external_id ${JSON.stringify(body.external_id)}`,
      (init) => this.#client.POST('/partner/v2/entitlements', { body, ...init }),
      [409],
    );
    if (sent.response.status === 409) return this.#reconcile(body, sent, options);

    const location = sent.response.headers.get('location');
    const id = sent.data?.id ?? idFromLocation(location, this.#base, getValidator.path);
    if (!sent.data || !id) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: CONFLUENT,
        message: `Confluent answered ${sent.response.status} to create without an entitlement id; read it back by external_id ${JSON.stringify(body.external_id)}`,
        httpStatus: sent.response.status,
        requestId: sent.meta.requestId,
        attempts: sent.meta.attempts,
      });
    }
    const entitlement = toEntitlement({ ...sent.data, id }, 'created', sent.meta);
    return this.#operation(
      { id, externalId: body.external_id, organizationId: body.organization?.id },
      { done: false, entitlement, meta: sent.meta },
      sent.meta,
      false,
    );
  }

  async get(ref: ConfluentEntitlementRef, options: CallOptions = {}): Promise<ConfluentEntitlement> {
    if (typeof ref !== 'object' || ref === null || ref.vendor !== CONFLUENT) {
      throw invalidArgument(
        'a Confluent entitlement reference is { vendor: "confluent", id, organizationId? }',
      );
    }
    const id = checkEntitlementId(ref.id, ref.organizationId);
    const scope =
      ref.organizationId === undefined ? '' : ` in organization ${JSON.stringify(ref.organizationId)}`;
    const sent = await this.#exchange<ConfluentEntitlementResource>(
      'get',
      options,
      `${JSON.stringify(id)}${scope}`,
      (init) =>
        this.#client.GET('/partner/v2/entitlements/{id}', {
          params: {
            path: { id },
            query: ref.organizationId === undefined ? {} : { 'organization.id': ref.organizationId },
          },
          ...init,
        }),
    );
    if (!sent.data) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: CONFLUENT,
        message: `Confluent answered ${sent.response.status} to a read with an empty body`,
        httpStatus: sent.response.status,
        requestId: sent.meta.requestId,
        attempts: sent.meta.attempts,
      });
    }
    return toEntitlement(sent.data, 'read', sent.meta);
  }

  async resume(token: string, options: ResumeOptions = {}): Promise<ConfluentOperation> {
    const payload = decodeVendorToken(token, CONFLUENT);
    const fields: TokenFields = { id: checkEntitlementId(payload.id) };
    if (typeof payload.externalId === 'string') fields.externalId = payload.externalId;
    if (typeof payload.organizationId === 'string') fields.organizationId = payload.organizationId;
    const meta: CallMeta = { vendor: CONFLUENT, attempts: 0, durationMs: 0 };
    return this.#operation(fields, { done: false }, meta, false, options.polling);
  }

  /** A 409 means an entitlement with this external_id exists: return it when it is the one asked for. */
  async #reconcile(
    body: ConfluentEntitlementInput,
    conflict: Exchanged<ConfluentEntitlementResource>,
    options: CallOptions,
  ): Promise<ConfluentOperation> {
    const location = conflict.response.headers.get('location');
    const base = errorFromResponse({
      operation: 'create',
      status: 409,
      headers: conflict.response.headers,
      body: conflict.error,
      attempts: conflict.meta.attempts,
    });
    const id = idFromLocation(location, this.#base, getValidator.path);
    const externalId = JSON.stringify(body.external_id);
    if (!id) {
      const why = location
        ? `its Location ${JSON.stringify(location)} is not an entitlement at ${this.#base.origin}, so it was not followed`
        : 'the answer named no Location';
      throw base.with({
        resourceUri: location ?? undefined,
        message: `an entitlement with external_id ${externalId} already exists, and ${why}`,
      });
    }
    const scope: ConfluentEntitlementRef = { vendor: CONFLUENT, id };
    if (body.organization?.id !== undefined) scope.organizationId = body.organization.id;
    let existing: ConfluentEntitlement;
    try {
      existing = await this.get(scope, { ...options, idempotencyKey: undefined });
    } catch (error) {
      throw base.with({
        resourceUri: location ?? undefined,
        message: `an entitlement with external_id ${externalId} already exists (${location}), but reading it failed: ${isEntitlementError(error) ? error.message : String(error)}`,
        cause: error,
      });
    }
    const mismatches = (['external_id', 'plan_id', 'product_id'] as const).filter(
      (field) => existing.raw[field] !== body[field],
    );
    if (body.organization?.id !== undefined && existing.raw.organization?.id !== body.organization.id) {
      mismatches.push('organization.id' as never);
    }
    if (mismatches.length > 0) {
      throw base.with({
        resourceUri: location ?? undefined,
        message:
          `an entitlement with external_id ${externalId} already exists with a different ${mismatches.join(', ')} ` +
          `(${location}): use another external_id, or read the existing one`,
      });
    }
    const meta: CallMeta = {
      ...conflict.meta,
      attempts: conflict.meta.attempts + (existing.meta?.attempts ?? 0),
      durationMs: conflict.meta.durationMs + (existing.meta?.durationMs ?? 0),
    };
    return this.#operation(
      { id, externalId: body.external_id, organizationId: body.organization?.id },
      { done: true, entitlement: existing, meta },
      meta,
      true,
    );
  }

  #operation(
    fields: TokenFields,
    initial: OperationStatus<ConfluentVendor, ConfluentEntitlementResource>,
    meta: CallMeta,
    replayed: boolean,
    polling?: PollingOptions,
  ): ConfluentOperation {
    const ref: ConfluentEntitlementRef = { vendor: CONFLUENT, id: fields.id };
    if (fields.organizationId !== undefined) ref.organizationId = fields.organizationId;
    const token = encodeToken({ vendor: CONFLUENT, ...fields });
    return createOperation({
      vendor: CONFLUENT,
      token,
      replayed,
      meta,
      initial,
      emit: this.#emit,
      polling: { ...CONFLUENT_POLLING, ...this.#options.polling, ...polling },
      waitTimeoutMs: this.#options.waitTimeoutMs ?? CONFLUENT_WAIT_TIMEOUT_MS,
      poll: async (options) => {
        try {
          const entitlement = await this.get(ref, options);
          return { done: true, entitlement, meta: entitlement.meta };
        } catch (error) {
          // Not visible yet: the create is still being applied.
          if (isEntitlementError(error) && error.kind === 'not-found') return { ...initial, done: false };
          throw error;
        }
      },
    });
  }

  /**
   * Sends one logical call with retries. Statuses in `passThrough` come back to the caller; any
   * other non-2xx becomes an EntitlementError. After a 401 a token provider is asked once for a
   * fresh token.
   */
  async #exchange<D>(
    operation: string,
    options: CallOptions,
    subject: string,
    send: Send<D>,
    passThrough: readonly number[] = [],
  ): Promise<Exchanged<D>> {
    const trace = new CallTrace(CONFLUENT, operation, subject, this.#emit);
    const settings = retrySettings(options.maxRetries ?? this.#options.maxRetries);
    try {
      const sent = await withRetries(
        { vendor: CONFLUENT, operation, settings, signal: options.signal, emit: this.#emit },
        async () => {
          for (let refreshed = false; ; refreshed = true) {
            const result = await this.#attempt(trace, options, send, refreshed);
            const { response } = result;
            if (response.ok || passThrough.includes(response.status)) return result;
            if (response.status === 401 && this.#auth.refreshable && !refreshed) continue;
            throw errorFromResponse({
              operation,
              status: response.status,
              headers: response.headers,
              body: result.error,
              attempts: trace.attempts,
              subject,
            });
          }
        },
      );
      return { ...sent, meta: trace.done() };
    } catch (error) {
      throw trace.failed(error);
    }
  }

  /** One HTTP request, with its own timeout. */
  async #attempt<D>(
    trace: CallTrace,
    options: CallOptions,
    send: Send<D>,
    refreshed: boolean,
  ): Promise<Sent<D>> {
    trace.begin(trace.operation === 'create' ? 'POST' : 'GET');
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { signal, timedOut, dispose } = attemptSignal(options.signal, timeoutMs);
    try {
      const authorization = await this.#auth.header({ forceRefresh: refreshed, signal });
      const headers = { ...options.headers, Authorization: authorization, 'User-Agent': this.#userAgent };
      const observe: Middleware = {
        onResponse: ({ response }) => {
          const requestId = response.headers.get('x-request-id') ?? undefined;
          trace.responded({ httpStatus: response.status, ...(requestId === undefined ? {} : { requestId }) });
        },
      };
      return await send({ signal, headers, middleware: [observe] });
    } catch (error) {
      if (isEntitlementError(error)) throw error;
      throw errorFromTransport(error, {
        operation: trace.operation,
        attempts: trace.attempts,
        timedOut: timedOut(),
        cancelled: options.signal?.aborted === true,
      }).with(trace.last);
    } finally {
      dispose();
    }
  }
}

type Send<D> = (init: {
  signal: AbortSignal;
  headers: Record<string, string>;
  middleware: Middleware[];
}) => Promise<Sent<D>>;

export function createConfluentProvisioner(options: ConfluentOptions): ConfluentProvisioner {
  return new ConfluentAdapter(options);
}
