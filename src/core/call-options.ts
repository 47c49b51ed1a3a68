/**
 * The checks of call, wait and resume options, and of the options every adapter takes, shared by
 * all adapters so that every entry point refuses the same bad values the same way.
 */
import {
  checkFunction,
  checkHeaders,
  checkNumber,
  checkOptionsObject,
  checkSignal,
  checkString,
  checkTimeout,
  invalidField,
  MAX_TIMER_MS,
} from './arguments.ts';
import type { ProvisionerEventListener } from './events.ts';
import { type RetrySettings, resolveRetry } from './retry.ts';
import type { CallOptions, PollingOptions, ResumeOptions, WaitOptions } from './types.ts';

/** Call options, checked; `retry` is set when the call overrides `maxRetries`. */
export interface CheckedCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  retry?: RetrySettings;
}

export interface CallOptionRules {
  /** Whether an idempotency key belongs to this call (creates only). */
  idempotencyKey?: boolean;
  /** How header names are sent: HTTP headers or gRPC metadata. */
  headers?: 'http' | 'grpc';
  /** The adapter's retry settings, which `maxRetries` overrides. */
  retry: RetrySettings;
}

const CALL_KEYS = ['signal', 'timeoutMs', 'headers', 'idempotencyKey', 'maxRetries'] as const;
const POLL_KEYS = ['timeoutMs', 'headers', 'maxRetries'] as const;

/** The longest idempotency key: vendors store them (Confluent's external_id, say). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export function checkCallOptions(
  vendor: string,
  value: unknown,
  rules: CallOptionRules,
  field = 'options',
  keys: readonly string[] = CALL_KEYS,
): CheckedCallOptions {
  if (value === undefined) return {};
  const options = checkOptionsObject(vendor, field, value, keys) as CallOptions;
  const checked: CheckedCallOptions = {};
  const signal = checkSignal(vendor, `${field}.signal`, options.signal);
  if (signal) checked.signal = signal;
  const timeoutMs = checkTimeout(vendor, `${field}.timeoutMs`, options.timeoutMs);
  if (timeoutMs !== undefined) checked.timeoutMs = timeoutMs;
  const headers = checkHeaders(vendor, `${field}.headers`, options.headers, rules.headers);
  if (headers) checked.headers = headers;
  if (options.idempotencyKey !== undefined) {
    if (!rules.idempotencyKey)
      throw invalidField(
        vendor,
        `${field}.idempotencyKey`,
        'belongs to create only: this call creates nothing',
      );
    checked.idempotencyKey = checkString(vendor, `${field}.idempotencyKey`, options.idempotencyKey, {
      max: MAX_IDEMPOTENCY_KEY_LENGTH,
    });
  }
  if (options.maxRetries !== undefined)
    checked.retry = resolveRetry(
      vendor,
      undefined,
      options.maxRetries,
      rules.retry,
      `${field}.retry`,
      `${field}.maxRetries`,
    );
  return checked;
}

export interface CheckedWaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  polling?: PollingOptions;
  onProgress?: WaitOptions['onProgress'];
  pollOptions: CheckedCallOptions;
}

/** The longest a single `wait()` may be asked to take (a year): it is a deadline, not one timer. */
export const MAX_WAIT_MS = 365 * 24 * 60 * 60_000;

/** A whole wait's deadline: positive, finite, at most {@link MAX_WAIT_MS}. */
function checkWaitTimeout(vendor: string, field: string, value: unknown): number | undefined {
  return checkNumber(vendor, field, value, { min: 0, max: MAX_WAIT_MS, exclusiveMin: true });
}

const WAIT_KEYS = ['signal', 'timeoutMs', 'polling', 'onProgress', 'pollOptions'] as const;

