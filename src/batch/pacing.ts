/**
 * One quota bucket per vendor and method: a token bucket (the `limiter` package) refilled at a
 * rate that adapts to the vendor's answers.
 *
 * - With a published quota of L requests per window I, the bucket refills at `utilisation` x L / I
 *   with a burst of 2 or 3 (1 for small quotas), and burst + refill over one window below L: a
 *   vendor counting fixed windows (Cloud Channel: 60 s) never sees more than its quota, even when
 *   requests arrive a little bunched, and a late timer costs nothing (the burst absorbs it).
 * - Without one (Confluent), it starts from the configured rate.
 * - The first request of a bucket goes alone: the next ones wait for its answer, so that the
 *   first request's extra latency (connecting) cannot bunch the following ones into its window.
 * - On a quota error the rate halves (down to 1/16 of the start), nothing is sent until the
 *   vendor's Retry-After has passed (a floor), and the rate then recovers by a tenth of the start
 *   rate per tenth of a window without another quota error.
 */
import { TokenBucket } from 'limiter';
import type { Quota } from './items.ts';

export interface BucketSettings {
  vendor: string;
  method: string;
  /** The requests allowed per window. */
  quota: Quota;
  /** Whether the quota is the vendor's (kept below with a margin) or a starting rate of ours. */
  published: boolean;
  /** Share of a published quota to use (default 0.97). */
  utilisation: number;
}

export interface BucketStats {
  vendor: string;
  method: string;
  quota: Quota;
  published: boolean;
  /** The rate the bucket paces at now, per quota window. */
  currentLimit: number;
  /** Requests started. */
  sent: number;
  /** Quota errors the vendor answered. */
  rateLimited: number;
  /** When sending resumes after a quota error (performance.now() milliseconds), if paused. */
  pausedUntil?: number;
}

const DECREASE = 0.5;
const MIN_SHARE = 1 / 16;
const RECOVERY_STEP = 0.1;

export class AdaptiveBucket {
  readonly vendor: string;
  readonly method: string;
  readonly quota: Quota;
  readonly published: boolean;
  readonly #bucket: TokenBucket;
  /** Tokens per quota window when nothing went wrong. */
  readonly #target: number;
  #current: number;
  #pausedUntil = 0;
  #lastChange = 0;
  #sent = 0;
  #rateLimited = 0;
  #warmup: 'cold' | 'warming' | 'warm' = 'cold';

  constructor(settings: BucketSettings) {
    const { quota, published } = settings;
    this.vendor = settings.vendor;
    this.method = settings.method;
    this.quota = quota;
    this.published = published;
    // A burst of 2 or 3 absorbs late timers (a late start does not cost its slot); below ~50 per
    // window the slots are far apart and a late timer costs little, so 1 keeps the margin.
    const margin = Math.floor(quota.limit * (1 - settings.utilisation));
    const burst = published
      ? Math.max(quota.limit >= 50 ? 2 : 1, Math.min(3, margin))
      : Math.max(1, Math.min(2, quota.limit));
    // Half a slot stays free for requests that arrive a little bunched.
    this.#target = published
      ? Math.min(quota.limit * settings.utilisation, quota.limit - burst - 0.5)
      : quota.limit;
    if (!(this.#target > 0)) this.#target = quota.limit / 2;
    this.#current = this.#target;
    this.#bucket = new TokenBucket({
      bucketSize: burst,
      tokensPerInterval: this.#target,
      interval: quota.intervalMs,
    });
    this.#bucket.content = 1;
  }

  get name(): string {
    return `${this.vendor}:${this.method}`;
  }

  /** Milliseconds until a request may start (0: now). */
  waitTime(now: number): number {
    if (this.#warmup === 'warming') return Number.POSITIVE_INFINITY;
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#recover(now);
    return this.#bucket.getWaitTime(1);
  }

  /** Takes a token when one is there. */
  tryTake(now: number): boolean {
    if (this.#warmup === 'warming' || now < this.#pausedUntil) return false;
    this.#recover(now);
    if (!this.#bucket.tryRemoveTokens(1)) return false;
    this.#sent++;
    if (this.#warmup === 'cold') this.#warmup = 'warming';
    return true;
  }

  /** A request that took a token has finished (answered or failed). */
  finished(): void {
    if (this.#warmup === 'warming') this.#warmup = 'warm';
  }

  /** The vendor answered with a quota error: slow down, and wait at least `retryAfterMs`. */
  rateLimited(now: number, retryAfterMs: number | undefined): void {
    this.#rateLimited++;
    this.#current = Math.max(this.#target * MIN_SHARE, this.#current * DECREASE);
    this.#bucket.tokensPerInterval = this.#current;
    this.#bucket.content = 0;
    const spacing = this.quota.intervalMs / this.#current;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + Math.max(retryAfterMs ?? 0, spacing));
    this.#lastChange = this.#pausedUntil;
  }

  #recover(now: number): void {
    if (this.#current >= this.#target) return;
    const step = this.quota.intervalMs * RECOVERY_STEP;
    if (now - this.#lastChange < step) return;
    this.#current = Math.min(this.#target, this.#current + this.#target * RECOVERY_STEP);
    this.#bucket.tokensPerInterval = this.#current;
    this.#lastChange = now;
  }

  stats(now: number): BucketStats {
    return {
      vendor: this.vendor,
      method: this.method,
      quota: { ...this.quota },
      published: this.published,
      currentLimit: this.#current,
      sent: this.#sent,
      rateLimited: this.#rateLimited,
      ...(now < this.#pausedUntil ? { pausedUntil: this.#pausedUntil } : {}),
    };
  }
}
