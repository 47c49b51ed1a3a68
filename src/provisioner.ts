/**
 * The facade: one provisioner for every vendor. It routes `create` by the request's vendor,
 * `resume` by the token's vendor and `get` by the reference's vendor, and loads each vendor
 * adapter only when that vendor is first used (a Confluent-only program never loads google-gax or
 * protobufjs). Configuration not given comes from the environment (see `fromEnvironment`).
 */

import { createBatch } from './batch/batch.ts';
import type { BatchEntry } from './batch/entries.ts';
import type { BatchItem } from './batch/items.ts';
import type { BatchOptions, BatchRun } from './batch/types.ts';
import {
  type CallOptions,
  type Entitlement,
  EntitlementError,
  type EntitlementProvisioner,
  type ProvisionerEventListener,
  type ProvisioningOperation,
  parseHostPort,
  type ResumeOptions,
  tokenVendor,
} from './core/index.ts';
import { withTracing } from './observability/tracing.ts';
import { confluentFleet } from './vendors/confluent/fleet.ts';
import type { ConfluentOptions } from './vendors/confluent/provisioner.ts';
import type {
  ConfluentCreateRequest,
  ConfluentEntitlementRef,
  ConfluentEntitlementResource,
} from './vendors/confluent/types.ts';
import { googleChannelFleet } from './vendors/google-channel/fleet.ts';
import type { GoogleChannelOptions } from './vendors/google-channel/provisioner.ts';
import type {
  GoogleChannelCreateRequest,
  GoogleChannelEntitlementRef,
  GoogleChannelEntitlementResource,
} from './vendors/google-channel/types.ts';

// biome-ignore lint/suspicious/noExplicitAny: an adapter of any vendor's request, reference and raw types
export type AnyProvisioner = EntitlementProvisioner<string, any, any, any> & { close?(): Promise<void> };

/** A vendor adapter, or a function that loads one (called once, when the vendor is first used). */
export type AdapterSource = AnyProvisioner | (() => AnyProvisioner | Promise<AnyProvisioner>);

export interface ProvisionerConfig {
  /** Confluent options; `false` turns the vendor off. Default: from the environment when set there. */
  confluent?: ConfluentOptions | false;
  /** Google Cloud Channel options; `false` turns it off. Default: Application Default Credentials. */
  googleChannel?: GoogleChannelOptions | false;
  /** More vendors, by vendor id: the extension point (see docs/adding-a-vendor.md). */
  adapters?: Record<string, AdapterSource>;
  /** Receives every adapter's events (request, attempt, retry, response, poll, done, error). */
  onEvent?: ProvisionerEventListener;
  /** OpenTelemetry spans through @opentelemetry/api when the application has it (default true). */
  tracing?: boolean;
  /** Where configuration not given is read from (default process.env). */
  env?: Record<string, string | undefined>;
}

/** The built-in vendors' types, for the facade's signatures. */
export interface BuiltInVendors {
  confluent: {
    request: ConfluentCreateRequest;
    ref: ConfluentEntitlementRef;
    raw: ConfluentEntitlementResource;
  };
  'google-channel': {
    request: GoogleChannelCreateRequest;
    ref: GoogleChannelEntitlementRef;
    raw: GoogleChannelEntitlementResource;
  };
}

/**
 * Every vendor the facade's types know. A vendor added through `adapters` is typed by augmenting
 * this interface (see docs/adding-a-vendor.md):
 * `declare module 'entitlement-provisioner' { interface VendorRegistry { acme: { request; ref; raw } } }`
 */
export interface VendorRegistry extends BuiltInVendors {}

export type VendorId = keyof VendorRegistry & string;

