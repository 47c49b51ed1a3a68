/**
 * Refuses bad input before anything is sent: the create body against the vendor's schema, and
 * entitlement ids that could escape their path segment.
 */
import { operationSchemas } from '../../../generated/confluent/validators.ts';
import { EntitlementError } from '../../core/errors.ts';
import { operationValidator, type RequestIssue } from '../../openapi/request-validator.ts';
import { CONFLUENT } from './types.ts';

// Compiled at generate time (generated/confluent/validators.ts): importing this compiles nothing.
export const createValidator = operationValidator(operationSchemas.createPartnerV2Entitlement);
export const getValidator = operationValidator(operationSchemas.getPartnerV2Entitlement);

export function invalidArgument(message: string, details: readonly unknown[] = []): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: CONFLUENT, message, details });
}

function rejectIssues(what: string, issues: RequestIssue[]): void {
  if (issues.length === 0) return;
  throw invalidArgument(
    `invalid ${what} (nothing was sent): ${issues.map((issue) => issue.message).join('; ')}`,
    issues,
  );
}

export function checkCreateBody(body: unknown): void {
  rejectIssues('Confluent entitlement', createValidator.validateBody(body));
}

/** Ids are one path segment: no separators, dot segments, escapes or control characters. */
export function checkEntitlementId(id: unknown, organizationId?: unknown): string {
  if (typeof id !== 'string' || id.length === 0)
    throw invalidArgument('the entitlement id must be a non-empty string');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (id === '.' || id === '..' || /[/\\?#%\s\u0000-\u001f\u007f]/.test(id) || id.length > 255) {
    throw invalidArgument(
      `the entitlement id ${JSON.stringify(id.slice(0, 64))} is not a valid id: it must be one path segment ` +
        '(no "/", "\\", "..", "?", "#", "%" or whitespace, at most 255 characters)',
    );
  }
  rejectIssues(
    'entitlement reference',
    getValidator.validateParameters({ path: { id }, query: { 'organization.id': organizationId } }),
  );
  return id;
}
