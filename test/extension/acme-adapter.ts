/**
 * A minimal third vendor, built only from the library's public pieces, as docs/adding-a-vendor.md
 * describes: an in-memory "Acme" backend (with a lost-response fault) and an adapter over it.
 */
import {
  type CallOptions,
  type CheckedCallOptions,
  checkCallOptions,
  checkResumeOptions,
  createEmitter,
  createOperation,
  decodeVendorToken,
  type Entitlement,
  EntitlementError,
  type EntitlementProvisioner,
  encodeToken,
  newIdempotencyKey,
  type ProvisionerEventListener,
  Redactor,
  type ResumeOptions,
  resolveRetry,
  runCall,
} from '../../src/adapter.ts';

export interface AcmeRecord {
  id: string;
  sku: string;
  customer: string;
  key: string;
  createdAt: string;
}

export interface AcmeRequest {
  vendor: 'acme';
  customer: string;
  sku: string;
}

export interface AcmeRef {
  vendor: 'acme';
  id: string;
}

/** The vendor's side: stores entitlements, dedupes by idempotency key, can lose a response. */
export class AcmeBackend {
  readonly records = new Map<string, AcmeRecord>();
  requests = 0;
  dropNext = false;

  create(request: { customer: string; sku: string; key: string }): AcmeRecord {
    this.requests++;
    let record = [...this.records.values()].find((existing) => existing.key === request.key);
    if (!record) {
      record = { id: `acme-${this.records.size + 1}`, ...request, createdAt: new Date().toISOString() };
      this.records.set(record.id, record);
    }
    if (this.dropNext) {
      this.dropNext = false;
      throw new Error('socket hang up'); // committed, but the caller never hears back
    }
    return record;
  }

  get(id: string): AcmeRecord | undefined {
    this.requests++;
    return this.records.get(id);
  }
}

type AcmeEntitlement = Entitlement<'acme', AcmeRecord>;
const VENDOR = 'acme';

function toEntitlement(record: AcmeRecord, state: 'pending' | 'active'): AcmeEntitlement {
  return {
    vendor: VENDOR,
    id: record.id,
    state,
    product: 'acme-cloud',
    plan: record.sku,
    createdAt: new Date(record.createdAt),
    raw: record,
  };
}

export function createAcmeProvisioner(
  backend: AcmeBackend,
  options: { onEvent?: ProvisionerEventListener } = {},
): EntitlementProvisioner<'acme', AcmeRequest, AcmeRef, AcmeRecord> {
  const redactor = new Redactor();
  const emit = createEmitter(VENDOR, options.onEvent, redactor);
  const retry = resolveRetry(VENDOR, { initialDelayMs: 1, maxDelayMs: 5 }, undefined);
  const settings = { vendor: VENDOR, emit, redactor, retry, timeoutMs: 5_000 };
  const rules = { retry };

  async function call<T>(operation: string, callOptions: CheckedCallOptions, send: () => T) {
    return runCall(settings, {
      operation,
      subject: operation,
      signal: callOptions.signal,
      retry: callOptions.retry,
      attempt: async () => send(),
      failure: (error) =>
        new EntitlementError({
          kind: 'unavailable',
          vendor: VENDOR,
          message: `Acme did not answer the ${operation}. Retry later.`,
          cause: error,
        }),
    });
  }

  async function get(ref: AcmeRef, input?: CallOptions): Promise<AcmeEntitlement> {
    return read(ref, checkCallOptions(VENDOR, input, rules));
  }

  async function read(ref: AcmeRef, callOptions: CheckedCallOptions): Promise<AcmeEntitlement> {
    if (ref?.vendor !== VENDOR || typeof ref.id !== 'string' || !/^acme-\d+$/.test(ref.id)) {
      throw new EntitlementError({
        kind: 'invalid-argument',
        vendor: VENDOR,
        message: 'an Acme reference is { vendor: "acme", id: "acme-N" }',
      });
    }
    const { value, meta } = await call('get', callOptions, () => backend.get(ref.id));
    if (!value)
      throw new EntitlementError({
        kind: 'not-found',
        vendor: VENDOR,
        message: `Acme has no entitlement ${ref.id}`,
        attempts: meta.attempts,
      });
    return { ...toEntitlement(value, 'active'), meta };
  }

  function operation(
    id: string,
    token: string,
    initial: AcmeEntitlement | undefined,
    polling?: ResumeOptions['polling'],
  ) {
    return createOperation<'acme', AcmeRecord>({
      vendor: VENDOR,
      token,
      replayed: false,
      meta: initial?.meta ?? { vendor: VENDOR, attempts: 0, durationMs: 0 },
      initial: initial ? { done: false, entitlement: initial } : { done: false },
      emit,
      rules,
      polling: { initialDelayMs: 1, maxDelayMs: 5, ...polling },
      poll: async (callOptions) => {
        const entitlement = await read({ vendor: VENDOR, id }, callOptions);
        return { done: true, entitlement, ...(entitlement.meta ? { meta: entitlement.meta } : {}) };
      },
    });
  }

  return {
    vendor: VENDOR,
    async create(request, input) {
      const callOptions = checkCallOptions(VENDOR, input, { ...rules, idempotencyKey: true });
      const problems: unknown[] = [];
      if (request?.vendor !== VENDOR) problems.push({ field: 'vendor' });
      if (typeof request?.customer !== 'string' || request.customer === '')
        problems.push({ field: 'customer' });
      if (typeof request?.sku !== 'string' || !/^[a-z0-9-]+$/.test(request.sku))
        problems.push({ field: 'sku' });
      if (problems.length > 0) {
        throw new EntitlementError({
          kind: 'invalid-argument',
          vendor: VENDOR,
          message: 'invalid Acme request',
          details: problems,
        });
      }
      const key = callOptions.idempotencyKey ?? newIdempotencyKey();
      const { value, meta } = await call('create', callOptions, () =>
        backend.create({ customer: request.customer, sku: request.sku, key }),
      );
      const token = encodeToken({ vendor: VENDOR, id: value.id });
      return operation(value.id, token, { ...toEntitlement(value, 'pending'), meta });
    },
    async resume(token, input) {
      const resumeOptions = checkResumeOptions(VENDOR, input, rules);
      const payload = decodeVendorToken(token, VENDOR);
      if (typeof payload.id !== 'string') {
        throw new EntitlementError({
          kind: 'invalid-argument',
          vendor: VENDOR,
          message: 'the token names no entitlement',
        });
      }
      return operation(payload.id, token, undefined, resumeOptions.polling);
    },
    get,
    async close() {},
    async [Symbol.asyncDispose]() {},
  };
}
