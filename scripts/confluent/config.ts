/** What the Confluent code generator reads, and which operations the library uses. */
export const confluentCodegen = {
  /** The vendor's OpenAPI YAML as published (the two-operation document, or the full spec). */
  spec: 'openapi/confluent/openapi.yaml',
  /** Where the generated types and the normalised document go. */
  outDir: 'generated/confluent',
  /** The operations the adapter calls; everything else in the vendor's document is dropped. */
  operationIds: ['createPartnerV2Entitlement', 'getPartnerV2Entitlement'],
} as const;
