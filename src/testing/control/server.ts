/**
 * The emulators' HTTP control endpoint, on 127.0.0.1 only, for test suites in any language (curl
 * will do). JSON in, JSON out; `{vendor}` is `confluent` or `google-channel`:
 *
 * | request                       | effect                                                           |
 * |-------------------------------|------------------------------------------------------------------|
 * | `GET /`                       | endpoints, credentials, customers, completion, quotas, time      |
 * |                               | scale, quota errors served (`quotaErrors`), faults, the clock    |
 * | `POST /reset`                 | both emulators back to the configured start                      |
 * | `GET /clock`                  | the emulators' time and how far it was moved on (`offsetMs`)     |
 * | `POST /clock/advance`         | `{ "ms": 60000 }`: moves both emulators' time on (never back)    |
 * | `POST /{vendor}/reset`        | one of them                                                      |
 * | `GET /{vendor}/requests`      | the request log (Cloud Channel: one record per call)             |
 * | `GET /{vendor}/faults`        | the faults still queued                                          |
 * | `POST /{vendor}/faults`       | queue a fault, or a list of them (`"times": "Infinity"` allowed)  |
 * | `GET /{vendor}/config`        | that vendor's section of the configuration                        |
 * | `PUT /{vendor}/config`        | new options for that emulator (completion, quota, customers...): |
 * |                               | it restarts on the same ports with empty state                   |
 * | `PATCH /{vendor}/config`      | the same, changing only the settings given                        |
 * | `GET /confluent/entitlements` | the stored entitlements                                          |
 * | `GET /google-channel/entitlements`, `GET /google-channel/operations` | the same for Channel  |
 *
 * Requests with a body must say `Content-Type: application/json`, and the Host must be the
 * loopback address: a web page in a browser can then neither send nor read anything here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  type ChannelSection,
  type ConfluentSection,
  checkConfig,
  EmulatorConfigError,
  type EmulatorVendor,
  normaliseFault,
  VENDORS,
} from '../emulator-config.ts';
import { listen } from '../listen.ts';
import { type EmulatorSet, jsonSafe } from './emulators.ts';

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 1024 * 1024;

export interface ControlServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new HttpError(415, 'Send the body as JSON, with Content-Type: application/json.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The body is larger than 1 MB.');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : `${JSON.stringify(jsonSafe(body), null, 2)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function vendorOf(segment: string | undefined): EmulatorVendor {
  if (segment !== undefined && (VENDORS as readonly string[]).includes(segment))
    return segment as EmulatorVendor;
  throw new HttpError(404, `Unknown vendor ${JSON.stringify(segment)}: use ${VENDORS.join(' or ')}.`);
}

async function route(set: EmulatorSet, req: IncomingMessage): Promise<[number, unknown?]> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', `http://${HOST}`).pathname.replace(/\/+$/, '') || '/';
  const only = (allowed: string) => {
    if (method !== allowed) throw new HttpError(405, `${path} takes ${allowed}, not ${method}.`);
  };
  if (path === '/') {
    only('GET');
    return [200, set.describe()];
  }
  if (path === '/reset') {
    only('POST');
    set.reset();
    return [200, set.describe()];
  }
  if (path === '/clock') {
    only('GET');
    return [200, set.clockState()];
  }
  if (path === '/clock/advance') {
    only('POST');
    const body = await readJson(req);
    const ms = isObject(body) ? body.ms : undefined;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      throw new HttpError(400, 'Send { "ms": <milliseconds to move on, >= 0> }.');
    set.clock.advance(ms);
    return [200, set.clockState()];
  }
  const [, first, what, ...rest] = path.split('/');
  const vendor = vendorOf(first);
  if (rest.length > 0 || what === undefined) throw new HttpError(404, `No such control path: ${path}.`);
  switch (what) {
    case 'reset':
      only('POST');
      set.reset(vendor);
      return [200, set.describe()];
    case 'requests':
      only('GET');
      return [200, set.requests(vendor)];
    case 'faults': {
      if (method === 'GET') return [200, set.pendingFaults(vendor)];
      only('POST');
      const body = await readJson(req);
      const faults = (Array.isArray(body) ? body : [body]).map((fault, index) =>
        normaliseFault(vendor, fault, Array.isArray(body) ? `fault ${index}` : 'the fault'),
      );
      set.inject(vendor, faults);
      return [201, set.pendingFaults(vendor)];
    }
    case 'config': {
      if (method === 'GET') return [200, set.config[vendor] ?? {}];
      // PUT replaces the vendor's section; PATCH replaces only the settings it names.
      if (method !== 'PATCH') only('PUT');
      const body = await readJson(req);
      const merged = method === 'PATCH' && isObject(body) ? { ...set.config[vendor], ...body } : body;
      const section = checkConfig({ [vendor]: merged }, 'the configuration')[vendor] as
        | ConfluentSection
        | ChannelSection;
      await set.reconfigure(vendor, section);
      return [200, set.describe()];
    }
    case 'entitlements':
      only('GET');
      return [200, vendor === 'confluent' ? set.confluent.entitlements() : set.channel.entitlements()];
    case 'operations':
      only('GET');
      if (vendor !== 'google-channel') throw new HttpError(404, 'Only google-channel has operations.');
      return [200, set.channel.operations()];
    default:
      throw new HttpError(404, `No such control path: ${path}.`);
  }
}

/** Starts the control endpoint of `set` on 127.0.0.1 (`port` 0: a free port). */
export async function startControlServer(set: EmulatorSet, port = 0): Promise<ControlServer> {
  let allowedHosts: Set<string> = new Set();
  const server = createServer((req, res) => {
    if (!allowedHosts.has(req.headers.host ?? '')) {
      send(res, 421, { error: { message: 'Use the control endpoint through its loopback address.' } });
      return;
    }
    route(set, req).then(
      ([status, body]) => send(res, status, body),
      (error: unknown) => {
        // A bad fault or option is the caller's mistake: the emulators say which field (TypeError).
        const status =
          error instanceof HttpError
            ? error.status
            : error instanceof EmulatorConfigError || error instanceof TypeError
              ? 400
              : 500;
        if (!res.headersSent)
          send(res, status, { error: { message: (error as Error).message ?? String(error) } });
        else res.destroy();
      },
    );
  });
  const bound = await listen(server, HOST, port);
  allowedHosts = new Set([`${HOST}:${bound}`, `localhost:${bound}`]);
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { url: `http://${HOST}:${bound}`, port: bound, close, [Symbol.asyncDispose]: close };
}
