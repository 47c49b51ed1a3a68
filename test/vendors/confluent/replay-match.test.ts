/**
 * differingFields: which fields of a create differ from the entitlement the vendor stored. Unit
 * tests on small shapes, and properties (fast-check, fixed seed) on the generated entitlement
 * shapes and on random shapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { operationShapes } from '../../../generated/confluent/shapes.ts';
import type { FieldShape } from '../../../src/openapi/shape.ts';
import { differingFields, type ReplayShapes } from '../../../src/vendors/confluent/replay-match.ts';

const RUNS = { seed: 20_260_7, numRuns: 200 } as const;

/** A small request/response pair: a write-only secret, a field the response does not carry, nesting, a list. */
const SMALL: ReplayShapes = {
  request: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      secret: { type: 'string', writeOnly: true },
      coupon: { type: 'string' },
      owner: { type: 'object', properties: { id: { type: 'string' }, team: { type: 'string' } } },
      tags: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' } } } },
      size: { type: 'integer' },
    },
  },
  stored: {
    type: 'object',
    properties: {
      id: { type: 'string', readOnly: true },
      name: { type: 'string' },
      owner: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          team: { type: 'string' },
          link: { type: 'string', readOnly: true },
        },
      },
      tags: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' } } } },
      size: { type: 'integer' },
    },
  },
};

describe('differingFields on a small shape', () => {
  const sent = { name: 'a', secret: 's', coupon: 'c', owner: { id: 'o1' }, tags: [{ key: 'k' }], size: 3 };
  const stored = {
    id: 'e-1',
    name: 'a',
    owner: { id: 'o1', team: 't', link: 'https://x.example/o1' },
    tags: [{ key: 'k' }],
    size: 3,
  };

  it('finds nothing when every sent field the response carries is stored as sent', () => {
    expect(differingFields(sent, stored, SMALL)).toEqual([]);
  });

  it('names each differing field by its dotted path, in the order sent', () => {
    expect(
      differingFields(
        sent,
        { ...stored, name: 'b', owner: { id: 'o2' }, tags: [{ key: 'j' }], size: 4 },
        SMALL,
      ),
    ).toEqual(['name', 'owner.id', 'tags[0].key', 'size']);
  });

  it('compares objects by the members sent, and arrays by length and element', () => {
    // owner.team was not sent: what the vendor stored there does not matter.
    expect(differingFields({ owner: { id: 'o1' } }, { owner: { id: 'o1', team: 'other' } }, SMALL)).toEqual(
      [],
    );
    expect(differingFields({ tags: [] }, { tags: [{ key: 'k' }] }, SMALL)).toEqual(['tags']);
    expect(differingFields({ owner: { id: 'o1' } }, { owner: 'o1' }, SMALL)).toEqual(['owner']);
    expect(differingFields({ size: 3 }, { size: '3' }, SMALL)).toEqual(['size']);
  });

  it('reports a sent field the vendor did not store', () => {
    expect(differingFields({ name: 'a', size: 3 }, { name: 'a' }, SMALL)).toEqual(['size']);
  });

  it('skips write-only fields and fields the response schema does not carry', () => {
    expect(differingFields({ secret: 'x', coupon: 'y' }, {}, SMALL)).toEqual([]);
  });

  it('treats null and absent alike, and ignores members sent as undefined', () => {
    expect(differingFields({ name: null, size: undefined }, { size: 9 }, SMALL)).toEqual([]);
    expect(differingFields({ name: null }, { name: 'x' }, SMALL)).toEqual(['name']);
  });
});

