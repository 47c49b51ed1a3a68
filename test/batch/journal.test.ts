/**
 * The SQLite journal and the re-run semantics: done items are reported from the journal, created
 * ones resumed from their tokens, sent-but-unknown ones re-sent with the same key (the vendor
 * dedupes), and other content under a recorded key is refused as a conflict.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type BatchItemResult, type BatchRun, keyItem, openSqliteJournal } from '../../src/batch/index.ts';
import { confluentFleet } from '../../src/vendors/confluent/fleet.ts';
import { channelItem, confluentItem, entitlementKeys, FAST, world } from './helpers.ts';

function tempPath(name: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'batch-journal-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return join(directory, name);
}

async function collect(run: BatchRun): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of run) results.push(result);
  return results.sort((a, b) => a.position - b.position);
}

describe('SQLite journal', () => {
  it('records every item with key, digest, state, token, result and timestamps; a re-run skips what is done', async () => {
    const w = await world();
    const path = tempPath('orders.journal');
    const items = [channelItem(1), confluentItem(2)];
    const first = await collect(
      w.provisioner.createMany(items, { ...FAST, journal: path, runInfo: { input: 'x' } }),
    );
    expect(first.map((result) => result.outcome)).toEqual(['done', 'done']);

    const journal = await openSqliteJournal(path, { mustExist: true });
    onTestFinished(() => journal.close());
    const record = await journal.get('order-c-2');
    expect(record).toMatchObject({
      key: 'order-c-2',
      vendor: 'confluent',
      digest: keyItem(items[1], confluentFleet).digest,
      state: 'done',
      run: 1,
      position: 2,
      token: expect.stringMatching(/^ep1\./),
      result: { vendor: 'confluent', state: expect.any(String), externalId: 'order-c-2' },
    });
    expect(record?.attempts).toBeGreaterThanOrEqual(2); // the create and at least one poll
    expect(record?.updatedAt).toBeGreaterThanOrEqual(record?.createdAt ?? Number.POSITIVE_INFINITY);
    const stats = await journal.stats();
    expect(stats.runs).toMatchObject([{ run: 1, outcome: 'completed', info: { input: 'x' } }]);
    await journal.close();

    const callsBefore = w.channel.calls.length + w.confluent.requests.length;
    const second = await collect(w.provisioner.createMany(items, { ...FAST, journal: path }));
    expect(second).toMatchObject([
      { outcome: 'done', fromJournal: true, attempts: 0 },
      { outcome: 'done', fromJournal: true, attempts: 0 },
    ]);
    expect(second[0]?.outcome === 'done' && second[0].entitlement.createdAt).toBeInstanceOf(Date);
    expect(w.channel.calls.length + w.confluent.requests.length).toBe(callsBefore);
  });

  it('re-sends sent-but-unknown items with the same key and resumes created ones: one entitlement each', async () => {
    const w = await world({ channel: { completion: { afterPolls: 1 } } });
    const path = tempPath('crash.journal');
    const items = [channelItem(1), confluentItem(2), channelItem(3)];
    // What a crash leaves: item 1 and 2 were created at the vendor but the process died before
    // writing the token (state sent); item 3's token was written (state created).
    const created = await Promise.all(
      items.map((item) => {
        const { request, key } = keyItem(item, item.vendor === 'confluent' ? confluentFleet : {});
        return w.provisioner.create(request as never, { idempotencyKey: key });
      }),
    );
    const journal = await openSqliteJournal(path);
    const run = await journal.beginRun();
    const now = Date.now();
    for (const [index, item] of items.entries()) {
      const { key, digest } = keyItem(item, item.vendor === 'confluent' ? confluentFleet : {});
      await journal.put({
        key,
        vendor: item.vendor,
        digest,
        state: index === 2 ? 'created' : 'sent',
        ...(index === 2 ? { token: created[2]?.token } : {}),
        run,
        position: index + 1,
        attempts: 1,
        createdAt: now,
        updatedAt: now,
      });
    }
    await journal.close();
    // The run never ended: its process died (a pid that no process has).
    const { DatabaseSync } = await import('node:sqlite');
    const raw = new DatabaseSync(path);
    raw.prepare('UPDATE runs SET pid = ?').run(2 ** 22 + 12_345);
    raw.close();

    const creates = () =>
      w.channel.calls.filter((call) => call.method === 'CreateEntitlement').length +
      w.confluent.requests.filter((request) => request.method === 'POST').length;
    expect(creates()).toBe(3);
    const results = await collect(w.provisioner.createMany(items, { ...FAST, journal: path }));
    expect(results.map((result) => result.outcome)).toEqual(['done', 'done', 'done']);
    expect(results[2]?.token).toBe(created[2]?.token);
    expect(creates()).toBe(5); // items 1 and 2 again (deduped by the vendors), item 3 resumed
    expect(entitlementKeys(w).sort()).toEqual([
      'c:order-c-2',
      'g:accounts/C0000001/customers/B000001',
      'g:accounts/C0000001/customers/B000003',
    ]);
    expect(w.channel.operations()).toHaveLength(2);
    const reopened = await openSqliteJournal(path);
    onTestFinished(() => reopened.close());
    expect((await reopened.stats()).runs.map((entry) => entry.outcome)).toEqual(['killed', 'completed']);
  });

  it('refuses other content under a recorded key as a conflict, and nothing is sent for it', async () => {
    const w = await world();
    const path = tempPath('conflict.journal');
    await collect(w.provisioner.createMany([confluentItem(7)], { ...FAST, journal: path }));
    const before = w.confluent.requests.length;
    const [result] = await collect(
      w.provisioner.createMany([confluentItem(7, 'Renamed')], { ...FAST, journal: path }),
    );
    expect(result).toMatchObject({
      outcome: 'failed',
      key: 'order-c-7',
      error: { kind: 'already-exists', reason: 'KEY_CONFLICT', vendor: 'confluent' },
    });
    expect(w.confluent.requests.length).toBe(before);
  });

  it('allows one run at a time per journal file, and refuses what is not a journal', async () => {
    const path = tempPath('busy.journal');
    const journal = await openSqliteJournal(path);
    onTestFinished(() => journal.close());
    await journal.beginRun();
    const other = await openSqliteJournal(path);
    onTestFinished(() => other.close());
    await expect(other.beginRun()).rejects.toMatchObject({
      kind: 'failed-precondition',
      message: /in use by run 1/,
    });
    await expect(openSqliteJournal(tempPath('missing.journal'), { mustExist: true })).rejects.toMatchObject({
      kind: 'not-found',
    });
    const notJournal = tempPath('text.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(notJournal, 'hello, this is not SQLite at all, just some text that is long enough');
    await expect(openSqliteJournal(notJournal)).rejects.toMatchObject({ kind: 'failed-precondition' });
  });
});
