/**
 * From what a Cloud Channel call fails with (a gRPC status, a REST error, a network or TLS
 * failure, a credentials failure of google-auth-library) to an EntitlementError whose message is
 * one sentence of cause and one of action, keeping `google.rpc.Status.details`, the ErrorInfo
 * reason and the original error as `cause`.
 */
import { Code } from '../../../generated/google/channel.ts';
import { EntitlementError, type ErrorKind } from '../../core/errors.ts';
import { googleChannelFleet, QUOTA_REASONS } from './fleet.ts';
import { unpackAny } from './protos.ts';
import { GOOGLE_CHANNEL } from './types.ts';

/** The scope every Cloud Channel call needs. */
const SCOPE = 'https://www.googleapis.com/auth/apps.order';
const CREDENTIALS_VARIABLE = 'GOOGLE_APPLICATION_CREDENTIALS';

/** The error codes of google.rpc.Code: every code but the one numbered 0 (success). */
type ErrorCode = { [K in Code]: (typeof Code)[K] extends 0 ? never : K }[Code];

/** What each google.rpc.Code means to a caller: a code the protos add fails to compile until mapped. */
const KINDS: Readonly<Record<ErrorCode, ErrorKind>> = {
  CANCELLED: 'cancelled',
  UNKNOWN: 'internal',
  INVALID_ARGUMENT: 'invalid-argument',
  DEADLINE_EXCEEDED: 'deadline-exceeded',
  NOT_FOUND: 'not-found',
  ALREADY_EXISTS: 'already-exists',
  PERMISSION_DENIED: 'permission-denied',
  UNAUTHENTICATED: 'unauthenticated',
  RESOURCE_EXHAUSTED: 'rate-limited',
  FAILED_PRECONDITION: 'failed-precondition',
  ABORTED: 'unavailable',
  OUT_OF_RANGE: 'invalid-argument',
  UNIMPLEMENTED: 'internal',
  INTERNAL: 'internal',
  UNAVAILABLE: 'unavailable',
  DATA_LOSS: 'internal',
};

const CODE_NAMES = new Map<number, Code>(Object.entries(Code).map(([name, code]) => [code, name as Code]));

/** The name of a gRPC status code (`UNKNOWN` for one google.rpc.Code does not define). */
export function codeName(code: number): Code {
  return CODE_NAMES.get(code) ?? (CODE_NAMES.get(Code.UNKNOWN) as Code);
}

export function kindForCode(code: number): ErrorKind {
  const name = codeName(code);
  return Object.hasOwn(KINDS, name) ? KINDS[name as ErrorCode] : 'internal';
}

/** The calls of the adapter, as error messages name them. */
export type ChannelCall = 'create' | 'get' | 'poll' | 'cancel';

/** What errorFromCall needs to know about the call that failed. */
export interface ChannelCallContext {
  /** Which call failed. */
  call: ChannelCall;
  /** Requests sent for this call, retries included. */
  attempts: number;
  /** Where the client sends its requests, as `host:port` (absent for an injected client). */
  endpoint?: string;
  /** The transport the client uses (absent for an injected client). */
  transport?: 'grpc' | 'rest';
  /** The operation polled or cancelled. */
  operationName?: string;
}

export interface StatusLike {
  code?: number | null;
  message?: string | null;
  details?: unknown[] | null;
}

export interface DecodedDetails {
  details: unknown[];
  reason?: string;
  retryAfterMs?: number;
}

