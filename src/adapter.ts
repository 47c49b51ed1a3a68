/**
 * `entitlement-provisioner/adapter`: the kit the built-in adapters are made of, for writing an
 * adapter of another vendor (docs/adding-a-vendor.md): the call loop (attempts, timeouts, abort,
 * retries, events), argument checks, the operation handle, tokens, idempotency keys and the
 * redactor that keeps secrets out of errors and events.
 */
export * from './core/index.ts';
