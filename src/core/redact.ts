/**
 * Secrets the library was given (API keys and secrets, bearer tokens, credential header values)
 * never leave it in an error or an event, whatever a server echoes back: every string an error or
 * an event carries is scrubbed of each known secret and of its HTTP forms (Basic and Bearer
 * credentials, base64, URL and JSON escapes).
 */
import { EntitlementError } from './errors.ts';

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this cannot be told apart from ordinary text, so they are not searched for. */
const MIN_SECRET_LENGTH = 4;

function forms(secret: string): string[] {
  const variants = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  for (const encoding of ['base64', 'base64url'] as const)
    variants.add(Buffer.from(secret, 'utf8').toString(encoding));
  return [...variants].filter((variant) => variant.length >= MIN_SECRET_LENGTH);
}

export class Redactor {
  #secrets: string[] = [];
  #pattern: RegExp | undefined;

  /** Remembers a secret (and the credential built from it); returns it unchanged. */
  add(secret: string | undefined): string | undefined {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return secret;
    let changed = false;
    for (const variant of forms(secret)) {
      if (this.#secrets.includes(variant)) continue;
      this.#secrets.push(variant);
      changed = true;
    }
    if (changed) {
      // Longest first, so a secret inside a longer known credential goes with it.
      this.#secrets.sort((a, b) => b.length - a.length);
      this.#pattern = new RegExp(
        this.#secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
        'g',
      );
    }
    return secret;
  }

  get empty(): boolean {
    return this.#pattern === undefined;
  }

  text(value: string): string {
    return this.#pattern ? value.replace(this.#pattern, REDACTED) : value;
  }

  /** A deep copy of a JSON-like value with every string scrubbed. */
  value<T>(value: T, depth = 0): T {
    if (this.#pattern === undefined) return value;
    if (typeof value === 'string') return this.text(value) as T;
    if (typeof value !== 'object' || value === null || depth > 16) return value;
    if (value instanceof Error) return this.#error(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.value(item, depth + 1)) as T;
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        this.value(item, depth + 1),
      ]),
    ) as T;
  }

  /**
   * The error with no secret in any field. An `EntitlementError` comes back as a copy when it
   * carried a secret (the same stack, scrubbed); a foreign error (a cause) is replaced by a plain
   * Error with its name, code, scrubbed message and stack only when it carried one.
   */
  error<E>(error: E): E {
    if (this.#pattern === undefined || !(error instanceof Error)) return error;
    return this.#error(error) as E;
  }

  #contains(text: string | undefined): boolean {
    if (text === undefined || this.#pattern === undefined) return false;
    this.#pattern.lastIndex = 0;
    return this.#pattern.test(text);
  }

  #error(error: Error): Error {
    const rawCause = (error as { cause?: unknown }).cause;
    const cause = rawCause === undefined ? undefined : this.value(rawCause);
    if (EntitlementError.isInstance(error)) {
      const { cause: _ignored, ...fields } = error.toInit();
      if (!this.#contains(error.stack) && !this.#contains(JSON.stringify(fields)) && cause === rawCause)
        return error;
      const copy = new EntitlementError({ ...this.value(fields), cause });
      if (error.stack !== undefined) copy.stack = this.text(error.stack);
      return copy;
    }
    if (!this.#contains(error.message) && !this.#contains(error.stack) && cause === rawCause) return error;
    const copy = new Error(this.text(error.message), cause === undefined ? undefined : { cause });
    copy.name = error.name;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
    if (error.stack !== undefined) copy.stack = this.text(error.stack);
    return copy;
  }
}
