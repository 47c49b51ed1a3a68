/**
 * Expectations taken from generated/ (never from the committed vendor YAML): the plan and product
 * ids the create request accepts, as the normalised document lists them. Another edition of the
 * vendor spec changes these lists, and the tests that use them follow.
 */
import spec from '../../generated/confluent/openapi.json' with { type: 'json' };
import { derefSchema, isObject, type JsonObject } from '../../src/openapi/json-pointer.ts';

function createBodySchema(): JsonObject {
  const doc = spec as JsonObject;
  for (const item of Object.values(doc.paths as JsonObject)) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      if (!isObject(operation) || operation.operationId !== 'createPartnerV2Entitlement') continue;
      const body = derefSchema(doc, operation.requestBody);
      const media = isObject(body?.content) ? (body.content as JsonObject)['application/json'] : undefined;
      const schema = isObject(media) ? derefSchema(doc, media.schema) : undefined;
      if (schema) return schema;
    }
  }
  throw new Error('generated/confluent/openapi.json has no createPartnerV2Entitlement request body');
}

/** The `enum` of a property of the create body, wherever allOf/$ref put it. */
function enumOf(property: string): string[] {
  const doc = spec as JsonObject;
  const seen = new Set<unknown>();
  const visit = (node: unknown): string[] | undefined => {
    const schema = derefSchema(doc, node);
    if (!schema || seen.has(schema)) return undefined;
    seen.add(schema);
    const direct = isObject(schema.properties) ? derefSchema(doc, schema.properties[property]) : undefined;
    if (direct && Array.isArray(direct.enum))
      return direct.enum.filter((v): v is string => typeof v === 'string');
    for (const part of [...(Array.isArray(schema.allOf) ? schema.allOf : [])]) {
      const found = visit(part);
      if (found) return found;
    }
    return undefined;
  };
  const values = visit(createBodySchema());
  if (!values || values.length === 0) throw new Error(`the create body lists no ${property} values`);
  return values;
}

export const PLAN_IDS = enumOf('plan_id');
export const PRODUCT_IDS = enumOf('product_id');
export const [PLAN_ID, OTHER_PLAN_ID] = PLAN_IDS as [string, string | undefined];
export const [PRODUCT_ID] = PRODUCT_IDS as [string];
