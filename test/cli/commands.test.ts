/**
 * The `entitlements` commands, run in this process (`run()` with the test's streams, environment
 * and signals) against emulators started here.
 */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { allCommands, examplesOf, REQUIRED_GROUP } from '../../src/cli/help.ts';
import { run } from '../../src/cli/program.ts';
import {
  type ChannelEmulator,
  type ConfluentEmulator,
  startChannelEmulator,
  startConfluentEmulator,
} from '../../src/testing/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';
import { ANSI, ClosingPipe, cli, Sink, startCli, TOKEN } from './harness.ts';

const ACCOUNT = 'accounts/C0000001';
const PLAN = PLAN_ID;
const PRODUCT = PRODUCT_ID;

let confluent: ConfluentEmulator;
let channel: ChannelEmulator;
/** Operations there never complete: for deadlines, Ctrl-C and cancel. */
let stuck: ChannelEmulator;
let env: Record<string, string>;
let stuckEnv: Record<string, string>;
let customerCount = 0;
/** A fresh customer per Cloud Channel create (a customer holds one SKU once). */
const customer = () => `${ACCOUNT}/customers/T${String(customerCount++).padStart(4, '0')}`;
const customers = Array.from({ length: 60 }, (_, index) => ({
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
  stuckEnv = { ...env, CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${stuck.grpcAddress.port}` };
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
    PLAN,
    '--product-id',
    PRODUCT,
    ...extra,
  ];
}

function channelArgs(parent: string, extra: string[] = []): string[] {
  return ['create', 'google-channel', '--parent', parent, '--offer', `${ACCOUNT}/offers/OFFER-GCP`, ...extra];
}

/** The program with every command registered, as `run` builds it (captured from a --help run). */
async function program(): Promise<Command> {
  let captured: Command | undefined;
  const parse = Command.prototype.parseAsync;
  Command.prototype.parseAsync = function (this: Command, ...args: Parameters<Command['parseAsync']>) {
    captured = this;
    return parse.apply(this, args);
  };
  try {
    await cli(['--version']);
  } finally {
    Command.prototype.parseAsync = parse;
  }
  if (!captured) throw new Error('run() parsed nothing');
  return captured;
}

describe('help', () => {
  it('the top-level help has the commands, and once the environment and the exit codes', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['demo', 'create', 'wait', 'cancel', 'get', 'emulator', 'help'])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const variable of [
      'CONFLUENT_API_KEY',
      'CONFLUENT_API_SECRET',
      'CONFLUENT_PARTNER_TOKEN',
      'CONFLUENT_BASE_URL',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'CLOUD_CHANNEL_EMULATOR_HOST',
      'CLOUD_CHANNEL_TRANSPORT',
      'NO_COLOR',
    ])
      expect(stdout).toContain(variable);
    expect(stdout.match(/^Exit codes:/gm)).toHaveLength(1);
    expect(stdout.match(/^Environment/gm)).toHaveLength(1);
    for (const code of Object.values(EXIT)) expect(stdout).toMatch(new RegExp(`^ +${code}  `, 'm'));
  });

  it('every command has examples, and its help points to the top level instead of repeating it', async () => {
    const commands = allCommands(await program());
    expect(commands.map((command) => command.name())).toEqual(
      expect.arrayContaining([
        'demo',
        'create',
        'confluent',
        'google-channel',
        'wait',
        'cancel',
        'get',
        'emulator',
      ]),
    );
    for (const command of commands) {
      const path: string[] = [];
      for (let at: Command | null = command; at?.parent; at = at.parent) path.unshift(at.name());
      expect(examplesOf(command).length, path.join(' ')).toBeGreaterThan(0);
      const { code, stdout } = await cli([...path, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: entitlements ${path.join(' ')}`);
      expect(stdout.slice(stdout.indexOf('\nExamples:\n'))).toMatch(/^ {2}\$ .*\bentitlements /m);
      expect(stdout).not.toContain('Exit codes:');
      expect(stdout).not.toContain('CONFLUENT_API_SECRET  ');
      expect(stdout).toContain('Environment variables and exit codes: entitlements --help');
    }
  });

  it('required options are grouped, marked in the usage line, and commander enforces them', async () => {
    const { stdout } = await cli(['create', 'google-channel', '--help']);
    expect(stdout).toMatch(
      /^Usage: entitlements create google-channel --parent <customer> --offer <offer> \[options\]$/m,
    );
    const required = stdout.slice(stdout.indexOf(REQUIRED_GROUP), stdout.indexOf('\nOptions:'));
    expect(required).toContain('--parent <customer>');
    expect(required).toContain('--offer <offer>');
    expect(required).not.toContain('--param');
    const missing = await cli(['create', 'confluent', '--name', 'x'], { env });
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain("required option '--external-id <id>' not specified");
  });

  it('help <command> <subcommand> shows the subcommand, at any depth', async () => {
    const [viaHelp, viaFlag, viaJson, top] = await Promise.all([
      cli(['help', 'create', 'confluent']),
      cli(['create', 'confluent', '--help']),
      cli(['--json', 'help', 'get', 'google-channel']),
      cli(['help']),
    ]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: entitlements create confluent --external-id <id>');
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaJson.stdout).toContain('Usage: entitlements get google-channel');
    expect(top.stdout).toContain('Exit codes:');
    const unknown = await cli(['help', 'frobnicate']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an unknown command exits 2, as text or as JSON on stderr', async () => {
    const [text, json] = await Promise.all([cli(['frobnicate']), cli(['--json', 'frobnicate'])]);
    expect(text.code).toBe(EXIT.usage);
    expect(text.stderr).toContain("unknown command 'frobnicate'");
    expect(json.code).toBe(EXIT.usage);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { kind: 'usage', exitCode: 2 } });
    expect(json.stdout).toBe('');
  });

  it('the older run(argv, env) form still works', async () => {
    // No streams in the older form: it prints on this process's own, so only the code is checked.
    expect(await run(['node', 'entitlements', '--version'], {})).toBe(EXIT.ok);
  });
});

