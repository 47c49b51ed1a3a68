import { describe, expect, it } from 'vitest';
import { createConfluentProvisioner } from '../../../src/vendors/confluent/index.ts';
import { API_KEY, API_SECRET, body, env, TOKEN } from './helpers.ts';

describe('Confluent create and get against the emulator', () => {
  it('creates: 201 body plus Location, pending until read, with request metadata', async () => {
    const { emulator, provisioner } = await env();
    const entitlement = body({ organization: { id: 'org-1' } });
    const operation = await provisioner.create({ vendor: 'confluent', entitlement });
    const logged = emulator.requests.at(-1);
    expect(operation.meta).toMatchObject({
      vendor: 'confluent',
      httpStatus: 201,
      attempts: 1,
      requestId: logged?.requestId,
    });
    expect(operation.done).toBe(false);
    expect(operation.status.entitlement).toMatchObject({
      state: 'pending',
      externalId: entitlement.external_id,
      plan: entitlement.plan_id,
      product: entitlement.product_id,
    });
    const stored = emulator.entitlements();
    expect(stored).toHaveLength(1);
    expect(operation.status.entitlement?.id).toBe(stored[0]?.id);
    const done = await operation.wait();
    expect(done).toMatchObject({ state: 'active', id: stored[0]?.id });
    expect(done.createdAt).toBeInstanceOf(Date);
    expect(done.raw.organization?.id).toBe('org-1');
  });

  it('gets by id, scoped to an organization when asked', async () => {
    const { provisioner } = await env();
    const created = await (
      await provisioner.create({ vendor: 'confluent', entitlement: body({ organization: { id: 'org-7' } }) })
    ).wait();
    const read = await provisioner.get({ vendor: 'confluent', id: created.id, organizationId: 'org-7' });
    expect(read).toMatchObject({ id: created.id, state: 'active' });
    expect(read.meta).toMatchObject({ httpStatus: 200, attempts: 1 });
    await expect(
      provisioner.get({ vendor: 'confluent', id: created.id, organizationId: 'org-other' }),
    ).rejects.toMatchObject({ kind: 'not-found', httpStatus: 404 });
  });

  it('authenticates with a Cloud API key and secret (HTTP Basic)', async () => {
    const { emulator } = await env();
    const provisioner = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: { type: 'api-key', apiKey: API_KEY, apiSecret: API_SECRET },
    });
    const operation = await provisioner.create({ vendor: 'confluent', entitlement: body() });
    expect(operation.meta.httpStatus).toBe(201);
  });

  it('asks a token provider again once after a 401, then succeeds', async () => {
    const { emulator } = await env();
    const asked: boolean[] = [];
    const provisioner = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: {
        type: 'bearer',
        token: async ({ forceRefresh }) => {
          asked.push(forceRefresh);
          return forceRefresh ? TOKEN : 'expired-token';
        },
      },
    });
    const operation = await provisioner.create({ vendor: 'confluent', entitlement: body() });
    expect(asked).toEqual([false, true]);
    expect(operation.meta.attempts).toBe(2);
    expect(emulator.requests.map((r) => r.status)).toEqual([401, 201]);
  });

  it('gives up after one refresh when the provider keeps handing out rejected tokens', async () => {
    const { emulator } = await env();
    let calls = 0;
    const provisioner = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: { type: 'bearer', token: () => `bad-${++calls}` },
    });
    await expect(provisioner.create({ vendor: 'confluent', entitlement: body() })).rejects.toMatchObject({
      kind: 'unauthenticated',
      httpStatus: 401,
      attempts: 2,
    });
    expect(calls).toBe(2);
    expect(emulator.entitlements()).toHaveLength(0);
  });

  it('sends the caller headers, and refuses one that would replace the credentials without sending anything', async () => {
    const { emulator, provisioner } = await env();
    await provisioner.create({ vendor: 'confluent', entitlement: body() }, { headers: { 'X-Trace': 'abc' } });
    expect(emulator.requests.at(-1)?.status).toBe(201);
    const before = emulator.requests.length;
    await expect(
      provisioner.create(
        { vendor: 'confluent', entitlement: body() },
        { headers: { 'X-Trace': 'abc', Authorization: 'Bearer someone-else' } },
      ),
    ).rejects.toMatchObject({ kind: 'invalid-argument', message: expect.stringContaining('Authorization') });
    expect(emulator.requests).toHaveLength(before);
  });
});
