import { describe, expect, it } from 'vitest';
import type { OperationStatus } from '../../../src/core/index.ts';
import { env, OFFER_STARTER } from './helpers.ts';

for (const transport of ['grpc', 'rest'] as const) {
  describe(`Cloud Channel long-running operations (${transport})`, () => {
    it('completes after the configured number of polls, reporting progress after each other poll', async () => {
      const { emulator, provisioner, customer } = await env(transport, {}, { completion: { afterPolls: 3 } });
      const parent = customer();
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent,
        entitlement: { offer: OFFER_STARTER },
      });
      expect(operation.done).toBe(false);
      const progress: OperationStatus[] = [];
      const entitlement = await operation.wait({ onProgress: (status) => progress.push(status) });
      expect(entitlement).toMatchObject({ vendor: 'google-channel', state: 'active', plan: OFFER_STARTER });
      expect(entitlement.id.startsWith(`${parent}/entitlements/`)).toBe(true);
      expect(entitlement.createdAt).toBeInstanceOf(Date);
      expect(entitlement.raw.provisioningState).toBe('ACTIVE');
      expect(progress.map((status) => status.progress?.polls)).toEqual([1, 2]);
      expect(progress[0]?.progress?.message).toBe('CREATE_ENTITLEMENT');
      expect(emulator.operations()).toMatchObject([{ polls: 3, done: true }]);
    });

    it('a failed operation surfaces its google.rpc.Status details and ErrorInfo reason', async () => {
      const { emulator, provisioner, customer } = await env(transport);
      emulator.inject({
        type: 'fail-operation',
        code: 9,
        message: 'Billing account suspended.',
        reason: 'BILLING_SUSPENDED',
      });
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_STARTER },
      });
      const error = await operation.wait().catch((e: unknown) => e);
      expect(error).toMatchObject({
        kind: 'operation-failed',
        grpcCode: 9,
        reason: 'BILLING_SUSPENDED',
        token: operation.token,
        operationName: emulator.operations()[0]?.name,
        retryable: false,
      });
      expect((error as Error).message).toContain('Billing account suspended.');
      expect((error as { details: unknown[] }).details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ '@type': 'google.rpc.ErrorInfo', reason: 'BILLING_SUSPENDED' }),
        ]),
      );
      expect(emulator.entitlements()).toHaveLength(0);
    });

    it('a deadline while the operation runs is deadline-exceeded with the token; resuming later finishes it', async () => {
      const { provisioner, customer } = await env(transport, {}, { completion: { afterPolls: 6 } });
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_STARTER },
      });
      const error = await operation
        .wait({ timeoutMs: 60, polling: { initialDelayMs: 40, maxDelayMs: 40 } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'deadline-exceeded', token: operation.token });
      const resumed = await provisioner.resume((error as { token: string }).token, {
        polling: { initialDelayMs: 1, maxDelayMs: 2 },
      });
      expect(await resumed.wait()).toMatchObject({ state: 'active' });
    });

    it('cancel() cancels the running operation; waiting on it then reports cancelled', async () => {
      const { emulator, provisioner, customer } = await env(
        transport,
        {},
        { completion: { afterPolls: 50 } },
      );
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_STARTER },
      });
      await operation.cancel();
      expect(emulator.operations()[0]).toMatchObject({ cancelled: true, done: true });
      await expect(operation.wait()).rejects.toMatchObject({
        kind: 'cancelled',
        grpcCode: 1,
        token: operation.token,
      });
      expect(emulator.entitlements()).toHaveLength(0);
    });

    it('an aborted wait is cancelled and leaves the operation running', async () => {
      const { emulator, provisioner, customer } = await env(
        transport,
        {},
        { completion: { afterPolls: 1000 } },
      );
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_STARTER },
      });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 40);
      await expect(operation.wait({ signal: controller.signal })).rejects.toMatchObject({
        kind: 'cancelled',
      });
      expect(emulator.operations()[0]?.done).toBe(false);
    });

    it('polls are retried on UNAVAILABLE', async () => {
      const { emulator, provisioner, customer, events } = await env(
        transport,
        {},
        { completion: { afterPolls: 1 } },
      );
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_STARTER },
      });
      emulator.inject({ type: 'unavailable', method: 'GetOperation' });
      const status = await operation.poll();
      expect(status.done).toBe(true);
      expect(status.meta?.attempts).toBe(2);
      expect(events.filter((e) => e.type === 'retry' && e.operation === 'poll')).toHaveLength(1);
    });

    it('resume(token) keeps the caller polling settings', async () => {
      const { provisioner, customer, events } = await env(
        transport,
        { polling: { initialDelayMs: 1_000 } },
        { completion: { afterPolls: 4 } },
      );
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_STARTER },
      });
      const resumed = await provisioner.resume(operation.token, {
        polling: { initialDelayMs: 1, multiplier: 1, maxDelayMs: 1 },
      });
      await resumed.wait();
      const polls = events.flatMap((e) => (e.type === 'poll' ? [e] : []));
      expect(polls).toHaveLength(4);
      // The adapter default would pause 1 s; the resumed handle pauses what the caller asked for.
      expect(polls.slice(0, 3).map((e) => e.nextDelayMs)).toEqual([1, 1, 1]);
    });
  });
}
