import { describe, expect, it } from 'vitest';
import { EntitlementError, uuidForKey } from '../../../src/core/index.ts';
import {
  env,
  OFFER_GCP,
  OFFER_STANDARD,
  OFFER_STARTER,
  OFFER_VAULT,
  UNVERIFIED,
  VERIFIED,
} from './helpers.ts';

async function failure(promise: Promise<unknown>): Promise<EntitlementError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EntitlementError);
  return error as EntitlementError;
}

for (const transport of ['grpc', 'rest'] as const) {
  describe(`Cloud Channel documented error cases map to kinds (${transport})`, () => {
    it('the same SKU twice: already-exists, saying what to do', async () => {
      const { provisioner, customer } = await env(transport);
      const parent = customer();
      await (
        await provisioner.create({ vendor: 'google-channel', parent, entitlement: { offer: OFFER_STARTER } })
      ).wait();
      const error = await failure(
        provisioner.create({ vendor: 'google-channel', parent, entitlement: { offer: OFFER_STARTER } }),
      );
      expect(error).toMatchObject({ kind: 'already-exists', grpcCode: 6, retryable: false, attempts: 1 });
      expect(error.message).toMatch(/already purchased/);
    });

    it('another SKU of the same product family: invalid-argument', async () => {
      const { provisioner, customer } = await env(transport);
      const parent = customer();
      await (
        await provisioner.create({ vendor: 'google-channel', parent, entitlement: { offer: OFFER_STARTER } })
      ).wait();
      const error = await failure(
        provisioner.create({ vendor: 'google-channel', parent, entitlement: { offer: OFFER_STANDARD } }),
      );
      expect(error).toMatchObject({ kind: 'invalid-argument', grpcCode: 3 });
    });

    it('an unverified domain: failed-precondition with the ErrorInfo reason and what to do', async () => {
      const { provisioner } = await env(transport);
      const error = await failure(
        provisioner.create({
          vendor: 'google-channel',
          parent: UNVERIFIED,
          entitlement: { offer: OFFER_GCP },
        }),
      );
      expect(error).toMatchObject({
        kind: 'failed-precondition',
        grpcCode: 9,
        reason: 'DOMAIN_NOT_VERIFIED',
      });
      expect(error.message).toContain('verify it before purchasing');
      expect(error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ reason: 'DOMAIN_NOT_VERIFIED' })]),
      );
    });

    it('a missing prerequisite SKU: failed-precondition', async () => {
      const { provisioner, customer } = await env(transport);
      const error = await failure(
        provisioner.create({
          vendor: 'google-channel',
          parent: customer(),
          entitlement: { offer: OFFER_VAULT },
        }),
      );
      expect(error).toMatchObject({ kind: 'failed-precondition', reason: 'PREREQUISITE_SKU_MISSING' });
      expect(error.message).toContain('purchase the base SKU first');
    });

    it('an unknown customer or offer: not-found', async () => {
      const { provisioner } = await env(transport);
      await expect(
        provisioner.create({
          vendor: 'google-channel',
          parent: 'accounts/C0000001/customers/NOPE',
          entitlement: { offer: OFFER_STARTER },
        }),
      ).rejects.toMatchObject({ kind: 'not-found', grpcCode: 5 });
      await expect(
        provisioner.create({
          vendor: 'google-channel',
          parent: VERIFIED,
          entitlement: { offer: 'accounts/C0000001/offers/NOPE' },
        }),
      ).rejects.toMatchObject({ kind: 'not-found', grpcCode: 5 });
      const missing = await failure(
        provisioner.get({ vendor: 'google-channel', name: `${VERIFIED}/entitlements/nope` }),
      );
      expect(missing).toMatchObject({ kind: 'not-found', grpcCode: 5 });
      expect(missing.message).toContain('no entitlement has that name');
      expect(missing.message).not.toContain('offer');
    });

    it('quota exceeded: rate-limited, retried after the RetryInfo delay', async () => {
      const { emulator, provisioner, customer } = await env(
        transport,
        { maxRetries: 0 },
        { quota: { createPerMinute: 1 } },
      );
      await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_STARTER },
      });
      const error = await failure(
        provisioner.create({
          vendor: 'google-channel',
          parent: customer(),
          entitlement: { offer: OFFER_STARTER },
        }),
      );
      expect(error).toMatchObject({ kind: 'rate-limited', grpcCode: 8, retryable: true });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(emulator.operations()).toHaveLength(1);
    });

    it('UNAVAILABLE on create is retried with the same request_id: one operation', async () => {
      const { emulator, provisioner, customer } = await env(transport);
      emulator.inject({ type: 'unavailable', method: 'CreateEntitlement' });
      const operation = await provisioner.create(
        { vendor: 'google-channel', parent: customer(), entitlement: { offer: OFFER_STARTER } },
        { idempotencyKey: 'order-1' },
      );
      expect(operation.meta.attempts).toBe(2);
      const creates = emulator.calls.filter((call) => call.method === 'CreateEntitlement');
      expect(creates.map((call) => call.requestId)).toEqual([uuidForKey('order-1'), uuidForKey('order-1')]);
      expect(emulator.operations()).toHaveLength(1);
    });
  });

  describe(`Cloud Channel requests (${transport})`, () => {
    it('always carry a request_id (a non-zero UUID) and the x-goog-request-params routing header', async () => {
      const { emulator, provisioner, customer } = await env(transport);
      const parent = customer();
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent,
        entitlement: { offer: OFFER_STARTER },
      });
      await operation.wait();
      const [create] = emulator.calls.filter((call) => call.method === 'CreateEntitlement');
      expect(create?.requestId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(create?.requestId).not.toBe('00000000-0000-0000-0000-000000000000');
      expect(create?.routingHeader).toBe(`parent=${encodeURIComponent(parent)}`);
      const poll = emulator.calls.find((call) => call.method === 'GetOperation');
      expect(poll?.routingHeader).toBe(`name=${encodeURIComponent(emulator.operations()[0]?.name ?? '')}`);
    });

    it('the token carries the request_id and correlation id, and resumes anywhere', async () => {
      const { provisioner, customer } = await env(transport);
      const operation = await provisioner.create(
        {
          vendor: 'google-channel',
          parent: customer(),
          entitlement: { offer: OFFER_STARTER },
          externalCorrelationId: 'crm-77',
        },
        { idempotencyKey: 'order-77' },
      );
      const payload = JSON.parse(Buffer.from(operation.token.slice(4), 'base64url').toString('utf8'));
      expect(payload).toMatchObject({
        vendor: 'google-channel',
        requestId: uuidForKey('order-77'),
        externalCorrelationId: 'crm-77',
      });
    });
  });
}
