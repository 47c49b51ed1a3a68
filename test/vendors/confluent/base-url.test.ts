import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../src/core/index.ts';
import { idFromLocation, parseBaseUrl } from '../../../src/vendors/confluent/base-url.ts';

const template = '/partner/v2/entitlements/{id}';

describe('Location headers', () => {
  it('yield the id only for the base URL origin and the entitlement path', () => {
    const root = parseBaseUrl('https://api.confluent.cloud');
    expect(idFromLocation('https://api.confluent.cloud/partner/v2/entitlements/ent-1', root, template)).toBe(
      'ent-1',
    );
    expect(idFromLocation('/partner/v2/entitlements/ent-2', root, template)).toBe('ent-2');
    expect(idFromLocation('https://api.confluent.cloud/partner/v2/entitlements/a%20b', root, template)).toBe(
      'a b',
    );
    for (const foreign of [
      'https://evil.example/partner/v2/entitlements/ent-1',
      'http://api.confluent.cloud/partner/v2/entitlements/ent-1',
      'https://api.confluent.cloud:8443/partner/v2/entitlements/ent-1',
      'https://api.confluent.cloud/partner/v2/other/ent-1',
      'https://api.confluent.cloud/partner/v2/entitlements/a/b',
      'https://api.confluent.cloud/partner/v2/entitlements/',
      'https://api.confluent.cloud/partner/v2/entitlements/%E0%A4%A',
      null,
      '',
    ]) {
      expect(idFromLocation(foreign, root, template)).toBeUndefined();
    }
  });

  it('respect a base URL with a path prefix', () => {
    const base = parseBaseUrl('http://127.0.0.1:8080/proxy/');
    expect(idFromLocation('http://127.0.0.1:8080/proxy/partner/v2/entitlements/e', base, template)).toBe('e');
    expect(idFromLocation('http://127.0.0.1:8080/partner/v2/entitlements/e', base, template)).toBeUndefined();
  });

  it('loopback hosts are the only ones allowed plain http', () => {
    expect(['localhost', '127.0.0.1', '127.9.9.9', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', '128.0.0.1', 'localhost.evil', '127.0.0.1.nip.io'].some(isLoopbackHost)).toBe(false);
  });
});
