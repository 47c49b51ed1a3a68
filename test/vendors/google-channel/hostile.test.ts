/**
 * Values nobody here wrote, against the Cloud Channel adapter on both transports: every bad call
 * option, wait option and token is `invalid-argument` with nothing sent (never a crash of the
 * process, an unhandled rejection, `internal` or `unavailable`), and no call holds a timer once it
 * has ended.
 */
import { describe, expect, it } from 'vitest';
import { createGoogleChannelProvisioner, type Transport } from '../../../src/vendors/google-channel/index.ts';
import { refused } from '../../support/refused.ts';
import { env, OFFER_GCP } from './helpers.ts';

const TRANSPORTS: Transport[] = ['grpc', 'rest'];

describe.each(TRANSPORTS)(
  'Cloud Channel (%s): bad values are refused before anything is sent',
  (transport) => {
    it('refuses bad call options with invalid-argument, naming the option', async () => {
      const { emulator, provisioner, customer } = await env(transport);
      const cases: unknown[] = [
        null,
        'options',
        { timeoutMs: '1000' },
        { timeoutMs: 0 },
        { timeoutMs: -5 },
        { timeoutMs: 2 ** 31 },
        { timeoutMs: Number.POSITIVE_INFINITY },
        { headers: 5 },
        { headers: 'x-a: b' },
        { headers: { 'with space': 'x' } },
        { headers: { '': 'x' } },
        { headers: { 'x-ok': 'line\nbreak' } },
        { headers: { 'x-bin': 'x', 'trace-bin': 'y' } },
        { headers: { 'grpc-timeout': '1S' } },
        { signal: {} },
        { signal: { aborted: false, addEventListener() {} } },
        { idempotencyKey: 5 },
        { idempotencyKey: null },
        { idempotencyKey: '' },
        { idempotencyKey: 'a\udc00' },
      ];
      for (const options of cases) {
        const error = await refused(
          provisioner.create(
            { vendor: 'google-channel', parent: customer(), entitlement: { offer: OFFER_GCP } },
            options as never,
          ),
        );
        expect(error.kind, JSON.stringify(options)).toBe('invalid-argument');
        expect(error.message).toContain('options');
      }
      expect(emulator.calls).toHaveLength(0);
    });

    it('refuses bad refs, tokens and wait options; an unknown client option is named', async () => {
      const { emulator, provisioner, customer } = await env(transport);
      await expect(provisioner.get(null as never)).rejects.toMatchObject({ kind: 'invalid-argument' });
      await expect(
        provisioner.get({
          vendor: 'google-channel',
          name: 'accounts/A/customers/C/entitlements/E',
          extra: 1,
        } as never),
      ).rejects.toMatchObject({ kind: 'invalid-argument' });
      for (const token of [
        '',
        'ep1.',
        'ep1.%%%',
        'garbage',
        5,
        null,
        `ep1.${Buffer.from('{"vendor":"confluent","id":"x"}').toString('base64url')}`,
      ]) {
        await expect(provisioner.resume(token as never)).rejects.toMatchObject({ kind: 'invalid-argument' });
      }
      const surrogate = `ep1.${Buffer.from(JSON.stringify({ vendor: 'google-channel', operation: 'operations/\ud800' }), 'utf8').toString('base64url')}`;
      await expect(provisioner.resume(surrogate)).rejects.toMatchObject({ kind: 'invalid-argument' });
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_GCP },
      });
      const calls = emulator.calls.length;
      await expect(provisioner.resume(operation.token, null as never)).rejects.toMatchObject({
        kind: 'invalid-argument',
      });
      for (const options of [
        null,
        { timeoutMs: 'soon' },
        { polling: { multiplier: 0 } },
        { pollOptions: { signal: {} } },
      ]) {
        await expect(operation.wait(options as never)).rejects.toMatchObject({
          kind: 'invalid-argument',
          token: operation.token,
        });
      }
      await expect(operation.poll({ headers: { 'a b': '1' } } as never)).rejects.toMatchObject({
        kind: 'invalid-argument',
      });
      expect(emulator.calls).toHaveLength(calls);
      expect(() => createGoogleChannelProvisioner({ transport: 'grcp' } as never)).toThrow(
        expect.objectContaining({ kind: 'invalid-argument', message: expect.stringContaining('transport') }),
      );
      expect(() => createGoogleChannelProvisioner({ port: '443' } as never)).toThrow(
        expect.objectContaining({ kind: 'invalid-argument', message: expect.stringContaining('port') }),
      );
      expect(() => createGoogleChannelProvisioner({ apiEndpoint: 'host:443' })).toThrow(
        expect.objectContaining({
          kind: 'invalid-argument',
          message: expect.stringContaining('apiEndpoint'),
        }),
      );
    });

    it('a wait deadline longer than a timer can hold means what it says', async () => {
      const { provisioner, customer } = await env(transport, {}, { completion: { afterPolls: 2 } });
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: customer(),
        entitlement: { offer: OFFER_GCP },
      });
      const entitlement = await operation.wait({
        timeoutMs: 30 * 24 * 60 * 60_000,
        polling: { initialDelayMs: 1, maxDelayMs: 2 },
      });
      expect(entitlement.state).toBe('active');
    });

    it('leaves no timer behind once a call has ended (no per-call timer held until the request timeout)', async () => {
      const { provisioner, customer } = await env(
        transport,
        { timeoutMs: 60_000 },
        { completion: { afterPolls: 1 } },
      );
      const original = AbortSignal.timeout;
      let armed = 0;
      AbortSignal.timeout = (ms: number) => {
        armed++;
        return original.call(AbortSignal, ms);
      };
      const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
      try {
        // Warm up (connections, stubs), then measure.
        await (
          await provisioner.create({
            vendor: 'google-channel',
            parent: customer(),
            entitlement: { offer: OFFER_GCP },
          })
        ).wait({ polling: { initialDelayMs: 1 } });
        armed = 0;
        const before = timers();
        for (let i = 0; i < 10; i++) {
          const operation = await provisioner.create({
            vendor: 'google-channel',
            parent: customer(),
            entitlement: { offer: OFFER_GCP },
          });
          await operation.wait({ polling: { initialDelayMs: 1 } });
        }
        expect(armed).toBe(0);
        expect(timers()).toBeLessThanOrEqual(before + 1);
      } finally {
        AbortSignal.timeout = original;
      }
    });
  },
);
