/**
 * Crash safety of `entitlements apply`, as a child process (one at a time) on 240 mixed items,
 * SIGKILLed three times and then run to the end with the same journal:
 * 1. during creates (after the 40th create request left);
 * 2. between a create and its journal write: the proxy in front of the emulators holds the answer
 *    to a create the emulator committed, and the child is killed while it waits for it;
 * 3. while waiting on operations (at the 40th poll of that run).
 * Then: exactly one entitlement per item at the emulators, no duplicate, and every item reported
 * once as done by the last run. Cloud Channel is reached over REST here, so that one HTTP proxy
 * sees both vendors' requests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openSqliteJournal } from '../../src/batch/index.ts';
import { uuidForKey } from '../../src/core/idempotency.ts';
import { type CapturedChild, spawnCaptured, vendorFreeEnv } from '../support/child-process.ts';
import { channelItem, confluentItem, customerName, TOKEN, world } from './helpers.ts';
import { type Exchange, type ProxyHooks, startProxy } from './proxy.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const N = 240;

function apply(args: string[], env: Record<string, string>): CapturedChild {
  const started = spawnCaptured(process.execPath, [MAIN, 'apply', ...args], {
    cwd: ROOT,
    env: vendorFreeEnv(env, /^CI$/),
  });
  const { child, ended } = started;
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void ended.finally(() => clearTimeout(timer));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return started;
}

describe('entitlements apply survives SIGKILL', () => {
  it('killed during creates, between a create and its journal write, and while waiting: one entitlement per item', async () => {
    // The Confluent emulator's Location headers name the proxy, the only origin the client knows.
    let confluentUrl = '';
    const confluentProxy = await startProxy(() => confluentUrl);
    const w = await world({
      customers: N,
      channel: { completion: { afterPolls: 2 } },
      confluent: { locationOrigin: confluentProxy.url },
    });
    confluentUrl = w.confluent.url;
    const channelProxy = await startProxy(w.channel.restUrl);
    onTestFinished(async () => {
      await confluentProxy.close();
      await channelProxy.close();
    });
    const setHooks = (hooks: ProxyHooks) => {
      confluentProxy.hooks = hooks;
      channelProxy.hooks = hooks;
    };

    const dir = mkdtempSync(join(tmpdir(), 'apply-crash-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'orders.jsonl');
    const journalPath = join(dir, 'orders.journal');
    const items = Array.from({ length: N }, (_, index) =>
      index % 2 ? confluentItem(index) : channelItem(index),
    );
    writeFileSync(file, `${items.map((item) => JSON.stringify(item)).join('\n')}\n`);
    const env = {
      CONFLUENT_BASE_URL: confluentProxy.url,
      CONFLUENT_PARTNER_TOKEN: TOKEN,
      CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${channelProxy.port}`,
      CLOUD_CHANNEL_TRANSPORT: 'rest',
    };
    const args = [
      file,
      '--json',
      '--journal',
      journalPath,
      '--concurrency',
      '8',
      '--poll-interval',
      '20',
      '--rate',
      'google-channel:create=30000/min',
      '--rate',
      'google-channel:poll=30000/min',
      '--rate',
      'confluent:create=30000/min',
      '--rate',
      'confluent:poll=30000/min',
    ];

    /** Runs the child until `kill` says so (then SIGKILL), and checks it was killed, not finished. */
    const killedRun = async (
      kill: (exchange: Exchange, phase: 'request' | 'response') => 'kill' | 'hold' | undefined,
    ) => {
      let child: CapturedChild | undefined;
      let killed = false;
      const act = (decision: 'kill' | 'hold' | undefined) => {
        if (decision && !killed) {
          killed = true;
          child?.child.kill('SIGKILL');
        }
        return decision === 'hold';
      };
      setHooks({
        onRequest: (exchange) => void act(kill(exchange, 'request')),
        onResponse: (exchange) => act(kill(exchange, 'response')) || (killed && exchange !== 'other'),
      });
      child = apply(args, env);
      const exit = await child.ended;
      expect(exit.signal, child.stderr()).toBe('SIGKILL');
      setHooks({});
    };

    const journalStates = async () => {
      const journal = await openSqliteJournal(journalPath, { mustExist: true });
      try {
        return await journal.list();
      } finally {
        await journal.close();
      }
    };

    // 1. During creates.
    let creates = 0;
    await killedRun((exchange, phase) =>
      exchange === 'create' && phase === 'request' && ++creates === 40 ? 'kill' : undefined,
    );

    // 2. Between a create and its journal write: the vendor has it, the child never hears of it.
    creates = 0;
    await killedRun((exchange, phase) =>
      exchange === 'create' && phase === 'response' && ++creates === 30 ? 'hold' : undefined,
    );
    const afterHold = await journalStates();
    const committedButSent = afterHold.filter(
      (record) =>
        record.state === 'sent' &&
        (record.vendor === 'google-channel'
          ? w.channel.operations().some((operation) => operation.requestId === uuidForKey(record.key))
          : w.confluent.entitlements().some((entitlement) => entitlement.external_id === record.key)),
    );
    expect(committedButSent.length).toBeGreaterThanOrEqual(1);

    // 3. While waiting on operations.
    let polls = 0;
    await killedRun((exchange, phase) =>
      exchange === 'poll' && phase === 'response' && ++polls === 40 ? 'kill' : undefined,
    );
    expect((await journalStates()).some((record) => record.state === 'created')).toBe(true);

    // 4. To the end, with the same journal.
    const last = apply(args, env);
    const { code, signal } = await last.ended;
    expect(
      { code, signal },
      last
        .stdout()
        .split('\n')
        .filter((line) => line.includes('"failed"'))
        .join('\n'),
    ).toEqual({ code: 0, signal: null });
    const lines = last
      .stdout()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(
        (line) => JSON.parse(line) as { line?: number; outcome?: string; summary?: Record<string, unknown> },
      );
    const summary = lines.pop()?.summary;
    expect(summary).toMatchObject({ total: N, done: N, failed: 0, interrupted: 0, outcome: 'done' });
    expect(lines).toHaveLength(N);
    expect(new Set(lines.map((line) => line.line)).size).toBe(N);
    expect(lines.every((line) => line.outcome === 'done')).toBe(true);

    // Exactly N entitlements, no duplicate: one operation per Cloud Channel item, one entitlement per key.
    const channelParents = w.channel
      .entitlements()
      .map((entitlement) => entitlement.name?.split('/entitlements/')[0]);
    const confluentIds = w.confluent.entitlements().map((entitlement) => entitlement.external_id);
    expect(channelParents).toHaveLength(N / 2);
    expect(new Set(channelParents)).toEqual(
      new Set(items.filter((_, index) => index % 2 === 0).map((_, i) => customerName(i * 2))),
    );
    expect(w.channel.operations()).toHaveLength(N / 2);
    expect(confluentIds).toHaveLength(N / 2);
    expect(new Set(confluentIds).size).toBe(N / 2);
    expect((await journalStates()).every((record) => record.state === 'done')).toBe(true);
  }, 180_000);
});
