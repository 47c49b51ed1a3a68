import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BATCH_METHODS, parseRate, parseRateText } from '../../src/batch/rates.ts';
import { parseRate as parseWorkerRate, quotasFrom } from '../../src/cli/commands/worker.ts';
import { EntitlementError } from '../../src/core/index.ts';

const SEED = 20261201;
const UNIT_MS = { ms: 1, s: 1_000, sec: 1_000, min: 60_000, m: 60_000, h: 3_600_000, hour: 3_600_000 };

function refusal(parse: () => unknown): EntitlementError {
  try {
    parse();
  } catch (error) {
    expect(EntitlementError.isInstance(error)).toBe(true);
    return error as EntitlementError;
  }
  throw new Error('expected a refusal');
}

describe('the --rate grammar (apply and worker)', () => {
  it('reads vendor[:method]=N/<amount><unit> to N requests per amount x unit', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
        fc.option(fc.constantFrom(...BATCH_METHODS), { nil: undefined }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.option(fc.integer({ min: 1, max: 3_600 }), { nil: undefined }),
        fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[])),
        (vendor, method, limit, amount, unit) => {
          const text = `${vendor}${method ? `:${method}` : ''}=${limit}/${amount ?? ''}${unit}`;
          const rate = parseRateText(text, BATCH_METHODS, { methodRequired: false });
          expect(rate).toStrictEqual({
            vendor,
            method,
            quota: { limit, intervalMs: (amount ?? 1) * UNIT_MS[unit] },
          });
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('refuses with invalid-argument what is not a rate, saying what is wrong', () => {
    const cases: [string, string][] = [
      ['google-channel:create=60', 'not a rate'],
      ['google-channel:creates=1/min', 'the methods are create, poll, get'],
      ['google-channel=1/min', 'name a method'],
      ['google-channel:create=0/min', 'whole number >= 1'],
      ['google-channel:create=1.5/min', 'not a rate'],
      ['google-channel:create=1/week', 'the units are'],
      ['google-channel:create=1/0.5ms', 'at least 1 ms'],
    ];
    for (const [text, why] of cases) {
      const error = refusal(() => parseRate(text));
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).toContain(why);
    }
    expect(refusal(() => parseRate(5 as unknown as string)).kind).toBe('invalid-argument');
  });

  it('the worker takes the same grammar, without a method for one bucket of every call', () => {
    const rates = [
      'confluent=600/24000ms',
      'google-channel:create=120/min',
      'google-channel:poll=30/90s',
    ].reduce((previous, text) => parseWorkerRate(text, previous), [] as ReturnType<typeof parseWorkerRate>);
    expect(quotasFrom(rates)).toStrictEqual({
      confluent: { all: { limit: 600, intervalMs: 24_000 } },
      'google-channel': {
        create: { limit: 120, intervalMs: 60_000 },
        poll: { limit: 30, intervalMs: 90_000 },
      },
    });
    // A worker paces creates and polls: a get bucket is the batch's only.
    expect(() => parseWorkerRate('google-channel:get=1/min')).toThrow('the methods are create, poll');
  });
});
