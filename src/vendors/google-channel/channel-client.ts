/**
 * A Cloud Channel client on google-gax, built the way the generated (gapic) clients are, but from
 * the pruned descriptor in generated/google: GrpcClient + loadProtoJSON, a LongrunningDescriptor
 * for CreateEntitlement, createApiCall, and an operations client from lro(). Its surface is the
 * subset of the official `CloudChannelServiceClient` this library uses, so an official client can
 * be passed in its place.
 *
 * gax's own retries are switched off (one retry layer: the adapter's); timeouts come per call.
 */
import * as gax from 'google-gax';
import { Operations_HTTP_RULES, TYPE_NAMES } from '../../../generated/google/channel.ts';
import { APPS_ORDER_SCOPE, DEFAULT_ENDPOINT, type Transport } from './constants.ts';
import { channelDescriptor, channelRoot } from './protos.ts';

export { APPS_ORDER_SCOPE, DEFAULT_ENDPOINT, type Transport };

const SERVICE = TYPE_NAMES.CloudChannelService;

/** The http rules of google.longrunning.Operations (operations.proto), for the REST transport. */
const OPERATION_HTTP_RULES = Operations_HTTP_RULES.map((rule) => ({ ...rule }));

/** No retries in gax: the core call loop is the only retry layer (docs/architecture.md, "Retries"). */
const CLIENT_CONFIG = {
  interfaces: {
    [SERVICE]: {
      retry_codes: { non_idempotent: [] },
      retry_params: {
        default: {
          initial_retry_delay_millis: 100,
          retry_delay_multiplier: 1.3,
          max_retry_delay_millis: 60_000,
          initial_rpc_timeout_millis: 60_000,
          rpc_timeout_multiplier: 1,
          max_rpc_timeout_millis: 60_000,
          total_timeout_millis: 60_000,
        },
      },
      methods: {
        CreateEntitlement: {
          timeout_millis: 60_000,
          retry_codes_name: 'non_idempotent',
          retry_params_name: 'default',
        },
        GetEntitlement: {
          timeout_millis: 60_000,
          retry_codes_name: 'non_idempotent',
          retry_params_name: 'default',
        },
      },
    },
  },
};

export interface ChannelClientOptions {
  transport?: Transport;
  /** Host only (no port): `cloudchannel.googleapis.com` by default. */
  apiEndpoint?: string;
  port?: number;
  /** Plain-text transport and no credentials at all: for emulators on loopback. */
  insecure?: boolean;
  /** An auth client or GoogleAuth; default: Application Default Credentials with the apps.order scope. */
  auth?: gax.GoogleAuth | gax.googleAuthLibrary.AuthClient;
  scopes?: string[];
}

/** The parts of a gax call's options this library sets. */
export interface ChannelCallOptions {
  timeout?: number;
  retry?: null;
  otherArgs?: { headers?: Record<string, string> };
}

/** What this library needs of a long-running operation handle (gax `Operation`). */
export interface OperationLike {
  name?: string | null;
  done?: boolean | null;
  latestResponse?: unknown;
  on?(event: 'error', listener: (error: unknown) => void): unknown;
}

/** What this library needs of a cancellable gax call (a promise with `cancel()`). */
export type Cancellable<T> = Promise<T> & { cancel?: () => void };

/** The shape of the official `CloudChannelServiceClient` this library uses. */
export interface ChannelClientLike {
  createEntitlement(
    request: Record<string, unknown>,
    options?: ChannelCallOptions,
  ): Cancellable<[OperationLike, ...unknown[]]>;
  checkCreateEntitlementProgress(name: string): Promise<OperationLike>;
  getEntitlement?(
    request: { name: string },
    options?: ChannelCallOptions,
  ): Cancellable<[unknown, ...unknown[]]>;
  getOperation?(
    request: { name: string },
    options?: ChannelCallOptions,
  ): Cancellable<[unknown, ...unknown[]]>;
  cancelOperation?(request: { name: string }, options?: ChannelCallOptions): Cancellable<unknown>;
  close?(): Promise<void>;
}

function passThroughAuth(): gax.GoogleAuth {
  return new gax.GoogleAuth({ authClient: new gax.googleAuthLibrary.PassThroughClient() });
}