describe('differingFields on the generated entitlement', () => {
  const request = operationShapes.createPartnerV2Entitlement.requestBody.schema.properties;
  const body = {
    external_id: 'ext-1',
    name: 'Acme',
    plan_id: request.plan_id.enum[0],
    product_id: request.product_id.enum[0],
    organization: { id: 'org-1' },
  };

  it('finds nothing for the entitlement as stored, and names organization.id when it differs', () => {
    const stored = {
      ...body,
      id: 'ent-1',
      metadata: { self: 'https://api.confluent.cloud/partner/v2/entitlements/ent-1' },
      organization: { id: 'org-1', related: 'https://x.example', resource_name: 'crn://x' },
    };
    expect(differingFields(body, stored)).toEqual([]);
    expect(differingFields(body, { ...stored, name: 'Other', organization: { id: 'org-2' } })).toEqual([
      'name',
      'organization.id',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** Shapes of random values: strings, integers, booleans, objects and arrays of them. */
const shapeArbitrary: fc.Arbitrary<FieldShape> = fc.letrec<{ shape: FieldShape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<FieldShape>({ type: 'string' }, { type: 'integer' }, { type: 'boolean' }),
    fc
      .dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('shape'), { minKeys: 1, maxKeys: 4 })
      .map((properties): FieldShape => ({ type: 'object', properties })),
    tie('shape').map((items): FieldShape => ({ type: 'array', items })),
  ),
})).shape;

/** A value of a shape (every object member present, arrays of 0-2 elements). */
function valueArbitrary(shape: FieldShape): fc.Arbitrary<unknown> {
  switch (shape.type) {
    case 'integer':
      return fc.integer({ min: -5, max: 5 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueArbitrary(shape.items ?? { type: 'string' }), { maxLength: 2 });
    case 'object': {
      const members = Object.entries(shape.properties ?? {}).map(
        ([name, child]) => [name, valueArbitrary(child)] as const,
      );
      return fc.record(Object.fromEntries(members));
    }
    default:
      return shape.enum ? fc.constantFrom(...shape.enum) : fc.string({ maxLength: 4 });
  }
}

/** The dotted paths of every leaf of a value (primitives, and empty arrays or objects). */
function leaves(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [path];
    return value.flatMap((item, index) => leaves(item, `${path}[${index}]`));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [path];
    return entries.flatMap(([name, member]) => leaves(member, path === '' ? name : `${path}.${name}`));
  }
  return [path];
}

/** A copy of `value` with the leaf at `path` replaced by something no generator produces. */
function changedAt(value: unknown, path: string): unknown {
  const copy = structuredClone(value);
  const steps = path.match(/[^.[\]]+/g) ?? [];
  if (steps.length === 0) return { changed: true };
  let node = copy as Record<string, unknown>;
  for (const step of steps.slice(0, -1)) node = node[step] as Record<string, unknown>;
  node[steps.at(-1) as string] = { changed: true };
  return copy;
}

const entitlementShapes: ReplayShapes = {
  request: operationShapes.createPartnerV2Entitlement.requestBody.schema,
  stored: operationShapes.getPartnerV2Entitlement.responses['200'],
};

/** Request bodies over the generated request shape (the fields the response also carries). */
function entitlementBody(): fc.Arbitrary<Record<string, unknown>> {
  const request = entitlementShapes.request.properties ?? {};
  const carried = entitlementShapes.stored.properties ?? {};
  const members = Object.entries(request)
    .filter(([name, shape]) => name in carried && shape.writeOnly !== true)
    .map(([name, shape]) => [name, valueArbitrary(shape)] as const);
  return fc.record(Object.fromEntries(members), { requiredKeys: [] }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

describe('differingFields (properties)', () => {
  const objectShape = shapeArbitrary.filter((shape) => shape.type === 'object');

  it('an entitlement stored as sent, with extra fields the vendor added, differs in nothing', () => {
    fc.assert(
      fc.property(
        objectShape.chain((shape) => fc.tuple(fc.constant(shape), valueArbitrary(shape))),
        fc.dictionary(fc.constantFrom('x', 'y', 'z'), fc.string()),
        ([shape, sent], extra) => {
          const stored = { ...(structuredClone(sent) as object), ...extra };
          expect(differingFields(sent, stored, { request: shape, stored: shape })).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('a change at any leaf that was sent is reported at exactly that path', () => {
    fc.assert(
      fc.property(
        objectShape
          .chain((shape) => fc.tuple(fc.constant(shape), valueArbitrary(shape)))
          .chain(([shape, sent]) =>
            fc.tuple(fc.constant(shape), fc.constant(sent), fc.constantFrom(...leaves(sent))),
          ),
        ([shape, sent, path]) => {
          const stored = changedAt(sent, path);
          expect(differingFields(sent, stored, { request: shape, stored: shape })).toEqual([path]);
        },
      ),
      RUNS,
    );
  });

  it('every reported path is a path the caller sent', () => {
    fc.assert(
      fc.property(
        objectShape.chain((shape) =>
          fc.tuple(fc.constant(shape), valueArbitrary(shape), valueArbitrary(shape)),
        ),
        ([shape, sent, stored]) => {
          const sentPaths = leaves(sent);
          for (const path of differingFields(sent, stored, { request: shape, stored: shape }))
            expect(
              sentPaths.some(
                (leaf) =>
                  leaf === path || leaf.startsWith(`${path}.`) || leaf.startsWith(`${path}[`) || path === '',
              ),
            ).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('write-only fields and fields the response does not carry never differ', () => {
    fc.assert(
      fc.property(objectShape, fc.string(), fc.string(), (shape, hidden, other) => {
        const request: FieldShape = {
          ...shape,
          properties: {
            ...shape.properties,
            secret: { type: 'string', writeOnly: true },
            coupon: { type: 'string' },
          },
        };
        const stored: FieldShape = {
          ...shape,
          properties: { ...shape.properties, secret: { type: 'string' } },
        };
        expect(
          differingFields(
            { secret: hidden, coupon: hidden },
            { secret: other, coupon: other },
            { request, stored },
          ),
        ).toEqual([]);
      }),
      RUNS,
    );
  });

  it('on the generated entitlement: the stored copy matches, and each changed sent field is named', () => {
    fc.assert(
      fc.property(
        entitlementBody().filter((body) => Object.keys(body).length > 0),
        fc.nat(),
        (body, pick) => {
          const stored = { ...structuredClone(body), id: 'ent-1', metadata: { self: 'https://x.example/e' } };
          expect(differingFields(body, stored, entitlementShapes)).toEqual([]);
          const paths = leaves(body);
          const path = paths[pick % paths.length] as string;
          expect(differingFields(body, changedAt(stored, path), entitlementShapes)).toEqual([path]);
        },
      ),
      RUNS,
    );
  });
});
