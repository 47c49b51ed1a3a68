/**
 * Redaction hides secrets only: every secret given (and its URL, JSON, base64, Bearer and Basic
 * forms) is removed, and ordinary prose, even prose about tokens and secrets, comes out unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, redactDeep, secretsFromEnvironment } from '../../src/cli/redact.ts';

/** Words and phrases of the CLI's and the vendors' messages, including the ones that look like keys. */
const WORDS = [
  'not',
  'an',
  'operation',
  'token:',
  'token',
  'tokens',
  'expected',
  'a',
  'string',
  'starting',
  'with',
  '"ep1."',
  'secret:',
  'the',
  'secret',
  'is',
  'missing.',
  'Set',
  'CONFLUENT_API_SECRET',
  'CONFLUENT_PARTNER_TOKEN',
  'key',
  'API',
  'password',
  'password:',
  'a Bearer token',
  'Basic authentication',
  'the Authorization header',
  'api_key',
  'was',
  'refused',
  'at',
  'http://127.0.0.1:8080',
  'https://api.confluent.cloud',
  '(HTTP 401)',
  'customer',
  'accounts/C0000001/customers/S0000002',
  'domain',
  'not verified:',
  'ent-123',
  'entitlements wait ep1.eyJ2ZW5kb3IiOiJjb25mbHVlbnQiLCJpZCI6ImVudC0xIn0',
  'resume',
  'it',
  'later.',
  'credentials',
  'Cloud',
  'Channel',
  'FAILED_PRECONDITION',
  'x-request-id',
  'r-42',
  '/plan_id',
  'must be one of',
  'é',
  '日本',
];
const SEPARATORS = [' ', ' ', ' ', ': ', ', ', '. ', '; ', '\n', ' (', ') '];

const prose = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength: 30 })
  .map((parts) => parts.map(([word, separator]) => word + separator).join(''));

/** Secrets as vendors issue them: API keys, secrets, tokens. */
const tokenLike = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~+/=-]{7,63}$/);
/** Any text of 8+ characters, unicode and quotes included. */
const anyText = fc
  .string({ unit: 'grapheme', minLength: 8, maxLength: 40 })
  .filter((text) => text.trim() === text);

function formsOf(secret: string): string[] {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    base64,
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
}

/** The text with its redaction markers taken out (a secret never hides inside a marker). */
const withoutMarkers = (text: string) => text.split(REDACTED).join('\u0000');

