/**
 * The log of every request the emulator received. It records no header at all, so neither the
 * `Authorization` header nor anything derived from it can appear in it.
 */
import type { ConfluentFault } from './faults.ts';
import type { ConfluentOperationId } from './spec.ts';

/** One request as the emulator saw it. */
export interface ConfluentRecordedRequest {
  /** The `X-Request-Id` the emulator assigned (sent back unless the connection was cut). */
  readonly requestId: string;
  /** When the request arrived (RFC 3339, UTC, milliseconds). */
  readonly time: string;
  readonly method: string;
  /** The URL path, without the query string. */
  readonly path: string;
  /** Query parameters; a repeated parameter gives an array. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** The vendor operation the request was routed to, if any. */
  readonly operationId: ConfluentOperationId | undefined;
  /** The body: parsed JSON, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: unknown;
  /**
   * The status the emulator answered with; `undefined` when it sent no response (a `reset` or
   * `drop-after-commit` fault, or the request is still in progress).
   */
  readonly status: number | undefined;
  /** The type of the injected fault applied to this request, if one was. */
  readonly fault: ConfluentFault['type'] | undefined;
}

/** The writable form kept inside the emulator. */
export type RequestLogEntry = {
  -readonly [K in keyof ConfluentRecordedRequest]: ConfluentRecordedRequest[K];
};

export class RequestLog {
  #entries: RequestLogEntry[] = [];

  start(entry: Omit<RequestLogEntry, 'status' | 'fault' | 'body' | 'operationId'>): RequestLogEntry {
    const full: RequestLogEntry = {
      ...entry,
      operationId: undefined,
      body: undefined,
      status: undefined,
      fault: undefined,
    };
    this.#entries.push(full);
    return full;
  }

  /** Deep copies, oldest first. */
  snapshot(): ConfluentRecordedRequest[] {
    return structuredClone(this.#entries);
  }

  clear(): void {
    this.#entries = [];
  }
}

/** Query parameters as a record; repeated names collect into arrays. */
export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = Object.create(null);
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    record[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return record;
}
