/**
 * Authentication the way Confluent Cloud accepts it: `Authorization: Bearer <token>` (partner OAuth
 * access token) or `Authorization: Basic base64(<api key>:<api secret>)` (Cloud API key). The
 * emulator keeps only SHA-256 digests of the configured credentials, so no secret can leak into a
 * response, the request log or an error message.
 */
import { createHash } from 'node:crypto';

/** A partner OAuth access token, sent as `Authorization: Bearer <token>`. */
export interface ConfluentBearerCredential {
  token: string;
  /** OAuth scopes the token carries (e.g. `partner:create`). Omitted: every scope. */
  scopes?: readonly string[];
}

/** A Cloud API key, sent as `Authorization: Basic base64(<apiKey>:<apiSecret>)`. */
export interface ConfluentApiKeyCredential {
  apiKey: string;
  apiSecret: string;
  /** OAuth scopes granted to the key (e.g. `partner:describe`). Omitted: every scope. */
  scopes?: readonly string[];
}

/** A credential the emulator accepts. */
export type ConfluentEmulatorCredential = ConfluentBearerCredential | ConfluentApiKeyCredential;

/** The credentials an emulator accepts when none are configured; both hold every scope. */
export const DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS = Object.freeze({
  token: 'emulator-token',
  apiKey: 'emulator-key',
  apiSecret: 'emulator-secret',
});

/** Who made a request: only the scopes, never the credential. */
export interface Principal {
  readonly kind: 'bearer' | 'api-key';
  /** `undefined`: every scope. */
  readonly scopes: ReadonlySet<string> | undefined;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown'; scheme?: 'bearer' | 'basic' };

function digest(kind: 'bearer' | 'api-key', secret: string): string {
  return createHash('sha256').update(`${kind}\u0000${secret}`).digest('hex');
}

function validate(credential: ConfluentEmulatorCredential): void {
  if ('token' in credential) {
    if (typeof credential.token !== 'string' || credential.token === '' || /\s/.test(credential.token))
      throw new TypeError('a bearer credential needs a non-empty token without whitespace');
  } else {
    if (typeof credential.apiKey !== 'string' || credential.apiKey === '' || credential.apiKey.includes(':'))
      throw new TypeError('an API key credential needs a non-empty apiKey without ":"');
    if (typeof credential.apiSecret !== 'string' || credential.apiSecret === '')
      throw new TypeError('an API key credential needs a non-empty apiSecret');
  }
  if (credential.scopes !== undefined && !credential.scopes.every((scope) => typeof scope === 'string'))
    throw new TypeError('scopes must be strings');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Checks `Authorization` headers against a fixed set of credentials. */
export class Authenticator {
  readonly #known = new Map<string, Principal>();

  constructor(credentials: readonly ConfluentEmulatorCredential[]) {
    for (const credential of credentials) {
      validate(credential);
      const scopes = credential.scopes === undefined ? undefined : new Set(credential.scopes);
      if ('token' in credential) {
        this.#known.set(digest('bearer', credential.token), { kind: 'bearer', scopes });
      } else {
        const pair = `${credential.apiKey}:${credential.apiSecret}`;
        this.#known.set(digest('api-key', pair), { kind: 'api-key', scopes });
      }
    }
  }

  /** Identifies the caller from the `Authorization` header. */
  authenticate(header: string | undefined): AuthResult {
    if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
    const found = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
    const scheme = found?.[1]?.toLowerCase();
    const value = found?.[2] ?? '';
    if (scheme === 'bearer') {
      const principal = this.#known.get(digest('bearer', value));
      return principal ? { ok: true, principal } : { ok: false, reason: 'unknown', scheme: 'bearer' };
    }
    if (scheme === 'basic') {
      if (!BASE64.test(value)) return { ok: false, reason: 'malformed', scheme: 'basic' };
      const pair = Buffer.from(value, 'base64').toString('utf8');
      if (!pair.includes(':')) return { ok: false, reason: 'malformed', scheme: 'basic' };
      const principal = this.#known.get(digest('api-key', pair));
      return principal ? { ok: true, principal } : { ok: false, reason: 'unknown', scheme: 'basic' };
    }
    return { ok: false, reason: 'malformed' };
  }
}

/**
 * The scopes the principal lacks for the operation: empty when some requirement is fully held,
 * otherwise the missing scopes of the requirement closest to being met.
 */
export function missingScopes(
  principal: Principal,
  requirements: readonly (readonly string[])[],
): readonly string[] {
  const held = principal.scopes;
  if (held === undefined || requirements.length === 0) return [];
  let best: readonly string[] | undefined;
  for (const requirement of requirements) {
    const missing = requirement.filter((scope) => !held.has(scope));
    if (missing.length === 0) return [];
    if (best === undefined || missing.length < best.length) best = missing;
  }
  return best ?? [];
}

const REALM = 'realm="Confluent Cloud"';

/** The `WWW-Authenticate` challenges of a `401`: both schemes, `invalid_token` for a rejected token. */
export function challenge(result: AuthResult): string {
  const bearer =
    !result.ok && result.scheme === 'bearer'
      ? `Bearer ${REALM}, error="invalid_token", error_description="The access token is invalid"`
      : `Bearer ${REALM}`;
  return `Basic ${REALM}, ${bearer}`;
}
