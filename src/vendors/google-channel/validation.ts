/** Checks names and parameters before any call is made. */
import { describeValue, EntitlementError } from '../../core/index.ts';
import { GOOGLE_CHANNEL, type GoogleChannelCreateRequest } from './types.ts';

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._~-]*';
const PARENT = new RegExp(`^accounts/(${SEGMENT})/customers/(${SEGMENT})$`);
const OFFER = new RegExp(`^accounts/(${SEGMENT})/offers/(${SEGMENT})$`);
const ENTITLEMENT = new RegExp(`^accounts/${SEGMENT}/customers/${SEGMENT}/entitlements/${SEGMENT}$`);
const OPERATION = new RegExp(`^operations/${SEGMENT}(/${SEGMENT})*$`);
const VALUE_KINDS = ['int64Value', 'stringValue', 'doubleValue', 'protoValue', 'boolValue'] as const;

export function invalidArgument(message: string, details: readonly unknown[] = []): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: GOOGLE_CHANNEL, message, details });
}

/** An invalid field, reported like google.rpc.BadRequest's field violations. */
function invalidField(field: string, description: string): EntitlementError {
  return invalidArgument(description, [{ field, description }]);
}

const show = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 120)) : describeValue(value);

export function checkParent(parent: unknown): string {
  if (typeof parent !== 'string' || !PARENT.test(parent)) {
    throw invalidField(
      'parent',
      `parent ${show(parent)} is not a customer name: expected accounts/{account}/customers/{customer}`,
    );
  }
  return parent;
}

export function checkEntitlementName(name: unknown): string {
  if (typeof name !== 'string' || !ENTITLEMENT.test(name)) {
    throw invalidField(
      'name',
      `${show(name)} is not an entitlement name: expected accounts/{account}/customers/{customer}/entitlements/{entitlement}`,
    );
  }
  return name;
}

export function checkOperationName(name: unknown): string {
  if (typeof name !== 'string' || !OPERATION.test(name) || name.includes('..')) {
    throw invalidField('operation', `${show(name)} is not a Cloud Channel operation name (operations/{id})`);
  }
  return name;
}

/** The create request, checked: names, offer, parameters (each with exactly one typed value). */
export function checkCreateRequest(request: unknown): GoogleChannelCreateRequest {
  if (
    typeof request !== 'object' ||
    request === null ||
    (request as { vendor?: unknown }).vendor !== GOOGLE_CHANNEL
  ) {
    throw invalidField(
      'vendor',
      'a Cloud Channel create request is { vendor: "google-channel", parent, entitlement: { offer, ... } }',
    );
  }
  const candidate = request as GoogleChannelCreateRequest;
  const parent = checkParent(candidate.parent);
  const entitlement = candidate.entitlement;
  if (typeof entitlement !== 'object' || entitlement === null)
    throw invalidField('entitlement', 'entitlement is required');
  const offer = OFFER.exec(typeof entitlement.offer === 'string' ? entitlement.offer : '');
  if (!offer) {
    throw invalidField(
      'entitlement.offer',
      `entitlement.offer ${show(entitlement.offer)} is not an offer name: expected accounts/{account}/offers/{offer}`,
    );
  }
  const parameters = entitlement.parameters ?? [];
  if (!Array.isArray(parameters))
    throw invalidField('entitlement.parameters', 'entitlement.parameters must be a list of { name, value }');
  const problems: string[] = [];
  parameters.forEach((parameter, index) => {
    if (typeof parameter?.name !== 'string' || parameter.name.length === 0)
      problems.push(`parameters[${index}].name is required`);
    const value = parameter?.value as Record<string, unknown> | null | undefined;
    const kinds = value
      ? VALUE_KINDS.filter((kind) => value[kind] !== undefined && value[kind] !== null)
      : [];
    if (kinds.length !== 1)
      problems.push(`parameters[${index}].value must set exactly one of ${VALUE_KINDS.join(', ')}`);
  });
  const names = parameters.map((parameter) => parameter?.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) problems.push(`parameter ${show(duplicate)} is given twice`);
  if (candidate.externalCorrelationId !== undefined && typeof candidate.externalCorrelationId !== 'string') {
    problems.push('externalCorrelationId must be a string');
  }
  if (problems.length > 0)
    throw invalidArgument(`invalid entitlement (nothing was sent): ${problems.join('; ')}`, problems);
  return { ...candidate, parent };
}
