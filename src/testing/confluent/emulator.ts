/**
 * An in-process emulator of the Confluent Cloud partner/v2 entitlement API on `node:http`,
 * implemented from the vendor's OpenAPI document (routes, scopes, validation, response shapes)
 * and independent of this library's Confluent adapter.
 *
 * Each request goes through, in order: routing (to know the operation), reading the body, the
 * rate limit (`429`), an injected fault, authentication (`401`), unknown path or method
 * (`404`/`405`), scopes (`403`), path and query parameters (`400`), and the operation itself.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { checkClock, type EmulatorClock, SYSTEM_CLOCK } from '../clock.ts';
import { listen } from '../listen.ts';
import {
  Authenticator,
  type ConfluentEmulatorCredential,
  challenge,
  DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS,
  missingScopes,
} from './auth.ts';
import {
  forbidden,
  invalidParameters,
  methodNotAllowed,
  notFound,
  notImplemented,
  serverError,
  serverErrorHtml,
  unauthenticated,
} from './errors.ts';
import { type ConfluentFault, FaultQueue, type PendingConfluentFault } from './faults.ts';
import { type Reply, readBody, send } from './http.ts';
import { OPERATION_HANDLERS, type ReceivedBody } from './operations.ts';
import {
  type ConfluentRateLimit,
  type RateLimitDecision,
  RateLimits,
  rateLimitHeaders,
} from './rate-limit.ts';
import { type ConfluentRecordedRequest, queryRecord, RequestLog } from './request-log.ts';
import type { ConfluentEntitlement, ConfluentOperationId } from './spec.ts';
import { EntitlementStore } from './state.ts';

/** The only interface the emulator listens on. */
const HOST = '127.0.0.1';
/** Larger bodies are refused with `413`. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link startConfluentEmulator}. */
export interface ConfluentEmulatorOptions {
  /** TCP port on 127.0.0.1. Default `0`: a free port chosen by the OS. */
  port?: number;
  /**
   * The credentials the emulator accepts. Default: the bearer token `emulator-token` and the API key
   * `emulator-key` / `emulator-secret`, both with every scope
   * ({@link DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS}).
   */
  credentials?: readonly ConfluentEmulatorCredential[];
  /**
   * Refuse requests over this rate with `429`: one limit, or several (e.g. one per operation, with
   * `operationId`). Default: no limit.
   */
  rateLimit?: ConfluentRateLimit | readonly ConfluentRateLimit[];
  /**
   * Rate-limit windows pass this many times faster than real time (60: a minute lasts 1 s), on the
   * emulator's clock. Default 1.
   */
  timeScale?: number;
  /**
   * The origin (`scheme://host[:port]`) used in `Location` headers, `metadata.self` and
   * `organization.related`. Default: the emulator's own `http://127.0.0.1:<port>`. Set it to test a
   * client against a `Location` that points elsewhere (e.g. `https://api.confluent.cloud`).
   */
  locationOrigin?: string;
  /**
   * The vendor's OpenAPI document to serve, normalised the way `npm run generate` writes
   * generated/confluent/openapi.json. Default: that file. Its operations, scopes, request checks
   * and the fields of the stored entitlement all come from it.
   */
  spec?: object;
  /**
   * Where time comes from: the entitlements' timestamps, the request log, rate-limit windows and
   * latency faults.
   * Default: the system clock and real timers.
   */
  clock?: ConfluentEmulatorClock;
}

/** The emulator's source of time (see {@link ConfluentEmulatorOptions.clock}): the emulators' one clock. */
export type ConfluentEmulatorClock = EmulatorClock;

