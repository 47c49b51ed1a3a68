import { describe, expect, it } from 'vitest';
import { EntitlementError, importPeer, lazyProvisioner } from '../../src/core/index.ts';

const requirement = { vendor: 'acme', feature: 'Acme', packages: ['entitlement-provisioner-no-such-peer'] };

describe('optional peer dependencies', () => {
  it('a missing peer becomes a typed error that names the install', async () => {
    const error = (await importPeer(
      requirement,
      () => import('entitlement-provisioner-no-such-peer' as string),
    ).catch((e: unknown) => e)) as EntitlementError;
    expect(EntitlementError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'failed-precondition',
      reason: 'MISSING_DEPENDENCY',
      retryable: false,
    });
    expect(error.message).toContain('npm install entitlement-provisioner-no-such-peer');
    expect((error.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('other load failures pass through unchanged', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(importPeer(requirement, () => Promise.reject(broken))).rejects.toBe(broken);
    await expect(importPeer(requirement, async () => 42)).resolves.toBe(42);
  });
});

describe('lazyProvisioner', () => {
  it('loads on the first call only, retries a failed load, and closes what it loaded', async () => {
    let loads = 0;
    let closed = 0;
    const real = {
      vendor: 'acme' as const,
      create: async () => 'created' as never,
      get: async () => 'read' as never,
      resume: async () => 'resumed' as never,
      close: async () => {
        closed++;
      },
      [Symbol.asyncDispose]: async () => undefined,
    };
    const lazy = lazyProvisioner('acme', async () => {
      if (++loads === 1) throw new Error('first load fails');
      return real;
    });
    expect(loads).toBe(0);
    await expect(lazy.get(undefined as never)).rejects.toThrow('first load fails');
    expect(await lazy.create(undefined as never)).toBe('created');
    expect(await lazy.resume('t')).toBe('resumed');
    expect(loads).toBe(2);
    await lazy[Symbol.asyncDispose]();
    await lazy.close();
    expect(closed).toBe(1);
    await expect(lazy.get(undefined as never)).rejects.toMatchObject({ kind: 'failed-precondition' });
  });
});
