/**
 * The REST transport, as Google's front end transcodes HTTP/JSON to the gRPC methods: routes
 * from the descriptor's `google.api.http` rules, bodies and responses in proto3 JSON
 * (`proto3-json-serializer`, what google-gax's REST transport uses), errors as
 * `{"error": {"code", "message", "status", "details"}}`.
 *
 * - Request bodies accept camelCase and snake_case field names; an unknown name, malformed JSON
 *   or a value of the wrong type is INVALID_ARGUMENT (`Invalid JSON payload received. ...`).
 * - `$alt=json;enum-encoding=int` (sent by google-gax) renders enums as numbers.
 * - A path no rule matches is 404 `Method not found.`; a rule of a method the emulator does not
 *   implement (ListOperations, DeleteOperation) is 501 UNIMPLEMENTED. Neither is logged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fromProto3JSON, type JSONValue } from 'proto3-json-serializer';
import protobuf from 'protobufjs';
import { TYPE_NAMES } from '../../../generated/google/channel.ts';
import { listen } from '../listen.ts';
import type { CallHandler, RunningServer } from './calls.ts';
import {
  CHANNEL_METHODS,
  type ChannelMethod,
  lookupService,
  OBJECT_OPTIONS,
  root,
  toJson,
} from './descriptor.ts';
import { badRequest, Code, errorInfo, type RpcStatus, restErrorBody, rpcStatus } from './errors.ts';
import { type HttpRoute, httpRoutes, matchRoute } from './http-rules.ts';

const MAX_BODY_BYTES = 1024 * 1024;
const ROUTING_HEADER = 'x-goog-request-params';
/** System parameters Google's front end accepts on any method; the emulator ignores them but `$alt`. */
const SYSTEM_PARAMETERS = new Set([
  '$alt',
  'alt',
  '$prettyPrint',
  'prettyPrint',
  '$fields',
  'fields',
  'key',
  '$callback',
  'callback',
  'quotaUser',
  '$userProject',
  'userProject',
  'access_token',
  'upload_protocol',
  'uploadType',
]);
/**
 * The kept `google.protobuf` types whose proto3 JSON form is not an object of their fields (the
 * others of that kind, FieldMask, Struct, Value and ListValue, are not in the descriptor).
 */
const SPECIAL_JSON = new Set([`.${TYPE_NAMES.Duration}`, `.${TYPE_NAMES.Timestamp}`]);
const ANY = `.${TYPE_NAMES.Any}`;
const IMPLEMENTED = new Set<string>(CHANNEL_METHODS);

class InvalidPayload extends Error {
  readonly field: string;
  constructor(message: string, field = '') {
    super(message);
    this.field = field;
  }
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function invalidPayload(error: InvalidPayload): RpcStatus {
  return rpcStatus(Code.INVALID_ARGUMENT, error.message, [
    errorInfo('INVALID_JSON_PAYLOAD', error.field === '' ? {} : { field: error.field }),
    badRequest([{ ...(error.field === '' ? {} : { field: error.field }), description: error.message }]),
  ]);
}

/**
 * Checks field names against `type` recursively and renames snake_case ones to the descriptor's
 * camelCase, as Google's front end accepts both. Types and values are checked by the serializer.
 */
function normalise(type: protobuf.Type, json: unknown, path: string): unknown {
  if (SPECIAL_JSON.has(type.fullName) || json === null || typeof json !== 'object' || Array.isArray(json))
    return json;
  const input = json as Record<string, unknown>;
  if (type.fullName === ANY) {
    const typeUrl = input['@type'];
    if (typeof typeUrl !== 'string')
      throw new InvalidPayload(
        `Invalid JSON payload received. Missing @type for any field at '${path}'.`,
        path,
      );
    let inner: protobuf.Type;
    try {
      inner = root.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    } catch {
      throw new InvalidPayload(
        `Invalid JSON payload received. Invalid value at '${path}' (type.googleapis.com/google.protobuf.Any), unknown type ${JSON.stringify(typeUrl)}.`,
        path,
      );
    }
    const { '@type': _, ...fields } = input;
    if (SPECIAL_JSON.has(inner.fullName)) return input;
    return { '@type': typeUrl, ...(normalise(inner, fields, path) as object) };
  }
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const field = type.fields[key] ?? type.fields[camel(key)];
    if (!field) {
      const at = path === '' ? '' : ` at '${path}'`;
      throw new InvalidPayload(
        `Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${at}: Cannot find field.`,
        path,
      );
    }
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const fieldType = field.resolvedType;
    let normalised = value;
    if (fieldType instanceof protobuf.Type && value !== null) {
      if (field.repeated && Array.isArray(value))
        normalised = value.map((element, i) => normalise(fieldType, element, `${fieldPath}[${i}]`));
      else if (field.map && typeof value === 'object' && !Array.isArray(value))
        normalised = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            k,
            normalise(fieldType, v, `${fieldPath}[${k}]`),
          ]),
        );
      else if (!field.repeated && !field.map) normalised = normalise(fieldType, value, fieldPath);
    }
    output[field.name] = normalised;
  }
  return output;
}

