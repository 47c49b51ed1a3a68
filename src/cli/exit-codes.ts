/**
 * The CLI's exit codes: one per error family, so scripts can branch on `$?` without parsing output.
 * The table is printed in `entitlements --help` and documented in the README.
 *
 * `invalid-argument` splits in two by what the error carries: without an HTTP status or a gRPC
 * code the library refused the request itself and nothing was sent (3); with one, the vendor
 * received the request and rejected it (9).
 */
import { type ErrorKind, isEntitlementError } from '../core/errors.ts';

export const EXIT = {
  ok: 0,
  /** A bug or an error that is not an EntitlementError. */
  unexpected: 1,
  /** The command line is wrong (unknown command or option, missing or malformed option value). */
  usage: 2,
  invalidArgument: 3,
  notFound: 4,
  auth: 5,
  deadlineExceeded: 6,
  failed: 7,
  unavailable: 8,
  /** The vendor received the request and rejected it as invalid (HTTP 400, INVALID_ARGUMENT). */
  rejected: 9,
  /** Ctrl-C (SIGINT) or SIGTERM: 128 + SIGINT, as shells report it. */
  cancelled: 130,
  /** stdout or stderr was closed before everything was written (`| head`): 128 + SIGPIPE. */
  closedPipe: 141,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ExitCodeRow {
  code: ExitCode;
  kinds: readonly (ErrorKind | 'usage' | 'other' | 'pipe')[];
  meaning: string;
}

/** Every exit code with the error kinds it stands for. */
export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = [
  { code: EXIT.ok, kinds: [], meaning: 'success' },
  { code: EXIT.unexpected, kinds: ['other'], meaning: 'unexpected error (a bug: please report it)' },
  { code: EXIT.usage, kinds: ['usage'], meaning: 'usage error: unknown command or option, bad option value' },
  {
    code: EXIT.invalidArgument,
    kinds: ['invalid-argument'],
    meaning: 'the request is invalid and nothing was sent',
  },
  {
    code: EXIT.notFound,
    kinds: ['not-found', 'already-exists'],
    meaning: 'no such entitlement, customer or offer; or it already exists',
  },
  {
    code: EXIT.auth,
    kinds: ['unauthenticated', 'permission-denied'],
    meaning: 'missing or wrong credentials',
  },
  {
    code: EXIT.deadlineExceeded,
    kinds: ['deadline-exceeded'],
    meaning: 'still running at --timeout; resume with `entitlements wait <token>`',
  },
  {
    code: EXIT.failed,
    kinds: ['operation-failed', 'failed-precondition'],
    meaning: 'the vendor refused or failed the purchase',
  },
  {
    code: EXIT.unavailable,
    kinds: ['unavailable', 'rate-limited', 'internal'],
    meaning: 'the vendor is failing (after retries); try again later',
  },
  {
    code: EXIT.rejected,
    kinds: ['invalid-argument'],
    meaning: 'the vendor received the request and rejected it as invalid (HTTP 400, INVALID_ARGUMENT)',
  },
  {
    code: EXIT.cancelled,
    kinds: ['cancelled'],
    meaning: 'interrupted (Ctrl-C, SIGTERM); an operation already started goes on',
  },
  {
    code: EXIT.closedPipe,
    kinds: ['pipe'],
    meaning: 'the output was closed early (e.g. `| head`); the command itself completed',
  },
];

// The first row of a kind is its code (invalid-argument: 3; the vendor-side case is below).
const BY_KIND = new Map<string, ExitCode>();
for (const row of EXIT_CODE_TABLE)
  for (const kind of row.kinds) if (!BY_KIND.has(kind)) BY_KIND.set(kind, row.code);

/** Whether the vendor answered: the error carries the HTTP status or the gRPC code it answered with. */
export function vendorAnswered(error: { httpStatus?: number; grpcCode?: number }): boolean {
  return error.httpStatus !== undefined || error.grpcCode !== undefined;
}

/** The exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): ExitCode {
  if (!isEntitlementError(error)) return EXIT.unexpected;
  if (error.kind === 'invalid-argument' && vendorAnswered(error)) return EXIT.rejected;
  return BY_KIND.get(error.kind) ?? EXIT.unexpected;
}

/** The table as aligned text, for the `--help` epilog. */
export function exitCodeHelp(): string {
  const lines = EXIT_CODE_TABLE.map((row) => {
    const kinds = row.kinds.filter((kind) => kind !== 'other' && kind !== 'usage' && kind !== 'pipe');
    return `  ${String(row.code).padStart(3)}  ${kinds.length > 0 ? `${kinds.join(', ')}: ` : ''}${row.meaning}`;
  });
  return ['Exit codes:', ...lines].join('\n');
}
