/**
 * The configuration of `entitlements emulator`: a JSON (or YAML) file, and flags on top of it.
 * Each vendor's section holds that emulator's own start options, by the names the library uses
 * (`startConfluentEmulator`, `startChannelEmulator`), plus `faults` to queue at start and after
 * every reset:
 *
 * ```json
 * {
 *   "ports": { "confluent": 8080, "channelGrpc": 8085, "channelRest": 8086, "control": 8090 },
 *   "confluent": { "rateLimit": [{ "requests": 10, "perMs": 1000, "operationId": "createPartnerV2Entitlement" }],
 *                  "timeScale": 60,
 *                  "faults": [{ "type": "status", "status": 503, "times": 2 }] },
 *   "google-channel": {
 *     "completion": { "afterMs": 500 },
 *     "quota": "published",
 *     "timeScale": 60,
 *     "customers": [{ "name": "accounts/C1/customers/S1" }, { "name": "accounts/C1/customers/S2", "domainVerified": false }],
 *     "faults": [{ "type": "fail-operation", "code": "FAILED_PRECONDITION", "times": 1 }]
 *   }
 * }
 * ```
 *
 * `"quota": "published"` stands for the vendor's published figures (`CHANNEL_PUBLISHED_QUOTA`);
 * `rateLimit` is one limit or a list, each over every request or, with `operationId`, over one
 * operation of the vendor's spec.
 *
 * Values are checked by the emulators themselves when they start (a TypeError naming the option);
 * this module checks the shape, so that a misspelt key is refused instead of ignored, and the
 * operation ids against the spec. A new library option is one more name in the lists below.
 */
import confluentDocument from '../../generated/confluent/openapi.json' with { type: 'json' };
import { HTTP_METHODS } from '../openapi/operation-schemas.ts';

import type { ConfluentEmulatorOptions } from './confluent/emulator.ts';
import type { ConfluentFault } from './confluent/faults.ts';
import { CHANNEL_PUBLISHED_QUOTA } from './google-channel/defaults.ts';
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
  confluent: ['credentials', 'rateLimit', 'timeScale', 'locationOrigin', 'faults'],
  'google-channel': ['customers', 'offers', 'completion', 'quota', 'timeScale', 'faults'],
};

/** `"quota": "published"`: the vendor's published figures. */
export const PUBLISHED = 'published';

/** The operation ids of the Confluent spec the emulator serves (rate limits and faults name them). */
export function confluentOperationIds(): string[] {
  const ids: string[] = [];
  for (const item of Object.values(confluentDocument.paths ?? {}))
    for (const method of HTTP_METHODS) {
      const id = (item as Record<string, { operationId?: unknown } | undefined>)[method]?.operationId;
      if (typeof id === 'string') ids.push(id);
    }
  return ids;
}

/** Checks a Confluent rateLimit's operation ids (an unknown one would silently limit nothing). */
function checkRateLimit(value: unknown, where: string): void {
  const limits = Array.isArray(value) ? value : [value];
  const ids = confluentOperationIds();
  limits.forEach((limit, index) => {
    const at = Array.isArray(value) ? `${where}[${index}]` : where;
    if (!isObject(limit))
      throw new EmulatorConfigError(`${at} must be an object: { "requests": 10, "perMs": 1000 }.`);
    checkKeys(limit, ['requests', 'perMs', 'operationId'], `${at}.`);
    if (limit.operationId !== undefined && !ids.includes(limit.operationId as string))
      throw new EmulatorConfigError(
        `${at}.operationId ${JSON.stringify(limit.operationId)} is not an operation of the Confluent spec. Use one of: ${ids.join(', ')}.`,
      );
  });
}

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
    if (vendor === 'confluent' && section.rateLimit !== undefined)
      checkRateLimit(section.rateLimit, `${source}: confluent.rateLimit`);
    if (vendor === 'google-channel' && section.quota === PUBLISHED)
      section.quota = { ...CHANNEL_PUBLISHED_QUOTA };
    else if (vendor === 'google-channel' && typeof section.quota === 'string')
      throw new EmulatorConfigError(
        `${source}: google-channel.quota must be "${PUBLISHED}" or an object such as { "createPerMinute": 120 }.`,
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

const PERIODS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, min: 60_000, h: 3_600_000 };

