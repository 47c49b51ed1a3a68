/**
 * Cold start: import an entry and make its first call, in fresh processes (bench/cold-start-child.mjs)
 * spawned one at a time, against the emulators in their own process; ROUNDS rounds with the order
 * rotated, medians. Each entry is set against the bare SDK doing the same call in a process of its
 * own: the Confluent entries against openapi-fetch (one create), the Cloud Channel entry against
 * google-gax (one create + wait).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { placeInConsumer } from './dist.ts';
import type { EmulatorsProcess } from './emulators.ts';
import { CHANNEL_OFFER, channelCustomer } from './emulators-process.ts';
import { median, pairedRatio } from './harness.ts';

const run = promisify(execFile);

const VARIANTS = ['openapi-fetch', 'confluent', 'root', 'gax', 'google-channel'] as const;
type Variant = (typeof VARIANTS)[number];

const FIGURES = ['importMs', 'callMs', 'totalMs', 'sinceStartMs', 'cpuMs'] as const;
type Figure = (typeof FIGURES)[number];
type Sample = { variant: Variant } & Record<Figure, number>;
type EntryRatios = { total: number; sinceStart: number; cpu: number };

export interface ColdStartFigures {
  rounds: number;
  /** Medians per variant, in milliseconds. */
  medians: Record<Variant, Record<Figure, number>>;
  /**
   * Entry / its bare SDK, the median of each round's own ratio: on import + first call (`total`),
   * on the whole process up to the answer (`sinceStart`), and on the process's CPU (`cpu`).
   */
  ratios: Record<'confluent' | 'root' | 'google-channel', EntryRatios>;
  samples: Sample[];
}

export async function benchColdStart(
  emulators: EmulatorsProcess,
  packageUrl: URL,
  rounds: number,
): Promise<ColdStartFigures> {
  const child = placeInConsumer(new URL('./cold-start-child.mjs', import.meta.url), 'cold-start-child.mjs');
  placeInConsumer(new URL('./bare-gax.mjs', import.meta.url), 'bare-gax.mjs');
  const channelPort = await emulators.channel((rounds + 1) * VARIANTS.length);
  const descriptor = new URL('dist/generated/google/channel.json', packageUrl).href;
  let customer = 0;
  const samples: Sample[] = [];
  const once = async (variant: Variant): Promise<Sample> => {
    const target = {
      confluentUrl: emulators.confluentUrl,
      channelPort,
      parent: channelCustomer(customer++),
      offer: CHANNEL_OFFER,
      descriptor,
    };
    const { stdout } = await run(process.execPath, [child, variant, JSON.stringify(target)], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NO_PROXY: '*' },
    });
    return JSON.parse(stdout.trim()) as Sample;
  };
  // One of each first, unmeasured: the file system cache warms up for all alike.
  for (const variant of VARIANTS) await once(variant);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      samples.push(await once(VARIANTS[(i + round) % VARIANTS.length] as Variant));
    }
  }
  await emulators.reset();
  const of = (variant: Variant, key: Figure) =>
    samples.filter((sample) => sample.variant === variant).map((sample) => sample[key]);
  const medians = Object.fromEntries(
    VARIANTS.map((variant) => [
      variant,
      Object.fromEntries(FIGURES.map((key) => [key, median(of(variant, key))])),
    ]),
  ) as ColdStartFigures['medians'];
  const ratio = (entry: Variant, bare: Variant): EntryRatios => ({
    total: pairedRatio(of(entry, 'totalMs'), of(bare, 'totalMs')),
    sinceStart: pairedRatio(of(entry, 'sinceStartMs'), of(bare, 'sinceStartMs')),
    cpu: pairedRatio(of(entry, 'cpuMs'), of(bare, 'cpuMs')),
  });
  return {
    rounds,
    medians,
    ratios: {
      confluent: ratio('confluent', 'openapi-fetch'),
      root: ratio('root', 'openapi-fetch'),
      'google-channel': ratio('google-channel', 'gax'),
    },
    samples,
  };
}

export function reportColdStart(figures: ColdStartFigures): void {
  const { medians, ratios } = figures;
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
  console.log(
    `\nCold start: import + first call in fresh processes, one at a time, emulators in another process; ${figures.rounds} rounds (order rotated), medians; ratios are the median of each round's own ratio:`,
  );
  const row = (label: string, variant: Variant, ratio?: EntryRatios, bare?: string) => {
    const m = medians[variant];
    console.log(
      `  ${label.padEnd(42)} import ${ms(m.importMs)} + call ${ms(m.callMs)} = ${ms(m.totalMs)} | from process start ${ms(m.sinceStartMs)} | CPU ${ms(m.cpuMs)}` +
        (ratio && bare
          ? `  ->  ${ratio.total.toFixed(2)}x of ${bare} (from process start ${ratio.sinceStart.toFixed(2)}x, CPU ${ratio.cpu.toFixed(2)}x)`
          : ''),
    );
  };
  row('openapi-fetch, Confluent create', 'openapi-fetch');
  row('entitlement-provisioner/confluent, create', 'confluent', ratios.confluent, 'openapi-fetch');
  row('entitlement-provisioner (facade), create', 'root', ratios.root, 'openapi-fetch');
  row('google-gax, Cloud Channel create + wait', 'gax');
  row('entitlement-provisioner/google-channel', 'google-channel', ratios['google-channel'], 'gax');
}
