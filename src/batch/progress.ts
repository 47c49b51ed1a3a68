/**
 * Progress figures for people watching a batch: from successive `BatchProgress` snapshots, the
 * rate of each bucket over the last minute (against its quota), the item throughput and the ETA.
 * Pure: the CLI draws them as a bar on a terminal and as plain lines elsewhere.
 */
import { perMinute } from './rates.ts';
import type { BatchProgress } from './types.ts';

export interface BucketRate {
  name: string;
  /** Requests per minute over the measured window. */
  perMinute: number;
  /** The bucket's quota per minute (the vendor's, or the configured starting rate). */
  quotaPerMinute: number;
  published: boolean;
  rateLimited: number;
}

export interface ProgressFigures {
  finished: number;
  done: number;
  failed: number;
  fromJournal: number;
  interrupted: number;
  /** Items being created or waited for. */
  inFlight: number;
  /** Requests out now. */
  requests: number;
  total?: number;
  /** Finished items per minute over the measured window. */
  itemsPerMinute: number;
  etaMs?: number;
  buckets: BucketRate[];
  elapsedMs: number;
}

interface Sample {
  at: number;
  finished: number;
  sent: Map<string, number>;
}

const WINDOW_MS = 60_000;

function finishedOf(progress: BatchProgress): number {
  return progress.done + progress.failed + progress.interrupted;
}

export class ProgressMeter {
  readonly #samples: Sample[] = [];
  readonly #total: number | undefined;

  constructor(total?: number) {
    this.#total = total;
  }

  /** Adds a snapshot taken at `at` (milliseconds) and returns the figures. */
  update(progress: BatchProgress, at: number = performance.now()): ProgressFigures {
    const sample: Sample = {
      at,
      finished: finishedOf(progress),
      sent: new Map(progress.buckets.map((bucket) => [`${bucket.vendor}:${bucket.method}`, bucket.sent])),
    };
    this.#samples.push(sample);
    while (this.#samples.length > 2 && at - (this.#samples[1] as Sample).at >= WINDOW_MS)
      this.#samples.shift();
    const first = this.#samples[0] as Sample;
    const spanMs = at - first.at;
    const rate = (now: number, then: number) => (spanMs > 0 ? ((now - then) * 60_000) / spanMs : 0);
    const itemsPerMinute = rate(sample.finished, first.finished);
    const figures: ProgressFigures = {
      finished: sample.finished,
      done: progress.done,
      failed: progress.failed,
      fromJournal: progress.fromJournal,
      interrupted: progress.interrupted,
      inFlight: progress.creating + progress.waiting,
      requests: progress.inFlight,
      itemsPerMinute,
      buckets: progress.buckets.map((bucket) => {
        const name = `${bucket.vendor}:${bucket.method}`;
        return {
          name,
          perMinute: rate(bucket.sent, first.sent.get(name) ?? 0),
          quotaPerMinute: perMinute(bucket.quota),
          published: bucket.published,
          rateLimited: bucket.rateLimited,
        };
      }),
      elapsedMs: progress.elapsedMs,
    };
    if (this.#total !== undefined) {
      figures.total = this.#total;
      const left = Math.max(0, this.#total - sample.finished);
      if (left === 0) figures.etaMs = 0;
      else if (itemsPerMinute > 0) figures.etaMs = (left / itemsPerMinute) * 60_000;
    }
    return figures;
  }
}

export function formatEta(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * The buckets' rates against their quotas, per minute, grouped by vendor:
 * `google-channel create 116/120 poll 410/600, confluent create 580/600*` (`*`: no published
 * quota, the configured starting rate).
 */
export function formatRates(figures: ProgressFigures): string {
  const vendors = new Map<string, string[]>();
  for (const bucket of figures.buckets) {
    const [vendor = '', method = ''] = bucket.name.split(':');
    const parts = vendors.get(vendor) ?? [];
    parts.push(
      `${method} ${Math.round(bucket.perMinute)}/${Math.round(bucket.quotaPerMinute)}${bucket.published ? '' : '*'}${bucket.rateLimited > 0 ? ` (${bucket.rateLimited} quota errors)` : ''}`,
    );
    vendors.set(vendor, parts);
  }
  return [...vendors].map(([vendor, parts]) => `${vendor} ${parts.join(' ')}`).join(', ');
}

/** One plain line: `412/1000 finished (400 done, 12 failed), 16 in flight, rates ..., ETA 5m03s`. */
export function formatProgressLine(figures: ProgressFigures): string {
  const of = figures.total === undefined ? '' : `/${figures.total}`;
  const parts = [
    `${figures.finished}${of} finished (${figures.done} done${figures.fromJournal ? `, ${figures.fromJournal} from the journal` : ''}, ${figures.failed} failed)`,
    `${figures.inFlight} in flight`,
  ];
  parts.push(`ETA ${formatEta(figures.etaMs)}`);
  const rates = formatRates(figures);
  if (rates) parts.push(`per min: ${rates}`);
  return parts.join(', ');
}
