/**
 * Both vendors' emulators run from one configuration (emulator-config.ts), as `entitlements
 * emulator` and its control endpoint see them: started together on one clock that can be moved on
 * (clock.ts), reset to the configured start (state, logs, quotas and quota-error counts cleared,
 * the configured faults queued again), reconfigured one vendor at a time (that emulator restarts
 * on the same ports with the new options), described as JSON.
 */

import {
  type ChannelSection,
  type ConfluentSection,
  copyConfig,
  type EmulatorConfig,
  type EmulatorVendor,
} from '../emulator-config.ts';
import { Code, codeName } from '../google-channel/errors.ts';
import {
  type ChannelEmulator,
  type ChannelFault,
  type ConfluentEmulator,
  type ConfluentFault,
  DEFAULT_CHANNEL_COMPLETION,
  DEFAULT_CHANNEL_CUSTOMERS,
  DEFAULT_CHANNEL_OFFERS,
  DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS,
  startChannelEmulator,
  startConfluentEmulator,
} from '../index.ts';
import { type AdvanceableClock, createAdvanceableClock } from './clock.ts';

/** What `describe()` says of the Cloud Channel customers: the state each purchase meets. */
export interface CustomerDescription {
  name: string;
  domainVerified: boolean;
  /** What a purchase for this customer meets, e.g. `fails with FAILED_PRECONDITION: the domain is not verified`. */
  purchases: string;
}

function confluentOptions(section: ConfluentSection, port: number, clock: AdvanceableClock) {
  const { faults: _faults, ...options } = section;
  return { ...options, port, clock };
}

function channelOptions(
  section: ChannelSection,
  grpcPort: number,
  restPort: number,
  clock: AdvanceableClock,
) {
  const { faults: _faults, ...options } = section;
  return { ...options, grpcPort, restPort, clock };
}

/** A value as JSON can carry it: `Infinity` (a fault applied `times: Infinity`) becomes "Infinity". */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_key, item) => (item === Number.POSITIVE_INFINITY ? 'Infinity' : item)),
  ) as T;
}

export class EmulatorSet {
  #config: EmulatorConfig;
  #confluent: ConfluentEmulator;
  #channel: ChannelEmulator;
  /** Both emulators' time: real time, moved on by `advance` (kept across resets and restarts). */
  readonly clock: AdvanceableClock;

  private constructor(
    config: EmulatorConfig,
    confluent: ConfluentEmulator,
    channel: ChannelEmulator,
    clock: AdvanceableClock,
  ) {
    this.#config = config;
    this.#confluent = confluent;
    this.#channel = channel;
    this.clock = clock;
  }

  /** Starts both emulators; if one fails, the other is closed again and the error thrown. */
  static async start(config: EmulatorConfig, clock = createAdvanceableClock()): Promise<EmulatorSet> {
    const copy = copyConfig(config);
    const ports = copy.ports ?? {};
    const started = await Promise.allSettled([
      startConfluentEmulator(confluentOptions(copy.confluent ?? {}, ports.confluent ?? 0, clock)),
      startChannelEmulator(
        channelOptions(copy['google-channel'] ?? {}, ports.channelGrpc ?? 0, ports.channelRest ?? 0, clock),
      ),
    ]);
    const [confluent, channel] = started;
    if (confluent.status === 'rejected' || channel.status === 'rejected') {
      await Promise.allSettled(
        started.map((result) => result.status === 'fulfilled' && result.value.close()),
      );
      throw confluent.status === 'rejected' ? confluent.reason : (channel as PromiseRejectedResult).reason;
    }
    const set = new EmulatorSet(copy, confluent.value, channel.value, clock);
    try {
      set.#queueFaults('confluent');
      set.#queueFaults('google-channel');
    } catch (error) {
      await set.close();
      throw error;
    }
    return set;
  }

  get confluent(): ConfluentEmulator {
    return this.#confluent;
  }

  get channel(): ChannelEmulator {
    return this.#channel;
  }

