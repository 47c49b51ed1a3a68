/**
 * `entitlement-provisioner/testing`: vendor emulators to run in your own test suites.
 *
 * Each emulator is an independent implementation of the vendor's wire protocol, listening on
 * 127.0.0.1 only, with state, request validation, authentication, rate limits and injectable
 * faults (latency, 5xx, connection resets, responses dropped after the write committed).
 *
 * @example
 * ```ts
 * import { startConfluentEmulator } from 'entitlement-provisioner/testing';
 *
 * const emu = await startConfluentEmulator({ rateLimit: { requests: 10, perMs: 1000 } });
 * emu.inject({ type: 'drop-after-commit', match: { operationId: 'createPartnerV2Entitlement' } });
 * // ... point your client at emu.url with `Authorization: Bearer emulator-token` ...
 * expect(emu.entitlements()).toHaveLength(1);
 * await emu.close();
 * ```
 *
 * @packageDocumentation
 */
export * from './confluent/index.ts';
