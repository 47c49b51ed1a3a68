/**
 * The Confluent Cloud partner/v2 adapter: an openapi-fetch client over the generated types behind
 * the EntitlementProvisioner contract, sending through the core call loop.
 *
 * Create is idempotent by `external_id`: a 409 (on a retry after a lost response, or on a repeated
 * create) reads the conflicting entitlement through its Location and returns it as `replayed` only
 * when every field the caller sent equals what the vendor stored; otherwise the caller gets
 * `already-exists`, naming the differing fields, with the existing resource attached.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../../generated/confluent/schema.ts';
import {
  checkFunction,
  checkOptionalString,
  checkOptionsObject,
  invalidField,
  isPlainObject,
} from '../../core/arguments.ts';
import { type CallSettings, runCall } from '../../core/call-loop.ts';
import {
  type CallOptionRules,
  type CheckedCallOptions,
  COMMON_ADAPTER_KEYS,
  checkAdapterOptions,
  checkCallOptions,
  checkResumeOptions,
} from '../../core/call-options.ts';
import { jsonSnapshot } from '../../core/canonical.ts';
import { EntitlementError, isEntitlementError } from '../../core/errors.ts';
import { createEmitter, type Emit } from '../../core/events.ts';
import { createOperation } from '../../core/operation.ts';
import { Redactor } from '../../core/redact.ts';
import { decodeVendorToken, encodeToken, type TokenPayload } from '../../core/token.ts';
import type {
  CallMeta,
  CommonAdapterOptions,
  Entitlement,
  OperationStatus,
  PollingOptions,
  ProvisioningOperation,
} from '../../core/types.ts';
import { idFromLocation, parseBaseUrl } from './base-url.ts';
import { Authorizer, type ConfluentCredentials } from './credentials.ts';
import { errorFromRedirect, errorFromResponse, errorFromTransport } from './http-errors.ts';
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
import { checkCreateBody, checkEntitlementId, getValidator } from './validation.ts';

export interface ConfluentOptions extends CommonAdapterOptions {
  credentials: ConfluentCredentials;
  /** Defaults to https://api.confluent.cloud; plain http:// only for loopback (emulators). */
  baseUrl?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
  /** Sent as User-Agent, after the library's own. */
  userAgent?: string;
}

const OPTION_KEYS = ['credentials', 'baseUrl', 'fetch', 'userAgent', ...COMMON_ADAPTER_KEYS];

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

/**
 * How a request carries its attempt's signal: on the Request (`signal`), or given to the fetch
 * with it (`fetch`), never both.
 */
interface Signalled {
  signal?: AbortSignal;
  fetch?: (request: Request) => Promise<Response>;
}

/** One request through openapi-fetch, its body read as text (`parseAs: 'text'`): parsed here. */
type Send = (
  via: Signalled,
  headers: Record<string, string>,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/** A 2xx body: JSON, or nothing. What is not JSON is an error the call loop maps with the status kept. */
function parseBody<D>(text: unknown): D | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  return JSON.parse(text) as D;
}

class ConfluentAdapter implements ConfluentProvisioner {
  readonly vendor = CONFLUENT;
  readonly #client: Client<paths>;
  readonly #base: URL;
  readonly #auth: Authorizer;
  readonly #emit: Emit;
  readonly #settings: CallSettings;
  readonly #rules: CallOptionRules;
  /** The rules of create (an idempotency key belongs to it), made once. */
  readonly #createRules: CallOptionRules;
  /** The polling schedule of every operation: Confluent's defaults, then the adapter's option. */
  readonly #polling: PollingOptions;
  readonly #waitTimeoutMs: number;
  readonly #userAgent: string;
  /** The global fetch, when the caller gave none (see `#signalled`). */
  readonly #globalFetch: typeof globalThis.fetch | undefined;
  readonly #redactor = new Redactor();
  #closed = false;