/** Decodes `google.rpc.Status.details` (Any values or already-decoded objects). */
export function decodeDetails(details: readonly unknown[] | null | undefined): DecodedDetails {
  const decoded: unknown[] = [];
  let reason: string | undefined;
  let retryAfterMs: number | undefined;
  for (const detail of details ?? []) {
    const unpacked = unpackAny(detail);
    const value = (unpacked ? { '@type': unpacked.type, ...unpacked.value } : detail) as Record<
      string,
      unknown
    >;
    decoded.push(value);
    if (typeof value.reason === 'string' && reason === undefined) reason = value.reason;
    const delay = value.retryDelay as { seconds?: string | number; nanos?: number } | undefined;
    if (delay) retryAfterMs = Number(delay.seconds ?? 0) * 1000 + Math.round((delay.nanos ?? 0) / 1e6);
  }
  const result: DecodedDetails = { details: decoded };
  if (reason !== undefined) result.reason = reason;
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** `text` as one sentence: trimmed, ending with a period. */
function sentence(text: string): string {
  const trimmed = text.trim().replace(/[.:;,\s]+$/, '');
  return trimmed === '' ? '' : `${trimmed}.`;
}

const CALL_NOUNS: Record<ChannelCall, (operation?: string) => string> = {
  create: () => 'the create',
  get: () => 'the read of the entitlement',
  poll: (operation) => `the poll of operation ${operation ?? ''}`.trimEnd(),
  cancel: (operation) => `the cancel of operation ${operation ?? ''}`.trimEnd(),
};

/** Why a retry is safe, per call. */
const SAFE_TO_RETRY: Record<ChannelCall, string> = {
  create: "retrying is safe, as the create's request_id makes Cloud Channel return the same operation",
  get: 'retrying is safe, as reading changes nothing',
  poll: 'retrying is safe, as polling changes nothing',
  cancel: 'retrying is safe, as cancelling twice has the same effect',
};

function quotaAdvice(call: ChannelCall): string {
  const quota = googleChannelFleet.quotas?.[call === 'cancel' ? 'get' : call];
  const perMinute = quota ? `${quota.limit} requests per ${quota.intervalMs / 60_000} minute` : 'its quota';
  return `Cloud Channel allows about ${perMinute} for this call: pace bulk work, and retry after the delay Cloud Channel asks for.`;
}

/** Advice for ErrorInfo reasons that name one documented case. */
const REASON_ADVICE: Record<string, string> = {
  DOMAIN_NOT_VERIFIED: "The customer's domain is not verified: verify it before purchasing, then retry.",
  PREREQUISITE_SKU_MISSING:
    'A prerequisite SKU is missing: purchase the base SKU first (for example Google Workspace Business Starter before Vault), then retry.',
  SKU_ALREADY_PURCHASED:
    'The customer already holds this SKU: read that entitlement instead of buying it again.',
};

/** The action to take, per kind, call and (when it names a documented case) reason or message. */
function advice(kind: ErrorKind, call: ChannelCall, reason: string | undefined, message: string): string {
  if (reason !== undefined && Object.hasOwn(REASON_ADVICE, reason)) return REASON_ADVICE[reason] as string;
  const read = call !== 'create';
  switch (kind) {
    case 'invalid-argument':
      return read
        ? 'Check the name that was sent.'
        : "Check the offer and the parameters it requires; to move the customer to another SKU of the same product family, change the existing entitlement's offer instead of buying a second one.";
    case 'not-found':
      if (call === 'get')
        return 'Check the name: no entitlement has that name (accounts/{account}/customers/{customer}/entitlements/{entitlement}).';
      if (read) return 'Check the operation token: no such operation exists, or it has expired.';
      return 'Check the customer (parent) and the offer: both must exist under the same reseller account.';
    case 'already-exists':
      if (/\bSKU\b/i.test(message)) return REASON_ADVICE.SKU_ALREADY_PURCHASED as string;
      if (/e-?mail/i.test(message))
        return "The customer's primary contact email is already in use: change it, then retry.";
      return "Read the customer's existing entitlement if it already holds this SKU; change the customer's primary contact email if that is what exists.";
    case 'failed-precondition':
      return read
        ? 'Cloud Channel refused the call in the current state of the resource: check it, then retry.'
        : 'Check the documented preconditions: a verified domain, any prerequisite SKU, and for developer accounts a domain that starts with goog-test and includes the reseller domain.';
    case 'permission-denied':
      return 'Check that the service account of the credentials may act for this reseller account and its customer.';
    case 'unauthenticated':
      return `Check the credentials (${CREDENTIALS_VARIABLE} or Application Default Credentials) and that they carry the scope ${SCOPE}.`;
    case 'rate-limited':
      return quotaAdvice(call);
    case 'unavailable':
      return `Cloud Channel is unavailable: ${SAFE_TO_RETRY[call]}.`;
    case 'deadline-exceeded':
      return read
        ? `No answer came in time: ${SAFE_TO_RETRY[call]}.`
        : 'No answer came in time and the create may have been made: retry with the same idempotency key to get the same operation.';
    case 'cancelled':
      return 'Cloud Channel cancelled the call: retry it if it is still needed.';
    default:
      return `This is a Cloud Channel backend error: retry later (${SAFE_TO_RETRY[call]}), and contact Cloud Channel support if it persists.`;
  }
}

/** `<lead> <CODE> (<reason>): <vendor message>. <action>` */
function statusMessage(
  lead: string,
  code: number,
  vendorMessage: string | undefined,
  reason: string | undefined,
  action: string,
): string {
  const what = `${codeName(code)}${reason ? ` (${reason})` : ''}`;
  const said = sentence(vendorMessage ?? '');
  return `${lead} ${what}${said ? `: ${said}` : '.'} ${action}`;
}

// ---------------------------------------------------------------------------------------------
// What failed below the API: credentials, connection, transport

interface ErrorLike {
  code?: unknown;
  details?: unknown;
  message?: unknown;
  statusDetails?: unknown;
  reason?: unknown;
  cause?: unknown;
  path?: unknown;
  config?: { url?: unknown };
  response?: { status?: unknown; data?: unknown };
}

/** The error and its causes, outermost first (at most a few levels). */
function chain(error: unknown): ErrorLike[] {
  const errors: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && errors.length < 5) {
    errors.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return errors;
}

const text = (value: unknown) => (typeof value === 'string' ? value : value instanceof URL ? value.href : '');
const allText = (errors: readonly ErrorLike[]) =>
  errors.map((error) => `${text(error.message)} ${text(error.details)} ${text(error.code)}`).join(' ');

/** The first system error code (ECONNREFUSED, ENOTFOUND, ...) in the errors or their messages. */
function systemCode(errors: readonly ErrorLike[]): string | undefined {
  for (const error of errors)
    if (typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code)) return error.code;
  return /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/.exec(
    allText(errors),
  )?.[1];
}

