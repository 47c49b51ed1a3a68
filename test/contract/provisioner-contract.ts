/**
 * The contract suite: written once against the EntitlementProvisioner interface and run for every
 * adapter (each supplies a fixture wired to its emulator).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Entitlement,
  EntitlementError,
  type EntitlementProvisioner,
  isEntitlementError,
} from '../../src/core/index.ts';

export interface ContractFixture<Req, Ref> {
  provisioner: EntitlementProvisioner<string, Req, Ref, unknown>;
  /** A valid create request; different seeds give different entitlements. */
  validRequest(seed: string): Req;
  /** A request the vendor's schema rejects. */
  invalidRequest(): Req;
  /** The idempotency key to pass for a request (some vendors derive it from the request). */
  idempotencyKey(request: Req, seed: string): string;
  /** What a created entitlement must report for the request (what the request determines). */
  expected(request: Req): Partial<{ product: string; plan: string }>;
  refOf(entitlement: Entitlement): Ref;
  /** A well-formed reference to nothing. */
  missingRef(): Ref;
  /** Entitlements the vendor (emulator) holds. */
  storedCount(): Promise<number>;
  /** Requests the vendor (emulator) received. */
  requestCount(): Promise<number>;
  /** The vendor commits the next create and then loses its response. */
  dropNextCreateResponse(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
const seed = (label: string) => `${label}-${process.pid}-${++counter}`;

async function rejection(promise: Promise<unknown>): Promise<EntitlementError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isEntitlementError(error), `expected an EntitlementError, got ${String(error)}`).toBe(true);
  return error as EntitlementError;
}

export function describeProvisionerContract<Req, Ref>(
  name: string,
  setup: () => Promise<ContractFixture<Req, Ref>>,
): void {
  describe(`EntitlementProvisioner contract: ${name}`, () => {
    let fx: ContractFixture<Req, Ref>;
    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('creates an entitlement and waits for it to be active', async () => {
      const request = fx.validRequest(seed('happy'));
      const operation = await fx.provisioner.create(request);
      expect(operation.vendor).toBe(fx.provisioner.vendor);
      expect(operation.replayed).toBe(false);
      expect(operation.meta.attempts).toBeGreaterThanOrEqual(1);
      const entitlement = await operation.wait({ timeoutMs: 20_000 });
      expect(operation.done).toBe(true);
      expect(entitlement).toMatchObject({
        vendor: fx.provisioner.vendor,
        state: 'active',
        ...fx.expected(request),
      });
      expect(entitlement.id).not.toBe('');
      expect(entitlement.raw).toBeTruthy();
    });

    it('reads back what it created', async () => {
      const request = fx.validRequest(seed('read'));
      const created = await (await fx.provisioner.create(request)).wait({ timeoutMs: 20_000 });
      const read = await fx.provisioner.get(fx.refOf(created));
      expect(read).toMatchObject({ id: created.id, state: 'active', ...fx.expected(request) });
      expect(read.meta?.attempts).toBe(1);
    });

    it('resumes from a JSON round-tripped token and finishes the same operation', async () => {
      const operation = await fx.provisioner.create(fx.validRequest(seed('resume')));
      const token = JSON.parse(JSON.stringify({ token: operation.token })).token as string;
      expect(typeof token).toBe('string');
      const resumed = await fx.provisioner.resume(token, { polling: { initialDelayMs: 10, maxDelayMs: 50 } });
      expect(resumed.token).toBe(operation.token);
      const [first, second] = await Promise.all([
        operation.wait({ timeoutMs: 20_000 }),
        resumed.wait({ timeoutMs: 20_000 }),
      ]);
      expect(second.id).toBe(first.id);
    });

    it('a repeated create with the same idempotency key yields the same entitlement, stored once', async () => {
      const label = seed('repeat');
      const request = fx.validRequest(label);
      const idempotencyKey = fx.idempotencyKey(request, label);
      const before = await fx.storedCount();
      const first = await (await fx.provisioner.create(request, { idempotencyKey })).wait({
        timeoutMs: 20_000,
      });
      const again = await fx.provisioner.create(request, { idempotencyKey });
      const second = await again.wait({ timeoutMs: 20_000 });
      expect(second.id).toBe(first.id);
      expect(await fx.storedCount()).toBe(before + 1);
    });

    it('a create whose response is lost after the vendor committed it still yields exactly one entitlement', async () => {
      const label = seed('dropped');
      const request = fx.validRequest(label);
      const before = await fx.storedCount();
      await fx.dropNextCreateResponse();
      const operation = await fx.provisioner.create(request, {
        idempotencyKey: fx.idempotencyKey(request, label),
      });
      const entitlement = await operation.wait({ timeoutMs: 20_000 });
      expect(entitlement).toMatchObject(fx.expected(request));
      expect(operation.meta.attempts).toBeGreaterThanOrEqual(2);
      expect(await fx.storedCount()).toBe(before + 1);
    });

    it('reports a missing entitlement as not-found', async () => {
      const error = await rejection(fx.provisioner.get(fx.missingRef()));
      expect(error).toBeInstanceOf(EntitlementError);
      expect(error).toMatchObject({ kind: 'not-found', vendor: fx.provisioner.vendor, retryable: false });
      expect(error.attempts).toBe(1);
    });

    it('refuses a request the vendor schema rejects, without sending anything', async () => {
      const before = await fx.requestCount();
      const error = await rejection(fx.provisioner.create(fx.invalidRequest()));
      expect(error).toMatchObject({ kind: 'invalid-argument', vendor: fx.provisioner.vendor });
      expect(error.details.length).toBeGreaterThan(0);
      expect(await fx.requestCount()).toBe(before);
    });

    it('honours an aborted signal without sending anything', async () => {
      const before = await fx.requestCount();
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(
        fx.provisioner.create(fx.validRequest(seed('aborted')), { signal: controller.signal }),
      );
      expect(error.kind).toBe('cancelled');
      expect(await fx.requestCount()).toBe(before);
    });

    it('refuses tokens that are damaged or belong to another vendor', async () => {
      const damaged = await rejection(fx.provisioner.resume('ep1.%%%'));
      expect(damaged.kind).toBe('invalid-argument');
      const foreign = `ep1.${Buffer.from(JSON.stringify({ vendor: 'some-other-vendor', id: 'x' })).toString('base64url')}`;
      const error = await rejection(fx.provisioner.resume(foreign));
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).toContain('some-other-vendor');
    });
  });
}