/** A running emulator. Close it when done (`await emu.close()`, or `await using emu = ...`). */
export interface ConfluentEmulator extends AsyncDisposable {
  /** The base URL to configure clients with, `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** The port the emulator listens on. */
  readonly port: number;
  /** The origin used in `Location` headers and `metadata.self`. */
  readonly locationOrigin: string;
  /**
   * Every request received since start or the last {@link ConfluentEmulator.reset}, oldest first
   * (a fresh copy on each read). Headers are never recorded, so credentials never appear here.
   */
  readonly requests: readonly ConfluentRecordedRequest[];
  /** The faults still queued, with how many more requests each will apply to. */
  readonly pendingFaults: readonly PendingConfluentFault[];
  /** `429`s served since start or the last {@link ConfluentEmulator.reset}. */
  readonly quotaErrors: number;
  /** The stored entitlements in the vendor's JSON shape, oldest first (copies). */
  entitlements(): ConfluentEntitlement[];
  /**
   * Queues a fault for the next request(s) matching `fault.match` (default: any request), applied
   * `fault.times` times (default 1). Faults are taken in the order they were injected; one
   * request takes at most one fault. Throws `TypeError` for an invalid fault.
   */
  inject(fault: ConfluentFault): void;
  /** Forgets every entitlement, queued fault, logged request and rate-limit count. */
  reset(): void;
  /**
   * Stops listening and closes every connection, idle keep-alive ones and requests in progress
   * included (a request waiting on a latency fault ends with a connection error). Idempotent.
   */
  close(): Promise<void>;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError('port must be an integer from 0 to 65535');
  return port;
}

function checkOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new TypeError(`locationOrigin is not a URL: ${JSON.stringify(origin)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError('locationOrigin must be an http: or https: origin');
  if (
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  )
    throw new TypeError('locationOrigin must be an origin only (scheme://host[:port])');
  return url.origin;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function faultReply(fault: ConfluentFault & { type: 'status' }): Reply {
  switch (fault.body ?? 'json') {
    case 'empty':
      return { status: fault.status };
    case 'html':
      return {
        status: fault.status,
        text: { contentType: 'text/html', body: serverErrorHtml(fault.status) },
      };
    default:
      return { status: fault.status, json: serverError(fault.status) };
  }
}

/**
 * Starts a Confluent Cloud partner/v2 entitlement API emulator on 127.0.0.1.
 *
 * @example
 * ```ts
 * const emu = await startConfluentEmulator();
 * const res = await fetch(`${emu.url}/partner/v2/entitlements`, {
 *   method: 'POST',
 *   headers: { Authorization: 'Bearer emulator-token', 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ external_id: 'x-1', name: 'Acme', plan_id, product_id }), // ids the spec lists
 * }); // 201, Location: http://127.0.0.1:<port>/partner/v2/entitlements/ent-…
 * await emu.close();
 * ```
 */
export async function startConfluentEmulator(
  options: ConfluentEmulatorOptions = {},
): Promise<ConfluentEmulator> {
  const port = checkPort(options.port ?? 0);
  const configuredOrigin =
    options.locationOrigin === undefined ? undefined : checkOrigin(options.locationOrigin);
  const defaults = DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS;
  const authenticator = new Authenticator(
    options.credentials ?? [
      { token: defaults.token },
      { apiKey: defaults.apiKey, apiSecret: defaults.apiSecret },
    ],
  );
  const rateLimitConfig = options.rateLimit;
  // The validators compile when an emulator starts (ajv loads then), not when the entry is imported.
  const { emulatedSpec } = await import('./spec.ts');
  const spec = emulatedSpec(options.spec);
  const clock = options.clock === undefined ? SYSTEM_CLOCK : checkClock(options.clock);
  const rateLimit =
    rateLimitConfig === undefined
      ? undefined
      : new RateLimits(
          Array.isArray(rateLimitConfig) ? rateLimitConfig : [rateLimitConfig as ConfluentRateLimit],
          { now: () => clock.now(), timeScale: options.timeScale ?? 1 },
        );
  const store = new EntitlementStore(spec.entitlement.resource, () => clock.now());
  const faults = new FaultQueue();
  const log = new RequestLog();
  const closing = new AbortController();
  let origin = '';

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const query = queryRecord(url.searchParams);
    const route = spec.match(method, url.pathname);
    const operationId =
      route.kind === 'operation' ? (route.operation.operationId as ConfluentOperationId) : undefined;
    const entry = log.start({
      requestId,
      time: new Date(clock.now()).toISOString(),
      method,
      path: url.pathname,
      query,
    });
    entry.operationId = operationId;

    let decision: RateLimitDecision | undefined;
    let dropAfterCommit = false;
    const reply = (r: Reply): void => {
      if (dropAfterCommit) {
        res.socket?.destroy();
        return;
      }
      entry.status = r.status;
      send(res, {
        ...r,
        headers: {
          'X-Request-Id': requestId,
          ...(decision ? rateLimitHeaders(decision, clock.now()) : {}),
          ...r.headers,
        },
      });
    };

    const received = await readBody(req, MAX_BODY_BYTES);
    let body: ReceivedBody;
    if (!received.ok) body = { kind: 'too-large', limitBytes: MAX_BODY_BYTES };
    else if (received.text === '') body = { kind: 'empty' };
    else {
      const json = parseJson(received.text);
      body = { kind: 'text', text: received.text, contentType: req.headers['content-type'], json };
      entry.body = json ? json.value : received.text;
    }

    if (rateLimit) {
      decision = rateLimit.consume(operationId);
      if (decision && !decision.allowed) return reply({ status: 429 }); // the vendor's 429 has no body
    }

    const fault = faults.take(method, operationId);
    entry.fault = fault?.type;
    switch (fault?.type) {
      case 'latency':
        try {
          await clock.sleep(fault.ms, closing.signal);
        } catch {
          res.socket?.destroy(); // the emulator is closing
          return;
        }
        break;
      case 'status':
        return reply(faultReply(fault));
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'drop-after-commit':
        dropAfterCommit = true;
        break;
    }

    const auth = authenticator.authenticate(req.headers.authorization);
    if (!auth.ok)
      return reply({
        status: 401,
        headers: { 'WWW-Authenticate': challenge(auth) },
        json: unauthenticated(),
      });

    if (route.kind === 'not-found')
      return reply({ status: 404, json: notFound(`The resource '${url.pathname}' was not found.`) });
    if (route.kind === 'method-not-allowed')
      return reply({
        status: 405,
        headers: { Allow: route.allow.join(', ') },
        json: methodNotAllowed(method, url.pathname),
      });
    const { operation, pathParams } = route;
    const handler = OPERATION_HANDLERS[operation.operationId as ConfluentOperationId];
    if (!operation.implemented || handler === undefined)
      return reply({ status: 501, json: notImplemented(operation.operationId) });

    const missing = missingScopes(auth.principal, operation.scopeRequirements);
    if (missing.length > 0) return reply({ status: 403, json: forbidden(operation.operationId, missing) });

    const parameterIssues = operation.validator.validateParameters({ path: pathParams, query });
    if (parameterIssues.length > 0) return reply({ status: 400, json: invalidParameters(parameterIssues) });

    reply(handler({ pathParams, query, body, validator: operation.validator, store, origin }));
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    handle(req, res, requestId).catch(() => {
      // The connection broke while reading the body, or a bug: answer 500 if still possible.
      if (!res.headersSent && !res.destroyed)
        send(res, { status: 500, headers: { 'X-Request-Id': requestId }, json: serverError(500) });
      else res.destroy();
    });
  });

  const boundPort = await listen(server, HOST, port);
  const url = `http://${HOST}:${boundPort}`;
  origin = configuredOrigin ?? url;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      closing.abort();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closed;
  };

  return {
    url,
    port: boundPort,
    locationOrigin: origin,
    get requests() {
      return log.snapshot();
    },
    get pendingFaults() {
      return faults.pending();
    },
    get quotaErrors() {
      return rateLimit?.refused ?? 0;
    },
    entitlements: () => store.list(),
    inject: (fault) => faults.add(fault),
    reset() {
      store.clear();
      faults.clear();
      log.clear();
      rateLimit?.reset();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