describe('closed pipes', () => {
  it('a help cut short ends quietly with 141, nothing on stderr', async () => {
    const stdout = new ClosingPipe();
    const first = await cli(['--help'], { stdout });
    expect(first.code).toBe(EXIT.closedPipe);
    expect(first.stderr).toBe('');
    expect(stdout.text).toContain('Usage: entitlements');
  });

  it('a command whose reader went away still completes (the demo closes its emulators) and ends with 141', async () => {
    const stdout = new ClosingPipe();
    const result = await cli(['demo', '--polls', '1'], { stdout });
    expect(result.code, result.stderr).toBe(EXIT.closedPipe);
    expect(stdout.text).toMatch(/^Emulators \(in this process, loopback only\)\n/);
    expect(stdout.text).not.toContain('│ vendor');
    expect(result.stderr).toMatch(/✔ google-channel: \S+ active/);
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
  });

  it('an error code wins over 141: the command failed, whether or not its message got through', async () => {
    const stderr = new ClosingPipe();
    const result = await cli(['get', 'confluent', 'ent-missing'], { env, stderr });
    expect(result.code).toBe(EXIT.notFound);
  });
});

describe('create, wait, get, cancel', () => {
  it("confluent: a clean create shows attempts 1 and the create's own status, 201; polls are counted apart", async () => {
    const externalId = `cli-${customerCount++}-c`;
    const text = await cli(confluentArgs(externalId), { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/attempts\s+1\n/);
    expect(text.stdout).toMatch(/polls\s+1\n/);
    expect(text.stdout).toMatch(/http status\s+201\n/);
    const json = await cli(['--json', ...confluentArgs(`${externalId}-json`)], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      state: 'active',
      externalId: `${externalId}-json`,
      attempts: 1,
      polls: 1,
      meta: { httpStatus: 201, attempts: 1 },
    });
  });

  it('a terminal that reports no width gets plain progress lines (the spinner would loop at 0 columns)', async () => {
    const stderr = new Sink({ isTTY: true, columns: 0 });
    const result = await cli(confluentArgs(`cli-${customerCount++}-tty`), {
      env: { ...env, NO_COLOR: '1' },
      stderr,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^- confluent: creating entitlement\n/);
    expect(result.stderr).toMatch(/✔ confluent: ent-\S+ active/);
  });

  it('confluent: create --no-wait prints only a token; wait <token> finishes it; get reads it', async () => {
    const externalId = `cli-${customerCount++}-nw`;
    const created = await cli(confluentArgs(externalId, ['--no-wait']), { env });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(TOKEN);
    expect(created.stdout).toBe(`${token}\n`);

    const waited = await cli(['--json', 'wait', token], { env });
    expect(waited.code, waited.stderr).toBe(0);
    const entitlement = JSON.parse(waited.stdout) as { id: string; polls: number; attempts?: number };
    expect(entitlement).toMatchObject({ state: 'active', externalId, polls: 1 });
    expect(entitlement.attempts).toBeUndefined(); // a resumed operation sent no create
    expect(confluent.entitlements().filter((stored) => stored.external_id === externalId)).toEqual([
      expect.objectContaining({ id: entitlement.id }),
    ]);

    const read = await cli(['get', 'confluent', entitlement.id], { env });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toMatch(/state\s+active/);
    expect(read.stdout).toMatch(/attempts\s+1\n/);
  });

  it('confluent: a repeated create says that nothing new was created', async () => {
    const externalId = `cli-${customerCount++}-again`;
    expect((await cli(confluentArgs(externalId), { env })).code).toBe(0);
    const again = await cli(confluentArgs(externalId), { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing new was created');
    expect(confluent.entitlements().filter((stored) => stored.external_id === externalId)).toHaveLength(1);
    // --json always says whether the create was a replay.
    const first = JSON.parse((await cli(['--json', ...confluentArgs(`${externalId}-json`)], { env })).stdout);
    const repeat = JSON.parse(
      (await cli(['--json', ...confluentArgs(`${externalId}-json`)], { env })).stdout,
    );
    expect(first.replayed).toBe(false);
    expect(repeat.replayed).toBe(true);
  });

  it('google-channel: create waits with progress; attempts 1 and polls 2 for an operation done on its 2nd poll', async () => {
    const parent = customer();
    const result = await cli(
      ['--json', ...channelArgs(parent, ['--param', 'num_units=7', '--poll-interval', '5'])],
      {
        env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const entitlement = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(entitlement).toMatchObject({
      state: 'active',
      attempts: 1,
      polls: 2,
      meta: { attempts: 1, grpcCode: 0 },
    });
    expect((entitlement.raw as { parameters: unknown[] }).parameters).toEqual([
      expect.objectContaining({ name: 'num_units' }),
    ]);
    const text = await cli(channelArgs(customer(), ['--poll-interval', '5']), { env });
    expect(text.stderr).toMatch(
      /google-channel: waiting for the operation · poll 1 · [\d.]+ (ms|s) · CREATE_ENTITLEMENT/,
    );
    expect(text.stdout).toMatch(/attempts\s+1\n\s+polls\s+2\n/);
    expect(text.stderr).not.toContain(ANSI);
  });

  it('google-channel over REST with --endpoint --insecure (the flag wins over the environment)', async () => {
    const rest = new URL(channel.restUrl).host;
    const before = channel.calls.filter((call) => call.transport === 'rest').length;
    const result = await cli(
      [
        ...channelArgs(customer(), ['--poll-interval', '5']),
        '--transport',
        'rest',
        '--endpoint',
        rest,
        '--insecure',
      ],
      { env: { CLOUD_CHANNEL_EMULATOR_HOST: 'unused.invalid:1' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(channel.calls.filter((call) => call.transport === 'rest').length).toBeGreaterThan(before);
  });

  it("a deadline that passes exits 6 with the token in the CLI's words; wait <token> takes over", async () => {
    const parent = customer();
    const text = await cli(channelArgs(parent, ['--timeout', '100', '--poll-interval', '5']), {
      env: stuckEnv,
    });
    expect(text.code).toBe(EXIT.deadlineExceeded);
    expect(text.stderr).toContain('still running when the wait ended at --timeout 100 ms');
    expect(text.stderr).not.toContain('resume(token)');
    const token = /entitlements wait (ep1\.\S+)/.exec(text.stderr)?.[1];
    expect(token).toMatch(TOKEN);
    const json = await cli(['--json', 'wait', token as string, '--timeout', '50', '--poll-interval', '5'], {
      env: stuckEnv,
    });
    expect(json.code).toBe(EXIT.deadlineExceeded);
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { kind: 'deadline-exceeded', vendor: 'google-channel', token, exitCode: EXIT.deadlineExceeded },
    });
    expect(stuck.operations().filter((operation) => operation.parent === parent)).toHaveLength(1);
  });

  it('Ctrl-C while waiting exits 130 and prints how to resume; the operation goes on', async () => {
    const running = startCli(channelArgs(customer(), ['--poll-interval', '5']), { env: stuckEnv });
    await running.waitFor('poll 1');
    running.signals.emit('SIGINT', 'SIGINT');
    const result = await running.done;
    expect(result.code).toBe(EXIT.cancelled);
    expect(result.stderr).toContain(
      '[cancelled] Interrupted by SIGINT while waiting; the operation was not cancelled.',
    );
    expect(result.stderr).toMatch(/entitlements wait ep1\.\S+/);
  });

  it('cancel <token> cancels a running Cloud Channel operation', async () => {
    const parent = customer();
    const created = await cli(channelArgs(parent, ['--no-wait']), { env: stuckEnv });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    const cancelled = await cli(['--json', 'cancel', token], { env: stuckEnv });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toEqual({ vendor: 'google-channel', token, outcome: 'cancelled' });
    expect(stuck.operations().find((operation) => operation.parent === parent)).toMatchObject({
      done: true,
      cancelled: true,
    });
    const text = await cli(['cancel', token], { env: stuckEnv });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('operation cancelled; no entitlement was created');
  });

  it('cancel of a finished operation says nothing was cancelled (7); of a Confluent token, that there is nothing to cancel (3)', async () => {
    const done = await cli(channelArgs(customer(), ['--no-wait']), { env });
    const token = done.stdout.trim();
    expect((await cli(['wait', token, '--poll-interval', '5'], { env })).code).toBe(0);
    const late = await cli(['cancel', token], { env });
    expect(late.code).toBe(EXIT.failed);
    expect(late.stderr).toContain('had already completed');
    const confluentToken = (
      await cli(confluentArgs(`cli-${customerCount++}-cancel`, ['--no-wait']), { env })
    ).stdout.trim();
    const refused = await cli(['cancel', confluentToken], { env });
    expect(refused.code).toBe(EXIT.invalidArgument);
    expect(refused.stderr).toContain('there is no operation to cancel; nothing was sent');
  });

  it('get of a missing entitlement exits 4 and says so', async () => {
    const [confluentRun, channelRun] = await Promise.all([
      cli(['get', 'confluent', 'ent-missing'], { env }),
      cli(['--json', 'get', 'google-channel', `${ACCOUNT}/customers/T9998/entitlements/missing`], { env }),
    ]);
    expect(confluentRun.code).toBe(EXIT.notFound);
    expect(confluentRun.stderr).toMatch(/error: \[not-found\] .*"ent-missing"/);
    expect(confluentRun.stderr).toMatch(/vendor: +confluent/);
    expect(confluentRun.stdout).toBe('');
    expect(channelRun.code).toBe(EXIT.notFound);
    expect(JSON.parse(channelRun.stderr)).toMatchObject({
      error: { kind: 'not-found', vendor: 'google-channel', exitCode: EXIT.notFound },
    });
  });
});

describe('errors: what was sent, and what to do', () => {
  it('invalid input exits 3 and sends nothing; the messages name no internal vendor', async () => {
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
        cli(confluentArgs('x', ['--plan-id', 'no-such-plan']), { env: quietEnv }),
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
        cli(['wait', 'garbage'], { env: quietEnv }),
      ]);
      for (const result of runs) expect(result.code, result.stderr).toBe(EXIT.invalidArgument);
      expect(runs[0]?.stderr).toMatch(/\[invalid-argument\] .*plan_id/);
      expect(runs[2]?.stderr).toMatch(/\[invalid-argument\] .*parent/);
      expect(JSON.parse(runs[3]?.stderr as string)).toEqual({
        error: expect.objectContaining({ kind: 'invalid-argument', exitCode: 3 }),
      });
      expect(JSON.parse(runs[3]?.stderr as string).error.vendor).toBeUndefined();
      expect(runs[4]?.stderr).toBe(
        'error: [invalid-argument] "garbage" is not an operation token. Pass the token that `entitlements create --no-wait` or a timed-out wait printed (it starts with ep1.), unchanged.\n',
      );
      expect(quietConfluent.requests).toEqual([]);
      expect(quietChannel.calls).toEqual([]);
    } finally {
      await Promise.all([quietConfluent.close(), quietChannel.close()]);
    }
  });

  it("the vendor's own rejection after sending exits 9, not 3", async () => {
    // A customer holds one SKU per product family: the second Workspace edition is INVALID_ARGUMENT.
    const parent = customer();
    const offer = (name: string) => [
      'create',
      'google-channel',
      '--parent',
      parent,
      '--offer',
      `${ACCOUNT}/offers/${name}`,
    ];
    const first = await cli([...offer('OFFER-WORKSPACE-STARTER'), '--poll-interval', '5'], { env });
    expect(first.code, first.stderr).toBe(0);
    const second = await cli(['--json', ...offer('OFFER-WORKSPACE-STANDARD')], { env });
    expect(second.code, second.stderr).toBe(EXIT.rejected);
    expect(JSON.parse(second.stderr)).toMatchObject({
      error: { kind: 'invalid-argument', vendor: 'google-channel', grpcCode: 3, exitCode: EXIT.rejected },
    });
  });

  it('an API key without its secret names the missing variable; nothing is sent', async () => {
    const before = confluent.requests.length;
    const keyOnly = await cli(['get', 'confluent', 'ent-1'], {
      env: { CONFLUENT_BASE_URL: confluent.url, CONFLUENT_API_KEY: 'emulator-key' },
    });
    expect(keyOnly.code).toBe(EXIT.auth);
    expect(keyOnly.stderr).toContain(
      'CONFLUENT_API_KEY is set but its secret is missing. Set CONFLUENT_API_SECRET',
    );
    const none = await cli(confluentArgs('cli-none'), { env: { CONFLUENT_BASE_URL: confluent.url } });
    expect(none.code).toBe(EXIT.auth);
    expect(none.stderr).toContain('No Confluent credentials are set.');
    for (const result of [keyOnly, none]) expect(result.stderr).not.toMatch(/credentials \}|pass \{/);
    expect(confluent.requests.length).toBe(before);
  });

  it('GOOGLE_APPLICATION_CREDENTIALS naming a missing file is refused before anything is loaded (exit 5)', async () => {
    const result = await cli(['get', 'google-channel', `${ACCOUNT}/customers/T0001/entitlements/x`], {
      env: { GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' },
    });
    expect(result.code).toBe(EXIT.auth);
    expect(result.stderr).toContain(
      'GOOGLE_APPLICATION_CREDENTIALS names /nonexistent/key.json, which does not exist.',
    );
    // With an emulator as the endpoint, no credentials are needed.
    const emulated = await cli(['get', 'google-channel', `${ACCOUNT}/customers/T0001/entitlements/x`], {
      env: { ...env, GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' },
    });
    expect(emulated.code).toBe(EXIT.notFound);
  });

  it('a refused connection names the endpoint and the option or variable to check', async () => {
    const dead = await startConfluentEmulator();
    const url = dead.url;
    const port = dead.port;
    await dead.close();
    const [confluentRun, channelRun] = await Promise.all([
      cli(['get', 'confluent', 'ent-1'], { env: { ...env, CONFLUENT_BASE_URL: url } }),
      cli(['get', 'google-channel', `${ACCOUNT}/customers/T0001/entitlements/x`], {
        env: { ...env, CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${port}` },
      }),
    ]);
    expect(confluentRun.code).toBe(EXIT.unavailable);
    expect(confluentRun.stderr).toMatch(new RegExp(`endpoint: +${url}`));
    expect(confluentRun.stderr).toContain(
      `Nothing answered at ${url}: check --base-url or CONFLUENT_BASE_URL`,
    );
    expect(channelRun.code).toBe(EXIT.unavailable);
    expect(channelRun.stderr).toContain(`No Cloud Channel service answered at 127.0.0.1:${port} over grpc`);
    expect(channelRun.stderr).toContain('--transport or CLOUD_CHANNEL_TRANSPORT');
  });

  it('a secret from the environment never appears in the output, even when auth fails', async () => {
    const secret = 'super-secret-xyz';
    const runs = await Promise.all([
      cli(['get', 'confluent', 'ent-anything'], { env: { ...env, CONFLUENT_PARTNER_TOKEN: secret } }),
      cli(['--json', 'get', 'confluent', 'ent-anything'], {
        env: { ...env, CONFLUENT_PARTNER_TOKEN: secret },
      }),
      cli(confluentArgs('cli-secret'), { env: { ...env, CONFLUENT_PARTNER_TOKEN: secret } }),
      cli(['get', 'confluent', 'ent-anything'], {
        env: {
          CONFLUENT_API_KEY: 'emulator-key',
          CONFLUENT_API_SECRET: secret,
          CONFLUENT_BASE_URL: confluent.url,
        },
      }),
    ]);
    for (const result of runs) {
      expect(result.code, result.stderr).toBe(EXIT.auth);
      expect(result.stderr).toContain('unauthenticated');
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    expect(runs[0]?.stderr).toContain(
      'Check CONFLUENT_PARTNER_TOKEN, or CONFLUENT_API_KEY and CONFLUENT_API_SECRET.',
    );
  });

  it('credentials inside an error message are redacted, and the words around them kept', async () => {
    const secret = 'super-secret-abc';
    const result = await cli(['get', 'confluent', 'ent-1'], {
      env: { ...env, CONFLUENT_BASE_URL: `http://127.0.0.1:1/?access_token=${secret}` },
    });
    expect(result.code).toBe(EXIT.invalidArgument);
    expect(result.stderr).toContain('baseUrl must not have a query or fragment');
    expect(result.stderr).toContain('access_token=[REDACTED]');
    expect(result.stderr).not.toContain(secret);
  });

  it('NO_COLOR output has no ANSI escapes (FORCE_COLOR alone has them)', async () => {
    const created = await cli(['--json', ...confluentArgs(`cli-${customerCount++}-color`)], { env });
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
    expect(plain.stdout).toContain(id);
    expect(plainError.code).toBe(EXIT.notFound);
    expect(plain.stdout + plain.stderr + plainError.stdout + plainError.stderr).not.toContain(ANSI);
  });
});

describe('entitlements demo', () => {
  it('provisions at both vendors, prints progress and a table, attempts 1 each', async () => {
    const result = await cli(['demo', '--polls', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /│ vendor\s+│ id\s+│ state\s+│ plan \/ offer\s+│ product\s+│ polls\s+│ attempts\s+│ duration/,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `│ confluent\\s+│ ent-\\S+\\s+│ active\\s+│ ${PLAN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*│ 1\\s+│ 1\\s+│`,
      ),
    );
    expect(result.stdout).toMatch(
      /│ google-channel\s+│ accounts\/C0000001\/customers\/S0000001\/entitlements\/\S+\s+│ active.*│ 2\s+│ 1\s+│/,
    );
    expect(result.stdout).toContain('npx entitlements emulator');
  });

  it('--json prints one JSON document with two active entitlements', async () => {
    const result = await cli(['--json', 'demo', '--transport', 'rest', '--polls', '1']);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as {
      entitlements: { vendor: string; state: string; polls: number }[];
    };
    expect(
      document.entitlements.map((entitlement) => [entitlement.vendor, entitlement.state]).sort(),
    ).toEqual([
      ['confluent', 'active'],
      ['google-channel', 'active'],
    ]);
    expect(result.stderr).toBe('');
  });
});
