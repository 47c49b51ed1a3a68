/**
 * Confluent configuration from environment variables, read only when the vendor is enabled:
 * `CONFLUENT_API_KEY` + `CONFLUENT_API_SECRET` (a Cloud API key), or `CONFLUENT_PARTNER_TOKEN`
 * (a partner OAuth bearer token); `CONFLUENT_BASE_URL`. Half a key pair is refused, naming the
 * missing half, rather than ignored.
 */
import { EntitlementError } from '../../core/errors.ts';
import type { ConfluentCredentials } from './credentials.ts';
import { CONFLUENT } from './types.ts';

export interface ConfluentEnvironment {
  credentials?: ConfluentCredentials;
  baseUrl?: string;
}

function misconfigured(message: string): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: CONFLUENT, message });
}

export function confluentFromEnvironment(env: Record<string, string | undefined>): ConfluentEnvironment {
  const result: ConfluentEnvironment = {};
  const key = env.CONFLUENT_API_KEY || undefined;
  const secret = env.CONFLUENT_API_SECRET || undefined;
  const token = env.CONFLUENT_PARTNER_TOKEN || undefined;
  if (key !== undefined && secret === undefined)
    throw misconfigured(
      'CONFLUENT_API_KEY is set but CONFLUENT_API_SECRET is not. Set the secret of that key too.',
    );
  if (secret !== undefined && key === undefined)
    throw misconfigured(
      'CONFLUENT_API_SECRET is set but CONFLUENT_API_KEY is not. Set the key of that secret too.',
    );
  if (key !== undefined && secret !== undefined)
    result.credentials = { type: 'api-key', apiKey: key, apiSecret: secret };
  else if (token !== undefined) result.credentials = { type: 'bearer', token };
  if (env.CONFLUENT_BASE_URL) result.baseUrl = env.CONFLUENT_BASE_URL;
  return result;
}

/** The error for a Confluent call with no credentials configured anywhere. */
export function missingConfluentCredentials(): EntitlementError {
  return new EntitlementError({
    kind: 'unauthenticated',
    vendor: CONFLUENT,
    retryable: false,
    message:
      'No Confluent credentials are configured, so nothing was sent. Set CONFLUENT_API_KEY and CONFLUENT_API_SECRET, or CONFLUENT_PARTNER_TOKEN (or give confluent.credentials).',
  });
}
