/**
 * The `entitlements` CLI, run as child processes (`node src/cli/main.ts ...`, Node 24 type
 * stripping) against emulators started in this process and passed through the environment.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import {
  type ChannelEmulator,
  type ConfluentEmulator,
  startChannelEmulator,
  startConfluentEmulator,
} from '../../src/testing/index.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ANSI = '\u001b[';
const ACCOUNT = 'accounts/C0000001';
const CONFLUENT_PLAN = 'confluent-cloud-payg-prod';
const CONFLUENT_PRODUCT = 'confluent-cloud-for-apache-kafka';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Called with the child once stdout or stderr contains `text` (e.g. to send a signal). */
  when?: { text: string; act: (child: ReturnType<typeof spawn>, stdout: string) => void };
}

/** The parent's environment without anything that would configure the CLI. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(CONFLUENT_|CLOUD_CHANNEL_|GOOGLE_|NO_COLOR$|FORCE_COLOR$|CI$)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let triggered = false;
  const check = () => {
    if (options.when && !triggered && (stdout + stderr).includes(options.when.text)) {
      triggered = true;
      options.when.act(child, stdout);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const TOKEN = /^ep1\.[A-Za-z0-9_-]+$/;

let confluent: ConfluentEmulator;
let channel: ChannelEmulator;
/** Operations there never complete: for deadlines and Ctrl-C. */
let stuck: ChannelEmulator;
let env: Record<string, string>;
let customerCount = 0;
/** A fresh customer per Cloud Channel create (a customer holds one SKU once). */
const customer = () => `${ACCOUNT}/customers/T${String(customerCount++).padStart(4, '0')}`;
const customers = Array.from({ length: 40 }, (_, index) => ({
  name: `${ACCOUNT}/customers/T${String(index).padStart(4, '0')}`,
}));