export function checkWaitOptions(vendor: string, value: unknown, rules: CallOptionRules): CheckedWaitOptions {
  const options = checkOptionsObject(vendor, 'options', value, WAIT_KEYS) as WaitOptions;
  const checked: CheckedWaitOptions = {
    pollOptions: checkCallOptions(vendor, options.pollOptions, rules, 'options.pollOptions', POLL_KEYS),
  };
  const signal = checkSignal(vendor, 'options.signal', options.signal);
  if (signal) checked.signal = signal;
  const timeoutMs = checkWaitTimeout(vendor, 'options.timeoutMs', options.timeoutMs);
  if (timeoutMs !== undefined) checked.timeoutMs = timeoutMs;
  const polling = checkPolling(vendor, 'options.polling', options.polling);
  if (polling) checked.polling = polling;
  const onProgress = checkFunction<NonNullable<WaitOptions['onProgress']>>(
    vendor,
    'options.onProgress',
    options.onProgress,
  );
  if (onProgress) checked.onProgress = onProgress;
  return checked;
}

export function checkPolling(vendor: string, field: string, value: unknown): PollingOptions | undefined {
  if (value === undefined) return undefined;
  const polling = checkOptionsObject(vendor, field, value, ['initialDelayMs', 'multiplier', 'maxDelayMs']);
  const checked: PollingOptions = {};
  const delay = (key: 'initialDelayMs' | 'maxDelayMs') =>
    checkNumber(vendor, `${field}.${key}`, polling[key], { min: 0, max: MAX_TIMER_MS });
  const initialDelayMs = delay('initialDelayMs');
  const maxDelayMs = delay('maxDelayMs');
  const multiplier = checkNumber(vendor, `${field}.multiplier`, polling.multiplier, { min: 1, max: 100 });
  if (initialDelayMs !== undefined) checked.initialDelayMs = initialDelayMs;
  if (maxDelayMs !== undefined) checked.maxDelayMs = maxDelayMs;
  if (multiplier !== undefined) checked.multiplier = multiplier;
  return checked;
}

export interface CheckedResumeOptions extends CheckedCallOptions {
  polling?: PollingOptions;
}

export function checkResumeOptions(
  vendor: string,
  value: unknown,
  rules: CallOptionRules,
): CheckedResumeOptions {
  const options = checkOptionsObject(vendor, 'options', value, [...CALL_KEYS, 'polling']) as ResumeOptions;
  const { polling, ...call } = options;
  const checked: CheckedResumeOptions = checkCallOptions(vendor, call, rules);
  const checkedPolling = checkPolling(vendor, 'options.polling', polling);
  if (checkedPolling) checked.polling = checkedPolling;
  return checked;
}

/** The options every adapter takes (`CommonAdapterOptions`), checked. */
export interface CheckedAdapterOptions {
  retry: RetrySettings;
  timeoutMs: number;
  polling?: PollingOptions;
  waitTimeoutMs?: number;
  onEvent?: ProvisionerEventListener;
}

export const COMMON_ADAPTER_KEYS = [
  'maxRetries',
  'retry',
  'timeoutMs',
  'polling',
  'waitTimeoutMs',
  'onEvent',
] as const;

export function checkAdapterOptions(
  vendor: string,
  options: Record<string, unknown>,
  defaults: { timeoutMs: number },
): CheckedAdapterOptions {
  const checked: CheckedAdapterOptions = {
    retry: resolveRetry(vendor, options.retry, options.maxRetries),
    timeoutMs: checkTimeout(vendor, 'timeoutMs', options.timeoutMs) ?? defaults.timeoutMs,
  };
  const polling = checkPolling(vendor, 'polling', options.polling);
  if (polling) checked.polling = polling;
  const waitTimeoutMs = checkWaitTimeout(vendor, 'waitTimeoutMs', options.waitTimeoutMs);
  if (waitTimeoutMs !== undefined) checked.waitTimeoutMs = waitTimeoutMs;
  const onEvent = checkFunction<ProvisionerEventListener>(vendor, 'onEvent', options.onEvent);
  if (onEvent) checked.onEvent = onEvent;
  return checked;
}