/** Decodes a request: body per the rule, path variables on top, to object form. */
function decodeRequest(
  route: HttpRoute,
  params: Record<string, string>,
  bodyText: string,
): Record<string, unknown> {
  const method = lookupService(route.service)?.methods[route.method];
  const requestType = method?.resolvedRequestType;
  if (!requestType) throw new Error(`no request type for ${route.service}.${route.method}`);
  let json: Record<string, unknown> = {};
  if (route.body !== undefined && bodyText.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bodyText);
    } catch (error) {
      throw new InvalidPayload(`Invalid JSON payload received. ${(error as Error).message}`);
    }
    if (route.body === '*') {
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new InvalidPayload('Invalid JSON payload received. The request body must be a JSON object.');
      json = normalise(requestType, parsed, '') as Record<string, unknown>;
    } else {
      json = normalise(requestType, { [route.body]: parsed }, '') as Record<string, unknown>;
    }
  }
  for (const [name, value] of Object.entries(params)) json[camel(name)] = value;
  let message: protobuf.Message | null;
  try {
    message = fromProto3JSON(requestType, json as JSONValue);
  } catch (error) {
    throw new InvalidPayload(`Invalid JSON payload received. ${(error as Error).message}`);
  }
  return message ? requestType.toObject(message, OBJECT_OPTIONS) : {};
}

function responseTypeName(route: HttpRoute): string {
  const type = lookupService(route.service)?.methods[route.method]?.resolvedResponseType;
  if (!type) throw new Error(`no response type for ${route.service}.${route.method}`);
  return type.fullName.replace(/^\./, '');
}

function readBody(req: IncomingMessage): Promise<{ ok: true; text: string } | { ok: false }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        size > MAX_BODY_BYTES ? { ok: false } : { ok: true, text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function sendStatus(res: ServerResponse, status: RpcStatus, numericEnums: boolean): void {
  const body = restErrorBody(status, numericEnums);
  sendJson(res, body.error.code, body);
}

/** Serves `handle` over HTTP/JSON on `host:port` (`0`: a free port). */
export async function startRestServer(
  host: string,
  port: number,
  handle: CallHandler,
): Promise<RunningServer> {
  const routes = httpRoutes();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const alt = url.searchParams.get('$alt') ?? url.searchParams.get('alt') ?? '';
    const numericEnums = /(^|;)\s*enum-encoding=int\s*(;|$)/.test(alt);
    const received = await readBody(req);

    const found = matchRoute(routes, (req.method ?? 'GET').toUpperCase(), url.pathname);
    if (found.kind === 'not-found')
      return sendStatus(res, rpcStatus(Code.NOT_FOUND, 'Method not found.'), numericEnums);
    const { route, params } = found;
    if (!IMPLEMENTED.has(route.method))
      return sendStatus(
        res,
        rpcStatus(
          Code.UNIMPLEMENTED,
          `Method ${route.service}.${route.method} is not implemented by the emulator.`,
        ),
        numericEnums,
      );
    const method = route.method as ChannelMethod;
    const header = req.headers[ROUTING_HEADER];
    const routingHeader = Array.isArray(header) ? header.join(',') : header;

    let request: Record<string, unknown> = {};
    let invalid: RpcStatus | undefined;
    try {
      if (!received.ok)
        throw new InvalidPayload(`Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`);
      const unknownParameter = [...url.searchParams.keys()].find((name) => !SYSTEM_PARAMETERS.has(name));
      if (unknownParameter !== undefined)
        throw new InvalidPayload(
          `Invalid JSON payload received. Unknown name ${JSON.stringify(unknownParameter)}: Cannot bind query parameter.`,
        );
      request = decodeRequest(route, params, received.text);
    } catch (error) {
      if (!(error instanceof InvalidPayload)) throw error;
      invalid = invalidPayload(error);
    }

    const outcome = await handle({ transport: 'rest', method, routingHeader, request, invalid });
    switch (outcome.kind) {
      case 'ok':
        return sendJson(res, 200, toJson(responseTypeName(route), outcome.response, numericEnums));
      case 'error':
        return sendStatus(res, outcome.status, numericEnums);
      case 'closed':
        res.socket?.destroy();
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed)
        sendStatus(
          res,
          rpcStatus(Code.INTERNAL, `emulator error: ${(error as Error)?.message ?? error}`),
          false,
        );
      else res.destroy();
    });
  });
  await listen(server, host, port);

  // Every connection, including one that never sent a request, so that close() ends them all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
