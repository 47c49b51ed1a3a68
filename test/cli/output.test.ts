/** The CLI's redaction, colors, exit codes and option parsing, as units. */
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_TABLE, exitCodeFor, exitCodeHelp } from '../../src/cli/exit-codes.ts';
import { parseEndpoint } from '../../src/cli/options.ts';
import { colorEnabled, createRedactor, errorJson, Output, tableWidth } from '../../src/cli/output.ts';
import { parseParameter } from '../../src/cli/parameters.ts';
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

describe('errors as printed', () => {
  const env = {
    CONFLUENT_PARTNER_TOKEN: 'partner-tok-123',
    CONFLUENT_API_KEY: 'KEY42',
    MY_SERVICE_TOKEN: 'another-long-token',
  };
  const redact = createRedactor(env);

  it('errorJson redacts message and details but keeps the operation token and the facts; no internal vendor', () => {
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
    const internal = errorJson(
      new EntitlementError({ kind: 'invalid-argument', vendor: 'core', message: 'm' }),
      3,
      redact,
    );
    expect(internal.error).not.toHaveProperty('vendor');
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

  it('Output.error: kind and message on one line, aligned facts, the endpoint and a hint; no "core"', () => {
    const stream = sink();
    const output = new Output({ env: {}, stdout: stream, stderr: stream });
    output.endpoint('confluent', 'http://127.0.0.1:9');
    output.error(
      new EntitlementError({
        kind: 'unavailable',
        vendor: 'confluent',
        message: 'Confluent could not be reached.',
        attempts: 3,
      }),
      8,
    );
    output.error(
      new EntitlementError({ kind: 'invalid-argument', vendor: 'core', message: 'Bad token.' }),
      3,
    );
    expect(stream.text).toBe(
      [
        'error: [unavailable] Confluent could not be reached.',
        '  vendor:   confluent',
        '  endpoint: http://127.0.0.1:9',
        '  attempts: 3',
        'Nothing answered at http://127.0.0.1:9: check --base-url or CONFLUENT_BASE_URL, and that the server is running.',
        'error: [invalid-argument] Bad token.',
        '',
      ].join('\n'),
    );
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
  it('invalid-argument is 3 when nothing was sent, 9 when the vendor answered (HTTP status or gRPC code)', () => {
    const error = (extra: object) =>
      new EntitlementError({ kind: 'invalid-argument', vendor: 'x', message: 'm', ...extra });
    expect(exitCodeFor(error({}))).toBe(EXIT.invalidArgument);
    expect(exitCodeFor(error({ httpStatus: 400 }))).toBe(EXIT.rejected);
    expect(exitCodeFor(error({ grpcCode: 3 }))).toBe(EXIT.rejected);
    expect(exitCodeHelp()).toMatch(
      /^ +9 {2}invalid-argument: the vendor received the request and rejected it/m,
    );
    expect(exitCodeHelp()).toMatch(/^ +3 {2}invalid-argument: the request is invalid and nothing was sent/m);
    expect(exitCodeHelp()).toMatch(/^ +141 {2}the output was closed early/m);
  });

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
