/**
 * The facade: one provisioner for every vendor. It routes `create` by the request's vendor,
 * `resume` by the token's vendor and `get` by the reference's vendor, and loads each vendor
 * adapter only when that vendor is first used (a Confluent-only program never loads google-gax or
 * protobufjs). Configuration not given comes from the environment (see `fromEnvironment`).
 */

import { deferredRun } from './batch/deferred-run.ts';
import type { BatchEntry } from './batch/entries.ts';
import type { BatchItem } from './batch/items.ts';
import { checkOptions as checkBatchOptions } from './batch/options.ts';
import type { BatchOptions, BatchRun } from './batch/types.ts';
import {
  checkBoolean,
  checkFunction,
  checkOptionsObject,
  describeValue,
  invalidField,
  isPlainObject,
} from './core/arguments.ts';
import { EntitlementError } from './core/errors.ts';
import type { ProvisionerEventListener } from './core/events.ts';
import { tokenVendor } from './core/token.ts';
import type {
  CallOptions,
  Entitlement,
  EntitlementProvisioner,
  ProvisioningOperation,
  ResumeOptions,
} from './core/types.ts';
import { withTracing } from './observability/tracing.ts';
import { confluentFromEnvironment, missingConfluentCredentials } from './vendors/confluent/environment.ts';
import { confluentFleet } from './vendors/confluent/fleet.ts';
import type { ConfluentOptions } from './vendors/confluent/provisioner.ts';
import type {
  ConfluentCreateRequest,
  ConfluentEntitlementRef,
  ConfluentEntitlementResource,
} from './vendors/confluent/types.ts';
import { googleChannelFromEnvironment } from './vendors/google-channel/environment.ts';
import { googleChannelFleet } from './vendors/google-channel/fleet.ts';
import type { GoogleChannelOptions } from './vendors/google-channel/provisioner.ts';
import type {
  GoogleChannelCreateRequest,
  GoogleChannelEntitlementRef,
  GoogleChannelEntitlementResource,
} from './vendors/google-channel/types.ts';

// biome-ignore lint/suspicious/noExplicitAny: an adapter of any vendor: its id, request, reference and raw types
export type AnyProvisioner = EntitlementProvisioner<any, any, any, any>;

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

/** Resume options on the facade: with `vendor`, the token must belong to that vendor (and is typed so). */
export interface FacadeResumeOptions<V extends VendorId = VendorId> extends ResumeOptions {
  vendor?: V;
}

export interface Provisioner extends AsyncDisposable {
  create<V extends VendorId>(
    request: VendorRegistry[V]['request'] & { vendor: V },
    options?: CallOptions,
  ): Promise<ProvisioningOperation<V, VendorRegistry[V]['raw']>>;
  /**
   * Resumes an operation from its token, in any process; the token names its vendor. Pass
   * `{ vendor }` to have the token checked against it and the result typed for it.
   */
  resume<V extends VendorId = VendorId>(
    token: string,
    options?: FacadeResumeOptions<V>,
  ): Promise<ProvisioningOperation<V, VendorRegistry[V]['raw']>>;
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
  /** Closes every adapter that was loaded; calls after it are refused. */
  close(): Promise<void>;
}

/**
 * Configuration from environment variables, for what the caller did not configure (each vendor's
 * variables are read only when that vendor is enabled, when it is first used):
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
  const confluent = confluentFromEnvironment(env);
  const { credentials, ...rest } = confluent;
  return {
    ...(credentials ? { confluent: { credentials, ...rest } } : {}),
    googleChannel: googleChannelFromEnvironment(env),
  };
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

const FACADE = 'entitlement-provisioner';
const CONFIG_KEYS = ['confluent', 'googleChannel', 'adapters', 'onEvent', 'tracing', 'env'];

function unroutable(message: string, vendor = FACADE): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor, message });
}

/** The facade's configuration, checked before anything is loaded. */
function checkConfig(input: unknown): ProvisionerConfig {
  const config = checkOptionsObject(FACADE, 'config', input, CONFIG_KEYS) as ProvisionerConfig;
  for (const vendor of ['confluent', 'googleChannel'] as const) {
    const value: unknown = config[vendor];
    if (value !== undefined && value !== false && !isPlainObject(value))
      throw invalidField(FACADE, `config.${vendor}`, 'must be an options object, false, or left out');
  }
  if (config.adapters !== undefined) {
    if (!isPlainObject(config.adapters))
      throw invalidField(FACADE, 'config.adapters', 'must be an object of vendor ids to adapters');
    for (const [vendor, source] of Object.entries(config.adapters)) {
      if (vendor === 'confluent' || vendor === 'google-channel')
        throw invalidField(
          FACADE,
          `config.adapters.${vendor}`,
          'is a built-in vendor: configure it with its own option',
        );
      const isAdapter = typeof source === 'object' && source !== null && typeof source.create === 'function';
      if (typeof source !== 'function' && !isAdapter)
        throw invalidField(
          FACADE,
          `config.adapters.${vendor}`,
          'must be an adapter or a function that returns one',
        );
    }
  }
  checkFunction(FACADE, 'config.onEvent', config.onEvent);
  checkBoolean(FACADE, 'config.tracing', config.tracing);
  if (config.env !== undefined) {
    if (!isPlainObject(config.env))
      throw invalidField(FACADE, 'config.env', 'must be an object of variable names to strings');
    for (const [name, value] of Object.entries(config.env))
      if (value !== undefined && typeof value !== 'string')
        throw invalidField(FACADE, `config.env.${name}`, 'must be a string');
  }
  return config;
}

