import { expect } from 'vitest';
import { EntitlementError } from '../../src/core/errors.ts';

/** The EntitlementError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function refused(promise: Promise<unknown>): Promise<EntitlementError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(EntitlementError.isInstance(error)).toBe(true);
  return error as EntitlementError;
}