describe('redaction: properties', () => {
  it('ordinary prose survives unchanged, whatever secrets are configured', () => {
    fc.assert(
      fc.property(prose, tokenLike, tokenLike, tokenLike, (text, key, secret, token) => {
        const forms = [key, secret, token, Buffer.from(`${key}:${secret}`).toString('base64')].flatMap(
          formsOf,
        );
        fc.pre(forms.every((form) => !text.includes(form)));
        const redact = createRedactor({
          CONFLUENT_API_KEY: key,
          CONFLUENT_API_SECRET: secret,
          CONFLUENT_PARTNER_TOKEN: token,
        });
        expect(redact(text)).toBe(text);
      }),
      { numRuns: 400 },
    );
  });

  it('any other text survives too, when it holds no secret and no credential syntax', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        fc.pre(
          !/bearer|basic|authori|api-key|cookie|token=|secret|password|passwd|key=|:\/\/|eyJ|-----BEGIN/i.test(
            text,
          ),
        );
        expect(createRedactor({})(text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('every given secret is removed, in each of its forms, wherever it sits in prose', () => {
    fc.assert(
      fc.property(
        prose,
        prose,
        fc.oneof(tokenLike, anyText),
        fc.oneof(tokenLike, anyText),
        fc.constantFrom('CONFLUENT_API_SECRET', 'CONFLUENT_PARTNER_TOKEN', 'MY_SERVICE_TOKEN', 'DB_PASSWORD'),
        (before, after, key, secret, variable) => {
          fc.pre(!key.includes(':') && !WORDS.some((word) => word.includes(secret) || word.includes(key)));
          const env = { CONFLUENT_API_KEY: key, [variable]: secret };
          const redact = createRedactor(env);
          // The Basic credential is made of the API key and its secret.
          const basic = Buffer.from(`${key}:${env.CONFLUENT_API_SECRET ?? ''}`).toString('base64');
          const forms = [...formsOf(secret), ...formsOf(key), ...(env.CONFLUENT_API_SECRET ? [basic] : [])];
          const carriers = [
            ...forms.map((form) => `${before}${form}${after}`),
            `${before}Authorization: Bearer ${secret}${after}`,
            `${before}Authorization: Basic ${basic}${after}`,
            `${before}{"authorization":"Bearer ${JSON.stringify(secret).slice(1, -1)}"}${after}`,
            `${before}https://x.test/cb?access_token=${encodeURIComponent(secret)}&x=1${after}`,
          ];
          for (const text of carriers) {
            const result = withoutMarkers(redact(text));
            for (const form of [secret, key, ...forms]) expect(result, text).not.toContain(form);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('short secrets are removed as whole words, not out of longer ones', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{3,7}$/), prose, (secret, text) => {
        fc.pre(!text.includes(secret));
        const redact = createRedactor({ CONFLUENT_API_KEY: secret });
        expect(redact(`${text} ${secret} ${text}`)).toBe(`${text} ${REDACTED} ${text}`);
        expect(redact(`${text}x${secret}x`)).toBe(`${text}x${secret}x`);
      }),
      { numRuns: 200 },
    );
  });
});

describe('redaction: examples', () => {
  it('keeps the words after "token:" (it used to eat them) and operation tokens', () => {
    const redact = createRedactor({ CONFLUENT_PARTNER_TOKEN: 'partner-tok-123' });
    for (const text of [
      'not an operation token: expected a string starting with "ep1." from operation.token',
      'resume: entitlements wait ep1.eyJ2ZW5kb3IiOiJ4In0 token: ep1.eyJ2In0',
      'send it as a Bearer token, or use Basic authentication; Authorization: missing',
      'set CONFLUENT_API_KEY and CONFLUENT_API_SECRET, or CONFLUENT_PARTNER_TOKEN',
      'password: required',
    ])
      expect(redact(text)).toBe(text);
  });

  it.each([
    ['Authorization: Bearer abc.def-ghi', 'Authorization: [REDACTED]'],
    ['Authorization: Basic dXNlcjpwYXNz, next', 'Authorization: [REDACTED], next'],
    ['{"authorization":"Basic dXNlcjpwYXNz"}', '{"authorization":"[REDACTED]"}'],
    ['sent with bearer header: Bearer zyx987654', 'sent with bearer header: Bearer [REDACTED]'],
    ['https://x.test/cb?access_token=abcdef&x=1', 'https://x.test/cb?access_token=[REDACTED]&x=1'],
    ['{"client_secret": "hunter22"}', '{"client_secret": "[REDACTED]"}'],
    ['api_key=AKIA123 password=p4ss', 'api_key=[REDACTED] password=[REDACTED]'],
    ['X-Api-Key: 0123456789', 'X-Api-Key: [REDACTED]'],
    ['https://user:pa55@proxy.test:8080/path', 'https://[REDACTED]@proxy.test:8080/path'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_ok end', 'jwt [REDACTED] end'],
    ['key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY----- end', 'key [REDACTED] end'],
  ])('%s', (input, expected) => {
    expect(createRedactor({})(input)).toBe(expected);
  });

  it("environment secrets: the CLI's own variables at any length, others when they are long enough", () => {
    const secrets = secretsFromEnvironment({
      CONFLUENT_API_KEY: 'K',
      CONFLUENT_API_SECRET: 's3cr3t',
      MY_SERVICE_TOKEN: 'another-long-token',
      SHORT_TOKEN: 'abc',
      HOME: '/home/someone',
      GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json',
    });
    expect(secrets).toEqual([
      'K',
      's3cr3t',
      'another-long-token',
      Buffer.from('K:s3cr3t').toString('base64'),
    ]);
  });

  it('redactDeep clears credential-named properties and redacts every string', () => {
    const value = {
      message: 'failed with Bearer abcdefgh1',
      details: [{ headers: { Authorization: 'Basic xyz', 'x-request-id': 'r-1' }, apiSecret: 'zz' }],
      when: new Date(0),
      count: 3,
    };
    expect(redactDeep(value, createRedactor({}))).toEqual({
      message: `failed with Bearer ${REDACTED}`,
      details: [{ headers: { Authorization: REDACTED, 'x-request-id': 'r-1' }, apiSecret: REDACTED }],
      when: new Date(0),
      count: 3,
    });
  });
});