beforeAll(async () => {
  [confluent, channel, stuck] = await Promise.all([
    startConfluentEmulator(),
    startChannelEmulator({ customers, completion: { afterPolls: 2 } }),
    startChannelEmulator({ customers, completion: {} }),
  ]);
  env = {
    CONFLUENT_BASE_URL: confluent.url,
    CONFLUENT_PARTNER_TOKEN: 'emulator-token',
    CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${channel.grpcAddress.port}`,
  };
});

afterAll(async () => {
  await Promise.all([confluent?.close(), channel?.close(), stuck?.close()]);
});

function confluentArgs(externalId: string, extra: string[] = []): string[] {
  return [
    'create',
    'confluent',
    '--external-id',
    externalId,
    '--name',
    'CLI test',
    '--plan-id',
    CONFLUENT_PLAN,
    '--product-id',
    CONFLUENT_PRODUCT,
    ...extra,
  ];
}

function channelArgs(parent: string, extra: string[] = []): string[] {
  return ['create', 'google-channel', '--parent', parent, '--offer', `${ACCOUNT}/offers/OFFER-GCP`, ...extra];
}

describe.concurrent('entitlements demo', () => {
  it('provisions at both vendors, prints progress and a table, and exits 0 by itself', async () => {
    const run = await cli(['demo'], { timeoutMs: 25_000 });
    expect(run.signal).toBeNull(); // not killed by the timeout: it ended on its own
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/┌.*┐/);
    expect(run.stdout).toMatch(
      /│ vendor\s+│ id\s+│ state\s+│ plan \/ offer\s+│ product\s+│ polls\s+│ attempts\s+│ duration/,
    );
    expect(run.stdout).toMatch(/│ confluent\s+│ ent-\S+\s+│ active\s+│ confluent-cloud-payg-prod/);
    expect(run.stdout).toMatch(
      /│ google-channel\s+│ accounts\/C0000001\/customers\/S0000001\/entitlements\/\S+\s+│ active\s+│ accounts\/C0000001\/offers\//,
    );
    // Progress of the long-running operation, as plain lines (stderr is not a terminal here).
    expect(run.stderr).toMatch(
      /google-channel: waiting for the operation · poll 2 · [\d.]+ (ms|s) · CREATE_ENTITLEMENT/,
    );
    expect(run.stderr).not.toContain(ANSI);
  }, 30_000);

  it('--json prints one JSON document with two active entitlements', async () => {
    const run = await cli(['--json', 'demo', '--transport', 'rest'], { timeoutMs: 25_000 });
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as {
      entitlements: { vendor: string; state: string; id: string; polls: number; raw: unknown }[];
    };
    expect(document.entitlements).toHaveLength(2);
    expect(document.entitlements.map((entitlement) => entitlement.vendor).sort()).toEqual([
      'confluent',
      'google-channel',
    ]);
    for (const entitlement of document.entitlements) {
      expect(entitlement.state).toBe('active');
      expect(entitlement.id).not.toBe('');
      expect(entitlement.raw).toBeTypeOf('object');
    }
    expect(document.entitlements.find((entitlement) => entitlement.vendor === 'google-channel')?.polls).toBe(
      3,
    );
    expect(run.stderr).toBe(''); // no progress with --json
  }, 30_000);
});

describe.concurrent('help, version, usage errors', () => {
  it('--help documents the commands, the environment and the exit codes', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['demo', 'create', 'wait', 'get', 'emulator'])
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const variable of [
      'CONFLUENT_API_KEY',
      'CONFLUENT_API_SECRET',
      'CONFLUENT_PARTNER_TOKEN',
      'CONFLUENT_BASE_URL',
      'CLOUD_CHANNEL_EMULATOR_HOST',
      'CLOUD_CHANNEL_TRANSPORT',
      'NO_COLOR',
    ])
      expect(run.stdout).toContain(variable);
    expect(run.stdout).toContain('Exit codes:');
    for (const code of Object.values(EXIT)) expect(run.stdout).toMatch(new RegExp(`^ +${code}  `, 'm'));
  });

  it.each([
    ['demo', '--polls'],
    ['create', 'google-channel'],
    ['create confluent', '--external-id'],
    ['create google-channel', '--idempotency-key'],
    ['wait', '--timeout'],
    ['get', 'confluent'],
    ['get confluent', '--organization-id'],
    ['get google-channel', '--endpoint'],
    ['emulator', '--channel-grpc-port'],
  ])('%s --help', async (command, expected) => {
    const run = await cli([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: entitlements ${command}`);
    expect(run.stdout).toContain(expected);
    expect(run.stdout).toContain('--json');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const run = await cli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('an unknown command exits 2 (and with --json says so as JSON on stderr)', async () => {
    const [text, json] = await Promise.all([cli(['frobnicate']), cli(['--json', 'frobnicate'])]);
    expect(text.code).toBe(EXIT.usage);
    expect(text.stderr).toContain("unknown command 'frobnicate'");
    expect(json.code).toBe(EXIT.usage);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { kind: 'usage', vendor: 'cli', exitCode: 2 } });
    expect(json.stdout).toBe('');
  });

  it('missing or malformed options exit 2 before anything runs', async () => {
    const runs = await Promise.all([
      cli(['create', 'confluent', '--name', 'x'], { env }),
      cli([...channelArgs(customer()), '--param', 'no-equals-sign'], { env }),
      cli([...channelArgs(customer()), '--timeout', 'soon'], { env }),
      cli(['get', 'google-channel', `${ACCOUNT}/customers/T9999/entitlements/x`, '--insecure'], { env }),
      cli(['get', 'google-channel', 'x', '--endpoint', 'no-port'], { env }),
    ]);
    for (const run of runs) expect(run.code, run.stderr).toBe(EXIT.usage);
    expect(runs[0]?.stderr).toContain("required option '--external-id <id>' not specified");
    expect(runs[3]?.stderr).toContain('--insecure needs --endpoint');
  });
});

