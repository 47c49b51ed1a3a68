/**
 * The plan and product ids the create request accepts, as the vendor's spec lists them (from the
 * generated shapes): for the CLI's help and demo, which must not spell them by hand. Another
 * edition of the spec changes these lists, and what reads them follows.
 */
import { operationShapes } from '../../../generated/confluent/shapes.ts';

type Field = { readonly enum?: readonly unknown[] } | undefined;

const body = operationShapes.createPartnerV2Entitlement.requestBody.schema.properties as Readonly<
  Record<string, Field>
>;

function values(field: string): readonly string[] {
  return (body[field]?.enum ?? []).filter((value): value is string => typeof value === 'string');
}

/** The plan ids a create may name (`plan_id`). */
export const CONFLUENT_PLAN_IDS: readonly string[] = values('plan_id');
/** The product ids a create may name (`product_id`). */
export const CONFLUENT_PRODUCT_IDS: readonly string[] = values('product_id');