type ApiCall = (request: unknown, options?: unknown) => Cancellable<[unknown, ...unknown[]]>;

export class ChannelClient implements ChannelClientLike {
  readonly transport: Transport;
  readonly #options: Record<string, unknown>;
  readonly #gaxModule: typeof gax | typeof gax.fallback;
  readonly #gaxGrpc: gax.GrpcClient | gax.fallback.GrpcClient;
  readonly #operationsClient: gax.OperationsClient;
  readonly #longrunning: gax.LongrunningDescriptor;
  readonly #defaults: Record<string, gax.CallSettings>;
  #calls?: Promise<Record<'createEntitlement' | 'getEntitlement', ApiCall>>;
  /** The api calls once built: later calls start at once, with no promise in between. */
  #built?: Record<'createEntitlement' | 'getEntitlement', ApiCall>;
  #stub?: { close?: () => void };
  #closed = false;

  constructor(options: ChannelClientOptions = {}) {
    this.transport = options.transport ?? 'grpc';
    const fallback = this.transport === 'rest';
    this.#gaxModule = fallback ? gax.fallback : gax;
    const host = options.apiEndpoint ?? DEFAULT_ENDPOINT;
    const auth = options.insecure
      ? passThroughAuth()
      : options.auth instanceof gax.GoogleAuth
        ? options.auth
        : new gax.GoogleAuth({
            scopes: options.scopes ?? [APPS_ORDER_SCOPE],
            ...(options.auth ? { authClient: options.auth } : {}),
          });
    this.#options = {
      servicePath: host,
      apiEndpoint: host,
      port: options.port ?? 443,
      fallback,
      auth,
      scopes: options.scopes ?? [APPS_ORDER_SCOPE],
      ...(options.insecure
        ? fallback
          ? { protocol: 'http' }
          : { sslCreds: gax.grpc.credentials.createInsecure() }
        : {}),
    };
    this.#gaxGrpc = new this.#gaxModule.GrpcClient(this.#options as gax.GrpcClientOptions);
    const root = channelRoot();
    this.#operationsClient = this.#gaxModule
      .lro({
        auth,
        ...(fallback ? { protoJson: root, httpRules: OPERATION_HTTP_RULES } : { grpc: gax.grpc }),
      } as gax.GrpcClientOptions)
      .operationsClient(this.#options as never);
    // setup() first: until then a Type's decode is a stub that generates the decoder (and the
    // encoder, verifier and converters) and replaces itself on the instance. Bound before that,
    // as generated clients bind it, every decode would generate all five again.
    const entitlement = root.lookupType(TYPE_NAMES.Entitlement).setup();
    const metadata = root.lookupType(TYPE_NAMES.OperationMetadata).setup();
    this.#longrunning = new this.#gaxModule.LongrunningDescriptor(
      this.#operationsClient,
      entitlement.decode.bind(entitlement),
      metadata.decode.bind(metadata),
    );
    this.#defaults = this.#gaxGrpc.constructSettings(
      SERVICE,
      CLIENT_CONFIG,
      {},
      {
        'x-goog-api-client': `gl-node/${process.versions.node} gax/${gax.version} entitlement-provisioner`,
      },
    );
  }

  /** Builds the service stub once (the first call does it). */
  #apiCalls(): Promise<Record<'createEntitlement' | 'getEntitlement', ApiCall>> {
    this.#calls ??= (async () => {
      const service =
        this.transport === 'rest'
          ? channelRoot().lookupService(SERVICE)
          : (this.#gaxGrpc as gax.GrpcClient).loadProtoJSON(channelDescriptor).google;
      const definition =
        this.transport === 'rest'
          ? service
          : (service as unknown as { cloud: { channel: { v1: { CloudChannelService: unknown } } } }).cloud
              .channel.v1.CloudChannelService;
      const stub = await this.#gaxGrpc.createStub(definition as never, this.#options as never);
      this.#stub = stub as { close?: () => void };
      // Not async: gax keeps what the stub method returns (the gRPC call, or the REST canceller)
      // to cancel it; a promise in its place has no cancel(), and cancelling threw a TypeError.
      const method =
        (name: string) =>
        (...args: unknown[]) =>
          (stub as unknown as Record<string, (...a: unknown[]) => unknown>)[name]?.(...args);
      const create = this.#gaxModule.createApiCall(
        Promise.resolve(method('createEntitlement')) as never,
        this.#defaults.createEntitlement as gax.CallSettings,
        this.#longrunning,
        this.transport === 'rest',
      );
      const get = this.#gaxModule.createApiCall(
        Promise.resolve(method('getEntitlement')) as never,
        this.#defaults.getEntitlement as gax.CallSettings,
        undefined,
        this.transport === 'rest',
      );
      this.#built = {
        createEntitlement: create as unknown as ApiCall,
        getEntitlement: get as unknown as ApiCall,
      };
      return this.#built;
    })();
    return this.#calls;
  }

  /**
   * The call options gax gets: the routing header added, and on REST no gax deadline. gax's REST
   * stub arms an `AbortSignal.timeout` per call from the deadline, which holds the call's memory
   * until it fires (60 s) even after the call ended; the adapter bounds every attempt itself and
   * cancels the call when that bound passes, so the deadline is left to it.
   */
  #withRouting(options: ChannelCallOptions | undefined, params: Record<string, string>): ChannelCallOptions {
    const headers = {
      ...options?.otherArgs?.headers,
      'x-goog-request-params': gax.routingHeader.fromParams(params),
    };
    const routed: ChannelCallOptions = { ...options, otherArgs: { ...options?.otherArgs, headers } };
    if (this.transport === 'rest') routed.timeout = Number.POSITIVE_INFINITY;
    return routed;
  }

  /** A call made once the stub exists, cancellable before and after that. */
  #deferred<T>(
    start: (calls: Record<'createEntitlement' | 'getEntitlement', ApiCall>) => Cancellable<T>,
  ): Cancellable<T> {
    if (this.#built) return start(this.#built);
    let inner: Cancellable<T> | undefined;
    let cancelled = false;
    const outer = this.#apiCalls().then((calls) => {
      inner = start(calls);
      if (cancelled) inner.cancel?.();
      return inner;
    }) as Cancellable<T>;
    outer.cancel = () => {
      cancelled = true;
      inner?.cancel?.();
    };
    return outer;
  }

  createEntitlement(
    request: Record<string, unknown>,
    options?: ChannelCallOptions,
  ): Cancellable<[OperationLike, ...unknown[]]> {
    const routed = this.#withRouting(options, { parent: String(request.parent ?? '') });
    return this.#deferred(
      (calls) => calls.createEntitlement(request, routed) as Cancellable<[OperationLike, ...unknown[]]>,
    );
  }

  getEntitlement(
    request: { name: string },
    options?: ChannelCallOptions,
  ): Cancellable<[unknown, ...unknown[]]> {
    const routed = this.#withRouting(options, { name: request.name });
    return this.#deferred((calls) => calls.getEntitlement(request, routed));
  }

  getOperation(
    request: { name: string },
    options?: ChannelCallOptions,
  ): Cancellable<[unknown, ...unknown[]]> {
    return this.#operationsClient.getOperation(
      request as never,
      this.#withRouting(options, { name: request.name }) as never,
    ) as never;
  }

  cancelOperation(request: { name: string }, options?: ChannelCallOptions): Cancellable<unknown> {
    return this.#operationsClient.cancelOperation(
      request as never,
      this.#withRouting(options, { name: request.name }) as never,
    ) as never;
  }

  /** As in the official client: one GetOperation, decoded into a gax Operation. */
  async checkCreateEntitlementProgress(name: string): Promise<OperationLike> {
    const [operation] = await this.getOperation({ name });
    const decoded = new this.#gaxModule.Operation(
      operation as never,
      this.#longrunning,
      gax.createDefaultBackoffSettings(),
    );
    decoded.on('error', () => undefined);
    return decoded as unknown as OperationLike;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // gax's close() prints the stub's error with console.error when the stub failed to build (the
    // credentials could not be loaded, say): that error was already reported by the call.
    const stub = (this.#operationsClient as unknown as { operationsStub?: Promise<{ close(): void }> })
      .operationsStub;
    if (stub)
      await stub.then(
        (built) => built.close(),
        () => undefined,
      );
    else this.#operationsClient.close();
    if (this.#calls) await this.#calls.catch(() => undefined);
    this.#stub?.close?.();
  }
}
