/**
 * A provisioner whose implementation loads on its first call. Creating it is cheap and needs none
 * of the vendor's heavy dependencies; the first `create`, `get` or `resume` loads them (and fails
 * with a typed error naming the install when they are missing). Every later call goes straight to
 * the loaded adapter.
 */
import { EntitlementError } from './errors.ts';
import type { EntitlementProvisioner } from './types.ts';

export function lazyProvisioner<V extends string, Req, Ref, Raw>(
  vendor: V,
  load: () => Promise<EntitlementProvisioner<V, Req, Ref, Raw>>,
): EntitlementProvisioner<V, Req, Ref, Raw> {
  let loading: Promise<EntitlementProvisioner<V, Req, Ref, Raw>> | undefined;
  let closed = false;
  const adapter = () => {
    if (closed)
      return Promise.reject(
        new EntitlementError({
          kind: 'failed-precondition',
          vendor,
          message: `This ${vendor} provisioner is closed. Create a new one.`,
        }),
      );
    if (!loading) {
      loading = load();
      // A failed load (a missing peer dependency, say) is tried again on the next call.
      loading.catch(() => {
        loading = undefined;
      });
    }
    return loading;
  };
  const close = async () => {
    if (closed) return;
    closed = true;
    const loaded = await loading?.catch(() => undefined);
    await loaded?.close();
  };
  return {
    vendor,
    create: async (request, options) => (await adapter()).create(request, options),
    get: async (ref, options) => (await adapter()).get(ref, options),
    resume: async (token, options) => (await adapter()).resume(token, options),
    close,
    [Symbol.asyncDispose]: close,
  };
}
