/**
 * `entitlements emulator`, run in this process: flags, a config file (JSON and YAML), the printed
 * customers and their states, and the HTTP control endpoint a test in any language would use.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { createAdvanceableClock } from '../../src/testing/control/clock.ts';
import {
  applyQuotaFlag,
  checkConfig,
  confluentOperationIds,
  type EmulatorConfig,
  EmulatorConfigError,
  parseFaultFlag,
} from '../../src/testing/emulator-config.ts';
import { CHANNEL_PUBLISHED_QUOTA, DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS } from '../../src/testing/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';
import { cli, type RunningCli, startCli } from './harness.ts';

interface Started {
  running: RunningCli;
  json: {
    confluent: { url: string };
    'google-channel': { grpc: string; rest: string; customers: { name: string; domainVerified: boolean }[] };
    control: { url: string };
    env: Record<string, string>;
  };
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'entitlements-emulator-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Starts `entitlements --json emulator ...` and reads what it printed. */
async function emulator(args: string[]): Promise<Started> {
  const running = startCli(['--json', 'emulator', ...args]);
  const text = await running.waitFor('ENTITLEMENTS_EMULATOR_CONTROL', 'stdout');
  return { running, json: JSON.parse(text) as Started['json'] };
}

/** Stops it as Ctrl-C would, and expects a clean exit. */
async function stop({ running }: Started): Promise<void> {
  running.signals.emit('SIGINT', 'SIGINT');
  const result = await running.done;
  expect(result.code, result.stderr).toBe(0);
}