export interface Provisioner {
  create<V extends VendorId>(
    request: VendorRegistry[V]['request'] & { vendor: V },
    options?: CallOptions,
  ): Promise<ProvisioningOperation<V, VendorRegistry[V]['raw']>>;
  /** Resumes an operation from its token, in any process; the token names its vendor. */
  resume(token: string, options?: ResumeOptions): Promise<ProvisioningOperation>;
  get<V extends VendorId>(
    ref: VendorRegistry[V]['ref'] & { vendor: V },
    options?: CallOptions,
  ): Promise<Entitlement<V, VendorRegistry[V]['raw']>>;
  /**
   * Creates many entitlements, mixed vendors included: per-item results as they finish, paced at
   * each vendor's quotas, recorded in `options.journal` so that a re-run buys nothing twice.
   */
  createMany(
    items: Iterable<BatchItem | BatchEntry> | AsyncIterable<BatchItem | BatchEntry>,
    options?: BatchOptions,
  ): BatchRun;
  /** The vendors this provisioner can route to. */
  readonly vendors: readonly string[];
  /** Closes every adapter that was loaded. */
  close(): Promise<void>;
}

/**
 * Configuration from environment variables, for what the caller did not configure:
 * - `CONFLUENT_API_KEY` + `CONFLUENT_API_SECRET` (Cloud API key), or `CONFLUENT_PARTNER_TOKEN`
 *   (partner OAuth bearer token); `CONFLUENT_BASE_URL` (default https://api.confluent.cloud).
 * - Google: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, metadata
 *   server); `CLOUD_CHANNEL_EMULATOR_HOST=host:port` points at an emulator (plain text, loopback
 *   only); `CLOUD_CHANNEL_TRANSPORT=grpc|rest`.
 */
export function fromEnvironment(env: Record<string, string | undefined>): {
  confluent?: ConfluentOptions;
  googleChannel: GoogleChannelOptions;
} {
  const result: { confluent?: ConfluentOptions; googleChannel: GoogleChannelOptions } = { googleChannel: {} };
  const baseUrl = env.CONFLUENT_BASE_URL ? { baseUrl: env.CONFLUENT_BASE_URL } : {};
  if (env.CONFLUENT_API_KEY && env.CONFLUENT_API_SECRET) {
    result.confluent = {
      credentials: { type: 'api-key', apiKey: env.CONFLUENT_API_KEY, apiSecret: env.CONFLUENT_API_SECRET },
      ...baseUrl,
    };
  } else if (env.CONFLUENT_PARTNER_TOKEN) {
    result.confluent = { credentials: { type: 'bearer', token: env.CONFLUENT_PARTNER_TOKEN }, ...baseUrl };
  }
  const emulator = env.CLOUD_CHANNEL_EMULATOR_HOST;
  if (emulator) {
    const endpoint = parseHostPort(emulator);
    if (!endpoint) {
      throw new EntitlementError({
        kind: 'invalid-argument',
        vendor: 'google-channel',
        message: `CLOUD_CHANNEL_EMULATOR_HOST must be host:port, got ${JSON.stringify(emulator)}`,
      });
    }
    Object.assign(result.googleChannel, { apiEndpoint: endpoint.host, port: endpoint.port, insecure: true });
  }
  const transport = env.CLOUD_CHANNEL_TRANSPORT;
  if (transport === 'grpc' || transport === 'rest') result.googleChannel.transport = transport;
  return result;
}

function fanOut(
  ...listeners: (ProvisionerEventListener | undefined)[]
): ProvisionerEventListener | undefined {
  const present = listeners.filter(
    (listener): listener is ProvisionerEventListener => listener !== undefined,
  );
  if (present.length <= 1) return present[0];
  return (event) => {
    for (const listener of present) listener(event);
  };
}

function unroutable(message: string, vendor = 'core'): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor, message });
}

/** The runtime side of `Provisioner`: routing is by value, the typed signatures are the interface's. */
class FacadeProvisioner {
  readonly #sources = new Map<string, () => Promise<AnyProvisioner>>();
  readonly #loaded = new Map<string, Promise<AnyProvisioner>>();
  readonly #tracing: boolean;