/** `N/min`, `N/s`, `N/h`, `N/<n>s`, `N/<n>ms`: a count and its window in ms. */
function parsePer(text: string): { requests: number; perMs: number } | undefined {
  const match = /^(\d+)\/(\d+(?:\.\d+)?)?(ms|s|min|h)$/.exec(text);
  if (!match) return undefined;
  const requests = Number(match[1]);
  const perMs = Number(match[2] ?? 1) * (PERIODS[match[3] as string] as number);
  return requests >= 1 && perMs > 0 ? { requests, perMs } : undefined;
}

/**
 * `--quota`, repeatable, in three forms:
 * - `vendor.key=value` (dotted keys go deeper) sets a key of the vendor's quota option:
 *   `google-channel.createPerMinute=120`, `confluent.requests=10 --quota confluent.perMs=1000`;
 * - `google-channel=published`: the vendor's published figures (`CHANNEL_PUBLISHED_QUOTA`), under
 *   any Cloud Channel quota set explicitly;
 * - `confluent[:operationId]=N/period` adds a Confluent rate limit, over every request or over one
 *   operation: `confluent=600/min`, `confluent:createPartnerV2Entitlement=10/s`.
 */
export function applyQuotaFlag(config: EmulatorConfig, text: string): void {
  const refuse = (why: string) =>
    new EmulatorConfigError(
      `--quota ${JSON.stringify(text)} ${why}. Use e.g. google-channel.createPerMinute=120, google-channel=published, confluent=600/min or confluent:createPartnerV2Entitlement=10/s.`,
    );
  const rate = /^(confluent|google-channel)(?::([\w.-]+))?=(.+)$/.exec(text);
  if (rate) {
    const [, vendor, operationId, value = ''] = rate;
    if (vendor === 'google-channel') {
      if (operationId !== undefined || value !== PUBLISHED)
        throw refuse(
          'is not a Cloud Channel quota (its methods are set as google-channel.<name>PerMinute=N)',
        );
      // The published figures under any quota set explicitly (flags or file), whatever the order.
      const section = { ...config['google-channel'] };
      section.quota = { ...CHANNEL_PUBLISHED_QUOTA, ...section.quota };
      config['google-channel'] = section;
      return;
    }
    const per = parsePer(value);
    if (!per) throw refuse('is not a rate (N/min, N/s, N/h, N/<n>s or N/<n>ms, N >= 1)');
    const ids = confluentOperationIds();
    if (operationId !== undefined && !ids.includes(operationId))
      throw refuse(`names no operation of the Confluent spec (${ids.join(', ')})`);
    const section = { ...config.confluent };
    const existing = section.rateLimit;
    const limits = existing === undefined ? [] : Array.isArray(existing) ? [...existing] : [existing];
    limits.push({ ...per, ...(operationId !== undefined ? { operationId: operationId as never } : {}) });
    section.rateLimit = limits;
    config.confluent = section;
    return;
  }
  const match = /^([a-z-]+)\.([\w.]+)=(.+)$/.exec(text);
  const vendor = match?.[1] as EmulatorVendor | undefined;
  if (!match || !vendor || !VENDORS.includes(vendor)) throw refuse('is not vendor.key=value');
  if (vendor === 'confluent' && Array.isArray(config.confluent?.rateLimit))
    throw refuse(
      'sets a key of one rate limit, but there are several: give each as confluent[:operationId]=N/period',
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

/** `--time-scale N`: both emulators' quota and rate-limit windows pass N times faster. */
export function applyTimeScale(config: EmulatorConfig, timeScale: number): void {
  config.confluent = { ...config.confluent, timeScale };
  config['google-channel'] = { ...config['google-channel'], timeScale };
}

/** A deep copy of a configuration. */
export function copyConfig(config: EmulatorConfig): EmulatorConfig {
  return structuredClone(config);
}
