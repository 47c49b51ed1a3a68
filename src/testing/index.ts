/**
 * `entitlement-provisioner/testing`: vendor emulators to run in your own test suites.
 *
 * Each emulator is an independent implementation of the vendor's wire protocol, listening on
 * 127.0.0.1 only, with state, request validation, rate limits and injectable faults (latency,
 * 5xx/UNAVAILABLE, connection resets, responses dropped after the write committed):
 *
 * - {@link startConfluentEmulator}: Confluent Cloud partner/v2 entitlements (REST, with
 *   authentication).
 * - {@link startChannelEmulator}: Google Cloud Channel `CreateEntitlement`/`GetEntitlement` and
 *   `google.longrunning.Operations`, over gRPC and REST at once (no authentication).
 *
 * @example
 * ```ts
 * import { startChannelEmulator, startConfluentEmulator } from 'entitlement-provisioner/testing';
 *
 * const emu = await startConfluentEmulator({ rateLimit: { requests: 10, perMs: 1000 } });
 * emu.inject({ type: 'drop-after-commit', match: { operationId: 'createPartnerV2Entitlement' } });
 * // ... point your client at emu.url with `Authorization: Bearer emulator-token` ...
 * expect(emu.entitlements()).toHaveLength(1);
 * await emu.close();
 *
 * await using channel = await startChannelEmulator({ completion: { afterPolls: 1 } });
 * channel.inject({ type: 'drop-after-create' });
 * // ... point a gRPC client at channel.grpcAddress (insecure), or a REST one at channel.restUrl ...
 * expect(channel.operations()).toHaveLength(1);
 * ```
 *
 * @packageDocumentation
 */
export * from './confluent/index.ts';
export type { JsonMember } from './google-channel/descriptor.ts';
export type { Code } from './google-channel/errors.ts';
export * from './google-channel/index.ts';