  constructor(config: ProvisionerConfig) {
    const env = fromEnvironment(config.env ?? process.env);
    this.#tracing = config.tracing ?? true;
    const confluent = config.confluent ?? env.confluent;
    if (config.confluent !== false) {
      this.#sources.set('confluent', async () => {
        if (!confluent) {
          throw new EntitlementError({
            kind: 'unauthenticated',
            vendor: 'confluent',
            message:
              'no Confluent credentials: pass { confluent: { credentials } } or set CONFLUENT_API_KEY and CONFLUENT_API_SECRET, or CONFLUENT_PARTNER_TOKEN',
          });
        }
        const { createConfluentProvisioner } = await import('./vendors/confluent/index.ts');
        return createConfluentProvisioner({
          ...confluent,
          onEvent: fanOut(confluent.onEvent, config.onEvent),
        });
      });
    }
    if (config.googleChannel !== false) {
      const google = { ...env.googleChannel, ...config.googleChannel };
      this.#sources.set('google-channel', async () => {
        const { createGoogleChannelProvisioner } = await import('./vendors/google-channel/index.ts');
        return createGoogleChannelProvisioner({ ...google, onEvent: fanOut(google.onEvent, config.onEvent) });
      });
    }
    for (const [vendor, source] of Object.entries(config.adapters ?? {})) {
      this.#sources.set(vendor, async () => {
        const adapter = typeof source === 'function' ? await source() : source;
        if (adapter?.vendor !== vendor) {
          throw unroutable(
            `the adapter registered as "${vendor}" says it is "${String(adapter?.vendor)}"`,
            vendor,
          );
        }
        return adapter;
      });
    }
  }

  get vendors(): readonly string[] {
    return [...this.#sources.keys()];
  }

  #adapter(vendor: unknown, what: string): Promise<AnyProvisioner> {
    if (typeof vendor !== 'string' || !this.#sources.has(vendor)) {
      return Promise.reject(
        unroutable(
          `${what} names vendor ${JSON.stringify(vendor)}; this provisioner handles ${this.vendors.map((v) => `"${v}"`).join(', ')}`,
        ),
      );
    }
    let adapter = this.#loaded.get(vendor);
    if (!adapter) {
      adapter = (this.#sources.get(vendor) as () => Promise<AnyProvisioner>)();
      // A failed load (missing credentials, say) is retried on the next call.
      adapter.catch(() => this.#loaded.delete(vendor));
      this.#loaded.set(vendor, adapter);
    }
    return adapter;
  }

  async create(request: { vendor: string }, options?: CallOptions) {
    const adapter = await this.#adapter(request?.vendor, 'the create request');
    return withTracing(this.#tracing, 'create', adapter.vendor, () => adapter.create(request, options));
  }

  async resume(token: string, options?: ResumeOptions) {
    const adapter = await this.#adapter(tokenVendor(token), 'the operation token');
    return withTracing(this.#tracing, 'resume', adapter.vendor, () => adapter.resume(token, options));
  }

  async get(ref: { vendor: string }, options?: CallOptions) {
    const adapter = await this.#adapter(ref?.vendor, 'the entitlement reference');
    return withTracing(this.#tracing, 'get', adapter.vendor, () => adapter.get(ref, options));
  }

  createMany(
    items: Iterable<BatchItem | BatchEntry> | AsyncIterable<BatchItem | BatchEntry>,
    options: BatchOptions = {},
  ): BatchRun {
    const traits = { confluent: confluentFleet, 'google-channel': googleChannelFleet, ...options?.traits };
    return createBatch(this, items, { ...options, traits });
  }

  async close(): Promise<void> {
    const adapters = await Promise.allSettled(this.#loaded.values());
    this.#loaded.clear();
    for (const result of adapters) if (result.status === 'fulfilled') await result.value.close?.();
  }
}

export function createProvisioner(config: ProvisionerConfig = {}): Provisioner {
  return new FacadeProvisioner(config) as unknown as Provisioner;
}