  /** The configuration in force (a copy). */
  get config(): EmulatorConfig {
    return copyConfig(this.#config);
  }

  #queueFaults(vendor: EmulatorVendor): void {
    if (vendor === 'confluent')
      for (const fault of this.#config.confluent?.faults ?? []) this.#confluent.inject(fault);
    else for (const fault of this.#config['google-channel']?.faults ?? []) this.#channel.inject(fault);
  }

  /** Queues faults now (they are not kept for the next reset). Throws TypeError for an invalid one. */
  inject(vendor: EmulatorVendor, faults: readonly (ConfluentFault | ChannelFault)[]): void {
    for (const fault of faults) {
      if (vendor === 'confluent') this.#confluent.inject(fault as ConfluentFault);
      else this.#channel.inject(fault as ChannelFault);
    }
  }

  /**
   * Back to the configured start: state, logs, quota windows, quota-error counts and queued faults
   * cleared, configured faults queued. The clock keeps its time (it never goes back).
   */
  reset(vendor?: EmulatorVendor): void {
    if (vendor !== 'google-channel') {
      this.#confluent.reset();
      this.#queueFaults('confluent');
    }
    if (vendor !== 'confluent') {
      this.#channel.reset();
      this.#queueFaults('google-channel');
    }
  }

  /**
   * Replaces one vendor's section and restarts that emulator on the same ports, with empty state.
   * On failure the previous configuration is started again and the error thrown.
   */
  async reconfigure(vendor: EmulatorVendor, section: ConfluentSection | ChannelSection): Promise<void> {
    const next = copyConfig({ ...this.#config, [vendor]: section });
    const previous = this.#config;
    const start = async (config: EmulatorConfig) => {
      if (vendor === 'confluent') {
        this.#confluent = await startConfluentEmulator(
          confluentOptions(config.confluent ?? {}, this.#confluent.port, this.clock),
        );
      } else {
        const grpcPort = this.#channel.grpcAddress.port;
        const restPort = Number(new URL(this.#channel.restUrl).port);
        this.#channel = await startChannelEmulator(
          channelOptions(config['google-channel'] ?? {}, grpcPort, restPort, this.clock),
        );
      }
      this.#config = config;
      this.#queueFaults(vendor);
    };
    await (vendor === 'confluent' ? this.#confluent.close() : this.#channel.close());
    try {
      await start(next);
    } catch (error) {
      await start(previous);
      throw error;
    }
  }

  /** Every request (Confluent) or call (Cloud Channel) received since the start or the last reset. */
  requests(vendor: EmulatorVendor): readonly unknown[] {
    return vendor === 'confluent' ? this.#confluent.requests : this.#channel.calls;
  }

  pendingFaults(vendor: EmulatorVendor): readonly unknown[] {
    return vendor === 'confluent' ? this.#confluent.pendingFaults : this.#channel.pendingFaults;
  }

  /** The Cloud Channel customers and whether purchases can go through (the domain is verified). */
  customers(): CustomerDescription[] {
    return (this.#config['google-channel']?.customers ?? DEFAULT_CHANNEL_CUSTOMERS).map((customer) => {
      const verified = customer.domainVerified !== false;
      return {
        name: customer.name,
        domainVerified: verified,
        purchases: verified
          ? 'go through'
          : `fail with ${codeName(Code.FAILED_PRECONDITION)}: the domain is not verified`,
      };
    });
  }

  /** Where each emulator listens, what it accepts and how it is configured, as JSON. */
  describe(): Record<string, unknown> {
    return jsonSafe(this.#describe());
  }

  #describe(): Record<string, unknown> {
    const confluent = this.#config.confluent ?? {};
    const channel = this.#config['google-channel'] ?? {};
    const grpc = `${this.#channel.grpcAddress.host}:${this.#channel.grpcAddress.port}`;
    return {
      confluent: {
        url: this.#confluent.url,
        credentials: confluent.credentials ?? [
          { token: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token },
          {
            apiKey: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.apiKey,
            apiSecret: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.apiSecret,
          },
        ],
        ...(confluent.rateLimit ? { rateLimit: confluent.rateLimit } : {}),
        ...(confluent.timeScale !== undefined ? { timeScale: confluent.timeScale } : {}),
        quotaErrors: this.#confluent.quotaErrors,
        pendingFaults: this.#confluent.pendingFaults,
      },
      'google-channel': {
        grpc,
        rest: this.#channel.restUrl,
        customers: this.customers(),
        offers: channel.offers ?? DEFAULT_CHANNEL_OFFERS,
        completion: channel.completion ?? DEFAULT_CHANNEL_COMPLETION,
        ...(channel.quota ? { quota: channel.quota } : {}),
        ...(channel.timeScale !== undefined ? { timeScale: channel.timeScale } : {}),
        quotaErrors: this.#channel.quotaErrors,
        pendingFaults: this.#channel.pendingFaults,
      },
      clock: this.clockState(),
    };
  }

  /** The emulators' time, and how far it was moved on. */
  clockState(): { now: string; offsetMs: number } {
    return { now: new Date(this.clock.now()).toISOString(), offsetMs: this.clock.offsetMs };
  }

  /** Quota (and rate-limit) errors served per vendor since the start or the last reset. */
  quotaErrors(): Record<EmulatorVendor, number> {
    return { confluent: this.#confluent.quotaErrors, 'google-channel': this.#channel.quotaErrors };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#confluent.close(), this.#channel.close()]);
  }
}
