/**
 * The CLI's own error messages: one sentence of cause, one of action, naming the option or the
 * variable to change. They are checked before the library is asked, so that a user sees the
 * command's words (`CONFLUENT_API_SECRET`, `--timeout`) rather than the library's
 * (`{ confluent: { credentials } }`, `resume(token)`).
 */
import { existsSync } from 'node:fs';
import { EntitlementError, type EntitlementErrorInit, type ErrorKind } from '../core/errors.ts';
import { decodeToken } from '../core/token.ts';

type Env = Record<string, string | undefined>;

/** An error of the CLI itself (no vendor was asked). */
export function cliError(
  kind: ErrorKind,
  message: string,
  extra: Partial<EntitlementErrorInit> = {},
): EntitlementError {
  return new EntitlementError({ vendor: 'cli', ...extra, kind, message });
}

/**
 * The Confluent credentials of the environment, checked the way the facade reads them: an API key
 * and its secret, or a partner token. Undefined when they are usable.
 */
export function confluentCredentialsProblem(env: Env): EntitlementError | undefined {
  const key = Boolean(env.CONFLUENT_API_KEY);
  const secret = Boolean(env.CONFLUENT_API_SECRET);
  const token = Boolean(env.CONFLUENT_PARTNER_TOKEN);
  if (key && secret) return undefined;
  if (key && !token)
    return cliError(
      'unauthenticated',
      "CONFLUENT_API_KEY is set but its secret is missing. Set CONFLUENT_API_SECRET to the API key's secret (or use CONFLUENT_PARTNER_TOKEN instead of a key).",
      { vendor: 'confluent' },
    );
  if (secret && !token)
    return cliError(
      'unauthenticated',
      'CONFLUENT_API_SECRET is set but the API key is missing. Set CONFLUENT_API_KEY to the key the secret belongs to (or use CONFLUENT_PARTNER_TOKEN instead of a key).',
      { vendor: 'confluent' },
    );
  if (token) return undefined;
  return cliError(
    'unauthenticated',
    'No Confluent credentials are set. Set CONFLUENT_API_KEY and CONFLUENT_API_SECRET, or CONFLUENT_PARTNER_TOKEN (for `entitlements emulator`: CONFLUENT_PARTNER_TOKEN=emulator-token).',
    { vendor: 'confluent' },
  );
}

/** GOOGLE_APPLICATION_CREDENTIALS naming a file that is not there (google-auth-library would fail late, as `internal`). */
export function googleCredentialsProblem(env: Env): EntitlementError | undefined {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!file || existsSync(file)) return undefined;
  return cliError(
    'unauthenticated',
    `GOOGLE_APPLICATION_CREDENTIALS names ${file}, which does not exist. Set it to your service account's key file (scope https://www.googleapis.com/auth/apps.order), or unset it to use gcloud's credentials.`,
    { vendor: 'google-channel' },
  );
}

/** The vendor an operation token belongs to; a usage-level message when it is not a token. */
export function tokenVendorOrExplain(token: string, vendors: readonly string[]): string {
  let vendor: unknown;
  try {
    vendor = decodeToken(token).vendor;
  } catch {
    const shown = token.length > 40 ? `${token.slice(0, 40)}…` : token;
    throw cliError(
      'invalid-argument',
      `${JSON.stringify(shown)} is not an operation token. Pass the token that \`entitlements create --no-wait\` or a timed-out wait printed (it starts with ep1.), unchanged.`,
    );
  }
  if (typeof vendor !== 'string' || !vendors.includes(vendor))
    throw cliError(
      'invalid-argument',
      `The operation token is for vendor ${JSON.stringify(vendor)}, which this command does not know. Pass a token printed by \`entitlements create\` (vendors: ${vendors.join(', ')}).`,
    );
  return vendor;
}