/** `host:port` of a URL. */
function hostPort(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'http:' ? '80' : '443')}`;
  } catch {
    return undefined;
  }
}

function unauthenticated(message: string, error: unknown, context: ChannelCallContext): EntitlementError {
  return new EntitlementError({
    kind: 'unauthenticated',
    vendor: GOOGLE_CHANNEL,
    retryable: false,
    message,
    attempts: context.attempts,
    ...(context.operationName ? { operationName: context.operationName } : {}),
    cause: error,
  });
}

/**
 * google-auth-library failed to load or refresh the credentials: the ADC file is missing or
 * invalid, no credentials were found, or the token endpoint refused to issue a token.
 */
function credentialFailure(error: unknown, context: ChannelCallContext): EntitlementError | undefined {
  const errors = chain(error);
  const all = allText(errors);
  const variable = process.env[CREDENTIALS_VARIABLE];
  const fix = `Point ${CREDENTIALS_VARIABLE} at a service-account or Application Default Credentials JSON file (or unset it and run \`gcloud auth application-default login\`); the credentials need the scope ${SCOPE}.`;
  // Loading failed before any request: the error has no gRPC status code.
  const loading = typeof (errors[0] as ErrorLike | undefined)?.code !== 'number';
  if (loading && (all.includes(CREDENTIALS_VARIABLE) || /credential file|default credentials/i.test(all))) {
    const file = errors.map((e) => text(e.path)).find(Boolean) ?? variable;
    const where = file ? `${CREDENTIALS_VARIABLE} names ${file}, which` : 'Application Default Credentials';
    const problem = /ENOENT|does not exist|not a file/.test(all)
      ? `${where} does not exist`
      : /JSON|Unexpected token|position \d+/.test(all)
        ? `${where} is not valid JSON`
        : /Could not load the default credentials/i.test(all)
          ? 'no Application Default Credentials were found'
          : `${where} could not be used as credentials`;
    return unauthenticated(
      `Cloud Channel credentials could not be loaded: ${problem}. ${fix}`,
      error,
      context,
    );
  }
  // A request that is not to the endpoint is the token request: the credentials' refresh failed.
  const tokenRequest = errors.find((e) => {
    const url = text(e.config?.url);
    if (url === '') return false;
    return context.endpoint === undefined ? /\/token\b/.test(url) : hostPort(url) !== context.endpoint;
  });
  const pluginFailure = /Getting metadata from plugin failed/i.test(all);
  if (tokenRequest || pluginFailure) {
    const url = text(tokenRequest?.config?.url);
    const status = tokenRequest?.response?.status;
    const data = tokenRequest?.response?.data as { error?: unknown; error_description?: unknown } | undefined;
    const code = systemCode(errors);
    const how =
      typeof status === 'number'
        ? `answered HTTP ${status}${typeof data?.error === 'string' ? ` ${data.error}` : ''}`
        : code === 'ECONNREFUSED'
          ? 'refused the connection (ECONNREFUSED)'
          : code
            ? `could not be reached (${code})`
            : 'failed';
    const endpoint = url ? `the token endpoint ${hostPort(url) ?? url}` : 'the token endpoint';
    const file = variable ? ` (${CREDENTIALS_VARIABLE}=${variable})` : '';
    return unauthenticated(
      `Cloud Channel credentials could not be refreshed: ${endpoint} ${how}. Check the credentials file${file}, that its account is enabled, and that it may use the scope ${SCOPE}.`,
      error,
      context,
    );
  }
  return undefined;
}

