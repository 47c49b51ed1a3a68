/**
 * The configuration of `entitlements emulator`: a JSON (or YAML) file, and flags on top of it.
 * Each vendor's section holds that emulator's own start options, by the names the library uses
 * (`startConfluentEmulator`, `startChannelEmulator`), plus `faults` to queue at start and after
 * every reset:
 *
 * ```json
 * {
 *   "ports": { "confluent": 8080, "channelGrpc": 8085, "channelRest": 8086, "control": 8090 },
 *   "confluent": { "rateLimit": { "requests": 10, "perMs": 1000 },
 *                  "faults": [{ "type": "status", "status": 503, "times": 2 }] },
 *   "google-channel": {
 *     "completion": { "afterMs": 500 },
 *     "quota": { "createPerMinute": 120 },
 *     "customers": [{ "name": "accounts/C1/customers/S1" }, { "name": "accounts/C1/customers/S2", "domainVerified": false }],
 *     "faults": [{ "type": "fail-operation", "code": "FAILED_PRECONDITION", "times": 1 }]
 *   }
 * }
 * ```
 *
 * Values are checked by the emulators themselves when they start (a TypeError naming the option);
 * this module checks the shape, so that a misspelt key is refused instead of ignored. A new
 * library option is one more name in the lists below.
 */

import type { ConfluentEmulatorOptions } from './confluent/emulator.ts';
import type { ConfluentFault } from './confluent/faults.ts';
import type { ChannelEmulatorOptions } from './google-channel/emulator.ts';
import { Code } from './google-channel/errors.ts';
import type { ChannelFault } from './google-channel/faults.ts';

export const VENDORS = ['confluent', 'google-channel'] as const;
export type EmulatorVendor = (typeof VENDORS)[number];

export interface EmulatorPorts {
  confluent?: number;
  channelGrpc?: number;
  channelRest?: number;
  /** The HTTP control endpoint. */
  control?: number;
}

export interface ConfluentSection extends Omit<ConfluentEmulatorOptions, 'port'> {
  /** Queued at start and after every reset. */
  faults?: ConfluentFault[];
}

export interface ChannelSection extends Omit<ChannelEmulatorOptions, 'grpcPort' | 'restPort'> {
  /** Queued at start and after every reset. */
  faults?: ChannelFault[];
}

export interface EmulatorConfig {
  ports?: EmulatorPorts;
  confluent?: ConfluentSection;
  'google-channel'?: ChannelSection;
}

/** The option names each section takes (the library's, plus `faults`). */
export const SECTION_KEYS: Readonly<Record<EmulatorVendor, readonly string[]>> = {
  confluent: ['credentials', 'rateLimit', 'locationOrigin', 'faults'],
  'google-channel': ['customers', 'offers', 'completion', 'quota', 'faults'],
};

/** The option of each section that `--quota vendor.key=value` sets keys of. */
export const QUOTA_OPTION: Readonly<Record<EmulatorVendor, string>> = {
  confluent: 'rateLimit',
  'google-channel': 'quota',
};

const PORT_KEYS = ['confluent', 'channelGrpc', 'channelRest', 'control'];

/** A configuration that cannot be used; the message names the key (`google-channel.completion`). */
export class EmulatorConfigError extends Error {
  override name = 'EmulatorConfigError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      throw new EmulatorConfigError(
        `${where}${key} is not a setting here. Use one of: ${allowed.join(', ')}.`,
      );
}

/** Checks the shape of a configuration (parsed JSON or YAML); `source` names it in messages. */
export function checkConfig(value: unknown, source = 'the configuration'): EmulatorConfig {
  if (!isObject(value))
    throw new EmulatorConfigError(`${source} must be an object ({ "confluent": {...}, ... }).`);
  checkKeys(value, ['ports', ...VENDORS], `${source}: `);
  if (value.ports !== undefined) {
    if (!isObject(value.ports)) throw new EmulatorConfigError(`${source}: ports must be an object.`);
    checkKeys(value.ports, PORT_KEYS, `${source}: ports.`);
    for (const [key, port] of Object.entries(value.ports))
      if (!(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535))
        throw new EmulatorConfigError(
          `${source}: ports.${key} must be a port from 0 to 65535 (0: any free port).`,
        );
  }
  for (const vendor of VENDORS) {
    const section = value[vendor];
    if (section === undefined) continue;
    if (!isObject(section)) throw new EmulatorConfigError(`${source}: ${vendor} must be an object.`);
    checkKeys(section, SECTION_KEYS[vendor], `${source}: ${vendor}.`);
    if (section.faults !== undefined && !Array.isArray(section.faults))
      throw new EmulatorConfigError(`${source}: ${vendor}.faults must be a list of faults.`);
    if (Array.isArray(section.faults))
      section.faults = section.faults.map((fault, index) =>
        normaliseFault(vendor, fault, `${source}: ${vendor}.faults[${index}]`),
      );
  }
  return value as EmulatorConfig;
}

