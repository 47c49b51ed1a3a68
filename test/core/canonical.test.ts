import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, EntitlementError, jsonSnapshot } from '../../src/core/index.ts';

const SEED = 20261201;

/** Whatever a caller might pass: JSON values, and values JSON cannot carry, nested anywhere. */
const anything = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(undefined, Number.NaN, -Infinity, 10n, () => 1, Symbol('s'), new Date(0), new Map()),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), tie('node'), { maxKeys: 3 }),
  ),
})).node;

function outcome(make: () => unknown): { value?: unknown; error?: unknown } {
  try {
    return { value: make() };
  } catch (error) {
    expect(EntitlementError.isInstance(error)).toBe(true);
    const { kind, message, details } = error as EntitlementError;
    return { error: { kind, message, details } };
  }
}

/** The canonical form spelled out another way: keys sorted by code unit, no whitespace. */
function sortedText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedText).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${sortedText(member)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

describe('canonicalJson', () => {
  it("is the JSON text with every object's keys sorted (batch journals keep digests of it)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(text).toBe(sortedText(value));
        expect(JSON.parse(text)).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: true, skipped: undefined })).toBe(
      '{"a":true,"b":[1,{"c":"x","d":null}]}',
    );
  });
});

describe('jsonSnapshot', () => {
  it('is what JSON would carry, for any JSON value: equal to a JSON round trip, and a copy', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const snapshot = jsonSnapshot(value);
        expect(snapshot).toStrictEqual(JSON.parse(JSON.stringify(value)));
        expect(JSON.stringify(snapshot)).toBe(JSON.stringify(value));
        if (typeof value === 'object' && value !== null) expect(snapshot).not.toBe(value);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('refuses exactly what canonicalJson refuses, and agrees with it otherwise', () => {
    fc.assert(
      fc.property(anything, (value) => {
        const snapshot = outcome(() => jsonSnapshot(value, 'entitlement', 'confluent'));
        const canonical = outcome(() => canonicalJson(value, 'entitlement', 'confluent'));
        if (canonical.error !== undefined) {
          // Both name the first value refused; canonicalJson walks keys sorted, the snapshot in order.
          expect(snapshot.error).toMatchObject({ kind: 'invalid-argument' });
          expect(canonical.error).toMatchObject({ kind: 'invalid-argument' });
        } else {
          expect(snapshot.error).toBeUndefined();
          expect(canonicalJson(snapshot.value)).toBe(canonical.value);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('keeps an own "__proto__" member as a member, never as the prototype', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as object;
    const snapshot = jsonSnapshot(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(Object.keys(snapshot)).toStrictEqual(['__proto__', 'a']);
    expect(JSON.stringify(snapshot)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });

  it('names where a refused value sits, and leaves what the caller holds alone', () => {
    const caller = { organization: { id: 'org-1', tags: ['a', 10n] } };
    const error = outcome(() => jsonSnapshot(caller, 'entitlement', 'confluent')).error as {
      kind: string;
      details: unknown[];
    };
    expect(error.kind).toBe('invalid-argument');
    expect(error.details).toStrictEqual([
      { field: 'entitlement.organization.tags[1]', description: 'is a bigint' },
    ]);
    const cycle: Record<string, unknown> = { a: [1] };
    (cycle.a as unknown[]).push(cycle);
    expect(outcome(() => jsonSnapshot(cycle, 'entitlement')).error).toMatchObject({
      details: [{ field: 'entitlement.a[1]' }],
    });
    const shared = { id: 'x' };
    expect(jsonSnapshot({ first: shared, second: shared })).toStrictEqual({
      first: { id: 'x' },
      second: { id: 'x' },
    });
  });
});