function transportFailure(
  message: string,
  retryable: boolean,
  error: unknown,
  context: ChannelCallContext,
): EntitlementError {
  return new EntitlementError({
    kind: 'unavailable',
    vendor: GOOGLE_CHANNEL,
    retryable,
    message,
    attempts: context.attempts,
    ...(context.operationName ? { operationName: context.operationName } : {}),
    cause: error,
  });
}

/** The connection failed, or the endpoint speaks another protocol than the transport. */
function connectionFailure(error: unknown, context: ChannelCallContext): EntitlementError | undefined {
  const errors = chain(error);
  const all = allText(errors);
  const at = context.endpoint
    ? `the Cloud Channel endpoint ${context.endpoint}`
    : 'the Cloud Channel endpoint';
  const At = `T${at.slice(1)}`;
  const other = context.transport === 'rest' ? 'grpc' : 'rest';
  const option = `choose the ${other} transport (option transport, or CLOUD_CHANNEL_TRANSPORT)`;
  if (/HPE_INVALID_CONSTANT|Expected HTTP\//.test(all))
    return transportFailure(
      `${At} did not answer in HTTP/1.1, so it does not speak the REST transport (it may be a gRPC port). For this endpoint, ${option}, or give its REST port.`,
      false,
      error,
      context,
    );
  if (context.transport !== 'rest' && /Protocol error/.test(all))
    return transportFailure(
      `${At} did not answer in HTTP/2, so it does not speak the gRPC transport (it may be a REST port). For this endpoint, ${option}, or give its gRPC port.`,
      false,
      error,
      context,
    );
  if (/SSL routines|wrong version number|EPROTO|self[- ]signed|certificate/i.test(all))
    return transportFailure(
      `The TLS handshake with ${at} failed (${/wrong version number/.test(all) ? 'the server does not speak TLS' : 'certificate or protocol error'}). For a local emulator, connect in plain text (option insecure, or CLOUD_CHANNEL_EMULATOR_HOST); otherwise check the endpoint.`,
      false,
      error,
      context,
    );
  const code = systemCode(errors);
  if (code === 'ECONNREFUSED')
    return transportFailure(
      `${At} refused the connection (ECONNREFUSED). Check the endpoint and that Cloud Channel or the emulator is listening there; ${SAFE_TO_RETRY[context.call]}.`,
      true,
      error,
      context,
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return transportFailure(
      `The host of ${at} could not be resolved (${code}). Check the endpoint's host name and the network's DNS.`,
      code === 'EAI_AGAIN',
      error,
      context,
    );
  if (code)
    return transportFailure(
      `The connection to ${at} failed (${code}). Check the network; ${SAFE_TO_RETRY[context.call]}.`,
      true,
      error,
      context,
    );
  return undefined;
}

// ---------------------------------------------------------------------------------------------

/** An error thrown by a gax call (gRPC or REST transport), or by what it stands on. */
export function errorFromCall(error: unknown, context: ChannelCallContext): EntitlementError {
  const below = credentialFailure(error, context) ?? connectionFailure(error, context);
  if (below) return below;
  const gaxError = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const code = typeof gaxError.code === 'number' ? gaxError.code : Code.UNKNOWN;
  const decoded = decodeDetails(Array.isArray(gaxError.statusDetails) ? gaxError.statusDetails : []);
  const reason = typeof gaxError.reason === 'string' ? gaxError.reason : decoded.reason;
  const vendorMessage = text(gaxError.details) || text(gaxError.message) || undefined;
  // A quota refusal can come as PERMISSION_DENIED (403) with reason rateLimitExceeded: it is a rate limit.
  const kind = reason !== undefined && QUOTA_REASONS.has(reason) ? 'rate-limited' : kindForCode(code);
  const lead = `Cloud Channel answered ${CALL_NOUNS[context.call](context.operationName)} with`;
  return new EntitlementError({
    kind,
    vendor: GOOGLE_CHANNEL,
    message: statusMessage(
      lead,
      code,
      vendorMessage,
      reason,
      advice(kind, context.call, reason, vendorMessage ?? ''),
    ),
    grpcCode: code,
    ...(reason ? { reason } : {}),
    ...(decoded.retryAfterMs !== undefined ? { retryAfterMs: decoded.retryAfterMs } : {}),
    ...(context.operationName ? { operationName: context.operationName } : {}),
    attempts: context.attempts,
    details: decoded.details,
    cause: error,
  });
}

/** Kinds whose create advice also fits an operation that failed with them. */
const REFUSALS: ReadonlySet<ErrorKind> = new Set([
  'invalid-argument',
  'not-found',
  'already-exists',
  'failed-precondition',
  'permission-denied',
  'unauthenticated',
]);

/** A long-running operation that finished with an error: the purchase failed. */
export function errorFromOperationStatus(
  status: StatusLike,
  operationName: string,
  token: string,
): EntitlementError {
  const code = status.code ?? Code.UNKNOWN;
  const decoded = decodeDetails(status.details);
  const kind = kindForCode(code);
  const message = status.message ?? undefined;
  const documented =
    (decoded.reason !== undefined && Object.hasOwn(REASON_ADVICE, decoded.reason)) || REFUSALS.has(kind);
  const action =
    kind === 'cancelled'
      ? 'The operation was cancelled, so nothing was bought: create again if the purchase is still wanted.'
      : documented
        ? advice(kind, 'create', decoded.reason, message ?? '')
        : 'The purchase failed, so nothing was bought: create again with a new idempotency key if it is still wanted, and contact Cloud Channel support if it keeps failing.';
  return new EntitlementError({
    kind: kind === 'cancelled' ? 'cancelled' : 'operation-failed',
    vendor: GOOGLE_CHANNEL,
    retryable: false,
    message: statusMessage(
      `Cloud Channel operation ${operationName} failed with`,
      code,
      message,
      decoded.reason,
      action,
    ),
    grpcCode: code,
    operationName,
    token,
    ...(decoded.reason ? { reason: decoded.reason } : {}),
    details: decoded.details,
  });
}
