/** The CLI's redaction, colors, exit codes and option parsing, as units. */
import { describe, expect, it } from 'vitest';
import { parseParameter } from '../../src/cli/commands/create.ts';
import { EXIT, EXIT_CODE_TABLE, exitCodeFor, exitCodeHelp } from '../../src/cli/exit-codes.ts';
import { parseEndpoint } from '../../src/cli/options.ts';
import {
  colorEnabled,
  createRedactor,
  errorJson,
  Output,
  REDACTED,
  redactDeep,
  tableWidth,
} from '../../src/cli/output.ts';
import { EntitlementError, ERROR_KINDS } from '../../src/core/index.ts';
import { createGoogleChannelProvisioner } from '../../src/vendors/google-channel/index.ts';

/** A stream that keeps what is written to it. */
function sink(extra: { isTTY?: boolean; columns?: number } = {}) {
  const stream = {
    text: '',
    write(chunk: string): boolean {
      stream.text += chunk;
      return true;
    },
    ...extra,
  };
  return stream;
}

describe('redaction', () => {
  const env = {
    CONFLUENT_PARTNER_TOKEN: 'partner-tok-123',
    CONFLUENT_API_KEY: 'KEY42',
    CONFLUENT_API_SECRET: 's3cr3t/with+odd"chars',
    MY_SERVICE_TOKEN: 'another-long-token',
    SHORT_TOKEN: 'abc',
    HOME: '/home/someone',
  };
  const redact = createRedactor(env);

  it('removes the secret values of the environment, raw, URL-encoded and JSON-escaped', () => {
    const text = [
      'token partner-tok-123',
      'secret s3cr3t/with+odd"chars',
      `encoded ${encodeURIComponent('s3cr3t/with+odd"chars')}`,
      `json ${JSON.stringify('s3cr3t/with+odd"chars')}`,
      'key KEY42',
      'other another-long-token',
      `basic ${Buffer.from('KEY42:s3cr3t/with+odd"chars').toString('base64')}`,
    ].join('\n');
    const result = redact(text);
    for (const secret of [
      'partner-tok-123',
      's3cr3t',
      'KEY42',
      'another-long-token',
      encodeURIComponent('s3cr3t/with+odd"chars'),
      Buffer.from('KEY42:s3cr3t/with+odd"chars').toString('base64'),
    ])
      expect(result).not.toContain(secret);
    expect(result.split(REDACTED).length - 1).toBeGreaterThanOrEqual(7);
  });

  it('keeps ordinary text, short values of loosely named variables, paths and operation tokens', () => {
    const text =
      'Confluent has no entitlement "ent-1" (abc) in /home/someone; resume: entitlements wait ep1.eyJ2ZW5kb3IiOiJ4In0 token: ep1.eyJ2In0';
    expect(redact(text)).toBe(text);
    const help =
      'no Confluent credentials: pass { confluent: { credentials } } or set CONFLUENT_API_KEY and CONFLUENT_API_SECRET, or CONFLUENT_PARTNER_TOKEN';
    expect(redact(help)).toBe(help);
  });

  it.each([
    ['Authorization: Bearer abc.def-ghi', 'Authorization: [REDACTED]'],
    ['{"authorization":"Basic dXNlcjpwYXNz"}', '{"authorization":"[REDACTED]"}'],
    ['sent with bearer header: Bearer zyx987654', 'sent with bearer header: Bearer [REDACTED]'],
    ['https://x.test/cb?access_token=abcdef&x=1', 'https://x.test/cb?access_token=[REDACTED]&x=1'],
    ['{"client_secret": "hunter22"}', '{"client_secret": "[REDACTED]"}'],
    ['api_key=AKIA123 password: p4ss', 'api_key=[REDACTED] password: [REDACTED]'],
    ['X-Api-Key: 0123456789', 'X-Api-Key: [REDACTED]'],
    ['https://user:pa55@proxy.test:8080/path', 'https://[REDACTED]@proxy.test:8080/path'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_ok end', 'jwt [REDACTED] end'],
    ['google ya29.a0AfH6SM-xyz_123 end', 'google [REDACTED] end'],
    ['key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY----- end', 'key [REDACTED] end'],
  ])('%s', (input, expected) => {
    expect(createRedactor({})(input)).toBe(expected);
  });

  it('redactDeep clears credential-named keys and redacts every string', () => {
    const value = {
      message: 'failed with Bearer abcdefgh',
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

  it('errorJson redacts message and details but keeps the operation token and the facts', () => {
    const error = new EntitlementError({
      kind: 'unauthenticated',
      vendor: 'confluent',
      message: 'rejected partner-tok-123',
      httpStatus: 401,
      token: 'ep1.abc',
      details: [{ detail: 'Authorization: Bearer partner-tok-123' }],
    });
    const json = errorJson(error, 5, redact);
    expect(JSON.stringify(json)).not.toContain('partner-tok-123');
    expect(json).toMatchObject({
      error: { kind: 'unauthenticated', vendor: 'confluent', httpStatus: 401, token: 'ep1.abc', exitCode: 5 },
    });
  });

  it('Output.error prints nothing secret, as text and as JSON', () => {
    for (const json of [false, true]) {
      const stream = sink();
      const output = new Output({ json, env, stdout: stream, stderr: stream });
      output.error(
        new EntitlementError({
          kind: 'internal',
          vendor: 'confluent',
          message: 'boom another-long-token',
          reason: 'Bearer partner-tok-123',
          requestId: 'r-1',
        }),
        8,
      );
      output.error(new Error('plain failure with KEY42'), 1);
      expect(stream.text).toContain('r-1');
      expect(stream.text).not.toMatch(/another-long-token|partner-tok-123|KEY42/);
    }
  });
});

describe('colors', () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true, isTTY: false };

  it('follows NO_COLOR, --no-color, FORCE_COLOR and the terminal', () => {
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(pipe, {})).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(tty, {}, false)).toBe(false);
    expect(colorEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('a table too wide for the terminal becomes label/value blocks', () => {
    const stdout = sink({ isTTY: true, columns: 40 });
    const output = new Output({ env: { NO_COLOR: '1' }, stdout });
    const rows = [['google-channel', 'accounts/C1/customers/S1/entitlements/E1', 'active']];
    expect(tableWidth([['vendor', 'id', 'state'], ...rows])).toBeGreaterThan(40);
    output.say(output.table(['vendor', 'id', 'state'], rows));
    expect(stdout.text).toBe(
      'google-channel\n  id     accounts/C1/customers/S1/entitlements/E1\n  state  active\n',
    );
    const wideStdout = sink({ isTTY: true, columns: 200 });
    const wide = new Output({ env: { NO_COLOR: '1' }, stdout: wideStdout });
    wide.say(wide.table(['vendor', 'id', 'state'], rows));
    expect(wideStdout.text).toContain(
      '│ google-channel │ accounts/C1/customers/S1/entitlements/E1 │ active │',
    );
  });
});

describe('exit codes', () => {
  it('every error kind has its own documented code, never the unexpected one', () => {
    for (const kind of ERROR_KINDS) {
      const code = exitCodeFor(new EntitlementError({ kind, vendor: 'x', message: 'm' }));
      expect(code, kind).not.toBe(EXIT.unexpected);
      expect(EXIT_CODE_TABLE.find((row) => row.code === code)?.kinds).toContain(kind);
    }
    expect(exitCodeFor(new Error('bug'))).toBe(EXIT.unexpected);
  });

  it.each([
    ['invalid-argument', 3],
    ['not-found', 4],
    ['already-exists', 4],
    ['unauthenticated', 5],
    ['permission-denied', 5],
    ['deadline-exceeded', 6],
    ['operation-failed', 7],
    ['failed-precondition', 7],
    ['unavailable', 8],
    ['rate-limited', 8],
    ['internal', 8],
    ['cancelled', 130],
  ] as const)('%s -> %i', (kind, code) => {
    expect(exitCodeFor(new EntitlementError({ kind, vendor: 'x', message: 'm' }))).toBe(code);
    expect(exitCodeHelp()).toMatch(new RegExp(`^ +${code}  .*${kind}`, 'm'));
  });
});

describe('option parsing', () => {
  it('--param infers or takes the value type', () => {
    expect(parseParameter('num_units=10')).toEqual([{ name: 'num_units', value: { int64Value: '10' } }]);
    expect(parseParameter('flag=true')).toEqual([{ name: 'flag', value: { boolValue: true } }]);
    expect(parseParameter('ratio=0.5')).toEqual([{ name: 'ratio', value: { doubleValue: 0.5 } }]);
    expect(parseParameter('region=eu=west')).toEqual([{ name: 'region', value: { stringValue: 'eu=west' } }]);
    expect(parseParameter('code:string=007', [{ name: 'a', value: { boolValue: false } }])).toEqual([
      { name: 'a', value: { boolValue: false } },
      { name: 'code', value: { stringValue: '007' } },
    ]);
    expect(() => parseParameter('novalue')).toThrow(/name=value/);
    expect(() => parseParameter('n:int=ten')).toThrow(/not an integer/);
  });

  it('--endpoint takes host:port and [ipv6]:port', () => {
    expect(parseEndpoint('127.0.0.1:8085')).toEqual({ host: '127.0.0.1', port: 8085 });
    // IPv6 keeps its brackets: the Cloud Channel adapter (and gRPC) take the host that way.
    expect(parseEndpoint('[::1]:443')).toEqual({ host: '[::1]', port: 443 });
    expect(() =>
      createGoogleChannelProvisioner({
        apiEndpoint: parseEndpoint('[::1]:443').host,
        port: 443,
        insecure: true,
      }),
    ).not.toThrow();
    expect(() => parseEndpoint('localhost')).toThrow(/host:port/);
    expect(() => parseEndpoint('localhost:70000')).toThrow(/host:port/);
  });
});
