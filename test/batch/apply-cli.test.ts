/**
 * `entitlements apply` and `entitlements status`, run in-process (`run()` with the emulators'
 * environment, the test's own stdout, stderr, stdin and signal source: nothing of this process is
 * touched, test/cli/harness.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { createManualClock } from '../../src/testing/index.ts';
import { type CliOptions, type CliResult, ClosingPipe, cli as runCli, startCli } from '../cli/harness.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';
import { channelItem, confluentItem, customerName, TOKEN, type World, world } from './helpers.ts';

function environment(w: World, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CONFLUENT_BASE_URL: w.confluent.url,
    CONFLUENT_PARTNER_TOKEN: TOKEN,
    CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${w.channel.grpcAddress.port}`,
    NO_COLOR: '1',
    ...extra,
  };
}

function cli(w: World, args: string[], options: Omit<CliOptions, 'env'> = {}): Promise<CliResult> {
  return runCli(args, { ...options, env: environment(w) });
}

function directory(): string {
  const path = mkdtempSync(join(tmpdir(), 'apply-cli-'));
  onTestFinished(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    // biome-ignore lint/suspicious/noExplicitAny: NDJSON lines of any shape, checked with toMatchObject
    .map((line) => JSON.parse(line) as Record<string, any>);

const FAST = ['--poll-interval', '5', '--rate', 'google-channel:create=6000/min'];

describe('entitlements apply', () => {
  it('applies JSON Lines with mixed vendors; bad lines are reported by number and the others go on (exit 7)', async () => {
    const w = await world({ channel: { completion: { afterPolls: 1 } } });
    const dir = directory();
    const file = join(dir, 'orders.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify(channelItem(1)),
        JSON.stringify(confluentItem(2)),
        '{"vendor": "confluent", oops',
        '',
        JSON.stringify(channelItem(3, { idempotencyKey: 'order-g-1' })),
        JSON.stringify({ vendor: 'google-channel', parent: 'nope', entitlement: { offer: 'x' } }),
        JSON.stringify(confluentItem(7)),
      ].join('\n'),
    );
    const first = await cli(w, ['apply', file, '--json', ...FAST]);
    expect(first.code).toBe(7);
    const lines = ndjson(first.stdout);
    const summary = lines.pop()?.summary;
    const byLine = new Map(lines.map((line) => [line.line, line]));
    expect([...byLine.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(byLine.get(1)).toMatchObject({ outcome: 'done', vendor: 'google-channel', key: 'order-g-1' });
    expect(byLine.get(2)).toMatchObject({
      outcome: 'done',
      vendor: 'confluent',
      entitlement: { externalId: 'order-c-2' },
    });
    expect(byLine.get(3)).toMatchObject({
      outcome: 'failed',
      error: { kind: 'invalid-argument', message: /line 3: not JSON/ },
    });
    expect(byLine.get(5)).toMatchObject({
      outcome: 'failed',
      error: { reason: 'DUPLICATE_KEY', message: /line 5 .* line 1/ },
    });
    expect(byLine.get(6)).toMatchObject({ outcome: 'failed', error: { kind: 'invalid-argument' } });
    expect(byLine.get(7)).toMatchObject({ outcome: 'done' });
    expect(summary).toMatchObject({ done: 3, failed: 3, outcome: 'some-failed', journal: `${file}.journal` });
    expect(summary.resume).toContain(`entitlements apply ${file} --journal ${file}.journal`);
    expect(w.channel.entitlements()).toHaveLength(1);
    expect(w.confluent.entitlements()).toHaveLength(2);

    // Again with the same journal: done lines come from the journal, nothing new is created.
    const second = await cli(w, ['apply', file, ...FAST]);
    expect(second.code).toBe(7);
    expect(second.stdout).toMatch(/confluent\s*│ 2\s*│ 0/);
    expect(second.stdout).toContain('3 done in an earlier run (from the journal)');
    expect(second.stderr).toContain(`journal: ${file}.journal`);
    expect(second.stderr).toMatch(/finished \(3 done, 3 from the journal, 3 failed\)/);
    expect(second.stderr).toContain('Fix the failed lines and run again');
    expect(w.channel.calls.filter((call) => call.method === 'CreateEntitlement')).toHaveLength(1);

    const status = await cli(w, ['status', '--journal', `${file}.journal`, '--json']);
    expect(status.code).toBe(0);
    const shown = JSON.parse(status.stdout);
    // Bad lines have no record (nothing was sent for them); the runs' counts keep them.
    expect(shown).toMatchObject({ state: 'some failed', items: 3, byState: { done: 3, failed: 0 } });
    expect(shown.runs).toMatchObject([
      { outcome: 'completed', counts: { total: 6, done: 3, failed: 3 } },
      { outcome: 'completed', counts: { total: 6, done: 3, failed: 3 } },
    ]);
  });

  it('applies CSV with documented columns, both vendors in one header (exit 0), and shows status', async () => {
    const w = await world({ channel: { completion: { afterPolls: 1 } } });
    const dir = directory();
    const file = join(dir, 'orders.csv');
    writeFileSync(
      file,
      [
        'vendor,idempotency_key,entitlement.external_id,entitlement.name,entitlement.plan_id,entitlement.product_id,parent,entitlement.offer,param:num_units',
        `confluent,,csv-1,"Acme, Inc.",${PLAN_ID},${PRODUCT_ID},,,`,
        `google-channel,csv-2,,,,,${customerName(9)},accounts/C0000001/offers/OFFER-WORKSPACE-STARTER,10`,
      ].join('\n'),
    );
    const ran = await cli(w, ['apply', file, '--json', ...FAST]);
    expect(ran.code).toBe(0);
    const lines = ndjson(ran.stdout);
    expect(lines.pop()?.summary).toMatchObject({ done: 2, failed: 0, outcome: 'done' });
    expect(lines.map((line) => [line.line, line.outcome])).toEqual(
      expect.arrayContaining([
        [2, 'done'],
        [3, 'done'],
      ]),
    );
    expect(w.confluent.entitlements()[0]).toMatchObject({ external_id: 'csv-1', name: 'Acme, Inc.' });
    expect(w.channel.entitlements()[0]?.parameters).toEqual([
      { name: 'num_units', value: { int64Value: '10' } },
    ]);

    const status = await cli(w, ['status', '--journal', `${file}.journal`]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/state\s+done/);
    expect(status.stdout).not.toContain('Resume with');
  });

  it('--dry-run reports each bad line with its number and field, and sends nothing (exit 3)', async () => {
    const w = await world();
    const dir = directory();
    const file = join(dir, 'orders.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify(channelItem(1)),
        JSON.stringify({
          vendor: 'google-channel',
          parent: 'nope',
          entitlement: { offer: 'accounts/C0000001/offers/OFFER-GCP' },
        }),
        JSON.stringify({
          vendor: 'confluent',
          entitlement: {
            external_id: 'x',
            name: 'n',
            plan_id: 'not-a-plan',
            product_id: PRODUCT_ID,
          },
        }),
        'not json',
        JSON.stringify(channelItem(1)),
      ].join('\n'),
    );
    const ran = await cli(w, ['apply', file, '--dry-run']);
    expect(ran.code).toBe(3);
    expect(ran.stdout).toMatch(/^line 2: parent: /m);
    expect(ran.stdout).toMatch(/^line 3: entitlement\.plan_id: /m);
    expect(ran.stdout).toMatch(/^line 4: not JSON/m);
    expect(ran.stdout).toMatch(/^line 5: idempotencyKey: .*line 5 .* line 1/m);
    expect(ran.stdout).toContain('5 lines checked: 1 valid, 4 invalid; nothing was sent (dry run).');
    expect(w.channel.calls).toHaveLength(0);
    expect(w.confluent.requests).toHaveLength(0);
  });

  it('refuses changed content under a key recorded in the journal', async () => {
    const w = await world({ channel: { completion: { afterPolls: 1 } } });
    const dir = directory();
    const file = join(dir, 'orders.jsonl');
    writeFileSync(file, `${JSON.stringify(confluentItem(1))}\n`);
    expect((await cli(w, ['apply', file, ...FAST])).code).toBe(0);
    writeFileSync(file, `${JSON.stringify(confluentItem(1, 'Renamed'))}\n`);
    const ran = await cli(w, ['apply', file, '--json', ...FAST]);
    expect(ran.code).toBe(7);
    expect(ndjson(ran.stdout)[0]).toMatchObject({
      line: 1,
      outcome: 'failed',
      error: { kind: 'already-exists', reason: 'KEY_CONFLICT' },
    });
    expect(w.confluent.entitlements()).toHaveLength(1);
  });

  it('refuses a bad --rate and a missing file before anything starts', async () => {
    const w = await world();
    const bad = await cli(w, ['apply', 'orders.jsonl', '--rate', 'google-channel:creates=1/min']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the methods are create, poll, get');
    const missing = await cli(w, ['apply', join(directory(), 'missing.jsonl')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('cannot read the input');
    const noJournal = await cli(w, ['status', '--journal', join(directory(), 'none.journal')]);
    expect(noJournal.code).toBe(4);
  });

  it('reads - from the stdin it is given, and its NDJSON lines are redacted like everything it prints', async () => {
    const w = await world({ channel: { completion: { afterPolls: 1 } } });
    const dir = directory();
    // A secret of the environment (its name says it holds one) that an item happens to carry.
    const secret = 'sk-live-7f3a9c2e1b';
    const carrying = JSON.stringify(confluentItem(2)).replace('order-c-2', secret);
    const stdin = Readable.from([`${JSON.stringify(confluentItem(1))}\n${carrying}\n`]);
    const ran = await runCli(['apply', '-', '--json', '--journal', join(dir, 'stdin.journal'), ...FAST], {
      env: environment(w, { SHOP_API_TOKEN: secret }),
      stdin,
    });
    expect(ran.code, ran.stderr).toBe(0);
    const lines = ndjson(ran.stdout);
    expect(lines.pop()?.summary).toMatchObject({ done: 2, failed: 0, outcome: 'done' });
    expect(lines.map((line) => line.entitlement?.externalId).sort()).toEqual(['[REDACTED]', 'order-c-1']);
    expect(ran.stdout).not.toContain(secret);
    expect(ran.stderr).not.toContain(secret);
    expect(
      w.confluent
        .entitlements()
        .map((entitlement) => entitlement.external_id)
        .sort(),
    ).toEqual(['order-c-1', secret]);
  });

  it('a closed stdout (| head -1) neither crashes nor stops the batch: every item is done, exit 141', async () => {
    const w = await world({ channel: { completion: { afterPolls: 1 } } });
    const dir = directory();
    const file = join(dir, 'orders.jsonl');
    const items = [1, 2, 3, 4].map((index) => (index % 2 ? confluentItem(index) : channelItem(index)));
    writeFileSync(file, `${items.map((item) => JSON.stringify(item)).join('\n')}\n`);
    const stdout = new ClosingPipe();
    const ran = await cli(w, ['apply', file, '--json', ...FAST], { stdout });
    expect(ran.code, ran.stderr).toBe(EXIT.closedPipe);
    expect(stdout.writes).toBeGreaterThan(1);
    expect(ndjson(stdout.text)).toHaveLength(1);
    expect(ran.stderr).not.toMatch(/EPIPE|Error/);
    expect(w.confluent.entitlements()).toHaveLength(2);
    expect(w.channel.entitlements()).toHaveLength(2);
  });

  it("Ctrl-C (the run's own signal source) interrupts: exit 130, the resume command printed, the batch resumable", async () => {
    // The Confluent creates hang on a latency fault of a clock that never moves: the batch is still
    // sending when the signal comes, and the test knows when a request is there.
    const clock = createManualClock();
    const w = await world({ confluent: { clock } });
    w.confluent.inject({ type: 'latency', ms: 3_600_000, times: 2 });
    const dir = directory();
    const file = join(dir, 'orders.jsonl');
    writeFileSync(
      file,
      `${[confluentItem(1), confluentItem(2)].map((item) => JSON.stringify(item)).join('\n')}\n`,
    );
    const running = startCli(['apply', file, ...FAST], { env: environment(w) });
    await clock.whenSleeping(1, { timeoutMs: 20_000 });
    running.signals.emit('SIGINT', 'SIGINT');
    const ran = await running.done;
    expect(ran.code, ran.stderr).toBe(EXIT.cancelled);
    expect(ran.stderr).toContain(`Resume with:\n  entitlements apply ${file} --journal ${file}.journal`);
    expect(ran.stderr).toMatch(/interrupted \(SIGINT\)/);
    const status = await cli(w, ['status', '--journal', `${file}.journal`, '--json']);
    const shown = JSON.parse(status.stdout);
    expect(shown).toMatchObject({ state: 'unfinished' });
    expect(shown.byState.sent).toBeGreaterThanOrEqual(1);
    expect(shown.byState.done).toBe(0);
    expect(w.confluent.entitlements()).toHaveLength(0);
  });
});
