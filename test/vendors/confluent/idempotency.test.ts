import { describe, expect, it, onTestFinished } from 'vitest';
import type { EntitlementError } from '../../../src/core/index.ts';
import { startConfluentEmulator } from '../../../src/testing/index.ts';
import { createConfluentProvisioner } from '../../../src/vendors/confluent/index.ts';
import { OTHER_PLAN_ID } from '../../support/confluent-spec.ts';
import { body, env, TOKEN } from './helpers.ts';

describe('Confluent creates never duplicate', () => {
  it('a response dropped after the commit: the retry gets 409, reads the entitlement, returns it', async () => {
    const { emulator, provisioner } = await env();
    emulator.inject({ type: 'drop-after-commit', match: { method: 'POST' } });
    const entitlement = body();
    const operation = await provisioner.create({ vendor: 'confluent', entitlement });
    expect(operation.replayed).toBe(true);
    expect(operation.done).toBe(true);
    expect(operation.meta.attempts).toBe(3); // POST (dropped), POST (409), GET
    expect(emulator.entitlements()).toHaveLength(1);
    // The dropped POST committed (its logged status is whatever the emulator records for it).
    expect(emulator.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET']);
    expect(emulator.requests.slice(1).map((r) => r.status)).toEqual([409, 200]);
    expect(await operation.wait()).toMatchObject({ externalId: entitlement.external_id, state: 'active' });
  });

  it('a first attempt that timed out but committed late: still exactly one entitlement', async () => {
    const { emulator, provisioner } = await env({ timeoutMs: 100 });
    emulator.inject({ type: 'latency', ms: 300, match: { method: 'POST' } });
    const operation = await provisioner.create({ vendor: 'confluent', entitlement: body() });
    expect(await operation.wait()).toMatchObject({ state: 'active' });
    expect(emulator.entitlements()).toHaveLength(1);
  });

  it('a repeated create of the same entitlement returns the existing one, replayed', async () => {
    const { emulator, provisioner } = await env();
    const entitlement = body({ organization: { id: 'org-1' } });
    const first = await (await provisioner.create({ vendor: 'confluent', entitlement })).wait();
    const again = await provisioner.create(
      { vendor: 'confluent', entitlement },
      { idempotencyKey: entitlement.external_id },
    );
    expect(again.replayed).toBe(true);
    expect((await again.wait()).id).toBe(first.id);
    expect(emulator.entitlements()).toHaveLength(1);
  });

  it('the same external_id with another name is already-exists naming the field, with the existing resource', async () => {
    const { emulator, provisioner } = await env();
    const entitlement = body();
    await provisioner.create({ vendor: 'confluent', entitlement });
    const error = (await provisioner
      .create({ vendor: 'confluent', entitlement: { ...entitlement, name: `${entitlement.name} (renamed)` } })
      .catch((e: unknown) => e)) as EntitlementError;
    expect(error).toMatchObject({ kind: 'already-exists', retryable: false });
    expect(error.message).toContain('different name');
    expect(error.message).toContain('Nothing was created');
    const stored = emulator.entitlements()[0];
    expect(error.details).toContainEqual({
      existing: expect.objectContaining({ id: stored?.id }),
      differingFields: ['name'],
    });
    expect(emulator.entitlements()).toHaveLength(1);
  });

  it('its own purchase whose read fails transiently stays transient (retryable, with the URI), then replays', async () => {
    const { emulator, provisioner } = await env({ retry: { initialDelayMs: 1, maxDelayMs: 2 } });
    emulator.inject({ type: 'drop-after-commit', match: { method: 'POST' } });
    emulator.inject({ type: 'status', status: 503, times: 3, match: { method: 'GET' } });
    const entitlement = body();
    const error = (await provisioner
      .create({ vendor: 'confluent', entitlement })
      .catch((e: unknown) => e)) as EntitlementError;
    const stored = emulator.entitlements();
    expect(stored).toHaveLength(1);
    expect(error).toMatchObject({
      kind: 'unavailable',
      retryable: true,
      resourceUri: `${emulator.url}/partner/v2/entitlements/${stored[0]?.id}`,
    });
    expect(error.kind).not.toBe('already-exists');
    const again = await provisioner.create({ vendor: 'confluent', entitlement });
    expect(again.replayed).toBe(true);
    expect(emulator.entitlements()).toHaveLength(1);
  });

  it('the same external_id with another plan is already-exists, naming the conflicting resource', async () => {
    expect(OTHER_PLAN_ID).toBeDefined();
    const { emulator, provisioner } = await env();
    const entitlement = body();
    await provisioner.create({ vendor: 'confluent', entitlement });
    const error = await provisioner
      .create({
        vendor: 'confluent',
        entitlement: { ...entitlement, plan_id: OTHER_PLAN_ID as typeof entitlement.plan_id },
      })
      .catch((e: unknown) => e);
    const stored = emulator.entitlements()[0];
    expect(error).toMatchObject({ kind: 'already-exists', httpStatus: 409, retryable: false });
    expect((error as { resourceUri?: string }).resourceUri).toBe(
      `${emulator.url}/partner/v2/entitlements/${stored?.id}`,
    );
    expect((error as Error).message).toContain('plan_id');
    expect(emulator.entitlements()).toHaveLength(1);
  });

  it('never follows a Location to another origin: already-exists without a request there', async () => {
    const emulator = await startConfluentEmulator({ locationOrigin: 'https://attacker.example' });
    onTestFinished(() => emulator.close());
    const provisioner = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: { type: 'bearer', token: TOKEN },
    });
    const entitlement = body();
    const first = await provisioner.create({ vendor: 'confluent', entitlement });
    expect(first.status.entitlement?.id).toBe(emulator.entitlements()[0]?.id);
    const error = await provisioner.create({ vendor: 'confluent', entitlement }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'already-exists',
      resourceUri: expect.stringContaining('https://attacker.example'),
    });
    expect((error as Error).message).toContain('not followed');
    expect(emulator.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('idempotencyKey must be the external_id', async () => {
    const { emulator, provisioner } = await env();
    await expect(
      provisioner.create({ vendor: 'confluent', entitlement: body() }, { idempotencyKey: 'something-else' }),
    ).rejects.toMatchObject({ kind: 'invalid-argument' });
    expect(emulator.requests).toHaveLength(0);
  });
});
