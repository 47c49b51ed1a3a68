/**
 * Confluent credentials: a partner OAuth bearer token (static, or an async provider asked again
 * once after a 401) or a Cloud API key and secret (HTTP Basic). The secret values live in private
 * fields: they never reach errors, events, `util.inspect` or JSON.
 */
import { EntitlementError } from '../../core/errors.ts';
import type { Redactor } from '../../core/redact.ts';
import { CONFLUENT } from './types.ts';

export interface TokenRequest {
  /** True after the vendor rejected the previous token: return a new one, not a cached one. */
  forceRefresh: boolean;
  signal: AbortSignal;
}

export type TokenProvider = (request: TokenRequest) => string | Promise<string>;

export type ConfluentCredentials =
  | { type: 'bearer'; token: string | TokenProvider }
  | { type: 'api-key'; apiKey: string; apiSecret: string };

function invalidCredentials(message: string, cause?: unknown): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: CONFLUENT, message, cause });
}

function checkHeaderValue(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidCredentials(`${what} must be a non-empty string`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalidCredentials(`${what} contains control characters`);
  return value;
}

export class Authorizer {
  readonly #header?: string;
  readonly #provider?: TokenProvider;
  readonly #redactor: Redactor;

  /** Every secret it is given, or gets from a provider, is told to `redactor`. */
  constructor(credentials: ConfluentCredentials, redactor: Redactor) {
    this.#redactor = redactor;
    if (typeof credentials !== 'object' || credentials === null) {
      throw invalidCredentials(
        'credentials are required: { type: "bearer", token } or { type: "api-key", apiKey, apiSecret }',
      );
    }
    if (credentials.type === 'bearer') {
      if (typeof credentials.token === 'function') this.#provider = credentials.token;
      else
        this.#header = `Bearer ${redactor.add(checkHeaderValue(credentials.token, 'credentials.token (the partner token)'))}`;
    } else if (credentials.type === 'api-key') {
      const key = redactor.add(
        checkHeaderValue(credentials.apiKey, 'credentials.apiKey (the Cloud API key)'),
      ) as string;
      const secret = redactor.add(
        checkHeaderValue(credentials.apiSecret, 'credentials.apiSecret (the Cloud API secret)'),
      ) as string;
      if (key.includes(':')) throw invalidCredentials('credentials.apiKey must not contain ":"');
      this.#header = `Basic ${redactor.add(Buffer.from(`${key}:${secret}`, 'utf8').toString('base64'))}`;
    } else {
      throw invalidCredentials('credentials.type must be "bearer" or "api-key"');
    }
  }

  /** The Authorization value of a static credential (a token string or an API key); undefined for a provider. */
  get staticHeader(): string | undefined {
    return this.#header;
  }

  /** Whether asking again after a 401 can help (only a token provider can hand out a new token). */
  get refreshable(): boolean {
    return this.#provider !== undefined;
  }

  async header(request: TokenRequest): Promise<string> {
    if (this.#header !== undefined) return this.#header;
    const provider = this.#provider as TokenProvider;
    let token: unknown;
    try {
      token = await provider(request);
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw new EntitlementError({
        kind: 'unauthenticated',
        vendor: CONFLUENT,
        retryable: false,
        message:
          'The partner token provider failed, so no request was sent. Fix the token provider given as credentials.token.',
        cause: error,
      });
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (typeof token !== 'string' || token.length === 0 || /[\u0000-\u001f\u007f]/.test(token)) {
      throw new EntitlementError({
        kind: 'unauthenticated',
        vendor: CONFLUENT,
        retryable: false,
        message:
          'The partner token provider returned no usable token (a non-empty string without control characters), so no request was sent. Fix the provider given as credentials.token.',
      });
    }
    return `Bearer ${this.#redactor.add(token)}`;
  }

  toJSON(): string {
    return '[credentials]';
  }
}