  constructor(input: ConfluentOptions) {
    if (input === undefined)
      throw invalidField(CONFLUENT, 'options', 'are required: give at least credentials');
    const options = checkOptionsObject(CONFLUENT, 'options', input, OPTION_KEYS);
    this.#auth = new Authorizer(options.credentials as ConfluentCredentials, this.#redactor);
    this.#base = parseBaseUrl(checkOptionalString(CONFLUENT, 'baseUrl', options.baseUrl, { max: 2_048 }));
    const fetch = checkFunction<typeof globalThis.fetch>(CONFLUENT, 'fetch', options.fetch);
    const userAgent = checkOptionalString(CONFLUENT, 'userAgent', options.userAgent, { max: 256 });
    if (userAgent !== undefined && !/^[\x20-\x7e]+$/.test(userAgent))
      throw invalidField(CONFLUENT, 'userAgent', 'must be printable ASCII');
    const common = checkAdapterOptions(CONFLUENT, options, { timeoutMs: DEFAULT_TIMEOUT_MS });
    this.#emit = createEmitter(CONFLUENT, common.onEvent, this.#redactor);
    this.#settings = {
      vendor: CONFLUENT,
      emit: this.#emit,
      redactor: this.#redactor,
      retry: common.retry,
      timeoutMs: common.timeoutMs,
    };
    this.#rules = { retry: common.retry, headers: 'http' };
    this.#createRules = { ...this.#rules, idempotencyKey: true };
    this.#polling = { ...CONFLUENT_POLLING, ...common.polling };
    this.#waitTimeoutMs = common.waitTimeoutMs ?? CONFLUENT_WAIT_TIMEOUT_MS;
    this.#userAgent = userAgent ? `${USER_AGENT} ${userAgent}` : USER_AGENT;
    this.#globalFetch = fetch === undefined ? globalThis.fetch : undefined;
    this.#client = createClient<paths>({
      baseUrl: this.#base.href.replace(/\/$/, ''),
      fetch: fetch ?? globalThis.fetch,
      // A redirect is never followed: a POST would be re-sent, and credentials would go along.
      redirect: 'manual',
    });
  }

  #checkOptions(options: unknown, rules: CallOptionRules = this.#rules): CheckedCallOptions {
    if (this.#closed)
      throw new EntitlementError({
        kind: 'failed-precondition',
        vendor: CONFLUENT,
        message: 'This Confluent provisioner is closed. Create a new one.',
      });
    const checked = checkCallOptions(CONFLUENT, options, rules);
    if (checked.headers)
      for (const [name, value] of Object.entries(checked.headers))
        if (/auth|token|secret|key|cookie/i.test(name)) this.#redactor.add(value);
    return checked;
  }

  async create(request: ConfluentCreateRequest, input?: Parameters<ConfluentProvisioner['create']>[1]) {
    const options = this.#checkOptions(input, this.#createRules);
    const body = checkRequest(request);
    if (options.idempotencyKey !== undefined && options.idempotencyKey !== body.external_id) {
      throw invalidField(
        CONFLUENT,
        'options.idempotencyKey',
        'must equal entitlement.external_id or be left out: Confluent uses external_id as the idempotency key',
      );
    }
    const sent = await this.#exchange<ConfluentEntitlementResource>(
      'create',
      'POST',
      options,
      `with external_id ${JSON.stringify(body.external_id)}`,
      (via, headers) =>
        this.#client.POST('/partner/v2/entitlements', {
          body,
          headers,
          parseAs: 'text',
          signal: via.signal,
          fetch: via.fetch,
        }),
      [409],
    );
    if (sent.response.status === 409) return this.#reconcile(body, sent, options);

    // The Location is read only when the body carries no id.
    const id =
      sent.data?.id ?? idFromLocation(sent.response.headers.get('location'), this.#base, getValidator.path);
    if (!sent.data || !id) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: CONFLUENT,
        retryable: false,
        message:
          `Confluent answered HTTP ${sent.response.status} to the create without an entitlement id. ` +
          `Read it back by external_id ${JSON.stringify(body.external_id)} before creating again.`,
        httpStatus: sent.response.status,
        ...(sent.meta.requestId === undefined ? {} : { requestId: sent.meta.requestId }),
        attempts: sent.meta.attempts,
      });
    }
    // The parsed body is this call's own: copied only to set an id it lacks.
    const resource = sent.data.id === id ? sent.data : { ...sent.data, id };
    const entitlement = toEntitlement(resource, 'created', sent.meta);
    return this.#operation(
      { id, externalId: body.external_id, organizationId: body.organization?.id },
      { done: false, entitlement, meta: sent.meta },
      sent.meta,
      false,
    );
  }

  async get(ref: ConfluentEntitlementRef, input?: Parameters<ConfluentProvisioner['get']>[1]) {
    const options = this.#checkOptions(input);
    return this.#get(checkRef(ref), options);
  }

  async #get(ref: ConfluentEntitlementRef, options: CheckedCallOptions): Promise<ConfluentEntitlement> {
    const { id, organizationId } = ref;
    const scope = organizationId === undefined ? '' : ` in organization ${JSON.stringify(organizationId)}`;
    const sent = await this.#exchange<ConfluentEntitlementResource>(
      'get',
      'GET',
      options,
      `${JSON.stringify(id)}${scope}`,
      (via, headers) =>
        this.#client.GET('/partner/v2/entitlements/{id}', {
          params: {
            path: { id },
            query: organizationId === undefined ? {} : { 'organization.id': organizationId },
          },
          headers,
          parseAs: 'text',
          signal: via.signal,
          fetch: via.fetch,
        }),
    );
    if (!sent.data) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: CONFLUENT,
        message: `Confluent answered HTTP ${sent.response.status} to a read with an empty body. Retry the read.`,
        httpStatus: sent.response.status,
        ...(sent.meta.requestId === undefined ? {} : { requestId: sent.meta.requestId }),
        attempts: sent.meta.attempts,
      });
    }
    return toEntitlement(sent.data, 'read', sent.meta);
  }

  async resume(token: string, input?: Parameters<ConfluentProvisioner['resume']>[1]) {
    if (this.#closed) this.#checkOptions(undefined);
    const options = checkResumeOptions(CONFLUENT, input, this.#rules);
    const payload = decodeVendorToken(token, CONFLUENT);
    const fields: TokenFields = { id: checkTokenString(payload.id, 'id') };
    if (payload.externalId !== undefined)
      fields.externalId = checkTokenString(payload.externalId, 'externalId');
    if (payload.organizationId !== undefined)
      fields.organizationId = checkTokenString(payload.organizationId, 'organizationId');
    checkEntitlementId(fields.id, fields.organizationId);
    const meta: CallMeta = { vendor: CONFLUENT, attempts: 0, durationMs: 0 };
    return this.#operation(fields, { done: false }, meta, false, options.polling);
  }

  /**
   * A 409 means an entitlement with this external_id exists: it is this create's own (a retry after
   * a lost response, or a repeat) only when every field sent equals what the vendor stored.
   */
  async #reconcile(
    body: ConfluentEntitlementInput,
    conflict: Exchanged<ConfluentEntitlementResource>,
    options: CheckedCallOptions,
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
        ...(location ? { resourceUri: location } : {}),
        message: `An entitlement with external_id ${externalId} already exists, and ${why}. Read it by its id, or use another external_id.`,
      });
    }
    const ref: ConfluentEntitlementRef = { vendor: CONFLUENT, id };
    if (body.organization?.id !== undefined) ref.organizationId = body.organization.id;
    const resourceUri = location ?? undefined;
    let existing: ConfluentEntitlement;
    try {
      const { idempotencyKey: _key, ...readOptions } = options;
      existing = await this.#get(ref, readOptions);
    } catch (error) {
      if (isEntitlementError(error) && error.retryable) {
        // Still unknown whether it is ours: a transient failure stays transient.
        throw error.with({
          ...(resourceUri ? { resourceUri } : {}),
          message:
            `An entitlement with external_id ${externalId} exists (${location}), but reading it to compare failed: ${error.message} ` +
            'Retry the create: it is idempotent by external_id.',
          cause: error,
        });
      }
      throw base.with({
        ...(resourceUri ? { resourceUri } : {}),
        message: `An entitlement with external_id ${externalId} already exists (${location}), and reading it failed. Check the credentials' access to it, or use another external_id.`,
        cause: error,
      });
    }
    // Loaded on the first conflict: a create that meets none never needs the spec's shapes.
    const { differingFields } = await import('./replay-match.ts');
    const differences = differingFields(body, existing.raw);
    if (differences.length > 0) {
      throw base.with({
        ...(resourceUri ? { resourceUri } : {}),
        details: [...base.details, { existing: existing.raw, differingFields: differences }],
        message:
          `An entitlement with external_id ${externalId} already exists with a different ${differences.join(', ')} (${location}). ` +
          'Nothing was created: use another external_id, or read the existing one.',
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
    const token = encodeToken(tokenPayload(fields));
    return createOperation({
      vendor: CONFLUENT,
      token,
      replayed,
      meta,
      initial,
      emit: this.#emit,
      rules: this.#rules,
      polling: polling ? { ...this.#polling, ...polling } : this.#polling,
      waitTimeoutMs: this.#waitTimeoutMs,
      poll: async (options) => {
        try {
          const entitlement = await this.#get(ref, options);
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
   * How an attempt's request gets its signal. A fetch of the caller's gets a Request that follows
   * it (what a custom fetch may read, as it always has). The global fetch gets it as its own init:
   * `fetch(request, { signal })` is, by the fetch standard, that request following the signal, so
   * the request is aborted alike, while undici makes one signal follow another once per request
   * instead of twice (each a listener, a WeakRef and a FinalizationRegistry entry).
   */
  #signalled(signal: AbortSignal): Signalled {
    const globalFetch = this.#globalFetch;
    if (globalFetch === undefined) return { signal };
    return { fetch: (request) => globalFetch(request, { signal }) };
  }

  /**
   * Sends one logical call through the call loop. Statuses in `passThrough` come back to the
   * caller; any other non-2xx becomes an EntitlementError. After a 401 a token provider is asked
   * once for a fresh token.
   */
  async #exchange<D>(
    operation: string,
    method: 'GET' | 'POST',
    options: CheckedCallOptions,
    subject: string,
    send: Send,
    passThrough: readonly number[] = [],
  ): Promise<Exchanged<D>> {
    const { value, meta } = await runCall(this.#settings, {
      operation,
      subject,
      method,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      attempt: async (context) => {
        const { signal, responded, resend } = context;
        const via = this.#signalled(signal);
        for (let refreshed = false; ; refreshed = true) {
          if (refreshed) resend();
          // A static credential is there at once; only a token provider is awaited.
          const authorization =
            this.#auth.staticHeader ?? (await this.#auth.header({ forceRefresh: refreshed, signal }));
          const headers = options.headers
            ? { ...options.headers, Authorization: authorization, 'User-Agent': this.#userAgent }
            : { Authorization: authorization, 'User-Agent': this.#userAgent };
          const result = await send(via, headers);
          const { response } = result;
          const requestId = response.headers.get('x-request-id');
          responded(
            requestId === null ? { httpStatus: response.status } : { httpStatus: response.status, requestId },
          );
          if (response.redirected || (response.status >= 300 && response.status < 400))
            throw errorFromRedirect({ operation, response, base: this.#base, attempts: context.attempt });
          if (response.ok) return { response, data: parseBody<D>(result.data) };
          if (passThrough.includes(response.status)) return { response, error: result.error };
          if (response.status === 401 && this.#auth.refreshable && !refreshed) continue;
          throw errorFromResponse({
            operation,
            status: response.status,
            headers: response.headers,
            body: result.error,
            attempts: context.attempt,
            subject,
          });
        }
      },
      failure: (error, facts) =>
        errorFromTransport(error, {
          operation,
          attempts: facts.attempt,
          timedOut: facts.timedOut,
          endpoint: this.#base.host,
          response: facts.response,
          customFetch: this.#globalFetch === undefined,
        }),
    });
    const exchanged = value as Exchanged<D>;
    exchanged.meta = meta;
    return exchanged;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The create request: `{ vendor: 'confluent', entitlement }`, the body a JSON value valid for the spec. */
function checkRequest(request: unknown): ConfluentEntitlementInput {
  if (!isPlainObject(request) || request.vendor !== CONFLUENT) {
    throw invalidField(CONFLUENT, 'request', 'must be { vendor: "confluent", entitlement: { ... } }');
  }
  const extra = Object.keys(request).find((key) => key !== 'vendor' && key !== 'entitlement');
  if (extra !== undefined)
    throw invalidField(
      CONFLUENT,
      `request.${extra.slice(0, 64)}`,
      'is not part of a Confluent create request',
    );
  // What is checked is what is sent: a snapshot of the caller's value, refused if JSON cannot carry it.
  const body: unknown =
    request.entitlement === undefined
      ? undefined
      : jsonSnapshot(request.entitlement, 'entitlement', CONFLUENT);
  checkCreateBody(body);
  return body as ConfluentEntitlementInput;
}

const REF_STRINGS = ['id', 'organizationId'] as const;

function checkRef(ref: unknown): ConfluentEntitlementRef {
  if (!isPlainObject(ref) || ref.vendor !== CONFLUENT)
    throw invalidField(CONFLUENT, 'ref', 'must be { vendor: "confluent", id, organizationId? }');
  for (const key of Object.keys(ref))
    if (key !== 'vendor' && key !== 'id' && key !== 'organizationId')
      throw invalidField(CONFLUENT, `ref.${key.slice(0, 64)}`, 'is not part of a reference');
  for (const field of REF_STRINGS) {
    const value = ref[field];
    if (typeof value === 'string' && !value.isWellFormed())
      throw invalidField(CONFLUENT, `ref.${field}`, 'must be well-formed Unicode (it has a lone surrogate)');
  }
  const checked: ConfluentEntitlementRef = {
    vendor: CONFLUENT,
    id: checkEntitlementId(ref.id, ref.organizationId),
  };
  if (ref.organizationId !== undefined) checked.organizationId = ref.organizationId as string;
  return checked;
}

function checkTokenString(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.isWellFormed() || value.length > 1_024)
    throw invalidField(
      CONFLUENT,
      'token',
      `is damaged (its ${field} is not a string): pass the token unchanged`,
    );
  return value;
}

/** The token's payload: the vendor, then the fields that are set, in this order. */
function tokenPayload(fields: TokenFields): TokenPayload {
  const payload: TokenPayload = { vendor: CONFLUENT, id: fields.id };
  if (fields.externalId !== undefined) payload.externalId = fields.externalId;
  if (fields.organizationId !== undefined) payload.organizationId = fields.organizationId;
  return payload;
}

export function createConfluentProvisioner(options: ConfluentOptions): ConfluentProvisioner {
  return new ConfluentAdapter(options);
}