async function control(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const ACCOUNT = 'accounts/C0000001';
const CREATE = 'createPartnerV2Entitlement';

/** A Confluent create straight to the emulator, with the spec's plan and product ids; its status. */
async function confluentCreate(url: string, externalId: string): Promise<number> {
  const response = await fetch(`${url}/partner/v2/entitlements`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      external_id: externalId,
      name: externalId,
      plan_id: PLAN_ID,
      product_id: PRODUCT_ID,
    }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('entitlements emulator', () => {
  it('prints the endpoints, the seeded customers and what a purchase meets there, and stops on Ctrl-C', async () => {
    const running = startCli(['emulator']);
    const stdout = await running.waitFor('Press Ctrl-C to stop.', 'stdout');
    expect(stdout).toMatch(/accounts\/C0000001\/customers\/S0000001 +purchases go through/);
    expect(stdout).toMatch(
      /accounts\/C0000001\/customers\/S0000002 +purchases fail with FAILED_PRECONDITION: the domain is not verified/,
    );
    expect(stdout).toMatch(
      /OFFER-VAULT +sku-vault, family vault, needs sku-workspace-business-starter first/,
    );
    expect(stdout).toContain('Operations complete on poll 2.');
    expect(stdout).toMatch(/export CONFLUENT_BASE_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toContain('export CONFLUENT_PARTNER_TOKEN=emulator-token');
    expect(stdout).toMatch(/export CLOUD_CHANNEL_EMULATOR_HOST=127\.0\.0\.1:\d+/);
    const url = /export ENTITLEMENTS_EMULATOR_CONTROL=(\S+)/.exec(stdout)?.[1] as string;
    expect((await control(url, 'GET', '/')).status).toBe(200);
    running.signals.emit('SIGINT', 'SIGINT');
    const result = await running.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIGINT: stopping the emulators');
  });

  it('serves the CLI: create against it, then read its request log through the control endpoint', async () => {
    const started = await emulator(['--complete-after-polls', '1']);
    try {
      const { env, control: ctl } = started.json;
      const created = await cli(
        [
          '--json',
          'create',
          'google-channel',
          '--parent',
          `${ACCOUNT}/customers/S0000001`,
          '--offer',
          `${ACCOUNT}/offers/OFFER-GCP`,
          '--poll-interval',
          '5',
        ],
        { env },
      );
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ state: 'active', attempts: 1, polls: 1 });
      const calls = (await control(ctl.url, 'GET', '/google-channel/requests')).body as { method: string }[];
      expect(calls.map((call) => call.method)).toEqual(['CreateEntitlement', 'GetOperation']);
      const operations = (await control(ctl.url, 'GET', '/google-channel/operations')).body as {
        done: boolean;
      }[];
      expect(operations).toMatchObject([{ done: true }]);
      // The unverified customer fails as printed.
      const refused = await cli(
        [
          'create',
          'google-channel',
          '--parent',
          `${ACCOUNT}/customers/S0000002`,
          '--offer',
          `${ACCOUNT}/offers/OFFER-GCP`,
        ],
        { env },
      );
      expect(refused.code).toBe(EXIT.failed);
      expect(refused.stderr).toContain('FAILED_PRECONDITION');
    } finally {
      await stop(started);
    }
  });

  it('faults from flags and from the control endpoint; reset goes back to the configured start', async () => {
    const started = await emulator([
      '--fault',
      'google-channel:fail-operation:code=FAILED_PRECONDITION',
      '--fault',
      'confluent:status:status=503,method=GET',
    ]);
    try {
      const { env, control: ctl, confluent } = started.json;
      const failed = await cli(
        [
          'create',
          'google-channel',
          '--parent',
          `${ACCOUNT}/customers/S0000001`,
          '--offer',
          `${ACCOUNT}/offers/OFFER-GCP`,
          '--poll-interval',
          '5',
        ],
        { env },
      );
      expect(failed.code, failed.stderr).toBe(EXIT.failed);
      expect(failed.stderr).toContain('[operation-failed]');

      const queued = await control(ctl.url, 'POST', '/confluent/faults', [
        { type: 'latency', ms: 0, times: 'Infinity', match: { method: 'POST' } },
      ]);
      expect(queued.status).toBe(201);
      expect(queued.body).toEqual([
        { fault: { type: 'status', status: 503, match: { method: 'GET' } }, remaining: 1 },
        {
          fault: { type: 'latency', ms: 0, times: 'Infinity', match: { method: 'POST' } },
          remaining: 'Infinity',
        },
      ]);
      const answer = await fetch(`${confluent.url}/partner/v2/entitlements/ent-1`, {
        headers: { Authorization: 'Bearer emulator-token' },
      });
      expect(answer.status).toBe(503);
      const log = (await control(ctl.url, 'GET', '/confluent/requests')).body as {
        fault?: string;
        status: number;
      }[];
      expect(log).toMatchObject([{ fault: 'status', status: 503 }]);

      const reset = await control(ctl.url, 'POST', '/reset');
      expect(reset.status).toBe(200);
      expect((await control(ctl.url, 'GET', '/confluent/requests')).body).toEqual([]);
      // The configured faults are queued again, the injected one is gone.
      expect((await control(ctl.url, 'GET', '/confluent/faults')).body).toEqual([
        { fault: { type: 'status', status: 503, match: { method: 'GET' } }, remaining: 1 },
      ]);
      expect((await control(ctl.url, 'GET', '/google-channel/faults')).body).toMatchObject([
        { fault: { type: 'fail-operation', code: 9 }, remaining: 1 },
      ]);
      const bad = await control(ctl.url, 'POST', '/google-channel/faults', { type: 'latency', ms: -1 });
      expect(bad).toEqual({
        status: 400,
        body: { error: { message: 'a latency fault needs ms >= 0 (milliseconds)' } },
      });
    } finally {
      await stop(started);
    }
  });

  it('PUT /{vendor}/config changes completion and quotas: the emulator restarts on the same ports', async () => {
    const started = await emulator([]);
    try {
      const { env, control: ctl } = started.json;
      const changed = await control(ctl.url, 'PUT', '/google-channel/config', {
        completion: { afterPolls: 0 },
        quota: { createPerMinute: 1 },
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        'google-channel': {
          grpc: started.json['google-channel'].grpc,
          completion: { afterPolls: 0 },
          quota: { createPerMinute: 1 },
        },
      });
      const args = (customer: string) => [
        '--json',
        'create',
        'google-channel',
        '--parent',
        `${ACCOUNT}/customers/${customer}`,
        '--offer',
        `${ACCOUNT}/offers/OFFER-GCP`,
      ];
      const done = await cli(args('S0000001'), { env });
      expect(done.code, done.stderr).toBe(0);
      expect(JSON.parse(done.stdout)).toMatchObject({ state: 'active', polls: 0 });
      // The quota of 1 create per minute is used up: the next one is refused (over REST: 429).
      const overQuota = await fetch(
        `${started.json['google-channel'].rest}/v1/${ACCOUNT}/customers/S0000001/entitlements`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            entitlement: { offer: `${ACCOUNT}/offers/OFFER-GCP` },
            requestId: crypto.randomUUID(),
          }),
        },
      );
      expect(overQuota.status).toBe(429);
      const counted = (await control(ctl.url, 'GET', '/')).body as Record<string, { quotaErrors: number }>;
      expect(counted['google-channel']?.quotaErrors).toBe(1);
      const refused = await control(ctl.url, 'PUT', '/google-channel/config', {
        completion: { afterPolls: -1 },
      });
      expect(refused).toEqual({
        status: 400,
        body: { error: { message: 'completion.afterPolls must be an integer >= 0' } },
      });
      // PATCH keeps the settings it does not name.
      const patched = await control(ctl.url, 'PATCH', '/google-channel/config', {
        completion: { afterPolls: 3 },
      });
      expect(patched.status).toBe(200);
      expect((await control(ctl.url, 'GET', '/google-channel/config')).body).toEqual({
        completion: { afterPolls: 3 },
        quota: { createPerMinute: 1 },
      });
      const unknown = await control(ctl.url, 'PUT', '/google-channel/config', { complete: {} });
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(unknown.body)).toContain('google-channel.complete is not a setting here');
    } finally {
      await stop(started);
    }
  });

  it("quotas from flags: Cloud Channel's published ones, Confluent's per operation, a time scale; quota errors counted; the clock moved on", async () => {
    const started = await emulator([
      '--quota',
      'google-channel=published',
      '--quota',
      `confluent:${CREATE}=1/h`,
      '--quota',
      'confluent=1000/s',
      '--time-scale',
      '60',
      '--complete-after-ms',
      '3600000',
    ]);
    try {
      const { env, control: ctl, confluent } = started.json;
      expect(started.json).toMatchObject({
        confluent: {
          rateLimit: [
            { requests: 1, perMs: 3_600_000, operationId: CREATE },
            { requests: 1000, perMs: 1000 },
          ],
          timeScale: 60,
          quotaErrors: 0,
        },
        'google-channel': { quota: { ...CHANNEL_PUBLISHED_QUOTA }, timeScale: 60, quotaErrors: 0 },
        clock: { offsetMs: 0 },
      });
      // One create per hour, 60 times faster: a window of 60 s on the emulators' clock.
      expect(await confluentCreate(confluent.url, 'q-1')).toBe(201);
      expect(await confluentCreate(confluent.url, 'q-2')).toBe(429);
      const state = (await control(ctl.url, 'GET', '/')).body as Record<string, { quotaErrors: number }>;
      expect(state.confluent?.quotaErrors).toBe(1);
      expect(state['google-channel']?.quotaErrors).toBe(0);
      // Moving the clock on ends the window at once: no waiting.
      const moved = await control(ctl.url, 'POST', '/clock/advance', { ms: 60_000 });
      expect(moved).toMatchObject({ status: 200, body: { offsetMs: 60_000 } });
      expect(await confluentCreate(confluent.url, 'q-2')).toBe(201);
      expect((await control(ctl.url, 'GET', '/clock')).body).toMatchObject({ offsetMs: 60_000 });
      expect((await control(ctl.url, 'POST', '/clock/advance', { ms: -1 })).status).toBe(400);

      // An operation due an hour after its creation completes once the clock is an hour on.
      const created = await cli(
        [
          '--json',
          'create',
          'google-channel',
          '--parent',
          `${ACCOUNT}/customers/S0000001`,
          '--offer',
          `${ACCOUNT}/offers/OFFER-GCP`,
          '--no-wait',
        ],
        { env },
      );
      expect(created.code, created.stderr).toBe(0);
      const { token } = JSON.parse(created.stdout) as { token: string };
      await control(ctl.url, 'POST', '/clock/advance', { ms: 3_600_000 });
      const waited = await cli(['--json', 'wait', token, '--poll-interval', '5'], { env });
      expect(waited.code, waited.stderr).toBe(0);
      expect(JSON.parse(waited.stdout)).toMatchObject({ state: 'active', polls: 1 });

      // A reset clears the counts, not the time.
      const reset = (await control(ctl.url, 'POST', '/reset')).body as {
        confluent: { quotaErrors: number };
        clock: { offsetMs: number };
      };
      expect(reset).toMatchObject({ confluent: { quotaErrors: 0 }, clock: { offsetMs: 3_660_000 } });
    } finally {
      await stop(started);
    }
  });

  it('prints the quotas, the time scale and where the quota errors are counted', async () => {
    const running = startCli([
      'emulator',
      '--quota',
      'google-channel=published',
      '--quota',
      `confluent:${CREATE}=10/s`,
      '--time-scale',
      '60',
    ]);
    const stdout = await running.waitFor('Press Ctrl-C to stop.', 'stdout');
    expect(stdout).toContain(
      `Confluent rate limits: 10 per 1000 ms of ${CREATE} (windows 60 times faster: --time-scale)`,
    );
    expect(stdout).toContain(
      `Cloud Channel quotas: ${Object.entries(CHANNEL_PUBLISHED_QUOTA)
        .map(([key, value]) => `${key} ${value}`)
        .join(', ')} (windows 60 times faster: --time-scale)`,
    );
    expect(stdout).toMatch(
      /Quota errors served: GET http:\/\/127\.0\.0\.1:\d+\/ \(quotaErrors of each vendor\)/,
    );
    running.signals.emit('SIGINT', 'SIGINT');
    expect((await running.done).code).toBe(0);
  });

  it('a config file, JSON or YAML, seeds customers and offers and sets completion, quotas and faults', async () => {
    const config: EmulatorConfig = {
      confluent: { rateLimit: { requests: 100, perMs: 60_000 } },
      'google-channel': {
        customers: [
          { name: 'accounts/C9/customers/A' },
          { name: 'accounts/C9/customers/B', domainVerified: false },
        ],
        offers: [{ name: 'accounts/C9/offers/X', sku: 'sku-x' }],
        completion: { afterMs: 0 },
        quota: { getOperationPerMinute: 600 },
        faults: [{ type: 'unavailable', method: 'GetEntitlement', times: 2 }],
      },
    };
    const json = join(directory, 'emulator.json');
    const yaml = join(directory, 'emulator.yaml');
    await writeFile(json, JSON.stringify(config));
    await writeFile(
      yaml,
      'google-channel:\n  customers:\n    - name: accounts/C9/customers/A\n    - name: accounts/C9/customers/B\n      domainVerified: false\n',
    );
    for (const file of [json, yaml]) {
      const started = await emulator(['--config', file]);
      try {
        expect(started.json['google-channel'].customers).toEqual([
          { name: 'accounts/C9/customers/A', domainVerified: true, purchases: 'go through' },
          expect.objectContaining({ name: 'accounts/C9/customers/B', domainVerified: false }),
        ]);
        if (file === json)
          expect(started.json).toMatchObject({
            confluent: { rateLimit: { requests: 100, perMs: 60_000 } },
            'google-channel': {
              completion: { afterMs: 0 },
              quota: { getOperationPerMinute: 600 },
              pendingFaults: [
                { fault: { type: 'unavailable', method: 'GetEntitlement', times: 2 }, remaining: 2 },
              ],
            },
          });
      } finally {
        await stop(started);
      }
    }
  });

  it('a config file sets per-operation rate limits, the published quotas and the time scale', async () => {
    const file = join(directory, 'quotas.json');
    await writeFile(
      file,
      JSON.stringify({
        confluent: { rateLimit: [{ requests: 5, perMs: 1000, operationId: CREATE }], timeScale: 2 },
        'google-channel': { quota: 'published', timeScale: 60 },
      }),
    );
    const started = await emulator(['--config', file]);
    try {
      expect(started.json).toMatchObject({
        confluent: { rateLimit: [{ requests: 5, perMs: 1000, operationId: CREATE }], timeScale: 2 },
        'google-channel': { quota: { ...CHANNEL_PUBLISHED_QUOTA }, timeScale: 60 },
      });
    } finally {
      await stop(started);
    }
  });

  it('refuses a bad configuration with exit 2, naming the key; a port in use too', async () => {
    const file = join(directory, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({ 'google-channel': { completion: { afterPolls: 1 }, quotas: {} } }),
    );
    const [badKey, badValue, badFault, missing, badOperation, badScale] = await Promise.all([
      cli(['emulator', '--config', file]),
      cli(['emulator', '--quota', 'google-channel.createPerMinute=0']),
      cli(['emulator', '--fault', 'google-channel:fail-operation:code=NOPE']),
      cli(['emulator', '--config', join(directory, 'missing.json')]),
      cli(['emulator', '--quota', 'confluent:createEntitlement=1/s']),
      cli(['emulator', '--time-scale', '0']),
    ]);
    for (const result of [badKey, badValue, badFault, missing, badOperation, badScale])
      expect(result.code, result.stderr).toBe(EXIT.usage);
    expect(badOperation.stderr).toContain(
      `names no operation of the Confluent spec (${confluentOperationIds().join(', ')})`,
    );
    expect(badScale.stderr).toContain('expected a number above 0');
    expect(badKey.stderr).toContain(
      'google-channel.quotas is not a setting here. Use one of: customers, offers',
    );
    expect(badValue.stderr).toContain('quota.createPerMinute must be a positive integer');
    expect(badFault.stderr).toContain('code "NOPE" is not a gRPC code name');
    expect(missing.stderr).toContain('Cannot read --config');

    const started = await emulator([]);
    try {
      const port = new URL(started.json.confluent.url).port;
      const busy = await cli(['emulator', '--confluent-port', port]);
      expect(busy.code).toBe(EXIT.usage);
      expect(busy.stderr).toContain('a port is already in use');
    } finally {
      await stop(started);
    }
  });

  it('the control endpoint answers only JSON bodies at its loopback address', async () => {
    const started = await emulator([]);
    try {
      const { url } = started.json.control;
      const text = await fetch(`${url}/reset`, {
        method: 'POST',
        body: 'x',
        headers: { 'Content-Type': 'text/plain' },
      });
      // POST /reset takes no body; a fault sent as text/plain (what a web page can send) is refused.
      expect(text.status).toBe(200);
      const plain = await fetch(`${url}/confluent/faults`, {
        method: 'POST',
        body: '{"type":"reset"}',
        headers: { 'Content-Type': 'text/plain' },
      });
      expect(plain.status).toBe(415);
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(`${url}/`, { headers: { Host: 'attacker.example:80' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(rebound).toBe(421);
      expect((await control(url, 'GET', '/nowhere/requests')).status).toBe(404);
      expect((await control(url, 'DELETE', '/')).status).toBe(405);
    } finally {
      await stop(started);
    }
  });
});

describe('emulator configuration', () => {
  it('--fault vendor:type:key=value,...', () => {
    expect(
      parseFaultFlag('confluent:status:status=503,times=2,operation=createPartnerV2Entitlement'),
    ).toEqual({
      vendor: 'confluent',
      fault: { type: 'status', status: 503, times: 2, match: { operationId: 'createPartnerV2Entitlement' } },
    });
    expect(parseFaultFlag('google-channel:unavailable:method=CreateEntitlement,times=always')).toEqual({
      vendor: 'google-channel',
      fault: { type: 'unavailable', method: 'CreateEntitlement', times: Number.POSITIVE_INFINITY },
    });
    expect(parseFaultFlag('google-channel:fail-operation:code=failed_precondition').fault).toMatchObject({
      code: 9,
      message: expect.any(String),
    });
    expect(() => parseFaultFlag('acme:latency')).toThrow(EmulatorConfigError);
    expect(() => parseFaultFlag('confluent:latency:ms')).toThrow(/is not key=value/);
  });

  it("--quota vendor.key=value sets the vendor's quota option, deeper keys too", () => {
    const config: EmulatorConfig = {};
    applyQuotaFlag(config, 'google-channel.createPerMinute=120');
    applyQuotaFlag(config, 'confluent.requests=10');
    applyQuotaFlag(config, 'confluent.perMs=1000');
    applyQuotaFlag(config, 'google-channel.perMethod.GetOperation=600');
    expect(config).toEqual({
      'google-channel': { quota: { createPerMinute: 120, perMethod: { GetOperation: 600 } } },
      confluent: { rateLimit: { requests: 10, perMs: 1000 } },
    });
    expect(() => applyQuotaFlag(config, 'createPerMinute=1')).toThrow(/vendor\.key=value/);
  });

  it('--quota google-channel=published, and confluent[:operationId]=N/period as a list of rate limits', () => {
    const config: EmulatorConfig = {};
    applyQuotaFlag(config, 'google-channel.createPerMinute=60');
    applyQuotaFlag(config, 'google-channel=published');
    applyQuotaFlag(config, 'confluent.requests=10');
    applyQuotaFlag(config, 'confluent.perMs=1000');
    applyQuotaFlag(config, `confluent:${CREATE}=5/2s`);
    applyQuotaFlag(config, 'confluent=600/min');
    expect(config).toEqual({
      // The published figures under what was set explicitly, whatever the order.
      'google-channel': { quota: { ...CHANNEL_PUBLISHED_QUOTA, createPerMinute: 60 } },
      confluent: {
        rateLimit: [
          { requests: 10, perMs: 1000 },
          { requests: 5, perMs: 2000, operationId: CREATE },
          { requests: 600, perMs: 60_000 },
        ],
      },
    });
    expect(() => applyQuotaFlag(config, 'confluent.requests=3')).toThrow(/there are several/);
    expect(() => applyQuotaFlag(config, 'confluent=0/s')).toThrow(/is not a rate/);
    expect(() => applyQuotaFlag(config, 'confluent=5/fortnight')).toThrow(/is not a rate/);
    expect(() => applyQuotaFlag(config, 'google-channel=lots')).toThrow(/not a Cloud Channel quota/);
    expect(() => applyQuotaFlag(config, 'confluent:nope=1/s')).toThrow(/names no operation/);
  });

  it('checkConfig refuses unknown keys and bad ports', () => {
    expect(() => checkConfig({ confluent: { rateLimits: {} } })).toThrow(
      /confluent\.rateLimits is not a setting/,
    );
    expect(() => checkConfig({ ports: { confluent: 70_000 } })).toThrow(/ports\.confluent must be a port/);
    expect(() => checkConfig([])).toThrow(/must be an object/);
    expect(() =>
      checkConfig({ confluent: { rateLimit: [{ requests: 1, perMs: 1, operationId: 'nope' }] } }),
    ).toThrow(/confluent\.rateLimit\[0\]\.operationId "nope" is not an operation of the Confluent spec/);
    expect(() => checkConfig({ confluent: { rateLimit: { requests: 1, per: 1 } } })).toThrow(
      /confluent\.rateLimit\.per is not a setting here/,
    );
    expect(() => checkConfig({ 'google-channel': { quota: 'lots' } })).toThrow(
      /must be "published" or an object/,
    );
    expect(checkConfig({ 'google-channel': { quota: 'published' } })).toEqual({
      'google-channel': { quota: { ...CHANNEL_PUBLISHED_QUOTA } },
    });
    expect(confluentOperationIds()).toContain(CREATE);
    expect(checkConfig({ confluent: { faults: [{ type: 'reset', times: 'Infinity' }] } })).toEqual({
      confluent: { faults: [{ type: 'reset', times: Number.POSITIVE_INFINITY }] },
    });
  });

  it("the emulators' clock: real time plus an offset that only grows; an advance ends the sleeps then due", async () => {
    const real = 1_000;
    const clock = createAdvanceableClock(() => real);
    expect(clock.now()).toBe(1_000);
    const open = new AbortController();
    let woke = false;
    const due = clock.sleep(3_600_000, open.signal).then(() => {
      woke = true;
    });
    clock.advance(1_800_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
    clock.advance(1_800_000);
    await due;
    expect(woke).toBe(true);
    expect({ now: clock.now(), offsetMs: clock.offsetMs }).toEqual({ now: 3_601_000, offsetMs: 3_600_000 });
    const closing = new AbortController();
    const cut = clock.sleep(3_600_000, closing.signal);
    closing.abort(new Error('the emulator closed'));
    await expect(cut).rejects.toThrow('the emulator closed');
    expect(() => clock.advance(-1)).toThrow(TypeError);
    await clock.sleep(0, open.signal);
  });
});