type Loader = () => Promise<AnyProvisioner>;

/** The facade: routing is by value; each vendor is loaded, and reads its environment, on first use. */
class FacadeProvisioner implements Provisioner {
  readonly #sources = new Map<string, Loader>();
  readonly #loaded = new Map<string, Promise<AnyProvisioner>>();
  readonly #tracing: boolean;
  #closed = false;

  constructor(input: ProvisionerConfig) {
    const config = checkConfig(input);
    const env = config.env ?? process.env;
    this.#tracing = config.tracing ?? true;
    const confluent = config.confluent;
    if (confluent !== false) {
      this.#sources.set('confluent', async () => {
        const { credentials, ...fromEnv } = confluentFromEnvironment(env);
        const options = { ...fromEnv, ...(credentials ? { credentials } : {}), ...confluent };
        if (!options.credentials) throw missingConfluentCredentials();
        const { createConfluentProvisioner } = await import('./vendors/confluent/index.ts');
        return createConfluentProvisioner({
          ...(options as ConfluentOptions),
          onEvent: fanOut(confluent?.onEvent, config.onEvent),
        });
      });
    }
    const google = config.googleChannel;
    if (google !== false) {
      this.#sources.set('google-channel', async () => {
        const options = { ...googleChannelFromEnvironment(env), ...google };
        const { createGoogleChannelProvisioner } = await import('./vendors/google-channel/index.ts');
        return createGoogleChannelProvisioner({
          ...options,
          onEvent: fanOut(google?.onEvent, config.onEvent),
        });
      });
    }
    for (const [vendor, source] of Object.entries(config.adapters ?? {})) {
      this.#sources.set(vendor, async () => {
        const adapter = typeof source === 'function' ? await source() : source;
        if (adapter?.vendor !== vendor) {
          throw unroutable(
            `The adapter registered as "${vendor}" says it is "${String(adapter?.vendor)}". Register it under its own vendor id.`,
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
    if (this.#closed)
      return Promise.reject(
        new EntitlementError({
          kind: 'failed-precondition',
          vendor: FACADE,
          message: 'This provisioner is closed. Create a new one.',
        }),
      );
    if (typeof vendor !== 'string' || !this.#sources.has(vendor)) {
      const known = this.vendors.map((v) => `"${v}"`).join(', ') || 'none';
      return Promise.reject(
        unroutable(
          `${what} names vendor ${describeValue(vendor)}, which this provisioner does not handle (it handles ${known}).`,
        ),
      );
    }
    let adapter = this.#loaded.get(vendor);
    if (!adapter) {
      adapter = (this.#sources.get(vendor) as Loader)();
      // A failed load (missing credentials, say) is tried again on the next call.
      adapter.catch(() => this.#loaded.delete(vendor));
      this.#loaded.set(vendor, adapter);
    }
    return adapter;
  }

  async create<V extends VendorId>(
    request: VendorRegistry[V]['request'] & { vendor: V },
    options?: CallOptions,
  ): Promise<ProvisioningOperation<V, VendorRegistry[V]['raw']>> {
    const vendor = isPlainObject(request) ? request.vendor : undefined;
    const adapter = await this.#adapter(vendor, 'The create request');
    return withTracing(this.#tracing, 'create', adapter.vendor, () => adapter.create(request, options));
  }

  async resume<V extends VendorId = VendorId>(
    token: string,
    options?: FacadeResumeOptions<V>,
  ): Promise<ProvisioningOperation<V, VendorRegistry[V]['raw']>> {
    const { vendor: expected, ...rest } = isPlainObject(options) ? options : { vendor: undefined };
    const vendor = tokenVendor(token);
    if (expected !== undefined && expected !== vendor)
      throw unroutable(`The operation token belongs to vendor "${vendor}", not "${String(expected)}".`);
    const adapter = await this.#adapter(vendor, 'The operation token');
    const forwarded = options === undefined || !isPlainObject(options) ? options : rest;
    return withTracing(this.#tracing, 'resume', adapter.vendor, () => adapter.resume(token, forwarded));
  }

  async get<V extends VendorId>(
    ref: VendorRegistry[V]['ref'] & { vendor: V },
    options?: CallOptions,
  ): Promise<Entitlement<V, VendorRegistry[V]['raw']>> {
    const vendor = isPlainObject(ref) ? ref.vendor : undefined;
    const adapter = await this.#adapter(vendor, 'The entitlement reference');
    return withTracing(this.#tracing, 'get', adapter.vendor, () => adapter.get(ref, options));
  }

  createMany(
    items: Iterable<BatchItem | BatchEntry> | AsyncIterable<BatchItem | BatchEntry>,
    options: BatchOptions = {},
  ): BatchRun {
    checkBatchOptions(options);
    const traits = { confluent: confluentFleet, 'google-channel': googleChannelFleet, ...options?.traits };
    // The engine (pacing, journal) loads when the run is first used.
    return deferredRun(async () =>
      (await import('./batch/batch.ts')).createBatch(this, items, { ...options, traits }),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const adapters = await Promise.allSettled(this.#loaded.values());
    this.#loaded.clear();
    for (const result of adapters) if (result.status === 'fulfilled') await result.value.close?.();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export function createProvisioner(config: ProvisionerConfig = {}): Provisioner {
  return new FacadeProvisioner(config);
}
