/**
 * The Cloud Channel adapter's options and their checks: a light module (no google-gax), so that
 * creating a provisioner checks its options at once and loads the SDK only on the first call.
 */
import {
  checkBoolean,
  checkInteger,
  checkOptionalString,
  checkOptionsObject,
  describeValue,
  invalidField,
} from '../../core/arguments.ts';
import { COMMON_ADAPTER_KEYS, checkAdapterOptions } from '../../core/call-options.ts';
import { isLoopbackHost } from '../../core/hosts.ts';
import type { CommonAdapterOptions } from '../../core/types.ts';
import type { ChannelClientLike, ChannelClientOptions } from './channel-client.ts';
import { DEFAULT_ENDPOINT, type Transport } from './constants.ts';
import { GOOGLE_CHANNEL } from './types.ts';

export interface GoogleChannelOptions extends CommonAdapterOptions, Omit<ChannelClientOptions, 'transport'> {
  /** `grpc` (default) or `rest` (HTTP/JSON). */
  transport?: Transport;
  /** An official `CloudChannelServiceClient` (or anything of its shape) to use instead of the built-in one. */
  client?: ChannelClientLike;
}

const OPTION_KEYS = [
  'transport',
  'apiEndpoint',
  'port',
  'insecure',
  'auth',
  'scopes',
  'client',
  ...COMMON_ADAPTER_KEYS,
];

/** The adapter's options, checked (the client's own are checked where they are used). */
export function checkOptions(input: unknown): GoogleChannelOptions {
  const options = checkOptionsObject(GOOGLE_CHANNEL, 'options', input, OPTION_KEYS) as GoogleChannelOptions;
  const transport: unknown = options.transport;
  if (transport !== undefined && transport !== 'grpc' && transport !== 'rest')
    throw invalidField(
      GOOGLE_CHANNEL,
      'transport',
      `must be "grpc" or "rest", got ${describeValue(transport)}`,
    );
  const host = checkOptionalString(GOOGLE_CHANNEL, 'apiEndpoint', options.apiEndpoint, { max: 253 });
  if (host !== undefined && !/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/.test(host))
    throw invalidField(
      GOOGLE_CHANNEL,
      'apiEndpoint',
      'must be a host name only (give the port in the port option)',
    );
  checkInteger(GOOGLE_CHANNEL, 'port', options.port, 1, 65_535);
  checkBoolean(GOOGLE_CHANNEL, 'insecure', options.insecure);
  const scopes: unknown = options.scopes;
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || scope.length === 0))
  )
    throw invalidField(GOOGLE_CHANNEL, 'scopes', 'must be a list of OAuth scope strings');
  if (options.auth !== undefined && (typeof options.auth !== 'object' || options.auth === null))
    throw invalidField(GOOGLE_CHANNEL, 'auth', 'must be a GoogleAuth or an auth client');
  const client: unknown = options.client;
  if (
    client !== undefined &&
    (typeof client !== 'object' ||
      client === null ||
      typeof (client as ChannelClientLike).createEntitlement !== 'function' ||
      typeof (client as ChannelClientLike).checkCreateEntitlementProgress !== 'function')
  )
    throw invalidField(
      GOOGLE_CHANNEL,
      'client',
      'must be a Cloud Channel client with createEntitlement and checkCreateEntitlementProgress',
    );
  const endpoint = host ?? DEFAULT_ENDPOINT;
  if (options.insecure && !isLoopbackHost(endpoint)) {
    throw invalidField(
      GOOGLE_CHANNEL,
      'insecure',
      `is refused for ${endpoint}: plain text is for loopback emulators only`,
    );
  }
  // The options every adapter takes, checked now too: a bad one must not wait for the first call.
  checkAdapterOptions(GOOGLE_CHANNEL, options as Record<string, unknown>, { timeoutMs: 1 });
  return options;
}