/** Reads a configuration file's text: JSON, or YAML for `.yaml` / `.yml` (needs the `yaml` package). */
export async function parseConfig(text: string, file: string): Promise<EmulatorConfig> {
  let value: unknown;
  if (/\.ya?ml$/i.test(file)) {
    let yaml: { parse(text: string): unknown };
    try {
      yaml = await import('yaml');
    } catch {
      throw new EmulatorConfigError(
        `${file} is YAML, and reading YAML needs the yaml package. Install it (npm install yaml), or write the configuration as JSON.`,
      );
    }
    try {
      value = yaml.parse(text);
    } catch (error) {
      throw new EmulatorConfigError(`${file} is not valid YAML: ${(error as Error).message}`);
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new EmulatorConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  return checkConfig(value, file);
}

// ---------------------------------------------------------------------------------------------
// Faults: JSON has no Infinity, and gRPC codes read better by name.

/** `times: "Infinity"` (or `"always"`) means every matching request. */
function normaliseTimes(fault: Record<string, unknown>): void {
  if (fault.times === 'Infinity' || fault.times === 'always') fault.times = Number.POSITIVE_INFINITY;
}

/**
 * A fault from a file, a flag or the control endpoint, in the form `inject()` takes. Its values
 * are checked by the emulator's `inject` (a TypeError naming the field).
 */
export function normaliseFault(
  vendor: EmulatorVendor,
  value: unknown,
  where: string,
): ConfluentFault | ChannelFault {
  if (!isObject(value) || typeof value.type !== 'string')
    throw new EmulatorConfigError(
      `${where} must be an object with a type, e.g. { "type": "latency", "ms": 200 }.`,
    );
  const fault: Record<string, unknown> = structuredClone(value);
  normaliseTimes(fault);
  if (vendor === 'google-channel' && fault.type === 'fail-operation') {
    if (typeof fault.code === 'string') {
      // gRPC code names (`FAILED_PRECONDITION`) to numbers, from the Cloud Channel emulator's table.
      const code = (Code as Readonly<Record<string, number>>)[fault.code.toUpperCase()];
      if (code === undefined)
        throw new EmulatorConfigError(
          `${where}: code ${JSON.stringify(fault.code)} is not a gRPC code name (e.g. FAILED_PRECONDITION) or number.`,
        );
      fault.code = code;
    }
    if (fault.message === undefined) fault.message = 'The operation failed (injected by the emulator).';
  }
  return fault as unknown as ConfluentFault | ChannelFault;
}

/**
 * `--fault vendor:type[:key=value,...]`, e.g. `google-channel:fail-operation:code=FAILED_PRECONDITION`,
 * `confluent:status:status=503,times=2`, `confluent:latency:ms=300,method=POST`. Whole numbers
 * become numbers; for Confluent, `method` and `operation` fill the fault's `match`.
 */
export function parseFaultFlag(text: string): {
  vendor: EmulatorVendor;
  fault: ConfluentFault | ChannelFault;
} {
  const match = /^([a-z-]+):([a-z-]+)(?::(.*))?$/s.exec(text);
  const vendor = match?.[1] as EmulatorVendor | undefined;
  if (!match || !vendor || !VENDORS.includes(vendor))
    throw new EmulatorConfigError(
      `--fault ${JSON.stringify(text)} is not vendor:type[:key=value,...]. Use e.g. confluent:status:status=503,times=2 or google-channel:unavailable:method=CreateEntitlement.`,
    );
  const fault: Record<string, unknown> = { type: match[2] };
  for (const pair of (match[3] ?? '').split(',').filter(Boolean)) {
    const [key, ...rest] = pair.split('=');
    const raw = rest.join('=');
    if (!key || rest.length === 0)
      throw new EmulatorConfigError(
        `--fault ${JSON.stringify(text)}: ${JSON.stringify(pair)} is not key=value.`,
      );
    const value = /^\d+$/.test(raw) ? Number(raw) : raw;
    if (vendor === 'confluent' && (key === 'method' || key === 'operation')) {
      const matcher = (fault.match ?? {}) as Record<string, unknown>;
      matcher[key === 'operation' ? 'operationId' : 'method'] = value;
      fault.match = matcher;
    } else fault[key] = value;
  }
  return { vendor, fault: normaliseFault(vendor, fault, `--fault ${text}`) };
}

/**
 * `--quota vendor.key=value` (dotted keys go deeper): `google-channel.createPerMinute=120`,
 * `confluent.requests=10 --quota confluent.perMs=1000`. Sets a key of the vendor's quota option.
 */
export function applyQuotaFlag(config: EmulatorConfig, text: string): void {
  const match = /^([a-z-]+)\.([\w.]+)=(.+)$/.exec(text);
  const vendor = match?.[1] as EmulatorVendor | undefined;
  if (!match || !vendor || !VENDORS.includes(vendor))
    throw new EmulatorConfigError(
      `--quota ${JSON.stringify(text)} is not vendor.key=value. Use e.g. google-channel.createPerMinute=120 or confluent.requests=10.`,
    );
  const raw = match[3] as string;
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  config[vendor] ??= {};
  let target = config[vendor] as Record<string, unknown>;
  for (const key of [QUOTA_OPTION[vendor], ...(match[2] as string).split('.')].slice(0, -1)) {
    target[key] ??= {};
    target = target[key] as Record<string, unknown>;
  }
  target[(match[2] as string).split('.').at(-1) as string] = value;
}

/** A deep copy of a configuration. */
export function copyConfig(config: EmulatorConfig): EmulatorConfig {
  return structuredClone(config);
}
