/**
 * Run by test/codegen/editions.test.ts with Node, inside a copy of the repository whose
 * generated/ was just made from one edition of the vendor's spec. Builds request validators from
 * the normalised document, starts the Confluent emulator from that same document, then creates and
 * gets an entitlement through the adapter (which imports the validators generated from it), and
 * prints what it saw as one line of JSON.
 */
import spec from '../../generated/confluent/openapi.json' with { type: 'json' };
import { operationShapes } from '../../generated/confluent/shapes.ts';
import { createOperationValidator } from '../../src/openapi/compile-validators.ts';
import type { FieldShape } from '../../src/openapi/shape.ts';
import { startConfluentEmulator } from '../../src/testing/index.ts';
import { createConfluentProvisioner } from '../../src/vendors/confluent/index.ts';
import { differingFields } from '../../src/vendors/confluent/replay-match.ts';
import { createValidator } from '../../src/vendors/confluent/validation.ts';

/** A valid value for a field of this shape (every optional member included). */
function sample(shape: FieldShape, name: string): unknown {
  if (shape.enum !== undefined && shape.enum.length > 0) return shape.enum[0];
  switch (shape.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(shape.properties ?? {}).map(([member, child]) => [member, sample(child, member)]),
      );
    case 'array':
      return [sample(shape.items ?? { type: 'string' }, name)];
    case 'integer':
    case 'number':
      return shape.minimum ?? 1;
    case 'boolean':
      return true;
    default: {
      if (shape.format === 'uri') return `https://example.com/${name}`;
      if (shape.format === 'date-time') return '2030-01-02T03:04:05Z';
      const text = `${name}-value`.padEnd(shape.minLength ?? 0, 'x');
      return shape.maxLength === undefined ? text : text.slice(0, shape.maxLength);
    }
  }
}

const bodyShape: FieldShape = operationShapes.createPartnerV2Entitlement.requestBody.schema;
const body = sample(bodyShape, 'entitlement') as Record<string, unknown> & {
  organization?: { id: string };
  plan_id: string;
};

// The validator built from the document now agrees with the one generated from it.
const runtime = createOperationValidator(spec, 'createPartnerV2Entitlement');
const wrongPlan = { ...body, plan_id: `${body.plan_id}-not-listed` };
const validators = {
  valid: [runtime.validateBody(body).length, createValidator.validateBody(body).length],
  wrongPlan: [runtime.validateBody(wrongPlan).length, createValidator.validateBody(wrongPlan).length],
};

const emulator = await startConfluentEmulator({ spec });
try {
  const provisioner = createConfluentProvisioner({
    baseUrl: emulator.url,
    credentials: { type: 'bearer', token: 'emulator-token' },
    maxRetries: 0,
  });
  const refused = await provisioner
    .create({ vendor: 'confluent', entitlement: wrongPlan as never })
    .then(() => 'sent')
    .catch((error: { kind?: string }) => error.kind);
  const requestsAfterRefusal = emulator.requests.length;

  const operation = await provisioner.create({ vendor: 'confluent', entitlement: body as never });
  const created = await operation.wait({ timeoutMs: 10_000 });
  const read = await provisioner.get({
    vendor: 'confluent',
    id: created.id,
    ...(body.organization ? { organizationId: body.organization.id } : {}),
  });
  console.log(
    JSON.stringify({
      validators,
      refused,
      requestsAfterRefusal,
      sentFields: Object.keys(body),
      created: { state: created.state, id: created.id },
      read: { state: read.state, id: read.id, plan: read.plan, fields: Object.keys(read.raw) },
      differing: differingFields(body, read.raw),
      storedAsRead: JSON.stringify(emulator.entitlements()[0]) === JSON.stringify(read.raw),
      requests: emulator.requests.map((request) => `${request.method} ${request.status}`),
    }),
  );
} finally {
  await emulator.close();
}
