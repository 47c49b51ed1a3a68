/** The Confluent base URL, and which Location headers may be followed (same origin only). */
import { EntitlementError } from '../../core/errors.ts';
import { isLoopbackHost } from '../../core/hosts.ts';
import { CONFLUENT } from './types.ts';

export const DEFAULT_BASE_URL = 'https://api.confluent.cloud';

function invalidBaseUrl(message: string): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: CONFLUENT, message });
}

/** Parses and checks the base URL: https, or plain http only to a loopback host (an emulator). */
export function parseBaseUrl(input: string | undefined): URL {
  const text = input ?? DEFAULT_BASE_URL;
  if (!URL.canParse(text)) throw invalidBaseUrl(`baseUrl is not a URL: ${JSON.stringify(text)}`);
  const url = new URL(text);
  if (url.username || url.password) throw invalidBaseUrl('baseUrl must not contain credentials');
  if (url.search || url.hash) throw invalidBaseUrl('baseUrl must not have a query or fragment');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw invalidBaseUrl(
      `plain http:// is refused for ${url.hostname}: use https:// (http is allowed for loopback only)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidBaseUrl(`baseUrl must be https:// (got ${url.protocol})`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/**
 * The entitlement id a Location header points at, when it points at this base URL's origin and at
 * the entitlement path (`template`, e.g. `/partner/v2/entitlements/{id}`); undefined otherwise, so
 * credentials are never sent to another host whatever the server answers.
 */
export function idFromLocation(location: string | null, base: URL, template: string): string | undefined {
  if (!location || !URL.canParse(location, base.href)) return undefined;
  const target = new URL(location, base);
  if (target.origin !== base.origin) return undefined;
  const [before, after] = template.split('{id}') as [string, string | undefined];
  const prefix = base.pathname.replace(/\/+$/, '') + before;
  if (after === undefined || !target.pathname.startsWith(prefix) || !target.pathname.endsWith(after))
    return undefined;
  const encoded = target.pathname.slice(prefix.length, target.pathname.length - after.length);
  if (encoded.length === 0 || encoded.includes('/')) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}