describe.concurrent('create, wait, get against the emulators', () => {
  it('confluent: create --no-wait prints only a token; wait <token> finishes it', async () => {
    const externalId = `cli-${Date.now()}-c`;
    const created = await cli(confluentArgs(externalId, ['--no-wait']), { env });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(TOKEN);
    expect(created.stdout).toBe(`${token}\n`);

    const waited = await cli(['--json', 'wait', token], { env });
    expect(waited.code, waited.stderr).toBe(0);
    const entitlement = JSON.parse(waited.stdout) as { id: string; state: string; externalId: string };
    expect(entitlement).toMatchObject({ state: 'active', externalId });
    expect(confluent.entitlements().filter((stored) => stored.external_id === externalId)).toEqual([
      expect.objectContaining({ id: entitlement.id }),
    ]);

    const read = await cli(['get', 'confluent', entitlement.id], { env });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain(entitlement.id);
    expect(read.stdout).toMatch(/state\s+active/);
  });

  it('google-channel: create --no-wait, then wait <token> with progress', async () => {
    const parent = customer();
    const created = await cli(channelArgs(parent, ['--no-wait', '--idempotency-key', `cli-${parent}`]), {
      env,
    });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(TOKEN);
    const operations = channel.operations().filter((operation) => operation.parent === parent);
    expect(operations).toMatchObject([{ done: false }]);

    const waited = await cli(['wait', token, '--poll-interval', '50'], { env });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toMatch(/google-channel: waiting for the operation · poll 1/);
    const stored = channel.entitlements().find((entitlement) => entitlement.name?.startsWith(parent));
    expect(stored?.name).toBeTruthy();
    expect(waited.stdout).toContain(stored?.name as string);
    expect(waited.stdout).toMatch(/state\s+active/);

    const read = await cli(['--json', 'get', 'google-channel', stored?.name as string], { env });
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({
      vendor: 'google-channel',
      id: stored?.name,
      state: 'active',
    });
  });

  it('google-channel: create waits by default, with parameters, over REST with --endpoint --insecure', async () => {
    const parent = customer();
    const rest = new URL(channel.restUrl).host;
    const run = await cli(
      [
        '--json',
        ...channelArgs(parent, ['--param', 'num_units=7', '--poll-interval', '50']),
        '--transport',
        'rest',
        '--endpoint',
        rest,
        '--insecure',
      ],
      { env: { CLOUD_CHANNEL_EMULATOR_HOST: 'unused.invalid:1' } },
    );
    expect(run.code, run.stderr).toBe(0);
    const entitlement = JSON.parse(run.stdout) as { state: string; raw: { parameters: unknown[] } };
    expect(entitlement.state).toBe('active');
    expect(entitlement.raw.parameters).toEqual([expect.objectContaining({ name: 'num_units' })]);
    expect(channel.calls.filter((call) => call.transport === 'rest').length).toBeGreaterThan(0);
  });

  it('get of a missing entitlement exits with the not-found code and says so', async () => {
    const [confluentRun, channelRun] = await Promise.all([
      cli(['get', 'confluent', 'ent-missing'], { env }),
      cli(['--json', 'get', 'google-channel', `${ACCOUNT}/customers/T9998/entitlements/missing`], { env }),
    ]);
    expect(confluentRun.code).toBe(EXIT.notFound);
    expect(confluentRun.stderr).toMatch(/error: \[not-found\] confluent: .*"ent-missing"/);
    expect(confluentRun.stdout).toBe('');
    expect(channelRun.code).toBe(EXIT.notFound);
    expect(JSON.parse(channelRun.stderr)).toMatchObject({
      error: { kind: 'not-found', vendor: 'google-channel', exitCode: EXIT.notFound },
    });
  });

  it('a deadline that passes exits 6 with the token, and `wait <token>` can take over', async () => {
    const parent = customer();
    const stuckEnv = { ...env, CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${stuck.grpcAddress.port}` };
    const [text, json] = await Promise.all([
      cli(channelArgs(parent, ['--timeout', '300', '--poll-interval', '50']), { env: stuckEnv }),
      cli(['--json', ...channelArgs(customer(), ['--timeout', '300', '--poll-interval', '50'])], {
        env: stuckEnv,
      }),
    ]);
    expect(text.code).toBe(EXIT.deadlineExceeded);
    const token = /entitlements wait (ep1\.\S+)/.exec(text.stderr)?.[1];
    expect(token).toMatch(TOKEN);
    expect(json.code).toBe(EXIT.deadlineExceeded);
    const error = (JSON.parse(json.stderr) as { error: { kind: string; token: string } }).error;
    expect(error.kind).toBe('deadline-exceeded');
    expect(error.token).toMatch(TOKEN);

    const again = await cli(['wait', token as string, '--timeout', '200', '--poll-interval', '50'], {
      env: stuckEnv,
    });
    expect(again.code).toBe(EXIT.deadlineExceeded);
    expect(stuck.operations().filter((operation) => operation.parent === parent)).toHaveLength(1);
  });

  it('Ctrl-C while waiting exits 130 and prints how to resume', async () => {
    const stuckEnv = { ...env, CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${stuck.grpcAddress.port}` };
    const run = await cli(channelArgs(customer(), ['--poll-interval', '50']), {
      env: stuckEnv,
      when: { text: 'poll 1', act: (child) => child.kill('SIGINT') },
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(EXIT.cancelled);
    expect(run.stderr).toContain('[cancelled]');
    expect(run.stderr).toMatch(/entitlements wait ep1\.\S+/);
  });
});

describe.concurrent('bad input, credentials and colors', () => {
  it('invalid input exits 3 and sends nothing', async () => {
    const [quietConfluent, quietChannel] = await Promise.all([
      startConfluentEmulator(),
      startChannelEmulator(),
    ]);
    try {
      const quietEnv = {
        CONFLUENT_BASE_URL: quietConfluent.url,
        CONFLUENT_PARTNER_TOKEN: 'emulator-token',
        CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${quietChannel.grpcAddress.port}`,
      };
      const runs = await Promise.all([
        cli(
          [
            'create',
            'confluent',
            '--external-id',
            'x',
            '--name',
            'x',
            '--plan-id',
            'no-such-plan',
            '--product-id',
            CONFLUENT_PRODUCT,
          ],
          { env: quietEnv },
        ),
        cli(['get', 'confluent', '../../etc/passwd'], { env: quietEnv }),
        cli(
          [
            'create',
            'google-channel',
            '--parent',
            'customers/nope',
            '--offer',
            `${ACCOUNT}/offers/OFFER-GCP`,
          ],
          {
            env: quietEnv,
          },
        ),
        cli(['--json', 'wait', 'not-a-token'], { env: quietEnv }),
      ]);
      for (const run of runs) expect(run.code, run.stderr).toBe(EXIT.invalidArgument);
      expect(runs[0]?.stderr).toMatch(/\[invalid-argument\] confluent: .*plan_id/);
      expect(runs[2]?.stderr).toMatch(/\[invalid-argument\] google-channel: .*parent/);
      expect(JSON.parse(runs[3]?.stderr as string)).toMatchObject({ error: { kind: 'invalid-argument' } });
      expect(quietConfluent.requests).toEqual([]);
      expect(quietChannel.calls).toEqual([]);
    } finally {
      await Promise.all([quietConfluent.close(), quietChannel.close()]);
    }
  });

  it('a secret from the environment never appears in the output, even when auth fails', async () => {
    const secret = 'super-secret-xyz';
    const badEnv = { ...env, CONFLUENT_PARTNER_TOKEN: secret };
    const runs = await Promise.all([
      cli(['get', 'confluent', 'ent-anything'], { env: badEnv }),
      cli(['--json', 'get', 'confluent', 'ent-anything'], { env: badEnv }),
      cli(confluentArgs('cli-secret'), { env: badEnv }),
      cli(['get', 'confluent', 'ent-anything'], {
        env: {
          CONFLUENT_API_KEY: 'emulator-key',
          CONFLUENT_API_SECRET: secret,
          CONFLUENT_BASE_URL: confluent.url,
        },
      }),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(EXIT.auth);
      expect(run.stderr).toContain('unauthenticated');
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('credentials inside an error message are redacted (a base URL carrying a token)', async () => {
    const secret = 'super-secret-abc';
    const run = await cli(['get', 'confluent', 'ent-1'], {
      env: { ...env, CONFLUENT_BASE_URL: `http://127.0.0.1:99999/?access_token=${secret}` },
    });
    expect(run.code).toBe(EXIT.invalidArgument);
    expect(run.stderr).toContain('baseUrl is not a URL');
    expect(run.stderr).toContain('access_token=[REDACTED]');
    expect(run.stderr).not.toContain(secret);
  });

  it('NO_COLOR output has no ANSI escapes (FORCE_COLOR alone has them)', async () => {
    const externalId = `cli-${Date.now()}-color`;
    const created = await cli(['--json', ...confluentArgs(externalId)], { env });
    const { id } = JSON.parse(created.stdout) as { id: string };
    const [colored, plain, coloredError, plainError] = await Promise.all([
      cli(['get', 'confluent', id], { env: { ...env, FORCE_COLOR: '1' } }),
      cli(['get', 'confluent', id], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '1' } }),
      cli(['get', 'confluent', 'ent-missing'], { env: { ...env, FORCE_COLOR: '1' } }),
      cli(['get', 'confluent', 'ent-missing'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '1' } }),
    ]);
    expect(colored.code).toBe(0);
    expect(colored.stdout).toContain(ANSI);
    expect(coloredError.stderr).toContain(ANSI);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(id);
    expect(plainError.code).toBe(EXIT.notFound);
    expect(plain.stdout + plain.stderr + plainError.stdout + plainError.stderr).not.toContain(ANSI);
  });
});

describe('entitlements emulator', () => {
  it('prints endpoints and env vars, serves them, and exits 0 on SIGINT', async () => {
    let answer: Promise<number> | undefined;
    const run = await cli(['emulator'], {
      when: {
        text: 'Press Ctrl-C',
        act: (child, stdout) => {
          // The printed endpoint answers (an unknown entitlement: 404), then Ctrl-C.
          const url = /CONFLUENT_BASE_URL=(\S+)/.exec(stdout)?.[1];
          answer = fetch(`${url}/partner/v2/entitlements/ent-nope`, {
            headers: { Authorization: 'Bearer emulator-token' },
          })
            .then((response) => response.status)
            .finally(() => child.kill('SIGINT'));
        },
      },
    });
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    expect(await answer).toBe(404);
    expect(run.stdout).toMatch(/export CONFLUENT_BASE_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toContain('export CONFLUENT_PARTNER_TOKEN=emulator-token');
    expect(run.stdout).toMatch(/export CLOUD_CHANNEL_EMULATOR_HOST=127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(/rest http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stderr).toContain('SIGINT: stopping the emulators');
  });
});
