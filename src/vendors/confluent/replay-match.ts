/**
 * Is the entitlement the vendor stored the one a create asked for? Used when a create meets an
 * existing entitlement under the same key (a 409 on a retry or a repeat): it is the same request
 * only when every field the caller sent equals what the vendor stored.
 *
 * The comparison is derived from the request and from the spec, not from a list of fields: every
 * field the caller sent is compared, deeply (objects by the members the caller sent, arrays
 * element by element), except fields the spec marks `writeOnly` and fields the entitlement's
 * response schema does not carry (the vendor never returns them, so they cannot be compared).
 * The shapes come from generated/confluent/shapes.ts: nothing parses the spec at import.
 */
import { operationShapes } from '../../../generated/confluent/shapes.ts';
import type { FieldShape } from '../../openapi/shape.ts';

/** What is sent (the create request body) and what is read back (the entitlement). */
export interface ReplayShapes {
  readonly request: FieldShape;
  readonly stored: FieldShape;
}

const ENTITLEMENT_SHAPES: ReplayShapes = {
  request: operationShapes.createPartnerV2Entitlement.requestBody.schema,
  stored: operationShapes.getPartnerV2Entitlement.responses['200'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function compare(
  sent: unknown,
  stored: unknown,
  path: string,
  request: FieldShape | undefined,
  response: FieldShape | undefined,
  out: string[],
): void {
  // null and absent say the same thing: no value.
  if (sent === null) {
    if (stored !== null && stored !== undefined) out.push(path);
    return;
  }
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored) || stored.length !== sent.length) {
      out.push(path);
      return;
    }
    sent.forEach((item, index) => {
      compare(item, stored[index], `${path}[${index}]`, request?.items, response?.items, out);
    });
    return;
  }
  if (isRecord(sent)) {
    if (!isRecord(stored)) {
      out.push(path);
      return;
    }
    compareMembers(sent, stored, path, request, response, out);
    return;
  }
  if (sent !== stored) out.push(path);
}

function compareMembers(
  sent: Record<string, unknown>,
  stored: Record<string, unknown>,
  path: string,
  request: FieldShape | undefined,
  response: FieldShape | undefined,
  out: string[],
): void {
  for (const [name, value] of Object.entries(sent)) {
    if (value === undefined) continue;
    const sentShape = request?.properties?.[name];
    if (sentShape?.writeOnly === true) continue;
    const responseProperties = response?.properties;
    // A schema that lists its members and not this one: the vendor does not return it.
    if (responseProperties !== undefined && !(name in responseProperties)) continue;
    const storedShape = responseProperties?.[name];
    compare(
      value,
      Object.hasOwn(stored, name) ? stored[name] : undefined,
      join(path, name),
      sentShape,
      storedShape,
      out,
    );
  }
}

/**
 * The dotted paths (`name`, `organization.id`, `tags[0]`) of the fields the caller sent whose
 * value differs from what the vendor stored, in the order they were sent; empty when the stored
 * entitlement is the one asked for. `shapes` defaults to the create body and the entitlement of
 * the generated spec.
 */
export function differingFields(
  sent: unknown,
  stored: unknown,
  shapes: ReplayShapes = ENTITLEMENT_SHAPES,
): string[] {
  const out: string[] = [];
  if (isRecord(sent) && isRecord(stored))
    compareMembers(sent, stored, '', shapes.request, shapes.stored, out);
  else compare(sent, stored, '', shapes.request, shapes.stored, out);
  return out;
}
